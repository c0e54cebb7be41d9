"""The ``grader`` command line: ``run``, ``list``, ``freeze`` (and, for instructors,
``release``, ``gradescope``, ``replay``). See DESIGN.md for the public contract.

Exit status of ``grader run``: 0 every check passed, 1 some check failed, 2 usage or
internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the grader was called or set up; the message says how to fix it."""


def default_solutions_dir() -> Path | None:
    env = os.environ.get("JAXNN_SOLUTIONS")
    if env:
        return Path(env)
    candidate = Path(__file__).resolve().parent.parent / "solutions"
    return candidate if candidate.is_dir() else None


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="exercises folder (default ./exercises), .py files, a .zip or .ipynb notebooks",
    )
    p.add_argument(
        "-e",
        "--exercise",
        action="append",
        metavar="ID",
        help="only these exercises (repeatable), e.g. -e ex03",
    )
    p.add_argument(
        "--hidden", action="store_true", help="include hidden checks (needs the solutions)"
    )
    p.add_argument(
        "--batch", metavar="DIR", help="grade every sub-folder or .zip of DIR as one submission"
    )
    p.add_argument(
        "--format", default="table", choices=("table", "json", "junit", "gradescope", "csv")
    )
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="exercises (or submissions) graded in parallel",
    )
    p.add_argument("--lang", default="en", choices=("en", "fr"))
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="base seed for generated inputs (default 0)",
    )
    p.add_argument(
        "--solutions",
        metavar="DIR",
        help="reference solutions (default: the repository's solutions/)",
    )
    p.add_argument("--sandbox", default="auto", choices=("auto", "bwrap", "rlimits"))
    p.add_argument("--memory-mb", type=int, default=4096, help="memory cap per worker (MiB)")
    p.add_argument("--no-cache", action="store_true", help="recompute expected outputs")
    p.add_argument(
        "--force", action="store_true", help="with --batch: regrade submissions already graded"
    )
    p.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader", description="Grade jaxnn course exercises in a sandbox."
    )
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run_options(sub.add_parser("run", help="grade a submission"))
    p = sub.add_parser("list", help="exercises, functions and points")
    p.add_argument("--hidden", action="store_true", help="count hidden checks too")
    p.add_argument("--lang", default="en", choices=("en", "fr"))
    p = sub.add_parser("freeze", help="write the public checks' expected outputs to grader/frozen/")
    p.add_argument("-e", "--exercise", action="append", metavar="ID")
    p.add_argument("--solutions", metavar="DIR")
    p.add_argument("--check", action="store_true", help="only report whether the freeze is fresh")
    return parser


def _options(args):
    from grader.runner import Options
    from grader.sandbox import SandboxConfig

    solutions = Path(args.solutions) if args.solutions else default_solutions_dir()
    if args.hidden and solutions is None:
        raise UsageError(
            "--hidden needs the reference solutions: run from the instructor's repository or pass --solutions DIR"
        )
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    return Options(
        hidden=args.hidden,
        seed=args.seed,
        lang=args.lang,
        jobs=args.jobs,
        sandbox=SandboxConfig(mode=args.sandbox, memory_mb=args.memory_mb),
        solutions_dir=solutions,
        use_cache=not args.no_cache,
    )


def cmd_run(args) -> int:
    from grader import course
    from grader.report import render
    from grader.runner import compute_expectations, grade
    from grader.submission import stage

    try:
        ids = course.select(args.exercise)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    options = _options(args)
    if args.batch:
        from grader.batch import run_batch

        return run_batch(args, ids, options)
    paths = args.paths or ["exercises"]
    staged = stage(paths)
    try:
        if len(paths) == 1 and Path(paths[0]).suffix in (".py", ".ipynb"):
            stem = Path(paths[0]).stem
            if stem not in course.available():
                raise UsageError(
                    f"{Path(paths[0]).name} is not named like an exercise ({', '.join(course.available())})"
                )
            ids = [i for i in ids if i == stem] or ([stem] if not args.exercise else [])
        expectations, suite = compute_expectations(ids, options)
        label = " ".join(str(p) for p in paths)
        report = grade(label, Path(staged.name), ids, options, expectations, suite)
        report.notes = list(getattr(staged, "notes", []))
    finally:
        staged.cleanup()
    color = args.output is None and sys.stdout.isatty()
    text = render([report], args.format, color=color)
    _write(text, args.output)
    return EXIT_OK if report.all_passed else EXIT_FAILED


def _write(text: str, output: str | None) -> None:
    if output:
        from grader.expect import _atomic_write

        _atomic_write(Path(output), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from grader import course

    table = Table(title="jaxnn course")
    for col in ("exercise", "function", "checks", "points"):
        table.add_column(col, justify="right" if col in ("checks", "points") else "left")
    grand = 0.0
    for ex_id in course.available():
        ex = course.load(ex_id)
        checks = ex.selected(args.hidden)
        for i, fn in enumerate(ex.functions):
            mine = [c for c in checks if c.function == fn]
            pts = sum(c.points for c in mine)
            grand += pts
            table.add_row(
                f"{ex_id} — {ex.title(args.lang)}" if i == 0 else "", fn, str(len(mine)), f"{pts:g}"
            )
        table.add_section()
    table.add_row("total", "", "", f"{grand:g}")
    Console(width=120).print(table)
    return EXIT_OK


def cmd_freeze(args) -> int:
    from grader import course
    from grader.expect import FROZEN_DIR, freeze, frozen_status

    solutions = Path(args.solutions) if args.solutions else default_solutions_dir()
    if solutions is None:
        raise UsageError("freeze needs the reference solutions (pass --solutions DIR)")
    stale = 0
    for ex_id in course.select(args.exercise):
        state = frozen_status(ex_id, solutions)
        if args.check:
            print(f"{ex_id}: {state}")
            stale += state != "fresh"
            continue
        path = freeze(course.load(ex_id), solutions, seed=0, out_dir=FROZEN_DIR)
        print(f"{ex_id}: wrote {path}")
    return EXIT_FAILED if stale else EXIT_OK


COMMANDS = {"run": cmd_run, "list": cmd_list, "freeze": cmd_freeze}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from grader.expect import ReferenceError_
        from grader.sandbox import SandboxError
        from grader.submission import SubmissionError

        if isinstance(exc, (SubmissionError, SandboxError, ReferenceError_)):
            print(f"grader: {exc}", file=sys.stderr)
            return EXIT_USAGE
        import traceback

        traceback.print_exc()
        print(f"grader: internal error: {exc!r}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
