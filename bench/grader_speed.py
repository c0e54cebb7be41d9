"""How fast does the grader give feedback, and what does the sandbox cost?

Side by side in one run, on the reference solutions with hidden checks, caches warm
(expected outputs and JAX compilation) as in a student's second run:
  1. one exercise, end to end as a student waits for it (``grader run solutions --hidden -e
     exNN``: Python start, imports, grading, report), sandboxed against the same command
     grading in its own process (no isolation: the baseline), and their ratio;
  2. the whole course the same way (``grader run solutions --hidden``);
  3. the whole course graded again by a long-lived process that graded it before, both ways:
     what in-memory caches add on top (a regrade of identical files in one process; no
     ``grader run`` is in that position, each starts a fresh process);
  4. batch throughput: submissions per minute with ``--jobs 2``.

    python bench/grader_speed.py [--exercises ex01 ex02 ...] [--batch 6] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import course  # noqa: E402
from grader.inprocess import InProcessWorker  # noqa: E402
from grader.options import Options  # noqa: E402
from grader.runner import compute_expectations, grade  # noqa: E402
from grader.sandbox import resolve_mode  # noqa: E402
from grader.submission import stage  # noqa: E402

INPROCESS_FLAG = "--inprocess-cli"


def inprocess_cli(argv: list[str]) -> int:
    """``grader`` with every check run in this process: the baseline, for this bench only."""
    from grader import cli

    real = cli._options
    cli._options = lambda args: replace(real(args), worker_factory=InProcessWorker)
    return cli.main(argv)


def cli_seconds(args: list[str], inprocess: bool) -> float:
    """Wall time of one ``grader`` command (a fresh process), sandboxed or in-process."""
    prefix = (
        [sys.executable, __file__, INPROCESS_FLAG]
        if inprocess
        else [sys.executable, "-m", "grader.cli"]
    )
    start = time.perf_counter()
    done = subprocess.run([*prefix, *args], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def side_by_side(args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall times (sandboxed, in-process), the two runs alternating."""
    box, inp = [], []
    for _ in range(repeat):
        box.append(cli_seconds(args, inprocess=False))
        inp.append(cli_seconds(args, inprocess=True))
    return statistics.median(box), statistics.median(inp)


def timed_grade(ex_ids, options, staged_dir, expectations, suite) -> float:
    start = time.perf_counter()
    report = grade("bench", staged_dir, ex_ids, options, expectations, suite)
    assert report.all_passed, [
        (c.check.id, c.status, c.message)
        for e in report.exercises
        for c in e.checks
        if c.status != "passed"
    ]
    return time.perf_counter() - start


def main() -> None:
    if sys.argv[1:2] == [INPROCESS_FLAG]:
        sys.exit(inprocess_cli(sys.argv[2:]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", nargs="*", help="exercise ids or prefixes (default: all)")
    parser.add_argument("--batch", type=int, default=6, help="submissions in the batch measurement")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (median)")
    args = parser.parse_args()
    ids = course.select(args.exercises)
    solutions = REPO / "solutions"
    sandboxed = Options(hidden=True, solutions_dir=solutions)
    every = ["run", str(solutions), "--hidden", "--format", "json"]
    every += [a for ex in ids for a in ("-e", ex)]
    print(
        f"sandbox: {resolve_mode(sandboxed.sandbox)}; {len(ids)} exercises; warm-up runs…",
        flush=True,
    )
    side_by_side(every, 1)  # warm caches: expected values, both ways' compiled code

    print(
        f"\n{'one exercise, end to end':26} {'sandboxed s':>12} {'in-process s':>13} {'ratio':>7}"
    )
    rows = []
    for ex in ids:
        box, inp = side_by_side(
            ["run", str(solutions), "--hidden", "--format", "json", "-e", ex], args.repeat
        )
        rows.append((ex, box, inp))
        print(f"{ex:26} {box:12.2f} {inp:13.2f} {box / inp:7.2f}", flush=True)
    box_all = [b for _, b, _ in rows]
    print(
        f"  sandboxed: median {statistics.median(box_all):.2f} s, max {max(box_all):.2f} s "
        f"({max(rows, key=lambda r: r[1])[0]})"
    )
    box, inp = side_by_side(every, args.repeat)
    print(f"{'whole course, end to end':26} {box:12.2f} {inp:13.2f} {box / inp:7.2f}")

    # 3. A long-lived process regrading the same files: in-memory caches on top.
    inproc = replace(sandboxed, worker_factory=InProcessWorker)
    expectations, suite = compute_expectations(ids, sandboxed)
    staged = stage([solutions])
    root = Path(staged.name)
    timed_grade(ids, inproc, root, expectations, suite)  # warms this process's caches
    again_box = statistics.median(
        timed_grade(ids, sandboxed, root, expectations, suite) for _ in range(args.repeat)
    )
    again_inp = statistics.median(
        timed_grade(ids, inproc, root, expectations, suite) for _ in range(args.repeat)
    )
    staged.cleanup()
    print(
        f"{'whole course, regraded':26} {again_box:12.2f} {again_inp:13.2f} {again_box / again_inp:7.2f}"
        "   (grading only, in a process that graded these files before)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "class"
        for k in range(args.batch):
            shutil.copytree(solutions, batch / f"student{k:02d}")
        out = Path(tmp) / "grades"
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "grader.cli",
                "run",
                "--batch",
                str(batch),
                "--jobs",
                "2",
                "--output",
                str(out),
                "--quiet",
            ]
            + [a for ex in ids for a in ("-e", ex)],
            check=False,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        graded = list(out.glob("*.json"))
        if done.returncode != 0 or len(graded) != args.batch:
            raise SystemExit(f"the batch failed ({done.returncode}):\n{done.stderr[-2000:]}")
    print(
        f"\nbatch of {args.batch} submissions, --jobs 2: {elapsed:.1f} s, "
        f"{elapsed / args.batch:.1f} s per submission, {60 * args.batch / elapsed:.1f} submissions/minute"
    )


if __name__ == "__main__":
    main()
