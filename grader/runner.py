"""Grades one submission: runs each exercise's checks in sandboxed workers, judges in here.

The verdict of every check is computed in this process from plain data decoded from the
worker: never from a student object, never from what the student printed. A crash, hang or
memory blow-up costs only the check that caused it; the next check gets a fresh worker.
"""

from __future__ import annotations

import ast
import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import budget, budget_run, course, notebook, static
from grader.compare import Mismatch, compare, input_precision, shape_summary
from grader.expect import Expectations, encode_cases
from grader.hints import choose as choose_hint
from grader.hints import error_kind, mismatch_kind
from grader.i18n import Text, t
from grader.report.printable import clean_text
from grader.sandbox import (
    JobOutcome,
    ReadyInfo,
    SandboxConfig,
    StartFailure,
    Worker,
    compile_cache_env,
)
from grader.spec import Case, Check, Exercise, Verdict


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
class Options:
    """How to grade.

    Attributes:
      hidden: include hidden checks.
      seed: base seed of the generated inputs.
      lang: ``"en"`` or ``"fr"`` for messages.
      jobs: exercises graded in parallel.
      sandbox: limits and isolation of the workers.
      solutions_dir: the reference solutions, or None to use frozen expectations.
      use_cache: cache expected values on disk.
    """

    hidden: bool = False
    seed: int = 0
    lang: str = "en"
    jobs: int = 1
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    solutions_dir: Path | None = None
    use_cache: bool = True


# -- messages ------------------------------------------------------------------------------------


def _signature(exercise_id: str, function: str, options: Options) -> str:
    """The parameter list of ``function`` as the reference or the stub declares it."""
    candidates = []
    if options.solutions_dir:
        candidates.append(Path(options.solutions_dir) / f"{exercise_id}.py")
    candidates.append(course.COURSE_DIR.parent.parent / "exercises" / f"{exercise_id}.py")
    for path in candidates:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == function:
                return ast.unparse(node.args)
    return "…"


def describe_mismatch(m: Mismatch, lang: str, hidden: bool) -> str:
    info = dict(m.info)
    if "max_rel_error" in info:
        rel = info["max_rel_error"]
        info["max_rel_error"] = f"{rel:.3g}" if rel == rel else "n/a"
    if m.kind == "values":
        if hidden:
            text = t("cmp.values_hidden", lang, **info)
        elif info.get("exact"):
            text = t("cmp.values_exact", lang, **info)
        else:
            text = t("cmp.values", lang, **info)
            if "tol_dtype" in info:
                key = "cmp.values_spread" if "spread" in info else "cmp.values_tolerance"
                text += " " + t(key, lang, **info)
        if info.get("looks_transposed"):
            text += " " + t("cmp.transposed", lang)
        elif "constant_factor" in info and not hidden:
            text += " " + t("cmp.factor", lang, factor=info["constant_factor"])
    elif m.kind == "shape":
        e, g = info["expected_shape"], info["got_shape"]
        key = "cmp.shape_transposed" if len(e) == 2 and g == e[::-1] else "cmp.shape"
        text = t(key, lang, expected_shape=tuple(e), got_shape=tuple(g))
    elif m.kind == "nonfinite":
        if ("expected_value" in info and info["expected_value"] != info["expected_value"]) or (
            "expected_value" in info and abs(info["expected_value"]) == float("inf")
        ):
            text = (
                t("cmp.nonfinite_expected", lang, **info)
                if not hidden
                else t("cmp.values_hidden", lang, **info)
            )
        else:
            text = t("cmp.nonfinite", lang, **info)
    elif m.kind == "keys":
        text = t("cmp.keys_hidden" if hidden else "cmp.keys", lang, **info)
    elif m.kind == "string" and hidden:
        text = t("cmp.values_hidden", lang, count=1, size=1, index=[])
    else:
        text = t(f"cmp.{m.kind}", lang, **info)
    if m.path:
        text = t("cmp.at", lang, path=m.path, message=text)
    return text


def _case_context(case: Case, index: int, n: int, lang: str) -> str:
    label = case.label(lang) if isinstance(case.label, Text) else case.label
    what = label or (f"case {index + 1} of {n}" if lang == "en" else f"cas {index + 1} sur {n}")
    inputs = ", ".join(shape_summary(a) for a in case.args)
    if case.kwargs:
        inputs += (", " if inputs else "") + ", ".join(
            f"{k}={shape_summary(v)}" for k, v in case.kwargs.items()
        )
    return t("cmp.case", lang, case=what) + f" ({t('cmp.inputs', lang, inputs=inputs)})"


def _error_message(check: Check, error: dict, file: str, options: Options) -> tuple[str, str]:
    """(status, message) for an exception raised by the student's code."""
    lang = options.lang
    if error.get("not_implemented"):
        return "failed", t("fn.not_implemented", lang, function=check.function, file=file)
    if error.get("type") == "UnsupportedType":
        return "failed", t(
            "fn.unsupported", lang, function=check.function, message=error["message"]
        )
    if "[Errno 27]" in error.get("message", ""):  # EFBIG: the output file hit its size cap
        mb = options.sandbox.output_mb
        return "error", t("fn.output_limit", lang, function=check.function, mb=mb)
    if error.get("memory"):
        mb = options.sandbox.memory_mb
        return "error", t(
            "fn.memory", lang, function=check.function, mb=mb, message=error["message"]
        )
    key = "fn.raised_where" if error.get("traceback") else "fn.raised"
    return "error", t(
        key,
        lang,
        function=check.function,
        type=error.get("type", "?"),
        message=error.get("message", ""),
        traceback=error.get("traceback", "").rstrip(),
    )


# -- grading ------------------------------------------------------------------------------------


COMPILE_CACHE_MAX_BYTES = 2 * 2**30


def compile_cache_for(submission_dir: Path) -> Path:
    """The JAX compilation cache folder of one submission (by the content of its files).

    A regrade of unchanged files reuses its compiled code, and no submission ever reads
    what another one wrote.
    """
    from importlib.metadata import version

    from grader.expect import cache_dir

    h = hashlib.sha256(version("jax").encode())
    for f in sorted(Path(submission_dir).glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    folder = cache_dir() / "jax" / h.hexdigest()[:32]
    folder.mkdir(parents=True, exist_ok=True)
    # Only the grader writes here (grader.jaxcache): workers get copies, never this folder.
    folder.chmod(0o755)
    os.utime(folder)  # recently used: pruned last
    return folder


def use_trusted_compile_cache() -> bool:
    """Give the grader's own JAX work (references, judges) a persistent compilation cache.

    Some judges compile in the grader's process on every run (ex08's takes ``jax.grad`` of a
    trusted cost for each network it checks): with the cache, a later run loads them instead
    (``grader run solutions --hidden -e ex08``: 1.9 s before, 0.9 s after). Only trusted
    code compiles in this process, so one cache serves every submission. Set through the
    environment, so it must run before JAX is imported; it changes nothing if JAX already
    is, or if the environment already names a cache.

    Returns:
      Whether the cache was set up.
    """
    import sys

    from grader.expect import cache_dir

    if "jax" in sys.modules or "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return False
    folder = cache_dir() / "jax" / "grader"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)  # recently used: pruned last
    except OSError:
        return False
    for name, value in compile_cache_env(str(folder)).items():
        os.environ.setdefault(name, value)
    return True


PRUNE_INTERVAL_S = 600.0


def prune_compile_caches(
    max_bytes: int = COMPILE_CACHE_MAX_BYTES, min_interval_s: float = PRUNE_INTERVAL_S
) -> None:
    """Delete the least recently used compilation caches beyond ``max_bytes`` in all.

    Sizing the caches means a stat of every file (0.2 s for the 15,000 files of a few
    dozen submissions, a fifth of a one-exercise run), so it is done at most once every
    ``min_interval_s`` seconds, as recorded by the mtime of a marker file.
    """
    import shutil

    from grader.expect import cache_dir

    root = cache_dir() / "jax"
    if not root.is_dir():
        return
    marker = root / ".pruned"
    try:
        if time.time() - marker.stat().st_mtime < min_interval_s:
            return
    except OSError:
        pass
    try:
        marker.touch()
    except OSError:  # a read-only cache: nothing to prune either
        return
    folders = []
    for d in root.iterdir():
        if d == marker:
            continue
        try:
            size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
            folders.append((d.stat().st_mtime, size, d))
        except OSError:
            continue
    total = sum(size for _, size, _ in folders)
    for _, size, d in sorted(folders):
        if total <= max_bytes:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size


SPAWN_TIMEOUT = 120.0


class Session:
    """The sandboxed worker of one submission, shared by its exercises one at a time.

    The sandbox starts once; each exercise's module is imported in a child of it, the same
    one as the previous exercise's if that left it clean (:mod:`grader.sandboxed.reuse`). A module
    that fails to import is not tried again; after a timeout, an invalid answer or a memory
    blow-up the whole sandbox is replaced, after a crash only the child.

    No outcome is blamed on what ran before it: an import that fails in a sandbox where
    other student code ran is tried again in a fresh one, and so is a check that crashes,
    times out or answers invalidly (see :func:`_run_check`); only the fresh outcome counts.
    """

    def __init__(
        self,
        submission_dir: Path,
        options: Options,
        hidden_dirs: list[Path],
        eager: bool = False,
    ):
        """With ``eager``, the sandbox starts at once: its 0.3 s of start-up overlap the
        grader's own work (such as loading the expected values) until the first check."""
        self.submission_dir = Path(submission_dir)
        self.options = options
        self.hidden_dirs = list(hidden_dirs)
        self.compile_cache = compile_cache_for(self.submission_dir) if options.use_cache else None
        self.worker = None
        self.ready: dict[str, ReadyInfo] = {}
        self.failures: dict[str, StartFailure] = {}
        self._booting = False  # the worker was started but its boot not yet awaited
        self._import_output = ""
        self._last_worker = None  # the worker get() last handed out
        if eager:
            self.worker = self._new_worker(wait=False)
            self._booting = True

    def _new_worker(self, wait: bool = True):
        factory = Worker
        if self.options.sandbox.mode == "inprocess":  # benchmarks only, never offered to users
            from grader.inprocess import InProcessWorker as factory
        worker = factory(
            self.submission_dir,
            self.options.sandbox,
            self.hidden_dirs,
            compile_cache=self.compile_cache,
        )
        worker.start()
        if wait:
            worker.wait_booted(SPAWN_TIMEOUT)
        return worker

    def get(self, exercise: Exercise) -> tuple[Worker | None, ReadyInfo | StartFailure]:
        """A worker serving ``exercise``'s module, or why there is none."""
        if exercise.id in self.failures:
            return None, self.failures[exercise.id]
        if self._booting:
            self._booting = False
            self.worker.wait_booted(SPAWN_TIMEOUT)
        worker = self.worker
        if worker is not None and worker.alive() and worker.loaded == exercise.id:
            self._last_worker = worker
            return worker, self.ready[exercise.id]
        if worker is None or not worker.alive():
            self.close()
            worker = self.worker = self._new_worker()
        used = bool(getattr(worker, "history", ()))  # other student code ran there
        start = worker.load(
            f"{exercise.id}.py", exercise.id, exercise.functions, exercise.import_timeout
        )
        if isinstance(start, StartFailure) and used:
            # Perhaps not this module's fault: an earlier one may have harmed the sandbox.
            self.close()
            worker = self.worker = self._new_worker()
            start = worker.load(
                f"{exercise.id}.py", exercise.id, exercise.functions, exercise.import_timeout
            )
        if isinstance(start, StartFailure):
            self.failures[exercise.id] = start
            if not worker.alive():
                self.close()
            return None, start
        self.ready.setdefault(exercise.id, start)
        self._import_output = start.output
        self._last_worker = worker
        return worker, self.ready[exercise.id]

    def last_job_fresh(self) -> bool:
        """Whether the last job ran in a sandbox where no other check or module had run
        (asked after the job, when that sandbox may already be closed)."""
        return getattr(self._last_worker, "last_job_fresh", True)

    def take_import_output(self) -> str:
        """What the module printed when it was last imported (once; then "")."""
        printed, self._import_output = self._import_output, ""
        return printed

    def failed_import(self, exercise: Exercise) -> StartFailure | None:
        return self.failures.get(exercise.id)

    def discard(self) -> None:
        """Replace the whole sandbox (after a timeout, an invalid answer, a memory blow-up)."""
        self.close()

    def finish(self, exercise: Exercise) -> None:
        """End the child serving ``exercise`` (its memory goes back before the next one)."""
        if self.worker is not None and self.worker.loaded == exercise.id:
            self.worker.release()

    def close(self) -> None:
        self._booting = False
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def _import_failure_message(f: StartFailure, file: str, exercise: Exercise, lang: str) -> str:
    if f.kind == "import_error":
        e = f.error or {}
        return t(
            "module.import_error",
            lang,
            file=file,
            type=e.get("type", "?"),
            message=e.get("message", ""),
            traceback=e.get("traceback", "").rstrip(),
        ).rstrip()
    if f.kind == "timeout":
        return t("module.import_timeout", lang, file=file, seconds=exercise.import_timeout)
    if f.kind == "invalid":
        return t("module.invalid", lang, file=file, detail=f.detail)
    return t("module.crashed", lang, file=file, detail=f.detail)


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
    return fraction, verdict.message(lang), "" if fraction >= 1.0 else "values"


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
    mode = resolve_mode(options.sandbox)
    hidden_dirs = [course.COURSE_DIR.parent]
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
        notes=_sandbox_notes(mode),
    )


def _sandbox_notes(mode: str) -> list[str]:
    """What the report must say about the sandbox: memory bounded by address space only."""
    from grader import cgroups

    return [] if mode == "inprocess" or cgroups.usable() else [cgroups.FALLBACK_NOTE]
