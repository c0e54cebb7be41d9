"""``grader run --batch DIR``: grade a whole class.

Every sub-folder or ``.zip`` of DIR is one submission, its id the name (``.zip`` dropped).
A Moodle "Download all submissions" (the zip itself, or the folder it unzips to; see
:mod:`grader.moodle.download`) is recognised by its names instead: each participant is one
submission, its id the Moodle participant id, and the gradebook gains the ``participant_id``
and ``full_name`` columns. A folder with no Moodle names keeps the plain layout; a zip that
is not a Moodle download is refused with the reason.
Reports go to an output folder (``--output``, default ``./grades``): ``<id>.json`` per
submission and ``gradebook.csv``, each written atomically. A submission already graded with
the same suite and unchanged files is skipped unless ``--force`` (or unless some check of it
could not be judged because of the grader: that one is regraded, the grader may be fixed).
One broken or hostile submission never stops the batch: it is refused or graded zero, with
the reason; even a grader bug that strikes one submission costs that submission only (its
gradebook row says so), and the gradebook is always written.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from grader.expect import _atomic_write
from grader.moodle.download import is_moodle_download, read_download
from grader.moodle.roundtrip import export
from grader.moodle.worksheet import read_worksheet
from grader.options import Options
from grader.report.csv import gradebook_rows, render_csv_rows
from grader.report.printable import clean_text, clean_tree
from grader.runner import compute_expectations, grade
from grader.submission import SubmissionError, stage


def discover(batch_dir: Path) -> dict[str, Path]:
    """Submission ids and paths: the sub-folders and ``.zip`` files of ``batch_dir``."""
    if not batch_dir.is_dir():
        raise SubmissionError(f"--batch needs a folder of submissions; {batch_dir} is not a folder")
    found: dict[str, Path] = {}
    for p in sorted(batch_dir.iterdir()):
        if p.name.startswith(".") or p.is_symlink():
            continue
        if p.is_dir() or p.suffix == ".zip":
            sid = p.stem if p.suffix == ".zip" else p.name
            if sid in found:
                raise SubmissionError(
                    f"two submissions are called {sid!r} ({found[sid].name} and {p.name})"
                )
            found[sid] = p
    return found


def discover_batch(
    batch: Path, staging: Path
) -> tuple[dict[str, Path], dict[str, dict] | None, dict[str, str], dict[str, list[str]]]:
    """What ``--batch`` was given, as submissions: a plain folder, or a Moodle download.

    Args:
      batch: a folder of submissions, or a Moodle download (zip or unzipped folder).
      staging: an empty folder for a Moodle download's files (kept until grading is done).

    Returns:
      ``(submissions, identities, refused, notes)``: submission ids and paths; for a Moodle
      download each id's ``{"participant_id", "full_name", "group", "prefix"}`` (``None``
      for a plain folder); the ids refused already and why; notes for each id's report.
    """
    if not is_moodle_download(batch):
        if batch.is_file():
            read_download(batch, staging)  # raises: says what a Moodle zip looks like
        return discover(batch), None, {}, {}
    submissions, identities, refused, notes = {}, {}, {}, {}
    for person in read_download(batch, staging):
        sid = person.participant_id
        identities[sid] = {
            "participant_id": sid,
            "full_name": person.full_name,
            "group": person.group,
            "prefix": person.prefix,
        }
        notes[sid] = list(person.notes)
        if person.error:
            refused[sid] = person.error
        else:
            submissions[sid] = person.folder
    return submissions, identities, refused, notes


def fingerprint(path: Path) -> str:
    """A hash of a submission's gradable content (file names and bytes)."""
    h = hashlib.sha256()
    files = (
        [path]
        if path.is_file()
        else sorted(f for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    )
    for f in files:
        h.update(str(f.relative_to(path.parent if path.is_file() else path)).encode() + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def run_batch(args, exercise_ids: list[str], options: Options) -> int:
    """Grade every submission of ``args.batch``; write the reports and the gradebook.

    Args:
      args: the parsed ``grader run`` options (``batch``, ``output``, ``force``, ``jobs``,
        ``format``, ``quiet``).
      exercise_ids: the exercises to grade.
      options: how to grade each submission.

    Returns:
      The exit status: 0 if every check of every submission passed, else 1.
    """
    staging = tempfile.TemporaryDirectory(prefix="moodle-download-")
    try:
        return _run_batch(args, exercise_ids, options, Path(staging.name))
    finally:
        staging.cleanup()


def _run_batch(args, exercise_ids: list[str], options: Options, staging: Path) -> int:
    out_dir = Path(args.output or "grades")
    # Read before any grading: a wrong worksheet is refused before the work, not after it.
    sheet = (
        read_worksheet(args.moodle_worksheet) if getattr(args, "moodle_worksheet", None) else None
    )
    submissions, identities, refused, moodle_notes = discover_batch(Path(args.batch), staging)
    out_dir.mkdir(parents=True, exist_ok=True)
    for sid in refused:  # refused now (over the limits): no stale report of an earlier run
        (out_dir / f"{sid}.json").unlink(missing_ok=True)
    expectations, suite = compute_expectations(exercise_ids, options)
    # Parallelism is across submissions; each submission grades its exercises in turn.
    per_submission = replace(options, jobs=1)

    reports: dict[str, dict] = {}
    failed: dict[str, str] = {}  # the grader's own error on a submission
    todo = []
    for sid, path in submissions.items():
        try:
            digest = fingerprint(path)
        except OSError as exc:  # an unreadable file: that submission only
            refused[sid] = f"could not read it: {exc}"
            continue
        previous = out_dir / f"{sid}.json"
        if previous.is_file() and not args.force:
            old = _previous(previous)
            if old and old.get("suite") == suite and old.get("submission_sha256") == digest:
                if identities:  # the name may have changed (identities revealed)
                    old["participant"] = identities[sid]
                reports[sid] = old
                continue
        todo.append((sid, path, digest))

    def one(item):
        sid, path, digest = item
        try:
            return grade_one(sid, path, digest, exercise_ids, per_submission, expectations, suite)
        except SubmissionError as exc:
            return sid, None, ("refused", str(exc))
        except Exception as exc:  # the grader's bug: this submission only, the batch goes on
            print(f"grader: internal error while grading {clean_text(sid)}:", file=sys.stderr)
            print(clean_text(traceback.format_exc()), file=sys.stderr)
            return sid, None, ("failed", clean_text(repr(exc))[:300])

    def grade_one(sid, path, digest, *grading):
        staged = stage([path])
        try:
            report = grade(sid, Path(staged.name), *grading)
            report.notes = (
                moodle_notes.get(sid, []) + list(getattr(staged, "notes", [])) + report.notes
            )
        finally:
            staged.cleanup()
        data = clean_tree(report.to_json())
        data["submission_sha256"] = digest
        if identities:
            data["participant"] = clean_tree(identities[sid])
        _atomic_write(
            out_dir / f"{sid}.json",
            (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode(),
        )
        return sid, data, None

    progress = _progress(len(todo), quiet=args.quiet)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(one, item) for item in todo]
        for fut in as_completed(futures):
            sid, data, why = fut.result()
            if why is not None:
                (refused if why[0] == "refused" else failed)[sid] = why[1]
                (out_dir / f"{sid}.json").unlink(missing_ok=True)
            else:
                reports[sid] = data
            progress(sid)
    progress(None)

    rows = gradebook_rows([reports[k] for k in sorted(reports)], refused, failed, identities)
    _atomic_write(out_dir / "gradebook.csv", render_csv_rows(rows).encode())
    graded = [reports[k] for k in sorted(reports)]
    try:
        text = _render(args.format, graded, rows, out_dir, len(submissions) - len(todo))
    except Exception as exc:  # the gradebook is written: say so rather than lose it
        traceback.print_exc()
        print(
            f"grader: internal error: the {args.format} summary could not be written ({exc!r}); "
            f"the gradebook is in {out_dir}/gradebook.csv, the reports in {out_dir}/",
            file=sys.stderr,
        )
        text = render_csv_rows(rows)
    sys.stdout.write(text)
    if sheet is not None:
        for line in export(sheet, reports, identities, out_dir, options.lang, args.scale):
            print(f"moodle: {line}", file=sys.stderr)
    all_passed = all(
        c["status"] == "passed"
        for r in reports.values()
        for e in r["exercises"]
        for c in e["checks"]
    )
    return 0 if all_passed and not refused and not failed else 1


def _previous(path: Path) -> dict | None:
    """The report of an earlier run, if it can be reused: readable, and with no check that
    the grader failed to judge (a fixed grader must get another try at it)."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        checks = [c for e in old["exercises"] for c in e["checks"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(c.get("cause") == "grader" for c in checks):
        return None
    return old


def _render(fmt: str, graded: list[dict], rows: list[dict], out_dir: Path, skipped: int) -> str:
    from grader.report.junit import render_junit

    if fmt == "json":
        return json.dumps(clean_tree(graded), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return render_csv_rows(rows)
    if fmt == "junit":
        return render_junit(graded)
    return _summary(rows, out_dir, skipped)


def _summary(rows: list[dict], out_dir: Path, skipped: int) -> str:
    # Ids in full (two long folder names may differ at the end only); a Moodle download's
    # participants also by name.
    def label(row: dict) -> str:
        name = row.get("full_name")
        return f"{row['id']} {name}" if name else row["id"]

    width = max([len("submission"), *(len(label(r)) for r in rows)])
    lines = [f"{'submission':{width}} {'total':>8} {'max':>6}  status"]
    for row in rows:
        lines.append(
            f"{label(row):{width}} {row['total']:>8} {row['max_score']:>6}  {row['status']}"
        )
    lines.append(
        f"\n{len(rows)} submissions ({skipped} unchanged, not regraded); reports in {out_dir}/, gradebook {out_dir}/gradebook.csv"
    )
    return "\n".join(lines) + "\n"


def _progress(total: int, quiet: bool):
    """A rich progress bar on a terminal; silent otherwise."""
    if quiet or total == 0 or not sys.stderr.isatty():
        return lambda sid: None
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),  # stdout may carry a report being redirected
    )
    task = bar.add_task("", total=total)
    bar.start()

    def advance(sid):
        if sid is None:
            bar.stop()
        else:
            # A folder name is the student's choice: no escape sequences, no rich markup.
            bar.update(task, advance=1, description=escape(clean_text(sid)))

    return advance
