"""Correct code always gets full marks; wrong code always loses points — for every function.

Grades the corpus of ``grader/course/variants/`` with ``grader selftest``'s own machinery
(:mod:`grader.selftest`), one case per variant: every correct variant submission scores full
marks with the hidden checks, and every function replaced in a wrong variant submission loses
points.
"""

from __future__ import annotations

import pytest

from grader import course, selftest
from grader.cli import default_solutions_dir

OPTIONS = selftest.options_for(default_solutions_dir())


def _corpus(correct: bool) -> list:
    return [
        pytest.param(
            v,
            id=v.id,
            marks=(pytest.mark.xfail(strict=True, reason=v.known),) if v.known else (),
        )
        for ex_id in course.available()
        for v in selftest.variants(ex_id)
        if v.correct is correct
    ]


def test_every_variant_module_names_an_exercise():
    names = [p.stem for p in (course.COURSE_DIR / "variants").glob("ex*.py")]
    assert names, "the corpus is empty"
    assert set(names) <= set(course.available()), sorted(set(names) - set(course.available()))


def test_every_exercise_has_variants():
    missing = [i for i in course.available() if course.variant_module(i) is None]
    assert not missing, missing


@pytest.mark.parametrize("variant", _corpus(correct=True))
def test_correct_variant_gets_full_marks(variant):
    outcome = selftest.prove(variant, OPTIONS)
    assert outcome.ok, "\n".join(outcome.details)


@pytest.mark.parametrize("variant", _corpus(correct=False))
def test_wrong_variant_loses_points_on_each_replaced_function(variant):
    outcome = selftest.prove(variant, OPTIONS)
    assert outcome.ok, f"wrong code got full marks: {outcome.bad}"
