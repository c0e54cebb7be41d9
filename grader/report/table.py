"""The human report: one table per exercise, a score per function, what to fix, a total."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from grader.i18n import t
from grader.runner import Report

_STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "magenta",
    "timeout": "yellow",
    "skipped": "dim",
}
_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "-"}


def render_table(report: Report, *, color: bool = False, width: int = 110) -> str:
    lang = report.lang
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(RichText(t("report.title", lang, submission=report.submission), style="bold"))
    for note in report.notes:
        console.print(RichText(f"• {note}", style="dim"))
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
            c = r.check
            # Function, then the check's name below it: both stay readable in a narrow column.
            name = f"{c.function}\n  {c.name}" + (" 🔒" if c.hidden else "")
            status = RichText(
                f"{_MARK[r.status]} {t('status.' + r.status, lang)}", style=_STYLE[r.status]
            )
            message = r.message
            if r.status != "passed" and r.hint:
                message += f"\n{t('report.hint', lang)}: {r.hint}"
            if r.status != "passed" and r.output.strip():
                message += f"\n{t('report.output', lang)}:\n{r.output.rstrip()[-600:]}"
            table.add_row(escape(name), status, f"{r.score:g}/{c.points:g}", escape(message))
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
    console.print(t(f"report.sandbox_{report.sandbox}", lang), style="dim")
    return buf.getvalue()
