"""The human report: one table per exercise, a score per function, what to fix, a total.

Every string is made printable first (:mod:`grader.report.printable`): what a student
printed or raised never moves the instructor's cursor or clears their terminal. A check
whose row cannot be drawn says so in its row; the others are drawn. Errors say whose they
are: the submission's code, or the grader itself.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from grader.i18n import t
from grader.report.printable import clean_text
from grader.results import CheckResult, Report

_STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "magenta",
    "timeout": "yellow",
    "skipped": "dim",
}
_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "-"}


def _status_label(r: CheckResult, lang: str) -> str:
    if r.status == "error":
        return t("status.error_grader" if r.cause == "grader" else "status.error_student", lang)
    return t("status." + r.status, lang)


def _row(r: CheckResult, lang: str) -> tuple[str, RichText, str, str]:
    """The four cells of one check's row (markup escaped, every text printable)."""
    c = r.check
    # Function, then the check's name below it: both stay readable in a narrow column.
    name = f"{c.function}\n  {c.name}" + (" 🔒" if c.hidden else "")
    status = RichText(f"{_MARK[r.status]} {_status_label(r, lang)}", style=_STYLE[r.status])
    message = r.message
    if r.status != "passed" and r.hint:
        message += f"\n{t('report.hint', lang)}: {r.hint}"
    if r.status != "passed" and r.output.strip():
        message += f"\n{t('report.output', lang)}:\n{r.output.rstrip()[-600:]}"
    if r.internal_error:
        last = r.internal_error.strip().splitlines()[-1:] or [""]
        message += f"\n{t('report.internal_error', lang)}: {last[0][:300]}"
    return (
        escape(clean_text(name)),
        status,
        f"{r.score:g}/{c.points:g}",
        escape(clean_text(message)),
    )


def render_table(report: Report, *, color: bool = False, width: int = 110) -> str:
    """The report as text tables, one per exercise, then the score and what errored.

    Args:
      report: one submission's report.
      color: ANSI colours (for a terminal).
      width: the tables' width in characters.

    Returns:
      The text, ready to print.
    """
    lang = report.lang
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    title = t("report.title", lang, submission=clean_text(report.submission))
    console.print(RichText(title, style="bold"))
    for note in report.notes:
        console.print(RichText(f"• {clean_text(note)}", style="dim"))
    for ex in report.exercises:
        table = Table(
            title=f"{ex.exercise.id} — {ex.exercise.title(lang)}   {ex.score:g} / {ex.max_score:g}",
            title_justify="left",
            show_lines=False,
            expand=True,
        )
        table.add_column(t("report.check", lang), ratio=3, overflow="fold")
        table.add_column(t("report.status", lang), no_wrap=True)
        table.add_column(t("report.score", lang), justify="right", no_wrap=True)
        table.add_column(t("report.message", lang), ratio=7)
        for r in ex.checks:
            try:
                cells = _row(r, lang)
            except Exception as exc:  # one check that cannot be drawn hides no other
                error = clean_text(f"{type(exc).__name__}: {exc}")[:200]
                cells = (
                    escape(clean_text(r.check.id)),
                    RichText("!", style="magenta"),
                    "",
                    escape(t("report.row_failed", lang, error=error)),
                )
            table.add_row(*cells)
        console.print(table)
        by_fn: dict[str, list[float]] = {}
        for r in ex.checks:
            s = by_fn.setdefault(r.check.function, [0.0, 0.0])
            s[0] += r.score
            s[1] += r.check.points
        console.print(
            "  " + "  ".join(f"{fn} {a:g}/{b:g}" for fn, (a, b) in by_fn.items()),
            style="dim",
        )
    total = report.max_score or 1.0
    console.print(
        RichText(
            t(
                "report.summary",
                lang,
                score=report.score,
                max_score=report.max_score,
                percent=100.0 * report.score / total,
                duration=report.duration_s,
            ),
            style="bold",
        )
    )
    n = sum(len(e.checks) for e in report.exercises)
    failed = sum(r.status != "passed" for e in report.exercises for r in e.checks)
    console.print(
        t("report.all_passed", lang)
        if failed == 0
        else t("report.failed_count", lang, failed=failed, total=n)
    )
    causes = [r.cause for e in report.exercises for r in e.checks if r.status == "error"]
    if causes:
        student, grader = causes.count("student"), causes.count("grader")
        console.print(t("report.error_causes", lang, student=student, grader=grader))
    console.print(t(f"report.sandbox_{report.sandbox}", lang), style="dim")
    return buf.getvalue()
