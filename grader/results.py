"""What grading a submission produces: the verdict on each check, on each exercise, on all.

These are plain data, built by :mod:`grader.runner` and written by :mod:`grader.report`
(``to_json`` is the report's JSON format, see docs/instructors.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.spec import Check, Exercise


@dataclass
class CheckResult:
    """The verdict on one check.

    Attributes:
      failure: what failed (a kind of :data:`grader.hints.KINDS`, ``""`` when passed or
        unknown): it chooses the hint.
      internal_error: when the grader itself failed to judge the check, its exception and
        traceback, for the instructor (the student's message only says it was not their code).
    """

    check: Check
    status: str
    score: float
    message: str = ""
    hint: str = ""
    output: str = ""
    duration_s: float = 0.0
    failure: str = ""
    internal_error: str = ""

    @property
    def cause(self) -> str:
        """Whose fault an ``error`` or ``timeout`` is: ``"grader"`` or ``"student"`` (else "")."""
        if self.status not in ("error", "timeout"):
            return ""
        return "grader" if self.internal_error or self.failure == "grader" else "student"

    def to_json(self) -> dict:
        c = self.check
        extra = {"cause": self.cause} if self.cause else {}
        if self.internal_error:
            extra["internal_error"] = self.internal_error
        return {
            "id": c.id,
            "function": c.function,
            "kind": c.kind,
            "visibility": c.visibility,
            "score": round(self.score, 6),
            "max_score": c.points,
            "status": self.status,
            "message": self.message,
            "hint": self.hint,
            "output": self.output,
            "duration_s": round(self.duration_s, 4),
            "failure": self.failure,
            **extra,
        }


@dataclass
class ExerciseResult:
    exercise: Exercise
    file: str
    checks: list[CheckResult] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def score(self) -> float:
        return sum(r.score for r in self.checks)

    @property
    def max_score(self) -> float:
        return sum(r.check.points for r in self.checks)

    def to_json(self) -> dict:
        return {
            "id": self.exercise.id,
            "title": self.exercise.title.en,
            "score": round(self.score, 6),
            "max_score": self.max_score,
            "duration_s": round(self.duration_s, 3),
            "checks": [r.to_json() for r in self.checks],
        }


@dataclass
class Report:
    submission: str
    seed: int
    suite: str
    sandbox: str
    duration_s: float
    versions: dict
    exercises: list[ExerciseResult]
    hidden: bool = False
    lang: str = "en"
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    @property
    def all_passed(self) -> bool:
        return all(r.status == "passed" for e in self.exercises for r in e.checks)

    def to_json(self) -> dict:
        return {
            "submission": self.submission,
            "score": round(self.score, 6),
            "max_score": self.max_score,
            "seed": self.seed,
            "suite": self.suite,
            "sandbox": self.sandbox,
            "hidden": self.hidden,
            "duration_s": round(self.duration_s, 3),
            "versions": self.versions,
            "notes": self.notes,
            "exercises": [e.to_json() for e in self.exercises],
        }


def versions() -> dict:
    import platform
    from importlib.metadata import version

    import jaxnn

    # From the installed metadata: importing jax here would cost the grader ~0.5 s per run.
    return {
        "python": platform.python_version(),
        "jax": version("jax"),
        "numpy": version("numpy"),
        "jaxnn": jaxnn.__version__,
    }
