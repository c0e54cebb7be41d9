"""What holds for every exercise: the reference gets full marks with the hidden checks, and
the stubs score zero with a "not implemented yet" message on every check. (Each exercise's
own test file then checks that its students' classic mistakes are caught and that correct
code written differently passes.)"""

from __future__ import annotations

import ast

import pytest

from grader import course
from grader.testing import grade_source, reference_source, stub_source, summary

EXERCISES = course.available()


def test_the_whole_catalogue_has_checks():
    assert list(course.EXERCISE_IDS) == EXERCISES


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_gets_full_marks_with_hidden_checks(exercise):
    result = grade_source(exercise, reference_source(exercise))
    assert result.score == result.max_score > 0, summary(result)
    assert any(r.check.hidden for r in result.checks)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stubs_score_zero_with_not_implemented_messages(exercise):
    result = grade_source(exercise, stub_source(exercise))
    assert result.score == 0
    assert all("not implemented yet" in r.message for r in result.checks), summary(result)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_function_has_public_and_hidden_checks(exercise):
    ex = course.load(exercise)
    for fn in ex.functions:
        kinds = {c.hidden for c in ex.checks if c.function == fn}
        assert kinds == {False, True}, (
            f"{exercise}.{fn} needs at least one public and one hidden check"
        )


def test_no_judge_is_told_whether_its_check_is_hidden():
    # Hiding expected values is the engine's job (grader.judging.reveal/redact): a judge that
    # took a flag could forget it, or be built with the wrong one.
    flags = {"hidden", "show_answer", "show_expected", "public"}
    found = []
    for folder in course.folders():
        for path in [*folder.glob("*.py"), *folder.glob("hidden/*.py")]:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.Lambda)):
                    a = node.args
                    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
                    found += [f"{path.name}:{node.lineno} {n}" for n in names & flags]
    assert not found, found
