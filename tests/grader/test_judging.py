"""The check-authoring API (grader/judging.py) and the shared course helpers it builds on."""

from __future__ import annotations

import numpy as np

from grader.course import common
from grader.i18n import Text
from grader.judging import (
    Mistake,
    as_number,
    call_args,
    close,
    describe,
    diagnose,
    formula_judge,
    per_case,
    show,
)
from grader.spec import Case, fail, ok

NO_PLUS_ONE = Mistake(lambda n: n, Text("no + 1", "pas de + 1"))
DOUBLED = Mistake(lambda n: 2 * n, Text("doubled", "doublé"))


def test_diagnose_prefers_the_mistake_that_explains_every_answer():
    # Truth n + 1 on n = 1 and 3: answers 2 (right) and 6 (wrong, the first wrong case).
    calls, answers, expected = [(1,), (3,)], [2, 6], [2, 4]
    partial = Mistake(lambda n: 2 * n if n > 1 else 0, Text("partial"))  # 6 on case 1 only
    every = Mistake(lambda n: 2 * n if n > 1 else 2, Text("every"))  # both answers
    found = diagnose([NO_PLUS_ONE, partial, every], calls, answers, expected=expected)
    assert found.en == "every"
    # Without a mistake explaining both, the first that reproduces the first wrong answer.
    assert diagnose([NO_PLUS_ONE, partial], calls, answers, expected=expected).en == "partial"
    assert diagnose([NO_PLUS_ONE], calls, answers, expected=expected) is None


def test_diagnose_skips_mistakes_that_give_the_truth_or_raise():
    right_here = Mistake(lambda n: n + 1, Text("same as the truth"))
    raises = Mistake(lambda n: 1 // (n - n), Text("raises"))
    assert diagnose([right_here, raises], [(3,)], [4], expected=[4], first_wrong=0) is None
    assert diagnose([raises, NO_PLUS_ONE], [(3,)], [3], expected=[4]).en == "no + 1"
    assert diagnose([DOUBLED], [(3,)], [5], expected=[4]) is None


def test_diagnose_matches_with_the_tolerance_policy():
    third = Mistake(lambda n: n / 3, Text("a fraction"))
    # A float32 answer of 1/3 is the mistake's value at float32 precision, not at float64's.
    assert diagnose([third], [(1,)], [np.float32(1 / 3)], first_wrong=0).en == "a fraction"
    assert diagnose([third], [(1,)], [0.3334], first_wrong=0) is None


def test_close_is_compare_with_its_tolerances():
    assert close(1 / 3, np.float32(1 / 3))
    assert not close(1 / 3, 1 / 3 + 1e-6)
    assert close((4, 4, 3), [4.0, 4.0, 3.0])
    assert not close(4, 4.000001)  # an integer truth must be matched exactly
    assert not close({"w": np.ones(2)}, {"w": np.ones(3)})
    assert not close(3, "3")


def test_describe_in_both_languages():
    assert describe(np.zeros((3, 2))) == "an array of shape (3, 2)"
    assert (
        describe(np.zeros(2, np.float32), dtype=True) == "an array of shape (2,) and dtype float32"
    )
    assert describe(np.zeros(2), "fr") == "un tableau de forme (2,)"
    assert describe((1, 2)) == "a tuple of length 2"
    assert describe({"w": 1, "b": 2}, "fr") == "un dict de clés ['b', 'w']"
    assert describe(None) == "None"
    assert describe(3.0) == "a float"


def test_number_helpers():
    assert as_number(np.array([[7]])) == 7.0
    assert as_number(np.float32(2.5)) == 2.5
    assert as_number(True) is None
    assert as_number(np.array([1, 2])) is None
    assert (show(4.0), show(4.5)) == ("4", "4.5")


def test_call_args_fills_keywords_and_defaults_in_order():
    def conv(h, k, p=0, s=1):
        return 0

    case = Case((common.as_jax([5.0]), 3), {"s": 2})
    h, k, p, s = call_args(conv, case)
    assert isinstance(h, np.ndarray) and h.tolist() == [5.0]  # refs become numpy
    assert (k, p, s) == (3, 0, 2)


def test_per_case_returns_the_first_failing_verdict():
    seen = []

    def judge(case, out):
        seen.append(out)
        return ok() if out == case.args[0] else fail(f"case {case.args[0]}")

    lifted = per_case(judge)
    assert lifted([Case((1,)), Case((2,))], [1, 2]).passed
    seen.clear()
    verdict = lifted([Case((1,)), Case((2,)), Case((3,))], [1, 0, 0])
    assert not verdict.passed and verdict.message.en == "case 2"
    assert seen == [1, 0]  # stops at the first failure


def _plus_one_judge():
    def report(words, got, exp, advice):
        return fail(f"On {words[0]}: got {got}, expected {exp}. {advice.en}")

    def read(out):
        return out if isinstance(out, int) else Text("not an int", "pas un int")

    return formula_judge(
        lambda n: n + 1, [NO_PLUS_ONE, DOUBLED], Text("generic"), read=read, report=report
    )


def test_formula_judge_passes_right_answers_and_names_the_mistake():
    judge = _plus_one_judge()
    cases = [Case((1,), label=Text("one", "un")), Case((5,), label=Text("five", "cinq"))]
    assert judge(cases, [2, 6]).passed
    assert judge(cases, [1, 5]).message.en == "On one: got 1, expected 2. no + 1"
    assert judge(cases, [2, 10]).message.en == "On five: got 10, expected 6. doubled"
    assert judge(cases, [2, 7]).message.en == "On five: got 7, expected 6. generic"
    unreadable = judge(cases, [2, "6"]).message
    assert (unreadable.en, unreadable.fr) == ("On five: not an int", "Sur cinq : pas un int")


def test_one_autodiff_list_with_per_exercise_additions():
    from grader.course import ex03_gradient_descent, ex06_logistic, ex08_backprop, ex13_convolution

    lists = [
        ex03_gradient_descent.BY_HAND_FORBID,
        ex06_logistic.FORBIDDEN,
        ex08_backprop.AUTODIFF,
        ex13_convolution.AUTODIFF,
    ]
    for names in lists:
        assert set(common.AUTODIFF) <= set(names)
        assert len(names) == len(set(names))
    assert "jax.interpreters" in common.AUTODIFF  # ex03 and ex13 used to lack it
    assert common.forbidden("optax", "jax.grad") == (*common.AUTODIFF, "optax")
