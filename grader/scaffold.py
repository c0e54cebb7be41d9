"""``grader new ID "Title"``: a new exercise, registered and graded from the start.

It writes six files under a course root (the repository by default), with the repository's
layout, and edits nothing else: the exercise exists because its check module does
(:mod:`grader.course`). The one function it starts with is named after the id (``ex16_scale``
→ ``scale(x)``, twice ``x``); the reference gets full marks, the stub 0, and its selftest
passes. The instructor then rewrites the statement, the functions and their checks.
"""

from __future__ import annotations

import keyword
from pathlib import Path

from grader import course

REPO = Path(__file__).resolve().parent.parent
CHECKS = Path("grader") / "course"


def paths(root: Path, exercise_id: str) -> dict[str, Path]:
    """Where ``grader new`` writes each file of ``exercise_id`` under ``root``."""
    return {
        "stub": root / "exercises" / f"{exercise_id}.py",
        "reference": root / "solutions" / f"{exercise_id}.py",
        "checks": root / CHECKS / f"{exercise_id}.py",
        "hidden": root / CHECKS / "hidden" / f"{exercise_id}.py",
        "variants": root / CHECKS / "variants" / f"{exercise_id}.py",
        "test": root / "tests" / "course" / f"test_{exercise_id}.py",
    }


def _refusal(root: Path, exercise_id: str) -> str | None:
    """Why ``exercise_id`` cannot be created under ``root`` (None when it can)."""
    if not course.ID_FORM.fullmatch(exercise_id) or keyword.iskeyword(exercise_id[5:]):
        return (
            f"{exercise_id!r} is not an exercise id: use the exNN_name form, two digits then a "
            "lowercase name that is also the function's (letters, digits, _), e.g. ex16_scale"
        )
    prefix = exercise_id[:4]
    for folder in {course.COURSE_DIR, (root / CHECKS).resolve()}:
        taken = sorted(p.stem for p in folder.glob(f"{prefix}_*.py") if p.stem != exercise_id)
        if taken:
            return f"{prefix} is already {taken[0]} ({folder}): choose another number"
    existing = [str(p) for p in paths(root, exercise_id).values() if p.exists()]
    if existing:
        return "refusing to overwrite " + ", ".join(existing) + ": remove them or choose another id"
    return None


def new_exercise(exercise_id: str, title: str, root: Path = REPO) -> dict[str, Path]:
    """Write a new exercise's six files under ``root``; refuse to overwrite anything.

    Args:
      exercise_id: ``exNN_name``; ``name`` becomes the exercise's one function.
      title: the exercise's title (in both languages until the instructor translates it).
      root: a folder with the repository's layout (``exercises/``, ``solutions/``,
        ``grader/course/``, ``tests/course/``).

    Returns:
      ``{role: path}`` of the files written.

    Raises:
      ValueError: the id is malformed, its number is taken, or a file exists (nothing is
        written then); the message says how to fix it.
    """
    root = Path(root)
    why = _refusal(root, exercise_id)
    if why:
        raise ValueError(why)
    name = exercise_id[5:]
    values = {"id": exercise_id, "title": title.replace('"', "'"), "fn": name}
    written = {}
    for role, path in paths(root, exercise_id).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:  # "x": never overwrite
            f.write(_TEMPLATES[role].format(**values))
        written[role] = path
    return written


_STUB = '''"""{id} — {title}.

Write the statement here: the goal, what the student will have learnt, and a worked example
per function. Run ``grader run -e {id}`` to check your work.
"""

from __future__ import annotations

import numpy as np


def {fn}(x):
    """Twice ``x``, element by element.

    Args:
      x: an array of any shape.

    Returns:
      An array of ``x``'s shape.

    Example:
      >>> {fn}(np.array([1.0, -2.0]))
      array([ 2., -4.])
    """
    raise NotImplementedError("{fn}: return twice x")
'''

_REFERENCE = '''"""{id} — {title} (reference solution)."""

from __future__ import annotations

import numpy as np


def {fn}(x):
    return 2.0 * np.asarray(x)
'''

_CHECKS = '''"""Checks for {id} (public)."""

from grader.course.common import case
from grader.i18n import Text
from grader.spec import Exercise, compare


def vectors(rng):
    return [case(f"{{n}} numbers", f"{{n}} nombres", rng.normal(size=n)) for n in (1, 5)]


EXERCISE = Exercise(
    id="{id}",
    title=Text("{title}", "{title}"),
    checks=[compare("{fn}", "vectors", vectors, points=2)],
)
'''

_HIDDEN = '''"""Hidden checks for {id} (the loader marks them hidden)."""

from grader.course.common import as_jax, case
from grader.spec import compare


def matrices(rng):
    return [case("a jax matrix", "une matrice jax", as_jax(rng.normal(size=(3, 4)), "float32"))]


CHECKS = [compare("{fn}", "jax_matrix", matrices, points=1)]
'''

_VARIANTS = '''"""{id}: correct variants (must get full marks) and wrong ones (must lose points)."""

CORRECT = {{
    "sum_of_two": {{"{fn}": "def {fn}(x):\\n    return np.asarray(x) + np.asarray(x)\\n"}},
}}
WRONG = {{
    "identity": {{"{fn}": "def {fn}(x):\\n    return np.asarray(x)\\n"}},
}}
'''

_TEST = '''"""{id}: the reference gets full marks, the stub 0, a classic mistake loses points."""

from __future__ import annotations

from grader.testing import failed, grade_source, reference_source, replace_function, stub_source

EX = "{id}"


def test_reference_gets_full_marks():
    result = grade_source(EX, reference_source(EX))
    assert result.score == result.max_score > 0


def test_stub_scores_zero():
    assert grade_source(EX, stub_source(EX)).score == 0


def test_squaring_instead_of_doubling_loses_points():
    wrong = replace_function(reference_source(EX), "{fn}", "def {fn}(x):\\n    return x * x\\n")
    assert failed(grade_source(EX, wrong), "{fn}")
'''

_TEMPLATES = {
    "stub": _STUB,
    "reference": _REFERENCE,
    "checks": _CHECKS,
    "hidden": _HIDDEN,
    "variants": _VARIANTS,
    "test": _TEST,
}


def next_steps(exercise_id: str, root: Path = REPO) -> str:
    """The commands that grade a new exercise: reference, stub, selftest."""
    extra = ""
    if Path(root).resolve() != REPO.resolve():
        extra = f" --course {root / CHECKS} --solutions {root / 'solutions'}"
    e = f"-e {exercise_id}{extra}"
    return (
        f"next: grader run {root / 'solutions'} --hidden {e}  (full marks)\n"
        f"      grader run {root / 'exercises'} {e}  (0: not implemented yet)\n"
        f"      grader selftest {e}  (the checks catch the wrong variants)"
    )
