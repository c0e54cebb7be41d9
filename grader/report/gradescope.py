"""Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

Public checks are ``visible``; hidden checks are shown ``after_published``. Each test's
``output`` is the check's message and hint; the student's printed output is appended for
public checks only. Whose an error is (``cause``) and a grader-side error's traceback go to
the test's ``extra_data``, which students do not see. Every string is made printable
(:mod:`grader.report.printable`): the file is valid UTF-8 JSON whatever the student printed.
"""

from __future__ import annotations

import json

from grader.i18n import t
from grader.report.printable import clean_tree
from grader.results import Report


def gradescope_results(report: Report) -> dict:
    """Gradescope's ``results.json`` data for one submission.

    Args:
      report: the submission's report.

    Returns:
      The ``results.json`` object, every string printable.
    """
    lang = report.lang
    tests = []
    for i, ex in enumerate(report.exercises, start=1):
        for j, r in enumerate(ex.checks, start=1):
            parts = [r.message] if r.message else []
            if r.status != "passed" and r.hint:
                parts.append(f"{t('report.hint', lang)}: {r.hint}")
            if r.output.strip() and not r.check.hidden:
                parts.append(f"{t('report.output', lang)}:\n{r.output.rstrip()}")
            tests.append(
                {
                    "name": f"{ex.exercise.id} › {r.check.function}/{r.check.name}",
                    "number": f"{i}.{j}",
                    "score": round(r.score, 6),
                    "max_score": r.check.points,
                    "status": "passed" if r.status == "passed" else "failed",
                    "output": "\n\n".join(parts),
                    "tags": [ex.exercise.id, r.check.function, r.check.kind],
                    "visibility": "after_published" if r.check.hidden else "visible",
                    "extra_data": {
                        "check_id": r.check.id,
                        "grader_status": r.status,
                        **({"cause": r.cause} if r.cause else {}),
                        **({"internal_error": r.internal_error} if r.internal_error else {}),
                    },
                }
            )
    total = report.max_score or 1.0
    summary = t(
        "report.summary",
        lang,
        score=report.score,
        max_score=report.max_score,
        percent=100.0 * report.score / total,
        duration=report.duration_s,
    )
    causes = [r.cause for e in report.exercises for r in e.checks if r.status == "error"]
    if causes:  # whose errors they are: the student's code or the grader's
        summary += "\n" + t(
            "report.error_causes",
            lang,
            student=causes.count("student"),
            grader=causes.count("grader"),
        )
    return clean_tree(
        {
            "score": round(report.score, 6),
            "execution_time": max(1, round(report.duration_s)),
            "output": summary + "\n" + t(f"report.sandbox_{report.sandbox}", lang),
            "stdout_visibility": "hidden",
            "extra_data": {"suite": report.suite, "seed": report.seed, "versions": report.versions},
            "tests": tests,
        }
    )


def render_gradescope(report: Report) -> str:
    return json.dumps(gradescope_results(report), indent=2, ensure_ascii=False) + "\n"
