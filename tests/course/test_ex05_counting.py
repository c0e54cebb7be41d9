"""ex05_counting: the reference passes everything; students' classic mistakes are caught and
named (without revealing expected numbers in hidden checks); correct code written differently
passes."""

from __future__ import annotations

import pytest

from grader.course._ex05_formulas import JUDGES
from grader.judging import redact
from grader.spec import Case
from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex05_counting"
REF = reference_source(EX)


# Each mutant breaks every function at once, in one plausible way, and says which message
# (a fragment of the judge's diagnosis) the student should get.
MUTANT_FORGOTTEN = {
    "count_dense_params": (
        """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))   # weights only
""",
        "forgot the biases: one per neuron",
    ),
    "conv_output_size": (
        """
def conv_output_size(h, k, p=0, s=1):
    return (h - k + p) // s + 1          # padding counted once
""",
        "2P, not P",
    ),
    "same_padding": (
        """
def same_padding(k):
    return k - 1 // 2                     # precedence: k - (1 // 2)
""",
        "Operator precedence",
    ),
    "count_conv_params": (
        """
def count_conv_params(kh, kw, c_in, c_out):
    return kh * kw * c_in * c_out         # no biases
""",
        "one per filter",
    ),
    "cnn_output_shape": (
        """
def cnn_output_shape(input_shape, layers):
    h, w, c = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, k, c_out, p, s = layer
            h, w = (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1   # C unchanged
        else:
            _, k, s = layer
            h, w = (h - k) // s + 1, (w - k) // s + 1
    return (h, w, c)
""",
        "c_out channels",
    ),
}

MUTANT_ROUNDING = {
    "count_dense_params": (
        """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)   # input biases
""",
        "input layer has no bias",
    ),
    "conv_output_size": (
        """
def conv_output_size(h, k, p=0, s=1):
    return (h - k + 2 * p) / s + 1        # no floor
""",
        "use // instead of /",
    ),
    "same_padding": (
        """
def same_padding(k):
    return k / 2
""",
        "K/2 is not a whole number",
    ),
    "count_conv_params": (
        """
def count_conv_params(kh, kw, c_in, c_out):
    return kh * kw * c_out + c_out        # forgets the input channels
""",
        "all c_in input channels",
    ),
    "cnn_output_shape": (
        """
def cnn_output_shape(input_shape, layers):
    import math
    h, w, c = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, k, c, p, s = layer
        else:
            (_, k, s), p = layer, 0
        h = math.ceil((h - k + 2 * p) / s) + 1     # rounds up
        w = math.ceil((w - k + 2 * p) / s) + 1
    return (h, w, c)
""",
        "rounds down, not up",
    ),
}

MUTANT_OFF_BY_ONE = {
    "count_dense_params": (
        """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    return sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 2))
""",
        "last layer is missing",
    ),
    "conv_output_size": (
        """
def conv_output_size(h, k, p=0, s=1):
    return (h - k + 2 * p) // s           # no + 1
""",
        "forgot the + 1",
    ),
    "same_padding": (
        """
def same_padding(k):
    return (k + 1) // 2
""",
        "One too many",
    ),
    "count_conv_params": (
        """
def count_conv_params(kh, kw, c_in, c_out):
    return kh * kh * c_in * c_out + c_out     # assumes a square kernel
""",
        "not necessarily square",
    ),
    "cnn_output_shape": (
        """
def cnn_output_shape(input_shape, layers):
    h, w, c = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, k, c, p, s = layer
            h, w = (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1
        else:
            k = layer[1]                                   # pool stride taken as k
            h, w = (h - k) // k + 1, (w - k) // k + 1
    return (h, w, c)
""",
        "its own stride s",
    ),
}


def _mutate(mutations):
    return replace_functions(REF, {name: code for name, (code, _) in mutations.items()})


@pytest.mark.parametrize(
    "mutant",
    [MUTANT_FORGOTTEN, MUTANT_ROUNDING, MUTANT_OFF_BY_ONE],
    ids=["forgotten_terms", "rounding", "off_by_one"],
)
def test_wrong_implementations_are_caught_and_named(mutant):
    result = grade_source(EX, _mutate(mutant))
    for function, (_, diagnosis) in mutant.items():
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
        for r in result.checks:
            if r.check.function == function and r.status != "passed":
                assert diagnosis in r.message, f"{r.check.id}: {r.message}"


def test_hidden_messages_name_the_mistake_but_not_the_number():
    result = grade_source(
        EX,
        _mutate({"count_dense_params": MUTANT_FORGOTTEN["count_dense_params"]}),
        functions=["count_dense_params"],
    )
    public = next(r for r in result.checks if r.check.name == "seed_000_examples")
    hidden = next(r for r in result.checks if r.check.name == "hidden_networks")
    assert "got 6, expected 9" in public.message
    assert hidden.status == "failed" and "forgot the biases" in hidden.message
    # The student's own count (79400) is shown; the expected one (79510) never is.
    assert "79400" in hidden.message and "79510" not in hidden.message


ALTERNATIVE_NUMPY = """
import numpy as np


def count_dense_params(sizes):
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.sum(sizes[:-1] * sizes[1:]) + np.sum(sizes[1:])


def conv_output_size(h, k, p=0, s=1):
    return np.floor((h - k + 2 * p) / s) + 1          # a float with an integer value


def same_padding(k):
    return np.int64(k // 2)                           # the same as (k - 1) // 2 for odd k


def count_conv_params(kh, kw, c_in, c_out):
    w = np.zeros((kh, kw, c_in, c_out))
    b = np.zeros(c_out)
    return w.size + b.size


def cnn_output_shape(input_shape, layers):
    shape = np.array(input_shape)
    for kind, *rest in layers:
        if kind == "conv":
            k, c_out, p, s = rest
            shape = np.array([*((shape[:2] - k + 2 * p) // s + 1), c_out])
        else:
            k, s = rest
            shape = np.array([*((shape[:2] - k) // s + 1), shape[2]])
    return shape
"""

ALTERNATIVE_JAX_RECURSIVE = """
import math

import jax.numpy as jnp


def count_dense_params(sizes):
    sizes = list(sizes)
    if len(sizes) < 2:
        return 0
    return (sizes[0] + 1) * sizes[1] + count_dense_params(sizes[1:])


def conv_output_size(h, k, p=0, s=1):
    return jnp.asarray(math.floor((h - k + 2 * p) / s) + 1, jnp.int32)


def same_padding(k):
    return int((k - 1) / 2)


def count_conv_params(kh, kw, c_in, c_out):
    return (kh * kw * c_in + 1) * c_out


def cnn_output_shape(input_shape, layers):
    if not layers:
        return [int(v) for v in input_shape]
    h, w, c = cnn_output_shape(input_shape, layers[:-1])
    last = layers[-1]
    if last[0] == "conv":
        _, k, c, p, s = last
    else:
        (_, k, s), p = last, 0
    return [int(conv_output_size(h, k, p, s)), int(conv_output_size(w, k, p, s)), c]
"""


@pytest.mark.parametrize(
    "source", [ALTERNATIVE_NUMPY, ALTERNATIVE_JAX_RECURSIVE], ids=["numpy_floats", "jax_recursive"]
)
def test_correct_alternatives_pass(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


@pytest.mark.parametrize(
    ("function", "args", "answer", "shown", "expected"),
    [
        ("count_dense_params", ([784, 100, 10],), 79400, "79400", "79510"),
        (
            "cnn_output_shape",
            ((32, 32, 3), [("conv", 3, 8, 0, 1)]),
            (30, 30, 3),
            "(30, 30, 3)",
            "(30, 30, 8)",
        ),
    ],
    ids=["count", "shape"],
)
def test_the_expected_value_is_revealed_in_public_checks_only(
    function, args, answer, shown, expected
):
    verdict = JUDGES[function]([Case(args, label="x")], [answer])
    for lang in ("en", "fr"):
        public, hidden = (redact(verdict.message(lang), hidden=h) for h in (False, True))
        assert shown in public and expected in public, public
        assert shown in hidden and expected not in hidden, hidden
