"""``grader replay REPORT.json CHECK_ID``: re-run one check of a graded submission.

For the instructor answering "why did I lose this point?": the check runs again on the
same submission with the seed recorded in the report, and the inputs' shapes, each case's
outcome and the comparison are printed — expected values included, hidden checks too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from grader import course
from grader.compare import shape_summary
from grader.options import Options
from grader.results import versions
from grader.runner import compute_expectations, grade_exercise


def _preview(value, limit: int = 6) -> str:
    if isinstance(value, np.ndarray):
        flat = value.ravel()[:limit]
        more = " …" if value.size > limit else ""
        return f"{shape_summary(value)} {np.array2string(flat, precision=6, separator=', ')}{more}"
    return shape_summary(value)


def replay(
    report_path: Path, check_id: str, options: Options, submission: Path | None = None
) -> str:
    """Re-run ``check_id`` as recorded in ``report_path``; return the printable account."""
    from grader.submission import stage

    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    recorded = next(
        (
            c
            for e in report.get("exercises", [])
            for c in e.get("checks", [])
            if c.get("id") == check_id
        ),
        None,
    )
    if recorded is None:
        raise KeyError(f"{report_path} has no check {check_id!r}")
    ex_id = check_id.split("/", 1)[0]
    exercise = course.load(ex_id)
    check = next((c for c in exercise.checks if c.id == check_id), None)
    if check is None:
        raise KeyError(f"the course no longer has the check {check_id!r}")
    hidden = bool(report.get("hidden", check.hidden)) or check.hidden
    options = replace(options, seed=int(report.get("seed", 0)), hidden=hidden)
    source = Path(submission or report["submission"])
    lines = [f"check {check_id} ({check.kind}, {check.visibility}, {check.points:g} points)"]
    lines.append(f"submission {source}, seed {options.seed}")
    lines.append(f"recorded: {recorded['status']} {recorded['score']:g}/{recorded['max_score']:g}")
    now = versions()
    if report.get("versions") and report["versions"] != now:
        lines.append(f"note: versions differ — recorded {report['versions']}, now {now}")
    # The suite hash covers every exercise the report graded, as it did then.
    graded = [e["id"] for e in report.get("exercises", []) if e.get("id") in course.available()]
    expectations, suite = compute_expectations(graded or [ex_id], options)
    if report.get("suite") and report["suite"] != suite:
        lines.append(
            "note: the checks or expectations changed since this report (suite hash differs)"
        )
    cases = check.make_cases(options.seed)
    expected = expectations[ex_id].get(check.id)
    for i, case in enumerate(cases):
        label = case.label(options.lang) if callable(case.label) else case.label
        inputs = ", ".join(shape_summary(a) for a in case.args)
        lines.append(f"case {i + 1}: {label or ''} inputs: {inputs}")
        if expected is not None:
            lines.append(f"  expected: {_preview(expected[i])}")
    staged = stage([source])
    try:
        one = replace(exercise, checks=(check,))
        result = grade_exercise(
            one, Path(staged.name), options, expectations[ex_id], course.private_dirs()
        ).checks[0]
    finally:
        staged.cleanup()
    lines.append(
        f"now: {result.status} {result.score:g}/{check.points:g} in {result.duration_s:.2f} s"
    )
    if result.message:
        lines.append(f"message: {result.message}")
    if result.output:
        lines.append(f"output:\n{result.output}")
    return "\n".join(lines) + "\n"
