"""The gradebook: one row per submission — id, score per exercise, total, status."""

from __future__ import annotations

import csv
import io

from grader.runner import Report


def gradebook_rows(reports: list[dict], refused: dict[str, str] | None = None) -> list[dict]:
    """Rows from JSON reports (``Report.to_json()``); ``refused`` maps ids to why they were not graded."""
    exercise_ids = list(dict.fromkeys(e["id"] for r in reports for e in r["exercises"]))
    rows = []
    for r in reports:
        row = {"id": r["submission"]}
        scores = {e["id"]: e["score"] for e in r["exercises"]}
        for ex in exercise_ids:
            row[ex] = f"{scores[ex]:g}" if ex in scores else ""
        row["total"] = f"{r['score']:g}"
        row["max_score"] = f"{r['max_score']:g}"
        problems = sum(
            c["status"] in ("error", "timeout") for e in r["exercises"] for c in e["checks"]
        )
        row["status"] = (
            "graded" if not problems else f"graded ({problems} checks errored or timed out)"
        )
        rows.append(row)
    for sid, why in sorted((refused or {}).items()):
        blank = {ex: "" for ex in exercise_ids}
        rows.append(
            {"id": sid, **blank, "total": "0", "max_score": "", "status": f"refused: {why}"}
        )
    return sorted(rows, key=lambda row: row["id"])


def render_csv_rows(rows: list[dict]) -> str:
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["id", "total", "max_score", "status"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def render_csv(reports: list[Report], refused: dict[str, str] | None = None) -> str:
    return render_csv_rows(gradebook_rows([r.to_json() for r in reports], refused))
