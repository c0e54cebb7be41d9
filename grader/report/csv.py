"""The gradebook: one row per submission — id, score per exercise, total, status.

The status says what went wrong besides wrong answers, and whose fault it was: checks that
timed out or raised in the student's code, checks the grader itself could not judge, a
submission that was refused or could not be graded at all. Every cell is made printable
(:mod:`grader.report.printable`): a submission's folder name is the student's choice.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from grader.report.printable import clean_text

if TYPE_CHECKING:
    from grader.results import Report


def _graded_status(report: dict) -> str:
    checks = [c for e in report["exercises"] for c in e["checks"]]
    timeouts = sum(c["status"] == "timeout" for c in checks)
    errors = [c for c in checks if c["status"] == "error"]
    grader = sum(c.get("cause") == "grader" for c in errors)
    parts = []
    if timeouts:
        parts.append(f"{timeouts} timed out")
    if len(errors) - grader:
        parts.append(f"{len(errors) - grader} errored in the code")
    if grader:
        parts.append(f"{grader} not judged: grader error")
    return f"graded ({', '.join(parts)})" if parts else "graded"


def gradebook_rows(
    reports: list[dict],
    refused: dict[str, str] | None = None,
    failed: dict[str, str] | None = None,
    identities: dict[str, dict] | None = None,
) -> list[dict]:
    """The gradebook's rows, sorted by submission id.

    Args:
      reports: JSON reports (``Report.to_json()``), one per graded submission.
      refused: ids of submissions refused (unsafe, unreadable) and why.
      failed: ids of submissions the grader failed to grade (its own error) and the error.
      identities: for a Moodle download, each id's ``participant_id`` and ``full_name``
        (``None`` under blind marking): the rows then carry these two columns after ``id``.

    Returns:
      One dict per submission: ``id`` (then ``participant_id`` and ``full_name`` when
      ``identities`` is given), a score per exercise, ``total``, ``max_score``, ``status``.
    """
    exercise_ids = list(dict.fromkeys(e["id"] for r in reports for e in r["exercises"]))
    rows = []
    for r in reports:
        row = {"id": r["submission"]}
        scores = {e["id"]: e["score"] for e in r["exercises"]}
        for ex in exercise_ids:
            row[ex] = f"{scores[ex]:g}" if ex in scores else ""
        row["total"] = f"{r['score']:g}"
        row["max_score"] = f"{r['max_score']:g}"
        row["status"] = _graded_status(r)
        rows.append(row)
    ungraded = [(sid, f"refused: {why}") for sid, why in (refused or {}).items()]
    ungraded += [
        (sid, f"not graded: grader error ({why}); rerun it once the grader is fixed")
        for sid, why in (failed or {}).items()
    ]
    for sid, status in sorted(ungraded):
        blank = {ex: "" for ex in exercise_ids}
        rows.append({"id": sid, **blank, "total": "0", "max_score": "", "status": status})
    if identities is not None:
        rows = [_with_identity(row, identities.get(row["id"], {})) for row in rows]
    return sorted((_safe_row(row) for row in rows), key=lambda row: row["id"])


def _with_identity(row: dict, who: dict) -> dict:
    name = who.get("full_name")
    identity = {"participant_id": who.get("participant_id", ""), "full_name": name or ""}
    return {"id": row["id"], **identity, **{k: v for k, v in row.items() if k != "id"}}


def _safe_row(row: dict) -> dict:
    out = {k: clean_text(v) for k, v in row.items()}
    for k in ("id", "status", "full_name"):
        if k not in out:
            continue
        # A spreadsheet runs a cell that starts with = + - @ as a formula: a folder called
        # "=HYPERLINK(...)" must stay text.
        if out[k][:1] in ("=", "+", "-", "@"):
            out[k] = "'" + out[k]
    return out


def render_csv_rows(rows: list[dict]) -> str:
    """The rows as CSV text (a header, then one line per row)."""
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["id", "total", "max_score", "status"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def render_csv(reports: list[Report], refused: dict[str, str] | None = None) -> str:
    """The gradebook of ``reports`` as CSV text."""
    return render_csv_rows(gradebook_rows([r.to_json() for r in reports], refused))
