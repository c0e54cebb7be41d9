"""A toy exercise for testing the grader engine itself: short timeouts, tiny functions."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from grader.expect import Expectations
from grader.options import Options
from grader.results import ExerciseResult
from grader.runner import grade_exercise
from grader.sandbox import SandboxConfig
from grader.spec import Case, Exercise, compare, fail, ok, prop, static

TOY_ID = "ex99_toy"

REFERENCE = """
import numpy as np

def double(x):
    return 2.0 * np.asarray(x)

def add(a, b):
    return np.asarray(a) + np.asarray(b)

def pair():
    return np.arange(3.0), 7

def grad(x):
    return 2.0 * np.asarray(x)
"""


def _double_cases(rng):
    return [Case((rng.normal(size=(3, 4)).astype(np.float32),), label="a (3, 4) array")]


def _add_cases(rng):
    return [Case((rng.normal(size=5), rng.normal(size=5)))]


def _judge_pair(cases, outputs):
    out = outputs[0]
    if (
        isinstance(out, (list, tuple))
        and len(out) == 2
        and np.asarray(out[1]).shape == ()
        and out[1] == 7
    ):
        return ok()
    return fail("pair() must return (array, 7)", "pair() doit renvoyer (tableau, 7)")


def toy_exercise(timeout: float = 5.0, import_timeout: float = 30.0) -> Exercise:
    return Exercise(
        id=TOY_ID,
        title="toy",
        checks=(
            compare("double", "values", _double_cases, timeout=timeout),
            compare("add", "values", _add_cases, timeout=timeout),
            prop("pair", "shape", lambda rng: [Case()], _judge_pair, timeout=timeout),
            static("grad", "no_autodiff", forbid=("jax.grad", "jax.vjp"), why="by hand"),
            compare("grad", "values", _add_cases_one, timeout=timeout, hidden=True),
        ),
        import_timeout=import_timeout,
    )


def _add_cases_one(rng):
    return [Case((rng.normal(size=4),))]


def grade_toy(
    student_source: str,
    *,
    hidden: bool = True,
    mode: str = "auto",
    timeout: float = 5.0,
    import_timeout: float = 30.0,
    memory_mb: int = 2048,
    extra_files: dict[str, str] | None = None,
) -> ExerciseResult:
    """Grade ``student_source`` as the toy exercise against :data:`REFERENCE`."""
    exercise = toy_exercise(timeout, import_timeout)
    with tempfile.TemporaryDirectory() as sol, tempfile.TemporaryDirectory() as sub:
        Path(sol, f"{TOY_ID}.py").write_text(REFERENCE)
        options = Options(
            hidden=hidden,
            solutions_dir=Path(sol),
            sandbox=SandboxConfig(mode=mode, memory_mb=memory_mb),
            use_cache=False,
        )
        expected = Expectations(Path(sol), 0, use_cache=False).for_exercise(
            exercise, exercise.selected(hidden)
        )
        files = {f"{TOY_ID}.py": student_source, **(extra_files or {})}
        for name, text in files.items():
            Path(sub, name).write_text(text)
            Path(sub, name).chmod(0o644)
        Path(sub).chmod(0o755)
        return grade_exercise(exercise, Path(sub), options, expected, [Path(sol)])


def status(result: ExerciseResult) -> dict[str, str]:
    return {f"{r.check.function}/{r.check.name}": r.status for r in result.checks}


def message(result: ExerciseResult, key: str) -> str:
    return next(r.message for r in result.checks if f"{r.check.function}/{r.check.name}" == key)
