"""Isolation: a check's outcome never depends on another check, and the host stays safe.

Each test grades the toy exercise with one guilty function (``double``) that attacks its
sandbox and returns a wrong answer, and asserts that the honest functions keep full marks
while only ``double`` loses its points.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from toy import REFERENCE, TOY_ID, grade_toy, message, status, toy_exercise

from grader import cgroups
from grader.expect import Expectations
from grader.options import Options
from grader.runner import grade_exercise
from grader.sandbox import SandboxConfig, Worker, bwrap_usable

needs_bwrap = pytest.mark.skipif(not bwrap_usable(), reason="bubblewrap is not usable here")

HONEST = """
def add(a, b):
    return np.asarray(a) + np.asarray(b)

def pair():
    return np.arange(3.0), 7

def grad(x):
    return 2.0 * np.asarray(x)
"""

WRONG = "    return np.zeros_like(np.asarray(x))"


def guilty(double_body: str, header: str = "") -> str:
    """A submission whose double() attacks first and then answers wrong; the rest is right."""
    return (
        "import numpy as np\nimport os, sys, signal\n"
        f"{header}\ndef double(x):\n{double_body}\n{WRONG}\n{HONEST}"
    )


def only_double_lost(result) -> bool:
    s = status(result)
    return s["double/values"] != "passed" and all(
        v == "passed" for k, v in s.items() if k != "double/values"
    )


# -- 1a: killing the sandbox's own processes ----------------------------------------------------

KILLS = {
    "parent": "    os.kill(os.getppid(), signal.SIGKILL)",
    "pid_1": "    os.kill(1, signal.SIGKILL)",
    "killpg": "    os.killpg(os.getpgrp(), signal.SIGKILL)",
    "everything": "    os.kill(-1, signal.SIGKILL)",
}


@needs_bwrap
@pytest.mark.parametrize("name", sorted(KILLS))
def test_killing_the_sandbox_costs_only_the_guilty_check(name):
    body = f"    try:\n    {KILLS[name]}\n    except OSError:\n        pass"
    result = grade_toy(guilty(body))
    assert only_double_lost(result), status(result)


@needs_bwrap
def test_student_code_cannot_read_or_trace_the_fork_server():
    # /proc/1/environ needs the same access as ptrace: denied for a non-dumpable process.
    body = (
        "    try:\n"
        "        open(f'/proc/{os.getppid()}/environ', 'rb').read()\n"
        "        return 2.0 * np.asarray(x)\n"
        "    except OSError:\n"
        "        pass"
    )
    result = grade_toy(guilty(body))
    assert only_double_lost(result), status(result)
    assert status(result)["double/values"] == "failed"  # denied, then the wrong answer


def test_killing_the_parent_without_bwrap_costs_only_the_guilty_check():
    body = "    os.kill(os.getppid(), signal.SIGKILL)\n    import time; time.sleep(0.5)"
    result = grade_toy(guilty(body), mode="rlimits")
    assert only_double_lost(result), status(result)


def test_a_crash_after_other_checks_is_rerun_in_a_fresh_sandbox():
    # add() kills its own process only if double() ran before it in the same process: in a
    # fresh sandbox (the rerun) it answers, and its outcome is its own.
    source = (
        "import numpy as np, os, signal\n"
        "_ran = []\n"
        "def double(x):\n"
        "    _ran.append(1)\n"
        f"{WRONG}\n"
        "def add(a, b):\n"
        "    if _ran:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return np.asarray(a) + np.asarray(b)\n"
        "def pair():\n    return np.arange(3.0), 7\n"
        "def grad(x):\n    return 2.0 * np.asarray(x)\n"
    )
    assert only_double_lost(grade_toy(source)), "add() was blamed for what double() did"


def test_a_crash_in_a_fresh_sandbox_is_the_checks_own():
    result = grade_toy(guilty("    os.kill(os.getpid(), signal.SIGKILL)"))
    assert only_double_lost(result)
    assert status(result)["double/values"] == "error"
    assert "killed" in message(result, "double/values")


# -- 1b: libraries patched at import ----------------------------------------------------------

# In a helper module of the submission (the exercise's static checks look at its own file).
PATCHES = """
import builtins, json, struct, sys
import jax.numpy as jnp
import numpy as np

def _boom(*args, **kwargs):
    raise RuntimeError("patched by the student")

def _from_grader():
    f = sys._getframe(2)
    return "grader" in f.f_code.co_filename

def _only_for_grader(orig):
    def patched(*args, **kwargs):
        if _from_grader():
            raise RuntimeError("patched by the student")
        return orig(*args, **kwargs)
    return patched

np.allclose = np.array_equal = np.isclose = np.ascontiguousarray = np.frombuffer = _boom
np.testing.assert_allclose = np.testing.assert_array_equal = _boom
jnp.allclose = jnp.array_equal = _boom
np.asarray = _only_for_grader(np.asarray)
builtins.isinstance = _only_for_grader(builtins.isinstance)
json.dumps = json.loads = _boom
struct.pack = struct.unpack = _boom
"""


def test_libraries_patched_at_import_cost_only_the_guilty_check():
    result = grade_toy(
        guilty("    pass", header="import patcher"), extra_files={"patcher.py": PATCHES}
    )
    assert only_double_lost(result), [(r.check.id, r.message) for r in result.checks]


def test_an_error_while_sending_is_that_cases_error_not_a_dead_worker():
    # The patch lands while double() runs; its answer cannot be sent. That costs double()
    # only: the worker reports it as double()'s error instead of exiting (status 70).
    body = (
        "    import json, struct\n"
        "    import grader.sandboxed.codec as c\n"
        "    c._Encoder.node = lambda *a, **k: 1 / 0\n"
    )
    result = grade_toy(guilty(body))
    assert only_double_lost(result), status(result)
    assert "exit status 70" not in message(result, "double/values")


# -- 2: the compilation cache on the host is bounded -------------------------------------------


def _grade_with_cache(source: str, cache_root: Path, monkeypatch, mode: str = "auto"):
    monkeypatch.setenv("JAXNN_GRADER_CACHE", str(cache_root))
    exercise = toy_exercise()
    with tempfile.TemporaryDirectory() as sol, tempfile.TemporaryDirectory() as sub:
        Path(sol, f"{TOY_ID}.py").write_text(REFERENCE)
        Path(sub, f"{TOY_ID}.py").write_text(source)
        Path(sub, f"{TOY_ID}.py").chmod(0o644)
        Path(sub).chmod(0o755)
        options = Options(
            hidden=True, solutions_dir=Path(sol), use_cache=True, sandbox=SandboxConfig(mode=mode)
        )
        expected = Expectations(Path(sol), 0, use_cache=False).for_exercise(
            exercise, exercise.selected(True)
        )
        return grade_exercise(exercise, Path(sub), options, expected, [Path(sol)])


@pytest.mark.parametrize("mode", ["auto", "rlimits"])
def test_junk_written_to_the_compilation_cache_does_not_reach_the_host(tmp_path, monkeypatch, mode):
    body = (
        "    import jax, jax.numpy as jnp\n"
        "    jax.jit(lambda v: v + 1)(jnp.ones(3)).block_until_ready()\n"
        "    folder = os.environ.get('JAX_COMPILATION_CACHE_DIR', '/tmp')\n"
        "    for i in range(10):\n"
        "        for name in (f'junk{i}.bin', f'jit_x-{i:064x}-cache'):\n"
        "            try:\n"
        "                with open(os.path.join(folder, name), 'wb') as f:\n"
        "                    f.write(os.urandom(3 * 2**20))\n"
        "            except OSError:\n"
        "                pass"
    )
    result = _grade_with_cache(guilty(body), tmp_path, monkeypatch, mode)
    assert only_double_lost(result), status(result)
    files = [p for p in (tmp_path / "jax").rglob("*") if p.is_file() and p.name != ".pruned"]
    assert files, "the cache kept nothing: regrades would compile everything again"
    names = {p.name for p in files}
    assert all(n.endswith("-cache") and n.startswith("jit_") for n in names), names
    assert not any(n.startswith("jit_x-") for n in names), "a fake entry was copied back"
    assert sum(p.stat().st_size for p in files) < 20 * 2**20


# -- 3: memory outside the address space -------------------------------------------------------


@pytest.mark.skipif(not cgroups.usable(), reason="no memory cgroup can be made here")
def test_memfd_pages_count_against_the_memory_limit():
    body = (
        "    chunk, fds = b'x' * (16 * 2**20), []\n"
        "    for _ in range(100):  # 1.6 GiB, each file under the 32 MiB file-size limit\n"
        "        fds.append(os.memfd_create('hog'))\n"
        "        os.write(fds[-1], chunk)"
    )
    result = grade_toy(guilty(body), memory_mb=1024, timeout=30.0)
    assert only_double_lost(result), status(result)
    assert "used more than 1024 MiB" in message(result, "double/values")


def test_without_a_memory_cgroup_workers_still_run_and_the_report_says_so(monkeypatch):
    from grader import runner

    monkeypatch.setattr(cgroups, "create", lambda limit: None)
    monkeypatch.setattr(cgroups, "usable", lambda: False)
    assert runner._sandbox_notes() == [cgroups.FALLBACK_NOTE]
    assert "address space only" in cgroups.FALLBACK_NOTE
    assert status(grade_toy(REFERENCE))["add/values"] == "passed"


# -- 4: no host paths inside the sandbox -------------------------------------------------------


@needs_bwrap
def test_mountinfo_shows_no_staging_cache_or_home_paths(tmp_path):
    sub, cache = tmp_path / "staging-xyz", tmp_path / "cache-xyz"
    sub.mkdir()
    cache.mkdir()
    (cache / f"jit_f-{0:064x}-cache").write_bytes(b"\x78\x9c" + b"0" * 10)
    (sub / "m.py").write_text("def f():\n    return open('/proc/self/mountinfo').read()\n")
    for p in (tmp_path, sub, cache):
        p.chmod(0o755)
    (sub / "m.py").chmod(0o644)
    with Worker(sub, SandboxConfig(), compile_cache=cache) as worker:
        worker.spawn(120)
        assert not hasattr(worker.load("m.py", "m", ["f"], 60), "kind")
        out = worker.run("f", "f", "call", [{"args": (), "kwargs": {}}], 60)
    text = out.cases[0].value
    assert " /tmp " in text  # the mount table itself was read
    assert str(tmp_path) not in text and "staging-xyz" not in text and "cache-xyz" not in text
    import site

    python = [sys.base_prefix, sys.prefix, *site.getsitepackages()]
    lines = [ln for ln in text.splitlines() if not any(p in ln for p in python)]
    home = os.path.expanduser("~")
    assert not any(home + "/" in ln for ln in lines), [ln for ln in lines if home in ln]


# -- 5: import time ----------------------------------------------------------------------------


def test_the_import_timeout_is_short_by_default_and_says_how_to_fix_it():
    from grader.spec import Exercise

    assert Exercise(id="ex98_x", title="x", checks=()).import_timeout == 20.0
    started = time.monotonic()
    result = grade_toy("import time\ntime.sleep(30)\n" + REFERENCE, import_timeout=2.0)
    assert all(r.status == "error" for r in result.checks)
    assert 'if __name__ == "__main__":' in result.checks[0].message
    # Stopped at 3 x 2 s of wall time (a sleep uses no CPU), long before the 30 s sleep ends.
    assert time.monotonic() - started < 25
