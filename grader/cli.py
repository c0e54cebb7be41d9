"""The ``grader`` command line: ``run``, ``list``, ``freeze`` (and, for instructors,
``release``, ``gradescope``, ``replay``, ``selftest``, ``new``, ``similarity``). See DESIGN.md
for the public contract.

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


COURSE_HELP = (
    "also use the checks in DIR, laid out like grader/course/ (DIR/<id>.py, DIR/hidden/, "
    "DIR/variants/); repeatable; the JAXNN_COURSE environment variable does the same"
)
MOODLE_HELP = (
    "with --batch of a Moodle download: fill in the grading worksheet CSV downloaded from the "
    "assignment; writes moodle-worksheet.csv and moodle-feedback.zip beside the gradebook"
)


def _add_course_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", action="append", metavar="DIR", help=COURSE_HELP)


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
        help="only these exercises (repeatable): a whole id or its exNN prefix, e.g. -e ex03",
    )
    p.add_argument(
        "--hidden", action="store_true", help="include hidden checks (needs the solutions)"
    )
    p.add_argument(
        "--batch",
        metavar="DIR",
        help="grade every sub-folder or .zip of DIR as one submission, or a Moodle download",
    )
    p.add_argument("--moodle-worksheet", metavar="CSV", help=MOODLE_HELP)
    p.add_argument("--scale", type=float, metavar="X", help="grade the worksheet out of X")
    p.add_argument(
        "--format", default="table", choices=("table", "json", "junit", "gradescope", "csv")
    )
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="graded in parallel")
    p.add_argument("--lang", default="en", choices=("en", "fr"))
    p.add_argument("--seed", type=int, default=0, metavar="N", help="base seed of the inputs")
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
    _add_course_option(p)


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
    _add_course_option(p)
    p = sub.add_parser("freeze", help="write the public checks' expected outputs to grader/frozen/")
    p.add_argument("-e", "--exercise", action="append", metavar="ID")
    p.add_argument("--solutions", metavar="DIR")
    p.add_argument(
        "--hidden", action="store_true", help="freeze the hidden checks' expectations too"
    )
    p.add_argument("--out", metavar="DIR", help="where to write (default grader/frozen/)")
    p.add_argument("--check", action="store_true", help="only report whether the freeze is fresh")
    p = sub.add_parser(
        "release", help="write a student copy: stubs, grader, public checks, frozen outputs"
    )
    p.add_argument("outdir", metavar="OUTDIR")
    p.add_argument("-e", "--exercise", action="append", metavar="ID", help="only these exercises")
    p.add_argument("--solutions", metavar="DIR")
    p = sub.add_parser(
        "gradescope", help="write a Gradescope autograder bundle (setup.sh, run_autograder)"
    )
    p.add_argument("out_zip", metavar="OUT.zip")
    p.add_argument("-e", "--exercise", action="append", metavar="ID", help="only these exercises")
    p.add_argument("--solutions", metavar="DIR")
    p = sub.add_parser("replay", help="re-run one check of a report, showing inputs and comparison")
    p.add_argument("report", metavar="REPORT.json")
    p.add_argument("check_id", metavar="CHECK_ID")
    p.add_argument("--submission", metavar="PATH", help="where the submission is now, if it moved")
    p.add_argument("--solutions", metavar="DIR")
    p.add_argument("--lang", default="en", choices=("en", "fr"))
    _add_selftest_and_new(sub)
    p = sub.add_parser("similarity", help="pairs of submissions with alike code, per exercise")
    p.add_argument("source", metavar="DIR_OR_ZIP", help="the class, as grader run --batch takes it")
    p.add_argument("--output", metavar="DIR", help="report folder (default ./similarity)")
    p.add_argument("--threshold", type=float, metavar="X", help="list pairs over X (default 0.5)")
    p.add_argument("-e", "--exercise", action="append", metavar="ID", help="only these exercises")
    _add_course_option(p)
    return parser


def _add_selftest_and_new(sub) -> None:
    p = sub.add_parser(
        "selftest",
        help="prove the checks strong: grade every exercise's correct and wrong variants",
        description="Grade grader/course/variants/<id>.py (the reference with functions "
        "replaced; hidden checks included); say per function whether every correct variant gets "
        "full marks and every wrong one loses points there. Exit 1 when one does not, or when a "
        "function lacks a correct or a wrong variant.",
    )
    p.add_argument("-e", "--exercise", action="append", metavar="ID", help="only these exercises")
    p.add_argument("--solutions", metavar="DIR", help="reference solutions (default: solutions/)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="variants graded in parallel")
    p.add_argument("--quiet", action="store_true", help="no line per variant on stderr")
    _add_course_option(p)
    p = sub.add_parser(
        "new",
        help="scaffold an exercise: stub, reference, public and hidden checks, variants, test",
        description="Write exercises/ID.py, solutions/ID.py, grader/course/{,hidden/,variants/}"
        "ID.py and tests/course/test_ID.py under --root (default: this repository); never "
        "overwrites. Its check module alone registers it. With another root, grade it with "
        "grader run ROOT/solutions --hidden --course ROOT/grader/course --solutions ROOT/solutions",
    )
    p.add_argument("exercise_id", metavar="ID", help="exNN_name, e.g. ex16_scale")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--root", metavar="DIR", help="course root (default: this repository)")


def _options(args):
    from grader.options import Options
    from grader.sandbox import SandboxConfig

    solutions = Path(args.solutions) if args.solutions else default_solutions_dir()
    if args.hidden and solutions is None:
        from grader.expect import FROZEN_DIR

        if not (FROZEN_DIR / "hidden").is_dir():  # a grading bundle ships them frozen
            raise UsageError(
                "--hidden needs the reference solutions (or a grading bundle's frozen hidden "
                "expectations): run from the instructor's repository or pass --solutions DIR"
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


def _select(patterns: list[str] | None) -> list[str]:
    """``course.select``, its refusal a usage error."""
    from grader import course

    try:
        return course.select(patterns)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc


def cmd_run(args) -> int:
    from grader import course
    from grader.compile_cache import use_trusted_compile_cache
    from grader.runner import grade
    from grader.submission import stage

    ids = _select(args.exercise)
    options = _options(args)
    if options.use_cache:
        use_trusted_compile_cache()
    if args.moodle_worksheet and not args.batch:
        raise UsageError("--moodle-worksheet needs --batch (the class's Moodle download)")
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
        label = " ".join(str(p) for p in paths)
        # grade() loads the expected values itself, while the sandbox starts.
        report = grade(label, Path(staged.name), ids, options)
        report.notes = list(getattr(staged, "notes", [])) + report.notes
    finally:
        staged.cleanup()
    color = args.output is None and sys.stdout.isatty()
    _write(render_safely([report], args.format, color=color), args.output)
    return EXIT_OK if report.all_passed else EXIT_FAILED


def render_safely(reports: list, fmt: str, **kwargs) -> str:
    """``render(reports, fmt)``; if that format fails (a grader bug), the JSON report instead.

    The grades are computed: a report format that breaks must not lose them. The format's
    error goes to stderr for the instructor.
    """
    from grader.report import render

    try:
        return render(reports, fmt, **kwargs)
    except Exception as exc:
        if fmt == "json":
            raise
        _print_traceback()
        print(
            f"grader: internal error: the {fmt} report could not be written ({exc!r}); "
            "the JSON report follows instead. Please report this grader bug.",
            file=sys.stderr,
        )
        return render(reports, "json", batch=kwargs.get("batch", False))


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


def _solutions_or_fail(args) -> Path:
    solutions = Path(args.solutions) if args.solutions else default_solutions_dir()
    if solutions is None or not solutions.is_dir():
        raise UsageError(f"'{args.command}' needs the reference solutions: pass --solutions DIR")
    return solutions


def cmd_freeze(args) -> int:
    from grader.expect import FROZEN_DIR
    from grader.freeze import run_command

    solutions, out = _solutions_or_fail(args), Path(args.out) if args.out else FROZEN_DIR
    ids = _select(args.exercise)
    return run_command(ids, solutions, out, check=args.check, hidden=args.hidden)


def cmd_release(args) -> int:
    from grader.release import build_release

    try:
        ids = _select(args.exercise) if args.exercise else None
        out = build_release(Path(args.outdir), _solutions_or_fail(args), exercises=ids)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"student release written to {out}: stubs, library, grader, public checks, frozen outputs"
    )
    return EXIT_OK


def cmd_gradescope(args) -> int:
    from grader.release import build_gradescope_bundle

    if not args.out_zip.endswith(".zip"):
        raise UsageError("the Gradescope bundle must be a .zip file")
    ids = _select(args.exercise) if args.exercise else None
    out = build_gradescope_bundle(Path(args.out_zip), _solutions_or_fail(args), exercises=ids)
    print(f"Gradescope autograder written to {out}: upload it as the assignment's autograder")
    return EXIT_OK


def cmd_replay(args) -> int:
    from grader.options import Options
    from grader.replay import replay

    solutions = Path(args.solutions) if args.solutions else default_solutions_dir()
    options = Options(lang=args.lang, solutions_dir=solutions)
    try:
        sub = Path(args.submission) if args.submission else None
        sys.stdout.write(replay(Path(args.report), args.check_id, options, sub))
    except (KeyError, OSError, ValueError) as exc:
        raise UsageError(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from exc
    return EXIT_OK


def cmd_selftest(args) -> int:
    from grader import selftest

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    ids = _select(args.exercise)
    return selftest.run_command(ids, _solutions_or_fail(args), args.jobs, args.quiet)


def cmd_similarity(args) -> int:
    from grader.similarity import run_command

    return run_command(args.source, _select(args.exercise), args.output, args.threshold)


def cmd_new(args) -> int:
    from grader.scaffold import REPO, new_exercise, next_steps

    root = Path(args.root) if args.root else REPO
    try:
        written = new_exercise(args.exercise_id, args.title, root)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for role, path in written.items():
        print(f"{role}: wrote {path}")
    print(next_steps(args.exercise_id, root))
    return EXIT_OK


COMMANDS = {
    "run": cmd_run,
    "list": cmd_list,
    "freeze": cmd_freeze,
    "release": cmd_release,
    "gradescope": cmd_gradescope,
    "replay": cmd_replay,
    "selftest": cmd_selftest,
    "similarity": cmd_similarity,
    "new": cmd_new,
}


def clean_text(text) -> str:
    """``text`` with no control character or escape sequence (it may quote a student)."""
    from grader.report.printable import clean_text as clean

    return clean(text)


def _print_traceback() -> None:
    """The current exception's traceback on stderr, made printable: its messages may quote
    what a student wrote, and must not reach the instructor's terminal as escape codes."""
    import traceback

    print(clean_text(traceback.format_exc()).rstrip(), file=sys.stderr)


def _use_courses(folders: list[str] | None) -> None:
    from grader import course

    for folder in folders or ():
        try:
            course.use(folder)
        except (FileNotFoundError, ValueError) as exc:
            raise UsageError(f"--course {folder}: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _use_courses(getattr(args, "course", None))
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"grader: {clean_text(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from grader.expect import ReferenceError_
        from grader.moodle.worksheet import WorksheetError
        from grader.sandbox import SandboxError
        from grader.submission import SubmissionError

        if isinstance(exc, (SubmissionError, SandboxError, ReferenceError_, WorksheetError)):
            print(f"grader: {clean_text(exc)}", file=sys.stderr)  # may name the student's files
            return EXIT_USAGE
        _print_traceback()
        print(f"grader: internal error: {exc!r}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
