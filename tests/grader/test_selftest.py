"""``grader selftest``'s verdicts: a function is proven only by both kinds of variant."""

from __future__ import annotations

from grader.selftest import Outcome, Variant, report, verdicts

EX = "ex01_perceptron"


def _outcome(label, correct, functions, bad=(), known=""):
    variant = Variant(EX, label, correct, dict.fromkeys(functions, "def f(): pass"), known)
    return Outcome(variant, list(bad), [f"{fn}: went wrong" for fn in bad])


def _rows(outcomes):
    return {fn: (proven, why) for fn, proven, why in verdicts(EX, outcomes)}


FUNCTIONS = ["perceptron", "nand_parameters", "half_adder", "perceptron_fit"]


def test_both_kinds_going_right_prove_every_function():
    rows = _rows([_outcome("c", True, FUNCTIONS), _outcome("w", False, FUNCTIONS)])
    assert all(proven for proven, _ in rows.values())
    assert (
        "1/1 correct variants get full marks, 1/1 wrong variants lose points"
        in rows["perceptron"][1]
    )


def test_a_wrong_variant_with_full_marks_fails_that_function_only():
    rows = _rows(
        [_outcome("c", True, FUNCTIONS), _outcome("w", False, FUNCTIONS, bad=["half_adder"])]
    )
    assert not rows["half_adder"][0] and "w: half_adder: went wrong" in rows["half_adder"][1]
    assert rows["perceptron"][0]


def test_a_correct_variant_losing_points_fails_that_function():
    rows = _rows(
        [_outcome("c", True, FUNCTIONS, bad=["perceptron"]), _outcome("w", False, FUNCTIONS)]
    )
    assert not rows["perceptron"][0] and "0/1 correct variants" in rows["perceptron"][1]


def test_a_function_without_a_wrong_variant_is_unproven():
    rows = _rows([_outcome("c", True, FUNCTIONS), _outcome("w", False, ["perceptron"])])
    assert rows["perceptron"][0] and not rows["half_adder"][0]
    assert "unproven" in rows["half_adder"][1]


def test_known_false_results_are_reported_and_fixed_ones_must_leave_marks():
    base = [_outcome("c", True, FUNCTIONS), _outcome("w", False, FUNCTIONS)]
    still = _outcome("k", False, ["perceptron"], bad=["perceptron"], known="issue 9")
    rows = _rows([*base, still])
    assert rows["perceptron"][0] and "known: k (issue 9)" in rows["perceptron"][1]
    fixed = _outcome("k", False, ["perceptron"], known="issue 9")
    rows = _rows([*base, fixed])
    assert not rows["perceptron"][0] and "remove it from MARKS" in rows["perceptron"][1]


def test_the_report_says_passed_only_when_every_function_is_proven():
    good = {EX: [_outcome("c", True, FUNCTIONS), _outcome("w", False, FUNCTIONS)]}
    text, passed = report(good)
    assert passed and text.endswith("selftest: passed")
    bad = {EX: [_outcome("c", True, FUNCTIONS)]}
    text, passed = report(bad)
    assert not passed and "selftest: 4 function(s) not proven" in text
