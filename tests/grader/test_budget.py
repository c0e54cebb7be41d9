"""Time budgets: the ratio logic on scripted calls (no clock, no sandbox: deterministic), the
inputs of each round, which checks run first and which are skipped after a far miss."""

from __future__ import annotations

import numpy as np
import pytest

from grader import budget
from grader.budget import Call, measure
from grader.spec import Case, compare, key, ok, prop
from grader.spec import budget as budget_check


class Script:
    """A fake side of a measurement: round ``i`` takes ``times[i]`` seconds (CPU and wall
    alike unless ``wall`` says otherwise); ``log`` records every call in order."""

    def __init__(self, name, log, times, wall=None, status=None, cpu=True):
        self.name, self.log, self.times = name, log, times
        self.wall = wall or {}
        self.status = status or {}
        self.cpu = cpu
        self.timeouts = []

    def __call__(self, i, timeout):
        self.log.append((self.name, i))
        self.timeouts.append(timeout)
        wall = self.wall.get(i, self.times[i])
        status = self.status.get(i, "ok")
        if status == "ok" and wall > timeout:
            status, wall = "timeout", timeout
        return Call(status, wall, outcome=(self.name, i), cpu_s=self.times[i] if self.cpu else None)


def run(student_times, reference_times, ratio=10.0, timeout=60.0, **kw):
    log = []
    judge = kw.pop("judge", None)
    student = Script("student", log, student_times, **kw)
    reference = Script("reference", log, reference_times)
    m = measure(student, reference, ratio, timeout, judge=judge)
    return m, log, student


def test_calls_alternate_reference_first_after_the_warm_ups_and_never_overlap():
    m, log, _ = run([5.0, 0.2, 0.2, 0.2], [3.0, 0.1, 0.1, 0.1])
    assert m.verdict == "passed"
    assert log == [
        ("student", 0),  # a stub's NotImplementedError costs the reference nothing
        ("reference", 0),
        ("reference", 1),
        ("student", 1),
        ("reference", 2),
        ("student", 2),
        ("reference", 3),
        ("student", 3),
    ]


def test_the_warm_up_is_not_compared_only_the_best_timed_calls_are():
    # A 100 s compilation and one slow call of each side change nothing: best of the rounds.
    m, _, _ = run([100.0, 1.4, 1.0, 1.3], [1.0, 0.1, 0.25, 0.3], ratio=10.0, timeout=200.0)
    assert (m.student_best, m.reference_best) == (1.0, 0.1)
    assert m.verdict == "passed"
    assert m.limit_s == pytest.approx(1.0)


def test_over_the_ratio_fails_at_the_boundary_passes():
    assert run([1.0, 1.0, 1.0, 1.0], [1.0, 0.1, 0.1, 0.1], ratio=10.0)[0].verdict == "passed"
    m, _, _ = run([1.0, 1.1, 1.1, 1.1], [1.0, 0.1, 0.1, 0.1], ratio=10.0)
    assert m.verdict == "over"
    assert not m.misses_by_far


def test_a_far_miss_stops_after_one_round():
    m, log, _ = run([3.0, 2.0, 2.0, 2.0], [1.0, 0.1, 0.1, 0.1], ratio=10.0)
    assert m.verdict == "far" and m.misses_by_far
    assert log[-1] == ("student", 1) and len(log) == 4


def test_a_timed_call_past_abort_times_the_budget_is_stopped():
    m, _, student = run([1.0, 50.0, 0.5, 0.5], [1.0, 0.1, 0.1, 0.1], ratio=10.0, timeout=60.0)
    assert student.timeouts == [60.0, pytest.approx(budget.ABORT * 10.0 * 0.1)]
    assert m.verdict == "far" and m.call.status == "timeout"


def test_a_warm_up_that_times_out_is_a_far_miss():
    m, log, _ = run([99.0, 0.1, 0.1, 0.1], [1.0, 0.1, 0.1, 0.1], timeout=30.0)
    assert m.verdict == "warmup_timeout" and m.misses_by_far
    assert log == [("student", 0)]


def test_cpu_time_decides_and_the_wall_clock_only_bounds_loosely():
    # Under load the student's long wall times grow more than its CPU time: CPU decides.
    m, _, _ = run([1.0, 0.5, 0.5, 0.5], [1.0, 0.1, 0.1, 0.1], wall={1: 2.0, 2: 2.0, 3: 2.0})
    assert m.clock == "cpu" and m.verdict == "passed"
    # Work hidden from the CPU accounting (or waiting) still shows on the wall clock.
    hidden = {1: 5.0, 2: 5.0, 3: 5.0}  # past WALL_SLACK (4) × the 1 s budget
    m, _, _ = run([1.0, 0.01, 0.01, 0.01], [1.0, 0.1, 0.1, 0.1], wall=hidden, timeout=100.0)
    assert m.verdict == "over"
    hidden = {1: 30.0}  # past ABORT (6) × the budget: stopped
    m, _, _ = run([1.0, 0.01, 0.01, 0.01], [1.0, 0.1, 0.1, 0.1], wall=hidden, timeout=100.0)
    assert m.verdict == "far" and m.call.status == "timeout"


def test_without_cpu_times_on_one_side_both_use_the_wall_clock():
    m, _, _ = run([1.0, 0.5, 0.5, 0.5], [1.0, 0.1, 0.1, 0.1], cpu=False)
    assert m.clock == "wall"
    assert m.student_best == 0.5


def test_every_output_is_judged_the_first_wrong_one_ends_it():
    seen = []

    def judge(i, call):
        seen.append(i)
        return "wrong on round 2" if i == 2 else None

    m, _, _ = run([1.0, 0.1, 0.1, 0.1], [1.0, 0.1, 0.1, 0.1], judge=judge)
    assert seen == [0, 1, 2]
    assert (m.verdict, m.round, m.fault) == ("wrong", 2, "wrong on round 2")


def test_student_errors_and_reference_failures_are_told_apart():
    m, _, _ = run([1.0, 0.1, 0.1, 0.1], [1.0, 0.1, 0.1, 0.1], status={1: "error"})
    assert (m.verdict, m.round) == ("student_error", 1)
    log = []
    broken = Script("reference", log, [1.0, 0.1], status={0: "error"})
    m = measure(Script("student", log, [1.0, 0.1]), broken, 10.0, 60.0)
    assert m.verdict == "reference_error"
    assert log == [("student", 0), ("reference", 0)]
    log.clear()
    stub = Script("student", log, [1.0, 0.1], status={0: "error"})
    m = measure(stub, Script("reference", log, [1.0, 0.1]), 10.0, 60.0)
    assert m.verdict == "student_error"
    assert log == [("student", 0)]  # the reference is not even run


def _keyed_cases(rng):
    return [Case((key(int(rng.integers(2**31))), rng.normal(size=(4, 3))))]


def test_each_round_gets_other_inputs_of_the_same_shapes():
    from grader.spec import Exercise

    check = Exercise("ex_t", None, (budget_check("f", "b", _keyed_cases, 10.0),)).checks[0]
    rounds = [budget.round_cases(check, 0, i) for i in range(4)]
    assert np.array_equal(rounds[0][0].args[1], check.make_cases(0)[0].args[1])  # the usual
    arrays = [r[0].args[1] for r in rounds]
    assert all(a.shape == (4, 3) for a in arrays)
    assert len({a.tobytes() for a in arrays}) == 4
    assert len({r[0].args[0].args for r in rounds}) == 4  # another key every round
    again = budget.round_cases(check, 0, 2)[0].args[1]
    assert np.array_equal(again, arrays[2])  # reproducible


def _cases(rng):
    return [Case((1.0,))]


def _judge(cases, outputs):
    return ok()


def test_budget_checks_run_before_the_other_checks_of_their_function_only():
    a1 = compare("a", "one", _cases)
    b1 = compare("b", "quick", _cases)
    b2 = prop("b", "accuracy", _cases, _judge, timeout=120)
    a2 = compare("a", "two", _cases)
    bb = budget_check("b", "speed", _cases, 10.0)
    order = budget.execution_order([a1, b1, b2, a2, bb])
    assert [c.name for c in order] == ["one", "speed", "quick", "accuracy", "two"]
    assert budget.is_slow(b2) and budget.is_slow(bb) and not budget.is_slow(b1)


def test_a_budget_ratio_must_leave_room_for_the_reference():
    with pytest.raises(ValueError, match="ratio"):
        budget_check("f", "b", _cases, 1.0)
    assert budget_check("f", "b", _cases, 25).budget_ratio == 25.0


def test_a_student_copy_scales_the_frozen_reference_time_by_a_calibration(tmp_path, monkeypatch):
    """Without solutions (``grader release``): ``grader freeze`` recorded the reference's time
    against the calibration workload; grading times the calibration again and says so."""
    from dataclasses import replace

    from grader import budget_run, course
    from grader.cli import default_solutions_dir
    from grader.options import Options
    from grader.runner import grade_exercise

    ex = course.load("ex09_sgd")
    ex = replace(ex, checks=tuple(c for c in ex.checks if c.name == "time_budget"))
    solutions = default_solutions_dir()

    def grade():
        options = Options(solutions_dir=None)
        return grade_exercise(ex, solutions, options, {}, [course.COURSE_DIR.parent]).checks[0]

    monkeypatch.setattr(budget, "FROZEN_DIR", tmp_path / "nothing")
    missing = grade()
    assert missing.status == "error" and "grader freeze" in missing.message

    (path,) = budget_run.freeze(ex, solutions, 0, tmp_path / "frozen")
    assert path == tmp_path / "frozen" / budget.BUDGETS_FILE
    entry = budget.read_frozen(tmp_path / "frozen")[ex.checks[0].id]
    assert entry["factor"] > 0 and entry["reference_s"] > 0
    monkeypatch.setattr(budget, "FROZEN_DIR", tmp_path / "frozen")
    result = grade()
    assert result.status == "passed", result.message
    assert "calibration" in result.message and "grader freeze" in result.message


def test_the_reference_side_of_a_budget_gets_the_same_kind_of_worker_as_the_student(tmp_path):
    """``Options.worker_factory`` starts the trusted reference's worker too (the benchmark's
    in-process baseline must not time the reference in a sandbox and the student out of it)."""
    import shutil
    from dataclasses import replace

    from grader import course
    from grader.cli import default_solutions_dir
    from grader.inprocess import InProcessWorker
    from grader.options import Options
    from grader.runner import grade_exercise

    ex = course.load("ex09_sgd")
    ex = replace(ex, checks=tuple(c for c in ex.checks if c.name == "time_budget"))
    solutions = default_solutions_dir()
    shutil.copy(solutions / "ex09_sgd.py", tmp_path / "ex09_sgd.py")
    started = []

    class Recording(InProcessWorker):
        def start(self) -> None:
            started.append(self.submission_dir)
            super().start()

    options = Options(solutions_dir=solutions, use_cache=False, worker_factory=Recording)
    result = grade_exercise(ex, tmp_path, options, {}, [course.COURSE_DIR.parent]).checks[0]
    assert result.status == "passed", result.message
    assert sorted(map(str, started)) == sorted([str(tmp_path), str(solutions)])
