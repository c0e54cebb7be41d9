"""The course: one module of checks per exercise (trusted, instructor side).

``grader/course/<id>.py`` defines ``EXERCISE``, an :class:`~grader.spec.Exercise` holding the
public checks; ``grader/course/hidden/<id>.py``, when present, defines ``CHECKS``, the hidden
ones (a student release ships without that folder). Hidden checks may reuse the public
module's case generators and judges; the public module never imports the hidden one.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from functools import cache
from pathlib import Path

from grader.spec import Exercise

COURSE_DIR = Path(__file__).resolve().parent

# The catalogue's order (../shared/CATALOGUE.md).
EXERCISE_IDS = (
    "ex01_perceptron",
    "ex02_activations",
    "ex03_gradient_descent",
    "ex04_losses",
    "ex05_counting",
    "ex06_logistic",
    "ex07_mlp",
    "ex08_backprop",
    "ex09_sgd",
    "ex10_gradcheck",
    "ex11_regularization",
    "ex12_optimizers",
    "ex13_convolution",
    "ex14_cnn",
    "ex15_experiments",
)


def available() -> list[str]:
    """Ids of the exercises whose check module exists, in catalogue order."""
    return [i for i in EXERCISE_IDS if (COURSE_DIR / f"{i}.py").is_file()]


@cache
def load(exercise_id: str) -> Exercise:
    """The exercise with its public checks and, where the hidden module exists, hidden ones."""
    public = importlib.import_module(f"grader.course.{exercise_id}").EXERCISE
    if any(c.hidden for c in public.checks):
        raise ValueError(
            f"grader/course/{exercise_id}.py declares hidden checks; move them to hidden/"
        )
    hidden = []
    if (COURSE_DIR / "hidden" / f"{exercise_id}.py").is_file():
        hidden = list(importlib.import_module(f"grader.course.hidden.{exercise_id}").CHECKS)
        shown = [c.name for c in hidden if not c.hidden]
        if shown:
            raise ValueError(f"hidden/{exercise_id}.py declares public checks: {shown}")
    return replace(public, checks=tuple(public.checks) + tuple(hidden))


def select(patterns: list[str] | None) -> list[str]:
    """Exercise ids matching ``-e`` patterns (a full id or a prefix such as ``ex03``)."""
    ids = available()
    if not patterns:
        return ids
    out = []
    for p in patterns:
        hits = [i for i in ids if i == p or i.startswith(p + "_") or i.startswith(p)]
        if not hits:
            raise KeyError(f"no exercise matches {p!r}; known: {', '.join(ids)}")
        out += [h for h in hits if h not in out]
    return out
