"""ex02_activations: the reference passes everything; students' classic mistakes (overflow,
wrong axis, log of an underflowed softmax, relu'(0) = 1, alpha ignored…) are caught; correct
code written differently passes (numpy code only loses the jit/vmap checks)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from grader.testing import (
    by_function,
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex02_activations"
REF = reference_source(EX)


def _mutate(mutations):
    return replace_functions(REF, mutations)


def test_reference_gets_full_marks_with_hidden_checks():
    result = grade_source(EX, REF)
    assert result.score == result.max_score > 0, summary(result)
    assert {r.check.kind for r in result.checks} == {"compare", "transform"}
    assert any(r.check.hidden for r in result.checks)


# One plausible mistake per function in each mutant; one grading run per mutant.
MUTANT_OVERFLOW = {
    "sigmoid": """
def sigmoid(z):
    z = np.asarray(z)
    return np.exp(z) / (1.0 + np.exp(z))          # inf / inf = NaN at z = 1e4
""",
    "sigmoid_prime": """
def sigmoid_prime(z):
    z = np.asarray(z)
    return np.exp(-z) / (1.0 + np.exp(-z)) ** 2   # NaN at z = -1e4
""",
    "relu": """
def relu(z):
    z[z < 0] = 0                                  # writes into the caller's array
    return z
""",
    "relu_prime": """
def relu_prime(z):
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)  # 1 at z = 0
""",
    "tanh": """
def tanh(z):
    z = np.asarray(z)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))   # NaN at |z| = 1e4
""",
    "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = np.asarray(z)
    return np.where(z > 0, z, 0.01 * z)           # alpha ignored
""",
    "softmax": """
def softmax(z, axis=-1):
    e = np.exp(np.asarray(z))                     # no max trick
    return e / np.sum(e, axis=axis, keepdims=True)
""",
    "log_softmax": """
def log_softmax(z, axis=-1):
    return np.log(softmax(z, axis))               # log(0) = -inf for large gaps
""",
}

MUTANT_FORMULAS = {
    "sigmoid": """
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 1.0 - 1.0 / (1.0 + np.exp(z))          # 1 - σ(-z): the left tail rounds to 0
""",
    "sigmoid_prime": """
def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 + s)                          # sign error
""",
    "relu": """
def relu(z):
    return np.max(z, 0)                           # max along axis 0, not elementwise
""",
    "relu_prime": """
def relu_prime(z):
    return np.sign(z)                             # -1 for negative z
""",
    "tanh": """
def tanh(z):
    z = np.asarray(z)
    return (1.0 - np.exp(-2 * z)) / (1.0 + np.exp(-2 * z))   # NaN at z = -1e4
""",
    "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = np.asarray(z)
    return np.where(z > 0, alpha * z, z)          # slopes swapped
""",
    "softmax": """
def softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)                          # normalised over the whole array
""",
    "log_softmax": """
def log_softmax(z, axis=-1):
    z = np.asarray(z)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))   # no max: inf - inf
""",
}

MUTANT_AXES_AND_BRANCHES = {
    "sigmoid": """
def sigmoid(z):
    if z >= 0:                                    # Python `if` on an array
        return 1.0 / (1.0 + np.exp(-z))
    return np.exp(z) / (1.0 + np.exp(z))
""",
    "sigmoid_prime": """
def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - z)                          # z instead of σ(z)
""",
    "tanh": """
def tanh(z):
    return 2.0 / (1.0 + np.exp(-2.0 * np.asarray(z))) - 1.0   # right values, numpy: no jit
""",
    "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    return np.maximum(np.asarray(z), 0.0) + alpha  # shifted, not a slope
""",
    "softmax": """
def softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z))                     # global max: a row far below underflows
    return e / np.sum(e, axis=axis, keepdims=True)
""",
    "log_softmax": """
def log_softmax(z, axis=-1):
    z = np.asarray(z)
    m = np.max(z, axis=-1, keepdims=True)         # axis ignored
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
""",
}


@cache
def _graded(name):
    mutant = MUTANTS[name]
    return grade_source(EX, _mutate(mutant))


MUTANTS = {
    "overflow_inplace_ge": MUTANT_OVERFLOW,
    "formulas_signs_axis": MUTANT_FORMULAS,
    "axes_and_branches": MUTANT_AXES_AND_BRANCHES,
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wrong_implementations_are_caught(name):
    result = _graded(name)
    for function in MUTANTS[name]:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    # Functions the mutant did not touch keep full marks (the checks are independent).
    for function, results in by_function(result).items():
        if function not in MUTANTS[name]:
            assert all(r.status == "passed" for r in results), summary(result)


def test_overflow_messages_point_at_nan_and_hint_the_fix():
    result = _graded("overflow_inplace_ge")
    large = next(r for r in result.checks if r.check.id.endswith("sigmoid/large_inputs"))
    assert large.status == "failed"
    assert (
        "NaN or infinite" in large.message and "first at index [8]" in large.message
    )  # z = 100: e^100 overflows float32
    assert "exp(-|z|)" in large.hint
    unchanged = next(r for r in result.checks if r.check.name == "jax_and_input_unchanged")
    assert unchanged.status != "passed"
    assert "input_left_unchanged" in unchanged.message or "raised" in unchanged.message
    # A hidden check never shows the expected value.
    hidden = next(r for r in result.checks if r.check.id.endswith("sigmoid_prime/large_inputs"))
    assert hidden.status == "failed" and "NaN" in hidden.message
    assert not re.search(r"expected -?[0-9]", hidden.message), hidden.message


def test_numpy_code_only_loses_the_transform_checks():
    result = _graded("axes_and_branches")
    tanh = {r.check.name: r for r in by_function(result)["tanh"]}
    assert tanh["jit"].status != "passed"
    assert all(r.status == "passed" for n, r in tanh.items() if n != "jit"), summary(result)
    assert "jax.numpy" in tanh["jit"].hint


ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp


def sigmoid(z):
    return jax.nn.sigmoid(z)


def sigmoid_prime(z):
    s = jax.nn.sigmoid(z)
    return s * (1 - s)


def relu(z):
    return jax.nn.relu(z)


def relu_prime(z):
    return (jnp.asarray(z) > 0).astype(jnp.float32)


def tanh(z):
    return jnp.tanh(z)


def leaky_relu(z, alpha=0.01):
    return jax.nn.leaky_relu(z, negative_slope=alpha)


def softmax(z, axis=-1):
    return jax.nn.softmax(z, axis=axis)


def log_softmax(z, axis=-1):
    return jax.nn.log_softmax(z, axis=axis)
"""

ALTERNATIVE_JNP_BY_HAND = """
import jax.numpy as jnp


def sigmoid(z):
    z = jnp.asarray(z)
    # both branches are computed; where() keeps the finite one
    return jnp.where(z >= 0, 1 / (1 + jnp.exp(-z)), jnp.exp(z) / (1 + jnp.exp(z)))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s - s * s


def relu(z):
    z = jnp.asarray(z)
    return z * (z > 0)


def relu_prime(z):
    return jnp.heaviside(jnp.asarray(z), 0.0)


def tanh(z):
    z = jnp.asarray(z)
    e = jnp.exp(-2 * jnp.abs(z))
    return jnp.sign(z) * (1 - e) / (1 + e)


def leaky_relu(z, alpha=0.01):
    z = jnp.asarray(z)
    return jnp.maximum(z, 0) + alpha * jnp.minimum(z, 0)


def softmax(z, axis=-1):
    return jnp.exp(log_softmax(z, axis))


def log_softmax(z, axis=-1):
    z = jnp.asarray(z)
    m = jnp.max(z, axis=axis, keepdims=True)
    return z - m - jnp.log(jnp.sum(jnp.exp(z - m), axis=axis, keepdims=True))
"""

ALTERNATIVE_NUMPY_FLOAT64_LOOPS = """
import math

import numpy as np


def _each(f, z):
    z = np.asarray(z, dtype=np.float64)
    return np.array([f(float(v)) for v in z.ravel()]).reshape(z.shape)


def _sig(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


def sigmoid(z):
    return _each(_sig, z)


def sigmoid_prime(z):
    return _each(lambda v: _sig(v) * (1 - _sig(v)), z)


def relu(z):
    return _each(lambda v: v if v > 0 else 0.0, z)


def relu_prime(z):
    return _each(lambda v: 1.0 if v > 0 else 0.0, z)


def tanh(z):
    return _each(math.tanh, z)


def leaky_relu(z, alpha=0.01):
    return _each(lambda v: v if v > 0 else alpha * v, z)


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
"""


def test_correct_jax_nn_alternative_gets_full_marks():
    result = grade_source(EX, ALTERNATIVE_JAX)
    assert result.score == result.max_score, summary(result)


def test_correct_jnp_by_hand_alternative_gets_full_marks():
    # The functions where the stable formula is written by hand (eager jnp compiles every
    # op for every shape, so the trivial ones are left out to keep the test short).
    functions = ["sigmoid", "sigmoid_prime", "tanh", "softmax", "log_softmax"]
    result = grade_source(EX, ALTERNATIVE_JNP_BY_HAND, functions=functions)
    assert result.score == result.max_score, summary(result)


def test_correct_numpy_float64_loops_pass_every_compare_check():
    result = grade_source(EX, ALTERNATIVE_NUMPY_FLOAT64_LOOPS)
    for r in result.checks:
        if r.check.kind == "transform":
            assert r.status != "passed", r.check.id  # numpy cannot trace under jit/vmap
        else:
            assert r.status == "passed", f"{r.check.id}: {r.message}"
