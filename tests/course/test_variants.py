"""Correct code always gets full marks; wrong code always loses points — for every function.

Grades the corpus of ``tests/course/variants/`` (see its docstring): every correct variant
submission scores full marks with the hidden checks, and every function replaced in a wrong
variant submission loses points.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from grader import course
from grader.testing import by_function, grade_source, reference_source, replace_functions, summary

VARIANTS = Path(__file__).with_name("variants")


def _modules() -> dict:
    out = {}
    for path in sorted(VARIANTS.glob("ex*.py")):
        spec = importlib.util.spec_from_file_location(f"_variants_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out[path.stem] = module
    return out


def _corpus(kind: str) -> list:
    params = []
    for name, module in _modules().items():
        for label, replacements in getattr(module, kind, {}).items():
            marks = getattr(module, "MARKS", {}).get(label, ())
            params.append(pytest.param(name, replacements, id=f"{name}:{label}", marks=marks))
    return params


def test_every_variant_module_names_an_exercise():
    names = list(_modules())
    assert names, "the corpus is empty"
    assert set(names) <= set(course.available()), sorted(set(names) - set(course.available()))


@pytest.mark.parametrize(("exercise", "replacements"), _corpus("CORRECT"))
def test_correct_variant_gets_full_marks(exercise, replacements):
    source = replace_functions(reference_source(exercise), replacements)
    result = grade_source(exercise, source, functions=sorted(replacements))
    assert result.score == result.max_score > 0, summary(result)


@pytest.mark.parametrize(("exercise", "replacements"), _corpus("WRONG"))
def test_wrong_variant_loses_points_on_each_replaced_function(exercise, replacements):
    source = replace_functions(reference_source(exercise), replacements)
    result = grade_source(exercise, source, functions=sorted(replacements))
    checks = by_function(result)
    uncaught = [
        fn
        for fn in replacements
        if sum(r.score for r in checks[fn]) >= sum(r.check.points for r in checks[fn])
    ]
    assert not uncaught, f"wrong code got full marks: {uncaught}"
