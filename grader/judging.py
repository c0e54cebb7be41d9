"""The check-authoring API for judges: known mistakes as data, and the helpers judges share.

A property judge recomputes the right answer with trusted code; when the student's answer is
wrong, it can also say *which* mistake was made, if the author declared the usual ones as
:class:`Mistake` s — a trusted formula giving what that mistake returns, and a message that
explains it. :func:`diagnose` finds the declared mistake that reproduces the answers, with the
grader's tolerance policy (:func:`close`, i.e. :func:`grader.compare.compare`).

    >>> from grader.i18n import Text
    >>> mistakes = [Mistake(lambda n: n, Text("Forgot the + 1.", "Oublié le + 1."))]
    >>> diagnose(mistakes, calls=[(3,), (5,)], answers=[3, 5], expected=[4, 6]).en
    'Forgot the + 1.'

:func:`formula_judge` is the whole judge for a function whose answer a trusted formula gives
(a count, a shape, a parameter tree); :func:`per_case` lifts a judge of one case to a check's
``(cases, outputs)``; :func:`describe` (from :mod:`grader.compare`) says what a value is.

Hidden checks never show what was expected, and no judge has to remember it: a judge wraps
each part of its message that gives the right answer in :func:`reveal`, and the engine
(:func:`redact`, called for every judged check) keeps those parts for a public check and cuts
them from a hidden one. Judges are never told whether their check is hidden.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.compare import Tolerance, describe
from grader.compare import compare as compare_values
from grader.course.common import plain
from grader.i18n import Text
from grader.spec import Case, Verdict, fail, ok

__all__ = [
    "Mistake",
    "as_array",
    "as_number",
    "call_args",
    "case_words",
    "close",
    "describe",
    "diagnose",
    "formula_judge",
    "per_case",
    "redact",
    "reveal",
    "show",
]

# Control characters that no message otherwise contains: they bracket the revealed parts.
_OPEN, _CLOSE = "\x1e", "\x1f"
_REVEALED = re.compile(f"{_OPEN}[^{_CLOSE}]*(?:{_CLOSE}|$)")


def reveal(text: str) -> str:
    """A part of a message that gives the right answer: shown for public checks only.

    Args:
      text: the part, e.g. ``f", expected {count}"`` (it may include student-controlled text:
        the brackets inside it are removed, so it cannot end the part early).

    Returns:
      ``text`` marked for :func:`redact`.

    >>> message = f"You returned 12{reveal(', expected 15')}."
    >>> redact(message, hidden=False), redact(message, hidden=True)
    ('You returned 12, expected 15.', 'You returned 12.')
    """
    text = str(text).replace(_OPEN, "").replace(_CLOSE, "")
    return f"{_OPEN}{text}{_CLOSE}"


def redact(message: str, *, hidden: bool) -> str:
    """A judge's message as the student reads it: revealed parts kept (public) or cut (hidden).

    A stray opening bracket (say, in text a student's output put in the message) hides the
    rest of the message; it never shows more.

    Args:
      message: the judge's message, with :func:`reveal` parts.
      hidden: whether the check is hidden.

    Returns:
      The message without brackets.
    """
    if hidden:
        message = _REVEALED.sub("", message)
    return message.replace(_OPEN, "").replace(_CLOSE, "")


@dataclass(frozen=True)
class Mistake:
    """A known wrong way to compute an answer, declared as data.

    Attributes:
      formula: a trusted function of the case's inputs (as the truth receives them) giving what
        that mistake returns; it may raise or return None where the mistake makes no sense.
      message: what the student did wrong and how to fix it, in English and French.
    """

    formula: Callable[..., Any]
    message: Text


def close(
    expected: Any, got: Any, *, inputs: str | None = None, tol: Tolerance | None = None
) -> bool:
    """Whether ``got`` agrees with ``expected`` under the grader's tolerance policy.

    Args:
      expected: a trusted value (a number, an array, a tree of them).
      got: the value to judge.
      inputs: :func:`grader.compare.input_precision` of the case, if it has float inputs.
      tol: the check's per-precision overrides (default: none).

    Returns:
      True when :func:`grader.compare.compare` finds no mismatch.

    >>> close((4, 4, 3), [4.0, 4.0, 3.0]), close(0.5, 0.5000001)
    (True, False)
    """
    try:
        return compare_values(expected, got, inputs=inputs, tol=tol or Tolerance()) is None
    except (TypeError, ValueError, OverflowError):
        return False


def diagnose(
    mistakes: Sequence[Mistake],
    calls: Sequence[tuple],
    answers: Sequence[Any],
    *,
    expected: Sequence[Any] | None = None,
    first_wrong: int | None = None,
    same: Callable[[Any, Any, int], bool] | None = None,
) -> Text | None:
    """The message of the declared mistake that best explains the student's answers.

    A mistake that reproduces every answer wins (it explains the right answers too); otherwise
    the first one that reproduces the answer of the first wrong case. With one case, this is
    the first declared mistake that reproduces it.

    Args:
      mistakes: the declared mistakes, the most telling first.
      calls: one tuple of arguments per case, as each formula takes them.
      answers: the student's answers, one per case.
      expected: the right answers; a mistake that gives the right answer on the first wrong
        case is not the one made. Without it, ``first_wrong`` must be given (default 0).
      first_wrong: the index of the first wrong answer (default: found with ``expected``).
      same: ``same(answer, value, i)`` says whether the answer to case ``i`` is the value a
        mistake gives; default :func:`close`.

    Returns:
      The mistake's message, or None when none reproduces the answers.
    """
    if same is None:

        def same(answer: Any, value: Any, i: int) -> bool:
            return close(value, answer)

    if first_wrong is None:
        pairs = enumerate(zip(answers, expected or [], strict=True))
        first_wrong = next((i for i, (g, e) in pairs if not same(g, e, i)), 0)
    fallback = None
    for mistake in mistakes:
        values = []
        for args in calls:
            try:
                values.append(mistake.formula(*args))
            except Exception:  # a formula that makes no sense for these inputs
                values.append(None)
        value = values[first_wrong]
        if value is None or (
            expected is not None and same(expected[first_wrong], value, first_wrong)
        ):
            continue
        if all(
            v is not None and same(g, v, i)
            for i, (v, g) in enumerate(zip(values, answers, strict=True))
        ):
            return mistake.message
        if fallback is None and same(answers[first_wrong], value, first_wrong):
            fallback = mistake.message
    return fallback


def case_words(case: Case) -> tuple[str, str]:
    """A case's label in English and French (the English one where no French is given)."""
    lab = case.label
    if isinstance(lab, Text):
        return lab.en, lab.fr or lab.en
    return str(lab), str(lab)


def call_args(fn: Callable, case: Case) -> tuple:
    """A case's inputs as plain data, positional in ``fn``'s order, defaults filled in.

    >>> call_args(lambda h, k, p=0, s=1: 0, Case((5, 3), {"s": 2}))
    (5, 3, 0, 2)
    """
    args = tuple(plain(a) for a in case.args)
    kwargs = {k: plain(v) for k, v in case.kwargs.items()}
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def as_number(value: Any) -> float | None:
    """A real scalar (Python, numpy or 0-d/1-element array) as a float; None otherwise.

    >>> as_number(np.array([3])), as_number(True), as_number("3")
    (3.0, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 2**63 else math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, (np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    return None


def as_array(value: Any) -> np.ndarray | None:
    """A student's answer as a numeric (bool, int or real float) numpy array; None otherwise.

    >>> as_array([1, 2]).dtype.kind, as_array("12"), as_array([1j])
    ('i', None, None)
    """
    try:
        a = np.asarray(value)
    except Exception:  # ragged lists, objects whose __array__ raises
        return None
    return a if a.dtype.kind in "biuf" else None


def show(x: float) -> str:
    """A number as a student wrote it: ``4`` for 4.0, ``4.5`` for 4.5.

    >>> show(4.0), show(4.5)
    ('4', '4.5')
    """
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def per_case(
    judge: Callable[[Case, Any], Verdict],
) -> Callable[[Sequence[Case], Sequence[Any]], Verdict]:
    """Lift a judge of one case, ``judge(case, out) -> Verdict``, to a check's judge.

    The lifted judge returns the first failing case's verdict, else a pass.

    >>> judge = per_case(lambda case, out: ok() if out == case.args[0] else fail("no"))
    >>> judge([Case((1,)), Case((2,))], [1, 3]).message.en
    'no'
    """

    def judge_all(cases: Sequence[Case], outputs: Sequence[Any]) -> Verdict:
        for case, out in zip(cases, outputs, strict=True):
            verdict = judge(case, out)
            if not verdict.passed:
                return verdict
        return ok()

    return judge_all


def formula_judge(
    truth: Callable[..., Any],
    mistakes: Sequence[Mistake],
    generic: Text,
    *,
    read: Callable[[Any], Any],
    report: Callable[[tuple[str, str], Any, Any, Text], Verdict],
    explain: Callable[[Any], Text | None] = lambda answer: None,
) -> Callable[[Sequence[Case], Sequence[Any]], Verdict]:
    """A judge for a function whose right answer a trusted formula gives (a count, a shape).

    Every case's answer is read, and compared with ``truth`` (:func:`close`); on the first
    wrong one, the verdict names the declared mistake that explains the answers.

    Args:
      truth: the trusted formula, called with :func:`call_args`.
      mistakes: the known wrong formulas (same arguments as ``truth``).
      generic: the advice when no declared mistake explains the answers.
      read: the answer in a comparable form, or a :class:`Text` saying what is wrong with it
        (the judge fails with it, prefixed by the case's label).
      report: ``report((en, fr), answer, right, advice)``: the failing verdict of the first wrong
        case (its label, the answer as read, the right answer, the advice).
      explain: advice for an answer no declared mistake explains, before ``generic``.

    Returns:
      A judge of ``(cases, outputs)``.
    """

    def judge(cases: Sequence[Case], outputs: Sequence[Any]) -> Verdict:
        calls, answers, wanted = [], [], []
        for case, out in zip(cases, outputs, strict=True):
            calls.append(call_args(truth, case))
            wanted.append(truth(*calls[-1]))
            got = read(out)
            if isinstance(got, Text):
                en, fr = case_words(case)
                return fail(f"On {en}: {got.en}", f"Sur {fr} : {got.fr}")
            answers.append(got)
        wrong = [i for i, (g, e) in enumerate(zip(answers, wanted, strict=True)) if not close(e, g)]
        if not wrong:
            return ok()
        i = wrong[0]
        advice = diagnose(mistakes, calls, answers, expected=wanted, first_wrong=i)
        advice = advice or explain(answers[i]) or generic
        return report(case_words(cases[i]), answers[i], wanted[i], advice)

    return judge
