"""JUnit XML from JSON reports: one ``<testsuite>`` per submission and exercise, one
``<testcase>`` per check (score, kind and visibility as properties)."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def render_junit(reports: list[dict]) -> str:
    root = ET.Element("testsuites")
    for report in reports:
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
                    name=c["id"].split("/", 1)[1],
                    time=f"{c['duration_s']:.3f}",
                )
                props = ET.SubElement(case, "properties")
                for name in ("score", "max_score", "kind", "visibility"):
                    ET.SubElement(props, "property", name=name, value=str(c[name]))
                if c["status"] == "failed":
                    ET.SubElement(
                        case, "failure", message=c["message"].split("\n")[0][:200]
                    ).text = c["message"]
                elif c["status"] in ("error", "timeout"):
                    ET.SubElement(case, "error", message=c["status"], type=c["status"]).text = c[
                        "message"
                    ]
                elif c["status"] == "skipped":
                    ET.SubElement(case, "skipped", message=c["message"])
                if c.get("output"):
                    ET.SubElement(case, "system-out").text = c["output"]
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
