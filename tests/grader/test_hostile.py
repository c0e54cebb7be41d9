"""Hostile submissions: each attack costs only its own check, the run finishes, nothing is
written outside the sandbox, and the score is never inflated."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from toy import REFERENCE, grade_toy, message, status

from grader.sandbox import SANDBOX_UID_RANGE, bwrap_usable
from grader.sandboxed.reuse import pids_of_uid

needs_bwrap = pytest.mark.skipif(not bwrap_usable(), reason="bubblewrap is not usable here")

GOOD_REST = """
def add(a, b):
    return np.asarray(a) + np.asarray(b)

def pair():
    return np.arange(3.0), 7

def grad(x):
    return 2.0 * np.asarray(x)
"""


def student(double_body: str, header: str = "") -> str:
    """A submission whose double() is hostile and whose other functions are right."""
    return f"import numpy as np\nimport os, sys, time, signal\n{header}\ndef double(x):\n{double_body}\n{GOOD_REST}"


def only_double_lost(result) -> bool:
    s = status(result)
    return s["double/values"] != "passed" and all(
        v == "passed" for k, v in s.items() if k != "double/values"
    )


@pytest.mark.parametrize(
    "body",
    [
        "    while True:\n        pass",
        "    time.sleep(1000)",
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass",
    ],
    ids=["infinite_loop", "sleep", "sigterm_ignored"],
)
def test_hangs_time_out_and_cost_only_their_check(body):
    started = time.monotonic()
    result = grade_toy(student(body), timeout=3.0)
    assert status(result)["double/values"] == "timeout"
    assert only_double_lost(result)
    assert "did not finish within 3 s" in message(result, "double/values")
    # Stopped, not waited for: at most 3 x 3 s of wall time per try (one rerun in a fresh
    # sandbox), however loaded the machine; the sleep alone would take 1000 s.
    assert time.monotonic() - started < 60


@needs_bwrap
def test_a_timeout_counts_the_cpu_time_the_sandbox_had_not_only_the_clock():
    # 1.8 s of waiting uses almost no CPU: like code starved by a loaded machine, it has not
    # used its 1 s, so it is not cut short (its wall time stays under 3 x 1 s).
    result = grade_toy(student("    time.sleep(1.8)\n    return 2 * np.asarray(x)"), timeout=1.0)
    assert status(result)["double/values"] == "passed"


@needs_bwrap
def test_code_that_waits_forever_is_stopped_at_three_times_the_timeout():
    started = time.monotonic()
    result = grade_toy(student("    time.sleep(1000)"), timeout=1.0)
    assert status(result)["double/values"] == "timeout"
    assert 3.0 <= time.monotonic() - started < 20


def test_memory_bomb_is_stopped_with_a_clear_message():
    body = "    hog = []\n    while True:\n        hog.append(bytearray(50 * 2**20))"
    result = grade_toy(student(body), memory_mb=1024)
    assert only_double_lost(result)
    assert "out of memory" in message(result, "double/values")


def _uid_printed(result) -> int:
    out = next(r.output for r in result.checks if r.check.function == "double")
    return int(out.split("UID=")[1].split()[0])


def _left_running(uid: int) -> set[str]:
    """The uid's processes still there once the host's init has had time to reap them.

    The grader kills every live process; the dead ones (zombies) then wait for the host's
    init, which on a loaded machine takes a moment. A live one would stay: none may.
    """
    deadline = time.monotonic() + 15
    while (pids := pids_of_uid(uid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return {f"{pid} ({_state(pid)})" for pid in pids}


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return "gone"


@needs_bwrap
def test_bounded_fork_bomb_is_contained_and_cleaned_up():
    body = (
        "    print(f'UID={os.getuid()}', flush=True)\n"
        "    for _ in range(40):\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(600)\n"
        "            os._exit(0)\n"
        "    return 2.0 * np.asarray(x)"
    )
    result = grade_toy(student(body))
    assert status(result)["double/values"] == "passed"  # forking is allowed; it is cleaned up
    assert _left_running(_uid_printed(result)) == set()


@needs_bwrap
def test_unbounded_fork_bomb_hits_the_process_cap_and_is_cleaned_up():
    body = (
        "    print(f'UID={os.getuid()}', flush=True)\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            time.sleep(0.01)"
    )
    result = grade_toy(student(body), timeout=4.0)
    assert only_double_lost(result)
    assert _left_running(_uid_printed(result)) == set()


def test_os_exit_at_import_fails_the_exercise_only():
    result = grade_toy("import os\nos._exit(0)\n" + REFERENCE)
    assert result.score == 0
    assert all(r.status == "error" for r in result.checks)
    assert "ended the process" in result.checks[0].message


def test_sys_exit_and_keyboard_interrupt_in_a_function_cost_that_check():
    for body, words in [
        ("    sys.exit(0)", "sys.exit"),
        ("    raise KeyboardInterrupt", "KeyboardInterrupt"),
    ]:
        result = grade_toy(student(body))
        assert only_double_lost(result), status(result)
        assert words in message(result, "double/values")


def test_os_exit_in_a_function_costs_that_check_and_the_next_gets_a_fresh_worker():
    result = grade_toy(student("    os._exit(3)"))
    assert only_double_lost(result)
    assert "ended the process" in message(result, "double/values")


@needs_bwrap
def test_solutions_checks_and_caches_are_invisible():
    repo = Path(__file__).resolve().parents[2]
    probe = [
        repo / "solutions" / "ex01_perceptron.py",
        repo / "grader" / "course" / "ex01_perceptron.py",
        repo / "grader" / "course" / "hidden" / "ex01_perceptron.py",
        repo / "grader" / "expect.py",
        Path.home() / ".cache" / "jaxnn-grader",
        repo / "tests",
    ]
    # The student cheats if it can see any of these: then it returns the right answer.
    body = (
        f"    seen = [p for p in {[str(p) for p in probe]!r} if os.path.exists(p)]\n"
        "    return 2.0 * np.asarray(x) if seen else -1.0 * np.asarray(x)"
    )
    result = grade_toy(student(body))
    assert status(result)["double/values"] == "failed"


@needs_bwrap
def test_reading_the_reference_through_relative_paths_fails():
    body = (
        "    found = []\n"
        "    for root, dirs, files in os.walk('/'):\n"
        "        dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/sys', '/dev', '/usr') and 'site-packages' not in d and d != 'lib']\n"
        "        found += [os.path.join(root, f) for f in files if f in ('ex99_toy.py', 'expect.py') or 'solutions' in root]\n"
        "    found = [f for f in found if not f.startswith('/submission')]\n"
        "    return 2.0 * np.asarray(x) if found else 0.0 * np.asarray(x)"
    )
    result = grade_toy(student(body), timeout=20.0)
    assert status(result)["double/values"] == "failed"


@needs_bwrap
def test_nothing_is_written_outside_the_sandbox(tmp_path):
    marker = f"pwned-{uuid.uuid4().hex}"
    targets = [
        Path("/tmp") / marker,
        Path.cwd() / marker,
        Path(__file__).parent / marker,
        tmp_path / marker,
    ]
    body = (
        f"    for t in {[str(t) for t in targets]!r} + ['/submission/{marker}']:\n"
        "        try:\n"
        "            open(t, 'w').write('x')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 2.0 * np.asarray(x)"
    )
    result = grade_toy(student(body))
    assert status(result)["double/values"] == "passed"
    assert not any(t.exists() for t in targets)


@needs_bwrap
def test_no_network():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(8)
    port = server.getsockname()[1]
    connected = []

    def accept():
        try:
            conn, _ = server.accept()
            connected.append(True)
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    body = (
        "    import socket\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "        return 2.0 * np.asarray(x)\n"
        "    except OSError:\n"
        "        return -2.0 * np.asarray(x)"
    )
    result = grade_toy(student(body))
    thread.join()
    server.close()
    assert not connected
    assert status(result)["double/values"] == "failed"


@needs_bwrap
def test_killing_the_parent_or_everything_does_not_stop_the_grader():
    body = (
        "    for pid in [os.getppid(), 1, -1]:\n"
        "        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 2.0 * np.asarray(x)"
    )
    result = grade_toy(student(body))
    # The grader (this process) survived; killing its own sandbox costs only this check.
    assert all(v == "passed" for k, v in status(result).items() if k != "double/values")


LIARS = {
    "eq_always_true": "    class Liar:\n        def __eq__(self, other):\n            return True\n        __hash__ = object.__hash__\n    return Liar()",
    "array_protocol": "    class Liar:\n        def __array__(self, dtype=None, copy=None):\n            return 2.0 * np.asarray(x)\n    return Liar()",
    "ndarray_subclass": "    class Liar(np.ndarray):\n        def __eq__(self, other):\n            return np.ones(self.shape, bool)\n    return np.zeros_like(np.asarray(x)).view(Liar)",
    "float_subclass": "    class Liar(float):\n        def __eq__(self, other):\n            return True\n    return Liar(0.0)",
}


@pytest.mark.parametrize("name", sorted(LIARS))
def test_lying_objects_never_pass(name):
    result = grade_toy(student(LIARS[name]))
    assert only_double_lost(result), status(result)


def test_unsupported_type_message_says_what_to_return():
    result = grade_toy(student(LIARS["array_protocol"]))
    assert "unsupported type Liar" in message(result, "double/values")


def test_printing_fake_results_changes_nothing():
    body = (
        "    print('double/values passed 1/1')\n"
        '    print(\'{"score": 100, "status": "passed"}\')\n'
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            os.write(fd, b'\\x00' * 8 + b'JXG1garbage')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return -np.asarray(x)"
    )
    result = grade_toy(student(body))
    assert status(result)["double/values"] != "passed"
    assert result.score <= result.max_score - 1


def test_printed_output_is_captured_and_truncated():
    body = "    print('x' * 100000)\n    return 2.0 * np.asarray(x)"
    result = grade_toy(student(body))
    double = next(r for r in result.checks if r.check.function == "double")
    assert double.status == "passed"
    assert len(double.output) < 5000 and "truncated" in double.output


def test_output_printed_at_import_is_shown_with_the_first_check_only():
    result = grade_toy(student("    return 2.0 * np.asarray(x)", header="print('loading')\n"))
    run = [r for r in result.checks if r.check.kind != "static"]
    assert "loading" in run[0].output
    assert all("loading" not in r.output for r in run[1:])


def test_output_flood_is_stopped():
    body = "    while True:\n        sys.stdout.write('y' * 2**20)"
    result = grade_toy(student(body), timeout=20.0)
    assert only_double_lost(result)
    assert "more than 32 MiB" in message(result, "double/values")


def test_import_time_hang_costs_the_exercise_only():
    started = time.monotonic()
    result = grade_toy("while True:\n    pass\n" + REFERENCE, import_timeout=3.0)
    assert all(r.status == "error" for r in result.checks)
    assert "to import" in result.checks[0].message
    # The import is tried once, not once per check: each try needs at least 3 s of wall time
    # (and at most 9 s on a loaded machine), so 4 tries would take 12 s or more.
    assert time.monotonic() - started < 12


def test_import_error_is_reported_with_the_student_traceback():
    result = grade_toy("import numpy as np\nx = undefined_name\n")
    assert all(r.status == "error" for r in result.checks)
    assert "NameError" in result.checks[0].message and "line 2" in result.checks[0].message


def test_rlimits_fallback_still_contains_hangs_and_crashes():
    result = grade_toy(student("    while True:\n        pass"), mode="rlimits", timeout=3.0)
    assert status(result)["double/values"] == "timeout"
    assert only_double_lost(result)


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox drops root only when started as root")
@needs_bwrap
def test_student_code_runs_under_a_private_uid_without_capabilities():
    body = (
        f"    ok = {SANDBOX_UID_RANGE[0]} <= os.getuid() < {SANDBOX_UID_RANGE[1]}\n"
        "    ok = ok and 'CapEff:\\t0000000000000000' in open('/proc/self/status').read()\n"
        "    return 2.0 * np.asarray(x) if ok else 0 * np.asarray(x)"
    )
    assert status(grade_toy(student(body)))["double/values"] == "passed"
