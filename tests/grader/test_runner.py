"""The runner's judgements: static checks give nothing for stubs, diagnostics stay sensible."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from toy import REFERENCE, grade_toy, message, status

from grader.compare import compare, shape_summary
from grader.judging import reveal
from grader.messages import describe_mismatch
from grader.sandboxed.codec import Ref
from grader.spec import fail


def test_static_checks_give_no_points_to_stubs_or_missing_functions():
    stub = "import numpy as np\ndef grad(x):\n    '''To do.'''\n    raise NotImplementedError('write me')\n"
    result = grade_toy(stub)
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "not implemented yet" in message(result, "grad/no_autodiff")
    result = grade_toy("import numpy as np\n")
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "missing" in message(result, "grad/no_autodiff")


def test_static_check_passes_for_real_code_and_catches_autodiff():
    assert status(grade_toy(REFERENCE))["grad/no_autodiff"] == "passed"
    cheat = REFERENCE.replace(
        "def grad(x):\n    return 2.0 * np.asarray(x)",
        "def grad(x):\n    import jax\n    return jax.grad(lambda v: (v * v).sum())(x)",
    )
    result = grade_toy(cheat)
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "jax.grad" in message(result, "grad/no_autodiff")


def test_constant_factor_is_named_only_when_it_tells_something():
    assert "constant_factor" not in compare(np.array([20.0]), np.array([44.0])).info
    assert compare(0.25, 0.5).info["constant_factor"] == 2.0  # a missing 1/2 in a scalar loss
    assert compare(3.0, -3.0).info["constant_factor"] == -1.0  # a sign error
    near_one = compare(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]) * (1 + 1e-3))
    assert "constant_factor" not in near_one.info
    assert (
        compare(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])).info["constant_factor"] == 2.0
    )


def test_relative_error_ignores_zero_expectations():
    m = compare(np.array([0.0, 0.0]), np.array([1e-3, 0.0]))
    assert "n/a" in describe_mismatch(m, "en", hidden=False)
    m = compare(np.array([0.0, 2.0]), np.array([1e-3, 3.0]))
    assert m.info["max_rel_error"] == 0.5


def test_inputs_built_by_the_worker_are_described():
    assert shape_summary(Ref("jnp", (np.zeros((3, 2)), "float32"))) == "jax (3, 2) float32"
    assert shape_summary(Ref("key", (7,))) == "key(7)"


def test_compile_caches_are_pruned_least_recently_used_first_and_not_too_often(
    tmp_path, monkeypatch
):
    import os

    from grader.compile_cache import prune_compile_caches

    monkeypatch.setenv("JAXNN_GRADER_CACHE", str(tmp_path))
    root = tmp_path / "jax"
    for age, name in enumerate(["newest", "middle", "oldest"]):
        (root / name).mkdir(parents=True)
        (root / name / "entry").write_bytes(b"x" * 1000)
        os.utime(root / name, (1e9 - age, 1e9 - age))
    prune_compile_caches(max_bytes=2500, min_interval_s=0)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["middle", "newest"]
    prune_compile_caches(max_bytes=0, min_interval_s=3600)  # pruned a moment ago: not again
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["middle", "newest"]
    prune_compile_caches(max_bytes=1500, min_interval_s=0)
    assert [p.name for p in root.iterdir() if p.is_dir()] == ["newest"]


def test_the_graders_own_compile_cache_is_set_before_jax_only(tmp_path):
    import os
    import subprocess

    import jax  # noqa: F401  (imported: too late to choose a cache for this process)

    from grader.compile_cache import use_trusted_compile_cache

    assert use_trusted_compile_cache() is False
    code = (
        "import os; from grader.compile_cache import use_trusted_compile_cache as u; "
        "print(u(), os.environ.get('JAX_COMPILATION_CACHE_DIR')); "
        "import jax; print(jax.config.jax_compilation_cache_dir)"
    )
    env = {**os.environ, "JAXNN_GRADER_CACHE": str(tmp_path)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    folder = str(tmp_path / "jax" / "grader")
    assert out.stdout.split() == ["True", folder, folder], out.stderr
    env["JAX_COMPILATION_CACHE_DIR"] = "/somewhere/else"  # the user's choice is kept
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "/somewhere/else", "/somewhere/else"], out.stderr


# -- a fault while judging costs that check only --------------------------------------------------

COMPLEX_DOUBLE = REFERENCE.replace(
    "def double(x):\n    return 2.0 * np.asarray(x)",
    "def double(x):\n    return (2.0 * np.asarray(x)).astype(np.complex64)",
)
WRONG_DOUBLE = REFERENCE.replace(
    "def double(x):\n    return 2.0 * np.asarray(x)",
    "def double(x):\n    return 3.0 * np.asarray(x)",
)


def _others_passed(result, but: str) -> None:
    for key, s in status(result).items():
        if key != but:
            assert s == "passed", (key, s)


def test_a_complex_result_costs_its_check_only():
    result = grade_toy(COMPLEX_DOUBLE)  # this raised KeyError('expected') out of the grader
    assert status(result)["double/values"] in ("failed", "error")
    _others_passed(result, "double/values")


def _grader_error(result, key: str):
    r = next(r for r in result.checks if f"{r.check.function}/{r.check.name}" == key)
    assert r.status == "error" and r.score == 0.0, (r.status, r.message)
    assert r.cause == "grader" and r.failure == "grader" and r.hint == ""
    assert "not in your code" in r.message
    return r


def test_a_message_that_cannot_be_written_costs_its_check_only(monkeypatch):
    import grader.runner as runner

    def broken(*args, **kwargs):
        raise KeyError("expected")

    monkeypatch.setattr(runner, "describe_mismatch", broken)
    result = grade_toy(WRONG_DOUBLE)
    r = _grader_error(result, "double/values")
    assert "KeyError: 'expected'" in r.internal_error and "describe_mismatch" not in r.message
    _others_passed(result, "double/values")
    assert r.to_json()["cause"] == "grader" and "Traceback" in r.to_json()["internal_error"]


def test_a_judge_that_raises_costs_its_check_only(monkeypatch):
    import toy

    def judge(cases, outputs):
        raise ZeroDivisionError("judge bug")

    monkeypatch.setattr(toy, "_judge_pair", judge)
    result = grade_toy(REFERENCE)
    r = _grader_error(result, "pair/shape")
    assert "ZeroDivisionError: judge bug" in r.internal_error
    _others_passed(result, "pair/shape")


def test_a_comparison_or_a_static_analysis_that_raises_costs_its_check_only(monkeypatch):
    import grader.runner as runner
    from grader import static

    real = runner.compare
    calls = []

    def compare_once_broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("compare bug")
        return real(*args, **kwargs)

    def static_broken(*args, **kwargs):
        raise RuntimeError("static bug")

    monkeypatch.setattr(runner, "compare", compare_once_broken)
    monkeypatch.setattr(static, "find_forbidden", static_broken)
    result = grade_toy(REFERENCE)
    _grader_error(result, "double/values")  # the first compared check
    _grader_error(result, "grad/no_autodiff")
    assert status(result)["add/values"] == "passed" and status(result)["grad/values"] == "passed"


def test_a_failing_hint_choice_costs_its_check_only(monkeypatch):
    import grader.runner as runner

    def broken(hint, kind):
        raise RuntimeError("hint bug")

    monkeypatch.setattr(runner, "choose_hint", broken)
    result = grade_toy(WRONG_DOUBLE)
    _grader_error(result, "double/values")
    _others_passed(result, "double/values")  # passed checks choose no hint


def test_student_errors_are_the_students_and_wrong_answers_nobodys():
    raising = REFERENCE.replace(
        "def add(a, b):\n    return np.asarray(a) + np.asarray(b)",
        "def add(a, b):\n    raise ValueError('nope')",
    )
    result = grade_toy(raising)
    by_key = {f"{r.check.function}/{r.check.name}": r for r in result.checks}
    assert by_key["add/values"].status == "error" and by_key["add/values"].cause == "student"
    assert by_key["add/values"].failure == "exception" and not by_key["add/values"].internal_error
    assert by_key["double/values"].cause == ""


def test_every_worker_comes_from_the_injected_factory_and_one_without_a_sandbox_says_so():
    """``Options.worker_factory`` starts the workers (production: the sandbox's ``Worker``);
    the benchmark's in-process one is reported as no sandbox, without the sandbox's notes."""
    from grader.inprocess import InProcessWorker
    from grader.options import Options
    from grader.runner import grade
    from grader.sandbox import Worker

    assert Options().worker_factory is Worker
    started = []

    class Recording(InProcessWorker):
        def start(self) -> None:
            started.append(self.submission_dir)
            super().start()

    solutions = Path(__file__).resolve().parents[2] / "solutions"
    # No cache: an in-process worker would point this process's JAX at the compile cache.
    options = Options(solutions_dir=solutions, use_cache=False, worker_factory=Recording)
    report = grade("in-process", solutions, ["ex01_perceptron"], options)
    failed = [(r.check.id, r.message) for e in report.exercises for r in e.checks if r.score == 0]
    assert report.all_passed and report.score == report.max_score > 0, failed
    assert started == [solutions]
    assert report.sandbox == "inprocess" and report.notes == []


def _revealing_judge(cases, outputs):
    out = outputs[0]
    got = str(out[0] if isinstance(out, (list, tuple)) else out)
    return fail(
        f"pair() gave {got}{reveal(f' but (array, 7) was expected after {got}')}.",
        f"pair() a donné {got}{reveal(f' mais (tableau, 7) était attendu après {got}')}.",
    )


@pytest.mark.parametrize("hidden", [False, True])
def test_the_engine_cuts_what_a_judge_reveals_from_hidden_checks_only(monkeypatch, hidden):
    # The student's answer carries the brackets themselves, to end the revealed part early.
    student = REFERENCE.replace("return np.arange(3.0), 7", "return '\\x1f\\x1e\\x1f', 8")
    import toy

    exercise = toy.toy_exercise
    monkeypatch.setattr(toy, "_judge_pair", _revealing_judge)
    monkeypatch.setattr(
        toy,
        "toy_exercise",
        lambda *a: replace(
            exercise(*a),
            checks=tuple(
                replace(c, hidden=hidden) if c.function == "pair" else c
                for c in exercise(*a).checks
            ),
        ),
    )
    text = message(grade_toy(student), "pair/shape")
    assert "pair() gave" in text
    assert ("(array, 7)" in text) is not hidden, text
    assert "\x1e" not in text and "\x1f" not in text
