"""Report formats: ``table`` (rich, for people), ``json`` (DESIGN.md's schema, for tools),
``junit``, ``gradescope`` (``results.json``) and ``csv`` (a gradebook).

Every format stays valid whatever the student printed or raised: each makes its strings
printable with :mod:`grader.report.printable`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from grader.report.printable import clean_tree

if TYPE_CHECKING:  # grader.runner imports grader.report.printable: no cycle at run time
    from grader.results import Report

FORMATS = ("table", "json", "junit", "gradescope", "csv")


def render(reports: list[Report], fmt: str, *, batch: bool = False, color: bool = False) -> str:
    """Render one report (or, with ``batch``, a list of them) in ``fmt``."""
    if fmt == "json":
        data = [r.to_json() for r in reports] if batch else reports[0].to_json()
        return json.dumps(clean_tree(data), indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        from grader.report.table import render_table

        return "\n".join(render_table(r, color=color) for r in reports)
    if fmt == "junit":
        from grader.report.junit import render_junit

        return render_junit([r.to_json() for r in reports])
    if fmt == "gradescope":
        from grader.report.gradescope import render_gradescope

        if batch:
            raise ValueError("--format gradescope grades one submission; drop --batch")
        return render_gradescope(reports[0])
    if fmt == "csv":
        from grader.report.csv import render_csv

        return render_csv(reports)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
