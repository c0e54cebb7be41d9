"""Which exercise a student's file is: what students name their files, forgiven.

A file named after its exercise (``ex01_perceptron.py``) is graded as it is. Otherwise, in
this order: the name in any case (``Ex01_Perceptron.py``), with spaces or dashes for
underscores, without the copy number a browser adds to a second download
(``ex08_backprop (1).py``), or only the exercise's ``exNN`` prefix (``ex03.py``,
``ex03_gd.py``) when one exercise has it. Each such match is renamed in the staging folder
and noted in the report, so the student learns the right name; where several files match
one exercise, the exactly named one wins, else the latest browser copy (the highest number),
and the others are noted as left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from grader.notebook import MAP_SUFFIX

# "name (2)" or "name(2)": the copy number browsers add to a file downloaded again.
_COPY = re.compile(r"(?P<stem>.*?) ?\((?P<n>\d{1,3})\)")
_PREFIX = re.compile(r"ex\d\d(?!\d)")


def exercise_of(stem: str, exercise_ids: Sequence[str]) -> tuple[str, int] | None:
    """The exercise a file stem stands for, and its browser copy number (0 for none).

    >>> ids = ["ex01_perceptron", "ex03_gradient_descent"]
    >>> exercise_of("Ex01_Perceptron (2)", ids), exercise_of("ex03", ids), exercise_of("notes", ids)
    (('ex01_perceptron', 2), ('ex03_gradient_descent', 0), None)
    """
    copy = _COPY.fullmatch(stem)
    number = int(copy["n"]) if copy else 0
    key = re.sub(r"[\s\-]+", "_", (copy["stem"] if copy else stem).strip()).casefold()
    if key in exercise_ids:
        return key, number
    prefix = _PREFIX.match(key)
    if prefix is None:
        return None
    same = [e for e in exercise_ids if e.startswith(prefix.group() + "_")]
    return (same[0], number) if len(same) == 1 else None


def match_exercise_files(folder: Path, exercise_ids: Sequence[str]) -> list[str]:
    """Rename the staged files of ``folder`` that stand for an exercise to its file name.

    Args:
      folder: the staging folder (``.py`` files, notebooks already converted).
      exercise_ids: the course's exercise ids.

    Returns:
      Notes for the report, one per file renamed or left out.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.py") if p.is_file())
    exact = {p.stem for p in files if p.stem in exercise_ids}
    candidates: dict[str, list[tuple[int, Path]]] = {}
    for path in files:
        if path.stem in exact:
            continue
        found = exercise_of(path.stem, exercise_ids)
        if found is not None:
            candidates.setdefault(found[0], []).append((found[1], path))
    notes = []
    for exercise, paths in sorted(candidates.items()):
        paths.sort(key=lambda c: (c[0], c[1].name))
        if exercise in exact:
            chosen_name = f"{exercise}.py"
            others = paths
        else:
            chosen = paths[-1][1]
            chosen_name, others = chosen.name, paths[:-1]
            chosen.rename(folder / f"{exercise}.py")
            line_map = folder / (chosen.stem + MAP_SUFFIX)
            if line_map.exists():  # a converted notebook's cell/line map follows its module
                line_map.rename(folder / (exercise + MAP_SUFFIX))
            notes.append(f"{chosen_name} taken as {exercise}.py (name your file {exercise}.py)")
        notes += [f"{p.name} left out: {chosen_name} is taken as {exercise}" for _, p in others]
    return notes
