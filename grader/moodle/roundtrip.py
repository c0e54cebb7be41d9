"""Moodle out, for a graded batch: the filled worksheet and the feedback files zip.

``grader run --batch DOWNLOAD --moodle-worksheet WORKSHEET.csv`` reads the worksheet before
grading (a wrong file is refused before any work is done), then writes next to the gradebook:

- ``moodle-worksheet.csv``: the worksheet as it came, with Grade (the score scaled to the row's
  Maximum grade, or to ``--scale``) and Feedback comments (a short HTML summary) filled in for
  every graded participant (:mod:`grader.moodle.worksheet`);
- ``moodle-feedback.zip``: one folder per participant holding their full report as text, in
  the report's language, for "Upload multiple feedback files in a zip"
  (:mod:`grader.moodle.feedback`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from grader.i18n import t
from grader.moodle.feedback import feedback_html, write_feedback_zip
from grader.moodle.worksheet import Grade, Worksheet, fill, upload_hint, write_worksheet

WORKSHEET_OUT = "moodle-worksheet.csv"
FEEDBACK_OUT = "moodle-feedback.zip"
_STATUSES = ("passed", "failed", "timeout", "skipped")  # "error" says whose, below


def report_text(report: Mapping, lang: str = "en") -> str:
    """A student's full report as plain text: per exercise, every check with its result.

    Args:
      report: a submission's report as ``grader run --format json`` writes it.
      lang: ``"en"`` or ``"fr"`` (the messages themselves are in the language they were
        graded in).

    Returns:
      The text, one block per exercise.

    >>> check = {"id": "ex01_perceptron/perceptron/and", "status": "failed", "score": 0,
    ...          "max_score": 1, "message": "wrong on [0, 1]", "hint": "use >= 0"}
    >>> report = {"submission": "1234501", "score": 0, "max_score": 1, "exercises": [
    ...     {"id": "ex01_perceptron", "score": 0, "max_score": 1, "checks": [check]}]}
    >>> print(report_text(report), end="")
    1234501: 0 / 1
    <BLANKLINE>
    ex01_perceptron: 0 / 1
      ✗ perceptron/and  0/1  failed
        wrong on [0, 1]
        Hint: use >= 0
    """
    lines = [f"{report.get('submission', '')}: {_n(report['score'])} / {_n(report['max_score'])}"]
    for ex in report.get("exercises", []):
        lines += ["", f"{ex['id']}: {_n(ex['score'])} / {_n(ex['max_score'])}"]
        for c in ex.get("checks", []):
            status = c.get("status", "")
            name = c["id"].split("/", 1)[-1]
            mark = "✓" if status == "passed" else "✗"
            label = t(f"status.{status}", lang) if status in _STATUSES else status
            if status == "error":
                grader = c.get("cause") == "grader" or c.get("failure") == "grader"
                label = t("status.error_grader" if grader else "status.error_student", lang)
            lines.append(f"  {mark} {name}  {_n(c['score'])}/{_n(c['max_score'])}  {label}")
            if status != "passed":
                lines += [f"    {line}" for line in str(c.get("message", "")).splitlines()]
                if c.get("hint"):
                    lines.append(f"    {t('report.hint', lang)}: {c['hint']}")
    return "\n".join(lines) + "\n"


def _n(x) -> str:
    return f"{float(x):g}"


def export(
    sheet: Worksheet,
    reports: Mapping[str, Mapping],
    identities: Mapping[str, Mapping],
    out_dir: Path,
    lang: str,
    scale: float | None = None,
) -> list[str]:
    """Write the filled worksheet and the feedback zip of a graded batch into ``out_dir``.

    Args:
      sheet: the worksheet the instructor downloaded (:func:`grader.moodle.worksheet.read_worksheet`).
      reports: participant id → that participant's report (JSON data).
      identities: participant id → ``{"full_name": ...}`` from the Moodle download (names
        name the feedback folders; Moodle's importer reads only the id).
      out_dir: where the gradebook is.
      lang: the language of the comments and of the feedback files.
      scale: grade out of this instead of each row's Maximum grade.

    Returns:
      What the instructor should read: the worksheet's notes (participants missing from the
      sheet, grades Moodle will not let change) and how to upload both files.

    Raises:
      grader.moodle.worksheet.WorksheetError: the grades cannot go into this worksheet (a
        custom scale, a scale above the Maximum grade); nothing is written then.
    """
    moodle = {pid: r for pid, r in reports.items() if str(pid).isdigit()}
    notes = [
        f"{pid} is not a Moodle participant id (grade a Moodle download to fill the worksheet)"
        for pid in sorted(set(reports) - set(moodle))
    ]
    grades = {
        pid: Grade(float(r["score"]), float(r["max_score"]), feedback_html(r, lang))
        for pid, r in moodle.items()
    }
    filled = fill(sheet, grades, scale=scale)
    files = {
        pid: (
            (identities.get(pid) or {}).get("full_name") or "",
            {f"feedback-{pid}.txt": report_text(r, lang).encode("utf-8")},
        )
        for pid, r in moodle.items()
    }
    sheet_path = write_worksheet(filled, out_dir / WORKSHEET_OUT)
    zip_path = write_feedback_zip(out_dir / FEEDBACK_OUT, files)
    return [*notes, *filled.notes, f"wrote {sheet_path} and {zip_path}", upload_hint(filled)]
