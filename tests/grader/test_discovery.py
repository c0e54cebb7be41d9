"""Exercises are found by listing the course folders; -e matches an id or its exNN prefix."""

from __future__ import annotations

import pytest

from grader import course

PUBLIC = """
from grader.spec import Case, Exercise, compare
from grader.i18n import Text

def cases(rng):
    return [Case((1.0,))]

EXERCISE = Exercise(id="{id}", title=Text("Toy", "Jouet"), checks=[compare("f", "one", cases{extra})])
"""
HIDDEN = """
from grader.course.{id} import cases
from grader.spec import compare

CHECKS = [compare("f", "secret", cases)]
"""


@pytest.fixture
def toy(tmp_path):
    """A course folder of its own, forgotten after the test."""
    yield tmp_path
    course.forget(tmp_path)


def _write(folder, exercise_id, extra="", hidden=True):
    (folder / f"{exercise_id}.py").write_text(PUBLIC.format(id=exercise_id, extra=extra))
    if hidden:
        (folder / "hidden").mkdir(exist_ok=True)
        (folder / "hidden" / f"{exercise_id}.py").write_text(HIDDEN.format(id=exercise_id))


def test_the_course_is_what_the_folder_holds_in_id_order():
    on_disk = sorted(p.stem for p in course.COURSE_DIR.glob("ex[0-9][0-9]_*.py"))
    assert len(on_disk) == 15 and course.available() == on_disk
    assert list(course.EXERCISE_IDS) == on_disk


def test_another_folder_adds_exercises_and_the_loader_marks_hidden_checks(toy):
    _write(toy, "ex91_toy")
    (toy / "helpers.py").write_text("X = 1\n")  # no EXERCISE: not an exercise
    _write(toy, "mytoy", hidden=False)  # not exNN_ but defines EXERCISE: an exercise
    course.use(toy)
    assert course.available()[-2:] == ["ex91_toy", "mytoy"]
    assert "helpers" not in course.available()
    ex = course.load("ex91_toy")
    assert [(c.name, c.hidden) for c in ex.checks] == [("one", False), ("secret", True)]
    assert toy in course.private_dirs()  # kept out of the sandbox, like the grader itself
    course.forget(toy)
    assert "ex91_toy" not in course.available() and toy not in course.private_dirs()


def test_hidden_checks_in_a_public_module_are_refused(toy):
    _write(toy, "ex92_toy", extra=", hidden=True", hidden=False)
    course.use(toy)
    with pytest.raises(ValueError, match="move them to hidden/"):
        course.load("ex92_toy")


def test_an_exercise_defined_twice_is_refused_and_the_folder_left_out(toy):
    _write(toy, "ex01_perceptron", hidden=False)
    with pytest.raises(ValueError, match="defined twice"):
        course.use(toy)
    assert toy not in course.folders()
    assert course.load("ex01_perceptron").title.en == "The perceptron"


@pytest.mark.parametrize(
    "patterns, ids",
    [
        (["ex01"], ["ex01_perceptron"]),
        (["ex01_perceptron"], ["ex01_perceptron"]),
        (["ex10", "ex01", "ex10_gradcheck"], ["ex10_gradcheck", "ex01_perceptron"]),
    ],
)
def test_e_matches_an_id_or_its_exnn_prefix(patterns, ids):
    assert course.select(patterns) == ids


@pytest.mark.parametrize("pattern", ["ex1", "ex0", "ex01_perc", "perceptron", "ex011"])
def test_e_refuses_anything_else_and_lists_the_ids(pattern):
    with pytest.raises(KeyError, match="ex01_perceptron, ex02_activations"):
        course.select([pattern])
