"""What a worker answers: the outcomes of loading a module and of running a check's job.

Shared by :class:`grader.sandbox.Worker` and its in-process stand-in
(:mod:`grader.inprocess`); both are imported from :mod:`grader.sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CaseOutcome:
    """What one case produced: a decoded value, or the description of an exception."""

    value: Any = None
    error: dict | None = None


@dataclass
class JobOutcome:
    """The end of one job.

    ``status`` is ``"ok"`` (every case answered), ``"timeout"``, ``"crashed"`` (the worker
    died), or ``"invalid"`` (it sent something that is not a valid answer). ``memory``: the
    crash was the kernel stopping the worker at its memory cgroup's limit.
    """

    status: str
    cases: list[CaseOutcome | None]
    elapsed_s: float
    output: str = ""
    detail: str = ""
    memory: bool = False


@dataclass
class ReadyInfo:
    """The module imported: which functions it defines, and in what kind of process.

    ``fresh`` is False when the module was imported in the child that served the previous
    exercise (see :mod:`grader.sandboxed.reuse`).
    """

    functions: dict[str, str]
    import_s: float
    output: str = ""
    fresh: bool = True


@dataclass
class StartFailure:
    """The module did not import (``kind="import_error"``), or the worker died or hung first."""

    kind: str
    error: dict | None = None
    detail: str = ""
    output: str = ""
