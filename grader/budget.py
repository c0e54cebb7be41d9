"""Time budgets that do not depend on the machine: the student's steady-state time against
the reference's, measured in the same kind of sandbox at the same moment.

A budget check (:func:`grader.spec.budget`) states a ratio ``K``: the student's function may
take at most ``K`` times as long as the reference solution on the same inputs. Both run in
sandboxed workers with the same limits (the reference in a second, trusted :class:`Worker`
serving the solutions folder), their calls interleaved — reference, student, reference,
student, … — never concurrently, so the machine's load and the compilation caches weigh on
both alike and cancel out in the ratio:

1. a warm-up call each (compilation excluded from what is compared), whose output is judged;
2. ``ROUNDS`` timed calls each, every round on other inputs of the same shapes (another
   PRNG key, another split), so that no submission can return a cached answer; every timed
   output is judged too;
3. the verdict: ``best student time <= K * best reference time``. Every time is taken by the
   grader's process around :meth:`Worker.run`, never reported by the student's process.

A student call slower than ``ABORT`` times the budget is stopped there; a best time over
``FAR`` times the budget "misses it by far", and the function's later slow checks are then
failed at once instead of being waited for (see :func:`skipped_by`).

Without a solutions folder (a student copy made by ``grader release``), the reference's time
is estimated from what ``grader freeze`` recorded: the reference's time divided by the time
of a fixed calibration workload (:data:`CALIBRATION_SOURCE`), both measured then; the
calibration runs again now, in a sandbox like the student's, interleaved with it. The
message says which of the two was used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.expect import FROZEN_DIR, definitions_hash, encode_cases
from grader.i18n import t
from grader.spec import Case, Check, Exercise

ROUNDS = 3  # timed calls per side (best of): one slow call from a load spike costs nothing
ABORT = 6.0  # a timed student call is stopped past ABORT × the budget on wall times
WALL_SLACK = 4.0  # the student's best wall time may be WALL_SLACK × the budget on wall times
FAR = 1.5  # a best time past FAR × the budget misses it by far: later slow checks are skipped
STOP = 1.5  # after a round, a best time past STOP × the budget ends the measurement (failed)
SLOW_CHECK_S = 60.0  # checks with a longer timeout are "slow" (skipped after a far miss)
BUDGETS_FILE = "budgets.json"  # in grader/frozen/: what ``grader freeze`` measured

# -- the measurement, independent of workers (unit-tested with fake calls) -------------------


@dataclass
class Call:
    """One call's end as the measurement sees it.

    Attributes:
      status: ``"ok"`` (an answer for every case), ``"timeout"``, or ``"error"`` (anything
        else: an exception, a crash, an invalid answer).
      wall_s: the wall-clock time the grader measured around the call.
      outcome: what the caller needs to report it (e.g. a :class:`JobOutcome`).
      cpu_s: the CPU time the sandbox's processes spent on it, from the kernel's accounting,
        or None where it cannot be read.
    """

    status: str
    wall_s: float
    outcome: Any = None
    cpu_s: float | None = None


# caller(round, timeout_s) -> Call; round 0 is the warm-up, 1..ROUNDS the timed ones.
Caller = Callable[[int, float], Call]
# judge(round, call) -> None when the output is right, else whatever describes the fault.
RoundJudge = Callable[[int, Call], Any]


@dataclass
class Measurement:
    """The result of :func:`measure`.

    Attributes:
      verdict: ``"passed"``, ``"over"`` (the budget missed), ``"far"`` (missed by far, or a
        timed call stopped), ``"warmup_timeout"``, ``"student_error"``, ``"wrong"`` (the judge
        refused an output) or ``"reference_error"``.
      ratio: the budget ``K``.
      student, reference: the timed calls (warm-ups excluded).
      warmup_s: the student's warm-up wall time (compilation included).
      round: the round that ended the measurement early (0: the warm-up).
      call: the call that ended it early (an error, a wrong output, a stop).
      fault: the judge's description of a wrong output.
    """

    verdict: str
    ratio: float
    student: list[Call] = field(default_factory=list)
    reference: list[Call] = field(default_factory=list)
    warmup_s: float | None = None
    round: int = 0
    call: Call | None = None
    fault: Any = None

    @property
    def clock(self) -> str:
        """``"cpu"`` when every timed call has its CPU time (then it decides), else ``"wall"``."""
        calls = self.student + self.reference
        return "cpu" if calls and all(c.cpu_s is not None for c in calls) else "wall"

    def _times(self, calls: list[Call]) -> list[float]:
        return [c.cpu_s if self.clock == "cpu" else c.wall_s for c in calls]

    @property
    def student_s(self) -> list[float]:
        return self._times(self.student)

    @property
    def reference_s(self) -> list[float]:
        return self._times(self.reference)

    @property
    def reference_best(self) -> float | None:
        return min(self.reference_s) if self.reference else None

    @property
    def student_best(self) -> float | None:
        return min(self.student_s) if self.student else None

    @property
    def limit_s(self) -> float | None:
        best = self.reference_best
        return None if best is None else self.ratio * best

    @property
    def wall_limit_s(self) -> float | None:
        """The student's wall-time bound: ``WALL_SLACK`` × the budget on wall times."""
        if not self.reference:
            return None
        return WALL_SLACK * self.ratio * min(c.wall_s for c in self.reference)

    @property
    def misses_by_far(self) -> bool:
        return self.verdict in ("far", "warmup_timeout")


def measure(
    student: Caller,
    reference: Caller,
    ratio: float,
    timeout_s: float,
    *,
    judge: RoundJudge | None = None,
    rounds: int = ROUNDS,
) -> Measurement:
    """Time ``student`` against ``reference``, interleaved, and decide.

    The CPU times decide where both sides have them (they hardly depend on the load); the
    wall times then only bound the student loosely (``WALL_SLACK``), so that no work can hide
    from the CPU accounting. A timed student call is stopped past ``ABORT`` × the wall-time
    budget.

    Args:
      student: runs the student's round ``i`` within a timeout (seconds).
      reference: the same for the reference (or the calibration workload standing for it).
      ratio: the budget ``K``: the student's best may be ``K`` times the reference's best.
      timeout_s: the longest any single call may take (the warm-up's compilation included).
      judge: checks the student's output of a round; returns None when it is right.
      rounds: timed calls per side.

    Returns:
      The :class:`Measurement`.
    """
    m = Measurement("passed", float(ratio))

    def refuse(call: Call, i: int) -> bool:
        fault = judge(i, call) if judge is not None else None
        if fault is not None:
            m.verdict, m.round, m.call, m.fault = "wrong", i, call, fault
        return fault is not None

    # Warm-ups: the student's first, so that a function that raises (a stub) or answers
    # wrongly costs the reference nothing. In the timed rounds the reference goes first: the
    # student's timeout then follows its time.
    call = student(0, timeout_s)
    m.warmup_s = call.wall_s
    if call.status != "ok":
        m.verdict = "warmup_timeout" if call.status == "timeout" else "student_error"
        m.call = call
        return m
    if refuse(call, 0):
        return m
    ref = reference(0, timeout_s)
    if ref.status != "ok":
        m.verdict, m.call = "reference_error", ref
        return m
    for i in range(1, rounds + 1):
        ref = reference(i, timeout_s)
        if ref.status != "ok":
            m.verdict, m.round, m.call = "reference_error", i, ref
            return m
        m.reference.append(ref)
        wall_budget = m.ratio * min(c.wall_s for c in m.reference)
        call = student(i, min(timeout_s, ABORT * wall_budget))
        if call.status == "timeout":
            m.student.append(Call(call.status, call.wall_s, call.outcome, None))
            m.verdict, m.round, m.call = "far", i, call
            return m
        if call.status != "ok":
            m.verdict, m.round, m.call = "student_error", i, call
            return m
        m.student.append(call)
        if refuse(call, i):
            return m
        if m.student_best > STOP * m.limit_s:  # more rounds would not change the verdict
            m.round = i
            break
    best, limit = m.student_best, m.limit_s
    wall_best = min(c.wall_s for c in m.student)
    if best > FAR * limit:
        m.verdict = "far"
    elif best > limit or wall_best > m.wall_limit_s:
        m.verdict = "over"
    return m


# -- inputs of each round ---------------------------------------------------------------------


def round_cases(check: Check, base_seed: int, i: int) -> list[Case]:
    """The cases of round ``i``: round 0 (the warm-up) gets the check's usual cases, the timed
    rounds others drawn from their own stream (same generator, so the same shapes)."""
    if i == 0:
        return check.make_cases(base_seed)
    digest = int.from_bytes(hashlib.sha256(check.id.encode()).digest()[:8], "little")
    cases = list(check.cases(np.random.default_rng([base_seed, digest, 1000 + i])))
    if not cases or not all(isinstance(c, Case) for c in cases):
        raise TypeError(f"check {check.id}: case generators must return Case objects")
    return cases


# -- which checks to run first, which to skip -------------------------------------------------


def execution_order(checks: Sequence[Check]) -> list[Check]:
    """``checks`` with every budget check moved before the other checks of its function.

    A function too slow for its budget then fails that check quickly instead of first
    running into the long timeouts of its accuracy checks. Other checks keep their order.
    """
    first_of: dict[str, int] = {}
    for i, c in enumerate(checks):
        first_of.setdefault(c.function, i)

    def rank(item):
        i, c = item
        if c.kind == "budget":
            return (first_of[c.function], 0, i)
        return (i, 1, i)

    return [c for _, c in sorted(enumerate(checks), key=rank)]


def is_slow(check: Check) -> bool:
    """Whether a function that missed its budget by far should not be run on ``check``."""
    return check.kind == "budget" or check.timeout > SLOW_CHECK_S


# -- the frozen reference times (student copies) ----------------------------------------------

# A fixed workload of the kind the budgets measure (small jit-compiled XLA steps in a scan):
# timed once at freeze time next to each reference, and again at grading time next to the
# student, it turns the recorded reference time into one for this machine and this moment.
CALIBRATION_SOURCE = '''"""The grader's calibration workload for time budgets (trusted, no student code)."""
from functools import partial

import jax
import jax.numpy as jnp


@partial(jax.jit, static_argnames=("steps",))
def _run(key, x, steps):
    w = jax.random.normal(key, (x.shape[1], x.shape[1])) / x.shape[1] ** 0.5

    def step(h, _):
        h = jnp.tanh(h @ w)
        return h - 0.1 * jnp.mean(h, axis=0), None

    return jax.lax.scan(step, x, None, length=steps)[0]


def workload(key, x, steps):
    return _run(key, jnp.asarray(x, jnp.float32), steps=int(steps))
'''
CALIBRATION_MODULE = "budget_calibration"


def calibration_cases(i: int) -> list[Case]:
    """The calibration's inputs in round ``i`` (fixed shapes, other values every round)."""
    from grader.spec import key

    x = np.random.default_rng(i).normal(size=(256, 64)).astype(np.float32)
    return [Case((key(i), x, 3000))]  # about 0.15 s: well above the 10 ms CPU-time tick


def stage_calibration(folder: Path) -> Path:
    """Write the calibration module into ``folder`` (a submission-like folder for a Worker)."""
    path = Path(folder) / f"{CALIBRATION_MODULE}.py"
    path.write_text(CALIBRATION_SOURCE, encoding="utf-8")
    path.chmod(0o644)
    Path(folder).chmod(0o755)
    return path


def read_frozen(frozen_dir: Path | None = None) -> dict[str, dict]:
    """The recorded reference/calibration ratios, by check id ({} when there are none)."""
    frozen_dir = FROZEN_DIR if frozen_dir is None else frozen_dir
    try:
        data = json.loads((Path(frozen_dir) / BUDGETS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def frozen_entry(check: Check, frozen_dir: Path | None = None) -> dict | None:
    """The recorded entry of ``check`` if it was made for the current check definitions."""
    entry = read_frozen(frozen_dir).get(check.id)
    public_only = not check.hidden
    if not isinstance(entry, dict) or entry.get("definitions") != definitions_hash(
        check.exercise, public_only=public_only
    ):
        return None
    try:
        return entry if float(entry["factor"]) > 0 else None
    except (KeyError, TypeError, ValueError):
        return None


# -- messages ---------------------------------------------------------------------------------


def basis_text(basis: str, lang: str) -> str:
    """How the reference time was obtained, for the messages."""
    return t("budget.basis_live" if basis == "live" else "budget.basis_frozen", lang)


def describe(m: Measurement, check: Check, basis: str, lang: str) -> str:
    """The message of a finished measurement that passed, or missed the budget."""
    base = {"function": check.function, "ratio": m.ratio, "basis": basis_text(basis, lang)}
    if m.call is not None and m.call.status == "timeout":  # stopped: wall times only
        ref_wall = min(c.wall_s for c in m.reference)
        return t(
            "budget.stopped",
            lang,
            abort=ABORT,
            elapsed=m.call.wall_s,
            limit=m.ratio * ref_wall,
            reference=ref_wall,
            **base,
        )
    params = {
        "student": m.student_best,
        "reference": m.reference_best,
        "times": m.student_best / m.reference_best,
        "limit": m.limit_s,
        "rounds": len(m.student),
        "clock": t(f"budget.clock_{m.clock}", lang),
        **base,
    }
    if m.verdict == "passed":
        return t("budget.within", lang, **params)
    if m.student_best <= m.limit_s:  # within on CPU time, but far slower on the wall clock
        wall = min(c.wall_s for c in m.student)
        return t("budget.over_wall", lang, wall=wall, wall_limit=m.wall_limit_s, **params)
    return t("budget.over", lang, **params)


def cleanup(folder: str | None) -> None:
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def staging_dir() -> str:
    return tempfile.mkdtemp(prefix="grader-calibration-")


def for_exercise(exercise: Exercise, checks: Sequence[Check]) -> list[Check]:
    """The budget checks among ``checks``."""
    return [c for c in checks if c.kind == "budget" and c.exercise == exercise.id]


def encode(check: Check, base_seed: int, i: int) -> tuple[list[Case], list[dict]]:
    cases = round_cases(check, base_seed, i)
    return cases, encode_cases(cases)
