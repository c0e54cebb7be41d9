"""JUnit XML from JSON reports: one ``<testsuite>`` per submission and exercise, one
``<testcase>`` per check (score, kind, visibility and, for errors, whose error it is as
properties).

Every string is made printable first (:mod:`grader.report.printable`): XML 1.0 cannot carry
``\\x00``, ``\\x01`` or a lone surrogate, and a student's output or exception may contain
them. A grader-side error's traceback goes to the check's ``<system-err>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.report.printable import clean_tree


def render_junit(reports: list[dict]) -> str:
    """JUnit XML for ``reports`` (``Report.to_json()`` dicts), parsable whatever they contain.

    Args:
      reports: one JSON report per submission.

    Returns:
      The XML document as text.
    """
    root = ET.Element("testsuites")
    for report in clean_tree(reports):
        for ex in report["exercises"]:
            checks = ex["checks"]
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"{report['submission']}::{ex['id']}",
                tests=str(len(checks)),
                failures=str(sum(c["status"] == "failed" for c in checks)),
                errors=str(sum(c["status"] in ("error", "timeout") for c in checks)),
                skipped=str(sum(c["status"] == "skipped" for c in checks)),
                time=f"{ex['duration_s']:.3f}",
            )
            for c in checks:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=ex["id"],
                    name=c["id"].split("/", 1)[-1],
                    time=f"{c['duration_s']:.3f}",
                )
                props = ET.SubElement(case, "properties")
                for name in ("score", "max_score", "kind", "visibility", "cause"):
                    if name in c:
                        ET.SubElement(props, "property", name=name, value=str(c[name]))
                message = c.get("message", "")
                if c["status"] == "failed":
                    ET.SubElement(
                        case, "failure", message=message.split("\n")[0][:200]
                    ).text = message
                elif c["status"] in ("error", "timeout"):
                    kind = f"{c['status']} ({c['cause']})" if c.get("cause") else c["status"]
                    ET.SubElement(case, "error", message=message.split("\n")[0][:200], type=kind)
                    case[-1].text = message
                elif c["status"] == "skipped":
                    ET.SubElement(case, "skipped", message=message)
                if c.get("output"):
                    ET.SubElement(case, "system-out").text = c["output"]
                if c.get("internal_error"):
                    ET.SubElement(case, "system-err").text = c["internal_error"]
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
