"""How a check exercises a student's function: trusted code that runs inside the sandbox.

A *driver* receives the student's function and the decoded inputs of one case and returns
what the grader compares or judges: ``DRIVERS[name](fn, *args, **kwargs)``. The reference
solution is run through the very same driver, so both sides are exercised identically.

A *ref* is an input the worker builds itself, because it cannot cross the wire as data:
``REFS[name](*args)``, e.g. ``Ref("key", (3,))`` becomes ``jax.random.key(3)``.

Drivers contain no expected values and no hidden inputs (those stay with the grader); they
are visible to student code, which is fine. Exercise-specific drivers live in the modules
of this package and register themselves with :func:`driver` and :func:`ref`.
This package runs inside the sandbox: it imports nothing from the rest of the grader.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

DRIVERS: dict[str, Callable[..., Any]] = {}
REFS: dict[str, Callable[..., Any]] = {}
# Drivers registered with ``module=True`` get the whole module first: ``fn(module, student_fn,
# *args)``, for checks that exercise several of its functions together.
MODULE_DRIVERS: set[str] = set()

# Modules holding exercise-specific drivers; imported on first lookup.
_MODULES = ("generic", "course")
_loaded = False


def driver(name: str, *, module: bool = False):
    """Register ``fn(student_fn, *args, **kwargs)`` as the driver called ``name``; with
    ``module=True``, ``fn(module, student_fn, *args, **kwargs)``."""

    def register(fn):
        if name in DRIVERS and DRIVERS[name] is not fn:
            raise ValueError(f"driver {name!r} registered twice")
        DRIVERS[name] = fn
        if module:
            MODULE_DRIVERS.add(name)
        return fn

    return register


def bind(name: str, module: Any) -> Callable[..., Any]:
    """The driver ``name`` ready to call as ``run(student_fn, *args, **kwargs)``."""
    run = get_driver(name)
    if name in MODULE_DRIVERS:
        return lambda fn, *args, **kwargs: run(module, fn, *args, **kwargs)
    return run


def ref(name: str):
    """Register ``factory(*args)`` as the builder of ``Ref(name, args)`` inputs."""

    def register(fn):
        if name in REFS and REFS[name] is not fn:
            raise ValueError(f"ref {name!r} registered twice")
        REFS[name] = fn
        return fn

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in _MODULES:
            importlib.import_module(f"{__name__}.{mod}")


def load_all() -> None:
    """Import every driver module now (the worker does, before any student code runs: a
    module that breaks the import system must not keep the drivers from loading)."""
    _load()


def get_driver(name: str) -> Callable[..., Any]:
    _load()
    try:
        return DRIVERS[name]
    except KeyError:
        raise KeyError(f"unknown driver {name!r}; known: {sorted(DRIVERS)}") from None


def resolve_ref(name: str, args: tuple) -> Any:
    _load()
    if name not in REFS:
        raise KeyError(f"unknown ref {name!r}; known: {sorted(REFS)}")
    return REFS[name](*args)
