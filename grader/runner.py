"""Grades one submission: runs each exercise's checks in sandboxed workers, judges in here.

The verdict of every check is computed in this process from plain data decoded from the
worker: never from a student object, never from what the student printed. A crash, hang or
memory blow-up costs only the check that caused it; the next check gets a fresh worker.

Around it: :mod:`grader.options` (how to grade), :mod:`grader.session` (a submission's
workers), :mod:`grader.messages` (what the student reads), :mod:`grader.results` (what
grading produces) and :mod:`grader.compile_cache` (the host's JAX compilation caches).
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from grader import budget, budget_run, course, notebook, static
from grader.compare import compare, input_precision
from grader.compile_cache import prune_compile_caches
from grader.expect import Expectations, encode_cases
from grader.hints import choose as choose_hint
from grader.hints import error_kind, mismatch_kind
from grader.i18n import t
from grader.judging import redact
from grader.messages import (
    _case_context,
    _error_message,
    _import_failure_message,
    _signature,
    describe_mismatch,
)
from grader.options import Options
from grader.report.printable import clean_text
from grader.results import CheckResult, ExerciseResult, Report, versions
from grader.sandbox import JobOutcome
from grader.session import Session
from grader.spec import Case, Check, Exercise, Verdict


def _judge(
    check: Check, cases: list[Case], values: list[Any], expected: list[Any] | None, lang: str
) -> tuple[float, str, str]:
    """(passed fraction, message, failure kind) for a check whose cases all returned values.

    Any exception in here is the grader's (a judge's bug, output so malformed a judge
    chokes, a message that cannot be written): :func:`_run_check_in` makes it an ``error``
    of this check only.
    """
    hidden = check.hidden
    if check.kind in ("compare", "transform"):
        # The tolerance policy: judged at the precision of the case's inputs (grader.compare),
        # plus the spread of correct runs where the check declares one (grader.expect).
        spreads = getattr(expected, "spreads", None) or [None] * len(cases)
        multiple = check.spread.multiple if check.spread is not None else 0.0
        for i, (case, exp, got) in enumerate(zip(cases, expected, values, strict=True)):
            m = compare(
                exp,
                got,
                tol=check.tol,
                keep_float64=check.keep_float64,
                inputs=input_precision(case.args, case.kwargs),
                spread=spreads[i],
                spread_multiple=multiple,
            )
            if m is not None:
                ctx = _case_context(case, i, len(cases), lang)
                text = f"{ctx}: {describe_mismatch(m, lang, hidden)}"
                return 0.0, text, mismatch_kind(m.kind, m.info)
        return 1.0, "", ""
    if check.judge is None:
        return 1.0, "", ""
    verdict = check.judge(cases, values)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"judge returned {type(verdict).__name__}, not a Verdict")
    fraction = verdict.score_fraction
    message = redact(verdict.message(lang), hidden=hidden)
    return fraction, message, "" if fraction >= 1.0 else "values"


def grader_fault(check: Check, exc: BaseException, lang: str, res: CheckResult | None = None):
    """``check`` as an ``error`` the grader caused: the student is told it was not their code,
    the instructor gets the exception and its traceback (``internal_error``).

    Args:
      check: the check that could not be judged.
      exc: what the grader raised.
      lang: the messages' language.
      res: the result so far (its student output is kept), or None.

    Returns:
      The check's result: status ``error``, no points, failure ``"grader"``.
    """
    import traceback

    if res is None:
        res = CheckResult(check, "error", 0.0)
    res.status, res.score, res.hint, res.failure = "error", 0.0, "", "grader"
    try:
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except Exception:  # a hostile or broken __str__: the type still says something
        detail = type(exc).__name__
    res.internal_error = detail[-4000:]
    res.message = t("check.grader_error", lang, type=type(exc).__name__)
    return res


def exercise_fault(exercise: Exercise, exc: BaseException, options: Options) -> ExerciseResult:
    """``exercise`` when the grader failed outside any one check (say, setting up its
    budgets): every selected check is a grader-side ``error``, the other exercises go on.

    Args:
      exercise: the exercise that could not be graded.
      exc: what the grader raised.
      options: how the submission is graded (language, hidden checks).

    Returns:
      The exercise's result, no points.
    """
    lang = options.lang
    checks = [_finish(grader_fault(c, exc, lang), lang) for c in exercise.selected(options.hidden)]
    return ExerciseResult(exercise, f"{exercise.id}.py", checks)


def _finish(res: CheckResult, lang: str) -> CheckResult:
    """Attach the hint that fits what failed (or none), and make every text printable."""
    res.hint = ""
    if res.status != "passed" and res.failure != "grader":
        chosen = choose_hint(res.check.hint, res.failure)
        res.hint = chosen(lang) if chosen is not None else ""
    res.message = clean_text(res.message)
    res.output = clean_text(res.output)
    res.internal_error = clean_text(res.internal_error)
    return res


def _safely(check: Check, lang: str, run, *args) -> CheckResult:
    """``run(*args)``, the result of one check; whatever the grader raises costs this check
    only (a sandbox that cannot start at all is the set-up's problem and still propagates)."""
    from grader.sandbox import SandboxError

    try:
        res = run(*args)
    except SandboxError:
        raise
    except Exception as exc:
        res = grader_fault(check, exc, lang)
    try:
        return _finish(res, lang)
    except Exception as exc:
        return _finish(grader_fault(check, exc, lang), lang)


def _run_check(
    check: Check,
    exercise: Exercise,
    session: Session,
    expected: list[Any] | None,
    options: Options,
    file_name: str,
) -> CheckResult:
    def run() -> CheckResult:
        try:
            res = _run_check_in(check, exercise, session, expected, options, file_name)
            if _sandbox_failure(res) and not session.last_job_fresh():
                # Other student code ran in that sandbox first and may have harmed it (killed
                # its processes, filled its memory or output, patched its libraries): the
                # check runs again in a fresh one, and only that outcome counts.
                session.discard()
                res = _run_check_in(check, exercise, session, expected, options, file_name)
            return res
        except Exception:
            session.discard()  # the worker may be mid-job: the next check gets a fresh one
            raise

    res = _safely(check, options.lang, run)
    printed = session.take_import_output()  # shown with the first check after the import
    if printed:
        res.output = clean_text(printed) + res.output
    return res


def _sandbox_failure(res: CheckResult) -> bool:
    """Whether the check ended in a way an earlier check could have caused: a timeout, a
    crash or invalid answer, running out of memory or of output (``failure`` "crash")."""
    return res.status in ("timeout", "error") and res.failure in ("timeout", "crash")


def _run_check_in(
    check: Check,
    exercise: Exercise,
    session: Session,
    expected: list[Any] | None,
    options: Options,
    file_name: str,
) -> CheckResult:
    lang = options.lang
    worker, start = session.get(exercise)
    if worker is None:
        msg = _import_failure_message(start, file_name, exercise, lang)
        return CheckResult(check, "error", 0.0, msg, output=start.output, failure="import")
    presence = start.functions.get(check.function, "missing")
    if presence != "ok":
        key = "fn.missing" if presence == "missing" else "fn.not_callable"
        sig = _signature(check.exercise, check.function, options)
        msg = t(key, lang, function=check.function, file=file_name, signature=sig)
        return CheckResult(check, "failed", 0.0, msg, failure="missing")
    if check.kind == "budget":  # timed against the reference, in grader/budget_run.py
        return budget_run.grade(check, exercise, session, options, file_name)
    cases = check.make_cases(options.seed)
    outcome: JobOutcome = worker.run(
        check.id, check.function, check.driver, encode_cases(cases), check.timeout, check.options
    )
    res = CheckResult(check, "failed", 0.0, output=outcome.output, duration_s=outcome.elapsed_s)
    if outcome.status == "timeout":
        session.discard()
        res.status, res.failure = "timeout", "timeout"
        res.message = t("fn.timeout", lang, function=check.function, seconds=check.timeout)
        return res
    if outcome.status in ("crashed", "invalid"):
        session.discard()
        res.status, res.failure = "error", "crash"
        key = "fn.crashed" if outcome.status == "crashed" else "fn.invalid"
        if getattr(outcome, "memory", False):  # stopped at the worker's memory cgroup limit
            key = "fn.memory_killed"
        mb = options.sandbox.memory_mb
        res.message = t(key, lang, function=check.function, detail=outcome.detail, mb=mb)
        return res
    for case in outcome.cases:
        if case.error is not None:
            res.status, res.message = _error_message(check, case.error, file_name, options)
            res.failure = error_kind(case.error)
            if case.error.get("memory") or "[Errno 27]" in case.error.get("message", ""):
                session.discard()  # the worker's state (memory, output file) is spoilt
            return res
    values = [c.value for c in outcome.cases]
    try:
        fraction, message, res.failure = _judge(check, cases, values, expected, lang)
    except Exception as exc:  # the grader's fault: this check errs, its output is kept
        return grader_fault(check, exc, lang, res)
    res.score = check.points * fraction
    res.status = "passed" if fraction >= 1.0 else "failed"
    res.message = message
    return res


def _static_result(check: Check, file: Path, options: Options) -> CheckResult:
    lang = options.lang
    try:
        state = static.function_state(file, check.function)
        if state != "defined":
            key = "fn.missing" if state == "missing" else "fn.not_implemented"
            sig = _signature(check.exercise, check.function, options)
            msg = t(key, lang, function=check.function, file=file.name, signature=sig)
            return CheckResult(check, "failed", 0.0, msg, failure="missing")
        findings = static.find_forbidden(
            file, check.function, check.forbid.names, dynamic=check.forbid.dynamic
        )
    except static.StaticSyntaxError as exc:
        msg = t("static.syntax", lang, file=exc.file, line=exc.line, message=exc.message)
        return CheckResult(check, "error", 0.0, msg, failure="import")
    except OSError as exc:
        return CheckResult(check, "error", 0.0, str(exc), failure="import")
    if not findings:
        return CheckResult(check, "passed", check.points)
    lines = []
    for f in findings[:5]:
        if f.kind == "forbidden":
            lines.append(
                t(
                    "static.forbidden",
                    lang,
                    file=f.file,
                    line=f.line,
                    name=f.name,
                    why=check.forbid.why(lang),
                )
            )
        else:
            lines.append(t("static.dynamic", lang, file=f.file, line=f.line, what=f.name))
    return CheckResult(check, "failed", 0.0, "\n".join(lines), failure="forbidden")


def grade_exercise(
    exercise: Exercise,
    submission_dir: Path,
    options: Options,
    expectations: dict[str, list[Any]],
    hidden_dirs: list[Path] = (),
    session: Session | None = None,
) -> ExerciseResult:
    """Grade one exercise of a submission folder (already staged, read-only).

    ``session`` is the submission's sandbox, shared with its other exercises; without one,
    a sandbox is started for this exercise alone.
    """
    started = time.monotonic()
    file = Path(submission_dir) / f"{exercise.id}.py"
    name = file.name
    result = ExerciseResult(exercise, name)
    checks = exercise.selected(options.hidden)
    lang = options.lang
    if not file.is_file():
        msg = t("module.missing_file", lang, file=name)
        result.checks = [CheckResult(c, "failed", 0.0, msg, failure="missing") for c in checks]
        result.duration_s = time.monotonic() - started
        return result
    own = session is None
    if own:
        session = Session(submission_dir, options, list(hidden_dirs))
    try:
        budget_run.prepare(session, exercise, checks, options)
        # Budget checks first: a function far too slow fails fast, and its later slow
        # checks are not waited for (grader/budget.py); results keep the declared order.
        for check in budget.execution_order(checks):
            if check.kind == "static":
                result.checks.append(_safely(check, lang, _static_result, check, file, options))
                continue
            by = budget_run.missed_by_far(session, check)
            if by is not None:
                result.checks.append(_finish(budget_run.skipped_result(check, by, options), lang))
                continue
            result.checks.append(
                _run_check(check, exercise, session, expectations.get(check.id), options, name)
            )
        declared = {c.id: i for i, c in enumerate(checks)}
        result.checks.sort(key=lambda r: declared[r.check.id])
        # A module that does not import fails every check, static ones included.
        failure = session.failed_import(exercise)
        if failure is not None and exercise.id not in session.ready:
            msg = _import_failure_message(failure, name, exercise, lang)
            for r in result.checks:
                if r.check.kind == "static":
                    r.status, r.score, r.message = "error", 0.0, msg
    finally:
        budget_run.finish(session, exercise)
        if own:
            session.close()
        else:
            session.finish(exercise)
    if (Path(submission_dir) / (exercise.id + notebook.MAP_SUFFIX)).is_file():
        for r in result.checks:  # point to the notebook's cells, not the generated module
            r.message = notebook.relabel(r.message, Path(submission_dir))
    result.duration_s = time.monotonic() - started
    return result


def compute_expectations(exercise_ids: list[str], options: Options) -> tuple[dict, str]:
    """Expected values for every selected exercise, and the suite hash they define."""
    exp = Expectations(options.solutions_dir, options.seed, options.use_cache)
    out = {}
    for ex_id in exercise_ids:
        exercise = course.load(ex_id)
        out[ex_id] = exp.for_exercise(exercise, exercise.selected(options.hidden))
    h = hashlib.sha256(f"seed={options.seed};hidden={options.hidden}".encode())
    for ex_id in exercise_ids:
        h.update(f"{ex_id}:{exp.digests.get(ex_id, '')};".encode())
    return out, h.hexdigest()


def grade(
    submission: str,
    submission_dir: Path,
    exercise_ids: list[str],
    options: Options,
    expectations: dict | None = None,
    suite: str | None = None,
) -> Report:
    """Grade the staged ``submission_dir`` on ``exercise_ids``; see :class:`Options`."""
    from grader.sandbox import SandboxError, resolve_mode

    started = time.monotonic()
    # What isolated the workers, for the report: the sandbox's mode, unless the workers are
    # no sandbox and say so (``isolation``: bench/grader_speed.py's in-process baseline).
    isolation = getattr(options.worker_factory, "isolation", None)
    mode = isolation or resolve_mode(options.sandbox)
    hidden_dirs = course.private_dirs()
    if options.solutions_dir:
        hidden_dirs.append(Path(options.solutions_dir))
    # The first sandbox starts now, in the background, while the expected values load.
    sessions = [Session(submission_dir, options, hidden_dirs, eager=True)]
    unused = list(sessions)
    lock = threading.Lock()
    local = threading.local()

    def one(ex_id: str) -> ExerciseResult:
        # One sandbox per thread, shared by the exercises that thread grades in turn.
        if getattr(local, "session", None) is None:
            with lock:
                local.session = unused.pop() if unused else None
                if local.session is None:
                    local.session = Session(submission_dir, options, hidden_dirs)
                    sessions.append(local.session)
        exercise = course.load(ex_id)
        try:
            return grade_exercise(
                exercise,
                submission_dir,
                options,
                expectations.get(ex_id, {}),
                hidden_dirs,
                session=local.session,
            )
        except SandboxError:
            raise
        except Exception as exc:  # the grader's bug: this exercise's checks only
            local.session.discard()
            return exercise_fault(exercise, exc, options)

    try:
        if expectations is None or suite is None:
            expectations, suite = compute_expectations(exercise_ids, options)
        if options.use_cache:
            prune_compile_caches()
        if options.jobs > 1 and len(exercise_ids) > 1:
            with ThreadPoolExecutor(max_workers=options.jobs) as pool:
                results = list(pool.map(one, exercise_ids))
        else:
            results = [one(i) for i in exercise_ids]
    finally:
        for s in sessions:
            s.close()
    return Report(
        submission=submission,
        seed=options.seed,
        suite=suite,
        sandbox=mode,
        duration_s=time.monotonic() - started,
        versions=versions(),
        exercises=results,
        hidden=options.hidden,
        lang=options.lang,
        notes=[] if isolation else _sandbox_notes(),
    )


def _sandbox_notes() -> list[str]:
    """What the report must say about the sandbox: memory bounded by address space only."""
    from grader import cgroups

    return [] if cgroups.usable() else [cgroups.FALLBACK_NOTE]
