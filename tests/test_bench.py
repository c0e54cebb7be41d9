"""The grader benchmark runs end to end on one small exercise and prints every figure it
promises (its numbers are for the bench's own run, never asserted: the machine is shared)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_grader_speed_bench_prints_each_comparison():
    small = ["--exercises", "ex05", "--batch", "1", "--repeat", "1"]
    out = subprocess.run(
        [sys.executable, "bench/grader_speed.py", *small],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    number = r"\d+\.\d+"
    for row in ("ex05_counting", "whole course, end to end", "whole course, regraded"):
        assert re.search(rf"{row}\s+{number}\s+{number}\s+{number}", out.stdout), out.stdout
    assert re.search(rf"batch of 1 submissions, --jobs 2: {number} s", out.stdout), out.stdout
