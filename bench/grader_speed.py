"""How fast does the grader give feedback, and what does the sandbox cost?

Side by side in one run, on the reference solutions with hidden checks:
  1. per exercise: seconds graded in bubblewrap workers vs the same checks run inside the
     grader's process (no isolation: the baseline), and their ratio;
  2. the whole course, and one exercise end to end through the command line (what a
     student waits for: Python start, imports, grading, report);
  3. batch throughput: submissions per minute with ``--jobs 2``.
Caches are warm (expected outputs and JAX compilation), as in a student's second run.

    python bench/grader_speed.py [--exercises ex01 ex02 ...] [--batch 6] [--repeat 2]
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
from grader.runner import Options, compute_expectations, grade  # noqa: E402
from grader.sandbox import SandboxConfig, resolve_mode  # noqa: E402
from grader.submission import stage  # noqa: E402


def timed_grade(ex_ids, options, staged_dir, expectations, suite) -> tuple[float, dict]:
    start = time.perf_counter()
    report = grade("bench", staged_dir, ex_ids, options, expectations, suite)
    per = {e.exercise.id: e.duration_s for e in report.exercises}
    assert report.all_passed, [
        (c.check.id, c.status, c.message)
        for e in report.exercises
        for c in e.checks
        if c.status != "passed"
    ]
    return time.perf_counter() - start, per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", nargs="*", help="exercise ids or prefixes (default: all)")
    parser.add_argument("--batch", type=int, default=6, help="submissions in the batch measurement")
    parser.add_argument("--repeat", type=int, default=2, help="timed repetitions (median)")
    args = parser.parse_args()
    ids = course.select(args.exercises)
    solutions = REPO / "solutions"
    sandboxed = Options(hidden=True, solutions_dir=solutions)
    inproc = replace(sandboxed, sandbox=SandboxConfig(mode="inprocess"))
    expectations, suite = compute_expectations(ids, sandboxed)
    # The in-process baseline gets a persistent compilation cache too, as the workers do:
    # the comparison then measures the sandbox (processes, imports, the wire), not caching.
    import jax

    from grader.expect import cache_dir

    jax.config.update("jax_compilation_cache_dir", str(cache_dir() / "jax-inprocess-bench"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    staged = stage([solutions])
    root = Path(staged.name)
    print(
        f"sandbox: {resolve_mode(sandboxed.sandbox)}; {len(ids)} exercises; warm-up run…",
        flush=True,
    )
    timed_grade(ids, sandboxed, root, expectations, suite)  # warm caches
    timed_grade(ids, inproc, root, expectations, suite)

    rows = []
    for ex in ids:
        box = [
            timed_grade([ex], sandboxed, root, expectations, suite)[0] for _ in range(args.repeat)
        ]
        inp = [timed_grade([ex], inproc, root, expectations, suite)[0] for _ in range(args.repeat)]
        rows.append((ex, statistics.median(box), statistics.median(inp)))
    print(f"\n{'exercise':26} {'sandboxed s':>12} {'in-process s':>13} {'ratio':>7}")
    for ex, b, i in rows:
        print(f"{ex:26} {b:12.2f} {i:13.2f} {b / i:7.2f}")
    tb, ti = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'sum':26} {tb:12.2f} {ti:13.2f} {tb / ti:7.2f}")

    whole = statistics.median(
        timed_grade(ids, sandboxed, root, expectations, suite)[0] for _ in range(args.repeat)
    )
    whole_in = statistics.median(
        timed_grade(ids, inproc, root, expectations, suite)[0] for _ in range(args.repeat)
    )
    print(
        f"\nwhole course (grader.runner.grade, one sandbox for the submission): sandboxed "
        f"{whole:.1f} s, in-process {whole_in:.1f} s, ratio {whole / whole_in:.2f}"
    )
    print("(per exercise above, each exercise alone pays for starting its own sandbox)")
    cli = [
        sys.executable,
        "-m",
        "grader.cli",
        "run",
        str(solutions),
        "--hidden",
        "--format",
        "json",
    ]
    start = time.perf_counter()
    subprocess.run(cli, check=False, capture_output=True)
    print(
        f"whole course through the command line (`grader run solutions --hidden`): {time.perf_counter() - start:.1f} s"
    )
    one = []
    for ex in ids:
        start = time.perf_counter()
        subprocess.run([*cli, "-e", ex], check=False, capture_output=True)
        one.append((time.perf_counter() - start, ex))
    print("one exercise through the command line (Python start + imports + grading + report):")
    print("  " + ", ".join(f"{ex.split('_')[0]} {s:.1f} s" for s, ex in one))
    print(
        f"  median {statistics.median(s for s, _ in one):.1f} s, max {max(one)[0]:.1f} s ({max(one)[1]})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "class"
        for k in range(args.batch):
            shutil.copytree(solutions, batch / f"student{k:02d}")
        out = Path(tmp) / "grades"
        start = time.perf_counter()
        subprocess.run(
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
        )
        elapsed = time.perf_counter() - start
    print(
        f"\nbatch of {args.batch} submissions, --jobs 2: {elapsed:.1f} s, {elapsed / args.batch:.1f} s per submission, {60 * args.batch / elapsed:.1f} submissions/minute"
    )
    staged.cleanup()


if __name__ == "__main__":
    main()
