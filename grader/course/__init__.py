"""The course: one module of checks per exercise (trusted, instructor side).

An exercise exists when its check module does: ``<id>.py`` in a course folder, defining
``EXERCISE``, an :class:`~grader.spec.Exercise` holding the public checks. There is no list
to edit; exercises are found by listing the folder and ordered by id. Next to it:

- ``hidden/<id>.py``, when present, defines ``CHECKS``, the hidden checks. The loader marks
  them hidden itself. They may reuse the public module's case generators and judges; the
  public module never imports the hidden one. A student release ships without ``hidden/``.
- ``variants/<id>.py``, when present, holds correct and wrong variants of the exercise's
  functions, which ``grader selftest`` grades (see :mod:`grader.selftest`). Never shipped.

The course folder is this package's; :func:`use` (``grader run --course DIR``, or the
``JAXNN_COURSE`` environment variable, folders separated by ``os.pathsep``) adds others laid
out the same way. Their modules are imported as ``grader.course.<id>`` (and
``grader.course.hidden.<id>``) like the built-in ones, so a hidden module imports its public
one the same way wherever it lives.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import ModuleType

from grader.spec import Exercise

COURSE_DIR = Path(__file__).resolve().parent
# An exercise id: "ex", two digits, "_", a lowercase name (what `grader new` accepts).
ID_FORM = re.compile(r"ex\d\d_[a-z][a-z0-9_]*")
# A check module assigns EXERCISE at its top level (found without importing the module).
_DEFINES_EXERCISE = re.compile(r"^EXERCISE\s*[:=]", re.MULTILINE)
_SUBPACKAGES = ("hidden", "variants")
_extra: list[Path] = []


def folders() -> list[Path]:
    """The course folders, the package's own first."""
    return [COURSE_DIR, *_extra]


def private_dirs() -> list[Path]:
    """Folders the sandbox must never show: the grader package and the added course folders."""
    return [COURSE_DIR.parent, *_extra]


def use(folder: str | Path) -> None:
    """Add a course folder (``<id>.py``, ``hidden/<id>.py``, ``variants/<id>.py``).

    Args:
      folder: the folder; its modules become importable as ``grader.course.<id>``.

    Raises:
      FileNotFoundError: no such folder.
      ValueError: it defines an exercise already defined (nothing is added then).
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"course folder {folder} does not exist")
    if folder in folders():
        return
    _extra.append(folder)
    __path__.append(str(folder))
    for name in _SUBPACKAGES:
        importlib.import_module(f"{__name__}.{name}").__path__.append(str(folder / name))
    _discover.cache_clear()
    load.cache_clear()
    try:
        available()
    except ValueError:  # an id defined twice: that folder cannot be used
        forget(folder)
        raise


def forget(folder: str | Path) -> None:
    """Undo :func:`use`: the folder's exercises are gone, its imported modules unloaded.

    Args:
      folder: a folder given to :func:`use` (others are ignored).
    """
    folder = Path(folder).resolve()
    if folder not in _extra:
        return
    _extra.remove(folder)
    __path__.remove(str(folder))
    for name in _SUBPACKAGES:
        importlib.import_module(f"{__name__}.{name}").__path__.remove(str(folder / name))
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if name.startswith(f"{__name__}.") and file and Path(file).resolve().is_relative_to(folder):
            del sys.modules[name]
    _discover.cache_clear()
    load.cache_clear()


def _is_check_module(path: Path) -> bool:
    if path.name.startswith("_") or not path.is_file():
        return False
    if ID_FORM.fullmatch(path.stem):
        return True
    return bool(_DEFINES_EXERCISE.search(path.read_text(encoding="utf-8")))


@cache
def _discover(where: tuple[Path, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in where:
        for path in sorted(folder.glob("*.py")):
            if not _is_check_module(path):
                continue
            if path.stem in found:
                raise ValueError(
                    f"exercise {path.stem} is defined twice: in {found[path.stem]} and {folder}"
                )
            found[path.stem] = folder
    return dict(sorted(found.items()))


def available() -> list[str]:
    """Ids of the exercises whose check module exists, ordered by id."""
    return list(_discover(tuple(folders())))


def folder_of(exercise_id: str) -> Path:
    """The course folder holding ``exercise_id``'s check module."""
    try:
        return _discover(tuple(folders()))[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(available())}") from None


@cache
def load(exercise_id: str) -> Exercise:
    """The exercise with its public checks and, where the hidden module exists, hidden ones.

    Args:
      exercise_id: an id from :func:`available`.

    Returns:
      The exercise; every check of ``hidden/<id>.py`` is marked hidden.
    """
    folder = folder_of(exercise_id)
    public = importlib.import_module(f"{__name__}.{exercise_id}").EXERCISE
    if public.id != exercise_id:
        raise ValueError(f"{exercise_id}.py defines the exercise {public.id!r}: use the file name")
    if any(c.hidden for c in public.checks):
        raise ValueError(f"{exercise_id}.py declares hidden checks; move them to hidden/")
    hidden = []
    if (folder / "hidden" / f"{exercise_id}.py").is_file():
        module = importlib.import_module(f"{__name__}.hidden.{exercise_id}")
        hidden = [replace(c, hidden=True) for c in module.CHECKS]
    return replace(public, checks=tuple(public.checks) + tuple(hidden))


def variant_module(exercise_id: str) -> ModuleType | None:
    """The module of ``exercise_id``'s variants (``CORRECT``, ``WRONG``), or None."""
    if not (folder_of(exercise_id) / "variants" / f"{exercise_id}.py").is_file():
        return None
    return importlib.import_module(f"{__name__}.variants.{exercise_id}")


def select(patterns: list[str] | None) -> list[str]:
    """Exercise ids matching ``-e`` patterns: a whole id, or its ``exNN`` prefix exactly.

    Args:
      patterns: ``["ex03", "ex04_losses"]``; None or empty for every exercise.

    Returns:
      The matching ids, in the patterns' order, without repeats.

    Raises:
      KeyError: a pattern matches no exercise (the message lists the ids).
    """
    ids = available()
    if not patterns:
        return ids
    out = []
    for p in patterns:
        hits = [i for i in ids if p in (i, i.split("_", 1)[0])]
        if not hits:
            raise KeyError(
                f"no exercise matches {p!r}: give a whole id or its exNN prefix (ex03); "
                f"known: {', '.join(ids)}"
            )
        out += [h for h in hits if h not in out]
    return out


def _from_environment() -> None:
    for entry in os.environ.get("JAXNN_COURSE", "").split(os.pathsep):
        if entry:
            use(entry)


def __getattr__(name: str):
    # EXERCISE_IDS, for callers that read a list: discovered at each read, never edited.
    if name == "EXERCISE_IDS":
        return tuple(available())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_from_environment()
