"""What a student reads when a check fails: the mismatch, the case, the error, the import.

Only rendering: what went wrong was decided by :mod:`grader.runner` (and
:mod:`grader.budget_run`); every text goes through :func:`grader.i18n.t`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from grader import course
from grader.compare import Mismatch, shape_summary
from grader.i18n import Text, t
from grader.options import Options
from grader.sandbox import StartFailure
from grader.spec import Case, Check, Exercise


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
