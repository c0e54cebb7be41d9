"""Budget checks with real workers: the student's sandbox against a trusted one.

:mod:`grader.budget` decides from durations; this module supplies them. The reference side
is a second :class:`~grader.sandbox.Worker` with the same limits as the student's, serving
the solutions folder (or, in a student copy, the calibration workload), started when an
exercise with budget checks begins so that its boot overlaps the student module's import.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import Any

from grader import budget
from grader.budget import Call, Measurement
from grader.compile_cache import compile_cache_for
from grader.i18n import t
from grader.messages import _error_message
from grader.options import Options
from grader.results import CheckResult
from grader.session import SPAWN_TIMEOUT
from grader.spec import Check, Exercise


class References:
    """The trusted worker that budget checks time next to the student's, for one exercise.

    Args:
      exercise: the exercise being graded.
      options: the run's :class:`grader.options.Options` (same sandbox limits as the student).
      hidden_dirs: folders kept out of the sandbox (the solutions folder is served instead).
    """

    def __init__(self, exercise: Exercise, options: Options, hidden_dirs: list[Path]):
        self.exercise = exercise
        self.options = options
        solutions = Path(options.solutions_dir) if options.solutions_dir else None
        self.live = solutions is not None and (solutions / f"{exercise.id}.py").is_file()
        self.basis = "live" if self.live else "frozen"
        served = solutions.resolve() if self.live else None
        self.hidden = [Path(h) for h in hidden_dirs if Path(h).resolve() != served]
        self.folder = solutions if self.live else None
        self._staged: str | None = None
        self.worker = None
        self.failure: str | None = None
        self._loaded = self._booted = False

    def start(self) -> None:
        """Start the sandbox now, without waiting for it (it boots while other work goes on)."""
        if self.worker is not None or self.failure is not None:
            return
        self._booted = self._loaded = False
        try:
            if self.folder is None:
                self._staged = budget.staging_dir()
                budget.stage_calibration(Path(self._staged))
                self.folder = Path(self._staged)
            cache = compile_cache_for(self.folder) if self.options.use_cache else None
            # The same kind of worker as the student's (Options.worker_factory).
            self.worker = self.options.worker_factory(
                self.folder, self.options.sandbox, self.hidden, compile_cache=cache
            )
            self.worker.start()
        except Exception as exc:  # no sandbox for the reference: the budget check says so
            self.failure = f"{type(exc).__name__}: {exc}"
            self.worker = None

    def get(self):
        """The booted worker with the reference module (or the calibration) loaded, or None."""
        from grader.sandbox import StartFailure

        if self.worker is not None and not self.worker.alive():  # killed: start another
            self.worker.close()
            self.worker = None
        if self.worker is None:
            self.start()
        if self.failure is not None:
            return None
        if self._loaded:
            return self.worker
        try:
            if not self._booted:
                self.worker.wait_booted(SPAWN_TIMEOUT)
                self._booted = True
            if self.live:
                name, functions = self.exercise.id, self.exercise.functions
            else:
                name, functions = budget.CALIBRATION_MODULE, ["workload"]
            ready = self.worker.load(f"{name}.py", name, functions, SPAWN_TIMEOUT)
        except Exception as exc:
            self.failure = f"{type(exc).__name__}: {exc}"
            return None
        if isinstance(ready, StartFailure):
            error = ready.error or {}
            self.failure = f"{ready.kind} {error.get('type', '')} {error.get('message', '')}"
            return None
        self._loaded = True
        return self.worker

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        budget.cleanup(self._staged)
        self._staged = None


def cpu_seconds(worker) -> float | None:
    """The CPU time of every process of the worker's sandbox (see ``Worker.cpu_seconds``)."""
    measure = getattr(worker, "cpu_seconds", None)
    return measure() if measure is not None else None


def timed_run(worker, *args) -> tuple[Any, float | None]:
    """``worker.run(*args)`` and the CPU time its sandbox spent on it (None if unknown)."""
    before = cpu_seconds(worker)
    outcome = worker.run(*args)
    after = cpu_seconds(worker) if outcome.status == "ok" else None
    cpu = after - before if before is not None and after is not None else None
    return outcome, cpu if cpu is None or cpu >= 0 else None


# The reference workers of each student session, by exercise (closed with the exercise).
_REFS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare(session, exercise: Exercise, checks, options) -> None:
    """Start the reference's sandbox for ``exercise`` if ``checks`` include a budget check.

    Called before the exercise's first check, so the boot overlaps the student's import.
    """
    budgets = [c for c in checks if c.kind == "budget"]
    if not budgets:
        return
    refs = _references(session, exercise, options)
    if refs.live or any(budget.frozen_entry(c) is not None for c in budgets):
        refs.start()


def finish(session, exercise: Exercise) -> None:
    """Close the reference's sandbox of ``exercise`` (after its last check)."""
    refs = _REFS.get(session, {})
    if exercise.id in refs:
        refs.pop(exercise.id).close()
    far = _FAR.get(session, {})
    for key in [k for k in far if k[0] == exercise.id]:
        del far[key]


def _references(session, exercise: Exercise, options) -> References:
    refs = _REFS.setdefault(session, {})
    if exercise.id not in refs:
        refs[exercise.id] = References(exercise, options, list(session.hidden_dirs))
    return refs[exercise.id]


def _status(outcome) -> str:
    if outcome.status == "timeout":
        return "timeout"
    if outcome.status != "ok" or any(c is None or c.error is not None for c in outcome.cases):
        return "error"
    return "ok"


def grade(check: Check, exercise: Exercise, session, options, file_name: str):
    """Grade one budget check; returns a :class:`grader.results.CheckResult`.

    The caller has made sure the student's module imported and defines the function.
    """
    from grader import runner  # it imports this module: imported when first needed

    lang = options.lang
    started = time.monotonic()
    refs = _references(session, exercise, options)
    res = CheckResult(check, "failed", 0.0)
    rounds: dict[int, tuple[list, list[dict]]] = {}
    outputs: list[str] = []
    good: list[str] = []  # the judge's message on the last right output

    def inputs(i: int):
        if i not in rounds:
            rounds[i] = budget.encode(check, options.seed, i)
        return rounds[i]

    def student(i: int, timeout: float) -> Call:
        worker, _ = session.get(exercise)
        if worker is None:
            return Call("error", 0.0, None)
        cases, encoded = inputs(i)
        job = f"{check.id}#{i}"
        outcome, cpu = timed_run(
            worker, job, check.function, check.driver, encoded, timeout, check.options
        )
        if outcome.output and not outputs:  # shown once, not once per timed call
            outputs.append(outcome.output)
        return Call(_status(outcome), outcome.elapsed_s, (cases, outcome), cpu)

    entry = None if refs.live else budget.frozen_entry(check)
    # Frozen: the calibration's times now, scaled by the reference/calibration ratios of
    # the freeze; its CPU time only where the freeze measured CPU times too.
    factor = 1.0 if refs.live else float((entry or {}).get("factor", 0.0))
    wall_factor = 1.0 if refs.live else float((entry or {}).get("wall_factor", factor))
    frozen_cpu = refs.live or (entry or {}).get("clock") == "cpu"

    def reference(i: int, timeout: float) -> Call:
        worker = refs.get()
        if worker is None:
            return Call("error", 0.0, refs.failure)
        if refs.live:
            _, encoded = inputs(i)
            fn, driver, opts = check.function, check.driver, check.options
        else:
            encoded = budget.encode_cases(budget.calibration_cases(i))
            fn, driver, opts = "workload", "call", {}
        job = f"reference:{check.id}#{i}"
        outcome, cpu = timed_run(worker, job, fn, driver, encoded, timeout, opts)
        status = _status(outcome)
        detail = outcome.detail or next(
            (str(c.error.get("message", ""))[:300] for c in outcome.cases if c and c.error), ""
        )
        cpu = cpu * factor if cpu is not None and frozen_cpu else None
        return Call(status, outcome.elapsed_s * wall_factor, detail or status, cpu)

    def judge(i: int, call: Call) -> Any:
        cases, outcome = call.outcome
        values = [c.value for c in outcome.cases]
        fraction, message, failure = runner._judge(check, cases, values, None, lang)
        if fraction >= 1.0:
            good[:] = [message]
            return None
        return (fraction, message, failure)

    if not refs.live and entry is None:
        res.status, res.failure = "error", "grader"
        res.message = t("budget.no_reference", lang, function=check.function)
        return res
    m = budget.measure(
        student,
        reference,
        check.budget_ratio,
        check.timeout,
        judge=judge,
        rounds=check.budget_rounds,
    )
    res.output = "".join(outputs)
    res.duration_s = time.monotonic() - started
    _conclude(res, m, check, session, refs, options, file_name, good)
    return res


def _conclude(res, m: Measurement, check, session, refs, options, file_name, good) -> None:
    from grader.hints import error_kind

    lang = options.lang
    if m.verdict == "reference_error":
        res.status, res.failure = "error", "grader"
        res.message = t("budget.reference_failed", lang, detail=m.call.outcome or "?")
        return
    if m.verdict == "warmup_timeout":
        session.discard()
        _FAR.setdefault(session, {})[(check.exercise, check.function)] = check
        res.status, res.failure = "timeout", "timeout"
        res.message = t(
            "budget.warmup_timeout", lang, function=check.function, seconds=check.timeout
        )
        return
    if m.verdict == "student_error":
        outcome = m.call.outcome[1] if m.call.outcome else None
        if outcome is None:  # the module no longer imports in a fresh sandbox
            res.status, res.failure = "error", "crash"
            res.message = t("budget.no_worker", lang, function=check.function)
            return
        if outcome.status in ("crashed", "invalid"):
            session.discard()
            res.status, res.failure = "error", "crash"
            key = "fn.crashed" if outcome.status == "crashed" else "fn.invalid"
            res.message = t(key, lang, function=check.function, detail=outcome.detail)
            return
        error = next(c.error for c in outcome.cases if c is not None and c.error is not None)
        res.status, res.message = _error_message(check, error, file_name, options)
        res.failure = error_kind(error)
        if error.get("memory") or "[Errno 27]" in error.get("message", ""):
            session.discard()
        return
    if m.verdict == "wrong":
        fraction, message, res.failure = m.fault
        res.score = check.points * fraction
        if m.round:
            message = t("budget.round", lang, round=m.round, message=message)
        res.message = message
        return
    if m.verdict == "far" and m.call is not None and m.call.status == "timeout":
        session.discard()  # the stopped call killed the student's sandbox
    res.message = budget.describe(m, check, refs.basis, lang)
    if m.verdict == "passed":
        res.status, res.score = "passed", check.points
        if good and good[0]:
            res.message += " " + good[0]
        return
    res.failure = "slow"
    if m.misses_by_far:
        _FAR.setdefault(session, {})[(check.exercise, check.function)] = check


# Budget checks missed by far, by (exercise, function), per session.
_FAR: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def missed_by_far(session, check: Check) -> Check | None:
    """The budget check of ``check``'s function that was missed by far, if ``check`` is slow
    (then it is not run: :func:`skipped_result`)."""
    if check.kind == "static" or not budget.is_slow(check):
        return None
    return _FAR.get(session, {}).get((check.exercise, check.function))


def skipped_result(check: Check, by: Check, options):
    """The result of a slow check not run because ``by`` was missed by far."""
    msg = t("budget.skipped", options.lang, function=check.function, check=by.name)
    return CheckResult(check, "failed", 0.0, msg, failure="slow")


def freeze(
    exercise: Exercise, solutions_dir: Path, seed: int, out_dir: Path, *, hidden: bool = False
) -> list[Path]:
    """Record, for each budget check, the reference's time relative to the calibration
    workload's, both timed now in sandboxes, interleaved (``out_dir/budgets.json``).

    A student copy has no solutions: it times the calibration next to the student and scales
    it by these ratios (:func:`grade`). Entries of other checks in the file are kept.

    Returns:
      The file written, or nothing when the exercise has no budget check.
    """
    import dataclasses
    import json

    from grader import course
    from grader.expect import _atomic_write, definitions_hash

    checks = [c for c in exercise.checks if c.kind == "budget" and (hidden or not c.hidden)]
    if not checks:
        return []
    options = Options(seed=seed, solutions_dir=Path(solutions_dir))
    hidden_dirs = course.private_dirs()
    sides = {
        True: References(exercise, options, hidden_dirs),
        False: References(exercise, dataclasses.replace(options, solutions_dir=None), hidden_dirs),
    }
    for refs in sides.values():
        refs.start()
    entries = {}
    try:
        for check in checks:

            def side(live: bool, check: Check = check):
                def call(i: int, timeout: float) -> Call:
                    worker = sides[live].get()
                    if worker is None:
                        return Call("error", 0.0, sides[live].failure)
                    if live:
                        encoded = budget.encode(check, seed, i)[1]
                        fn, driver, opts = check.function, check.driver, check.options
                    else:
                        encoded = budget.encode_cases(budget.calibration_cases(i))
                        fn, driver, opts = "workload", "call", {}
                    job = f"freeze:{check.id}#{i}"
                    outcome, cpu = timed_run(worker, job, fn, driver, encoded, timeout, opts)
                    return Call(_status(outcome), outcome.elapsed_s, outcome.detail, cpu)

                return call

            rounds = max(budget.ROUNDS, check.budget_rounds)
            m = budget.measure(side(True), side(False), 1e9, check.timeout, rounds=rounds)
            if m.verdict != "passed":
                raise RuntimeError(f"could not time the reference on {check.id}: {m.verdict}")
            entries[check.id] = {
                "factor": m.student_best / m.reference_best,
                "clock": m.clock,
                "wall_factor": min(c.wall_s for c in m.student)
                / min(c.wall_s for c in m.reference),
                "reference_s": m.student_best,
                "calibration_s": m.reference_best,
                "definitions": definitions_hash(exercise.id, public_only=not check.hidden),
            }
    finally:
        for refs in sides.values():
            refs.close()
    path = Path(out_dir) / budget.BUDGETS_FILE
    stored = budget.read_frozen(Path(out_dir))
    stored.update(entries)
    _atomic_write(path, json.dumps(stored, indent=1, sort_keys=True).encode())
    return [path]
