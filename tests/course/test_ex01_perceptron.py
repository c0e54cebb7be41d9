"""ex01_perceptron: the reference passes everything; students' classic mistakes are caught;
correct code written differently passes."""

from __future__ import annotations

import pytest

from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex01_perceptron"
REF = reference_source(EX)


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_GE = {
    "perceptron": """
def perceptron(x, w, b):
    x = np.asarray(x, dtype=float)
    return np.where(x @ np.asarray(w) + b >= 0, 1.0, 0.0)   # >= instead of >
""",
    "nand_parameters": """
def nand_parameters():
    return np.array([-1.0, -1.0]), 2.0   # (1,1) lands on the boundary: only works with >=
""",
    "half_adder": """
def half_adder(x1, x2):
    n = _nand(x1, x2)
    return _nand(n, n), _nand(n, n)   # AND twice: the sum bit is wrong
""",
    "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.asarray(X, float); y = np.asarray(y, float)
    w = np.zeros(X.shape[1]); b = 0.0
    for _ in range(epochs):
        y_hat = np.where(X @ w + b > 0, 1.0, 0.0)      # batch update, not in order
        w = w + lr * (y - y_hat) @ X
        b = b + lr * float(np.sum(y - y_hat))
    return w, b
""",
}

MUTANT_SIGN = {
    "perceptron": """
def perceptron(x, w, b):
    return np.where(np.asarray(x, float) @ np.asarray(w) - b > 0, 1.0, 0.0)   # sign of b
""",
    "nand_parameters": """
def nand_parameters():
    return np.array([2.0, 2.0]), -3.0   # AND, not NAND
""",
    "half_adder": """
def half_adder(x1, x2):
    return float(x1 != x2), float(x1 and x2) + 0.5   # not bits
""",
    "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.asarray(X, float); y = np.asarray(y, float)
    w = np.zeros(X.shape[1]); b = 0.0
    for _ in range(epochs):
        for xi, yi in zip(X, y):
            y_hat = 1.0 if xi @ w + b > 0 else 0.0
            w = w + lr * (y_hat - yi) * xi          # sign error
            b = b + lr * (y_hat - yi)
    return w, b
""",
}


def _mutate(mutations):
    return replace_functions(REF, mutations)


@pytest.mark.parametrize("mutant", [MUTANT_GE, MUTANT_SIGN], ids=["ge_batch_and", "signs"])
def test_wrong_implementations_are_caught(mutant):
    result = grade_source(EX, _mutate(mutant))
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


ALTERNATIVE = """
import jax.numpy as jnp


def perceptron(x, w, b):
    return jnp.where(jnp.dot(jnp.asarray(x, jnp.float32), jnp.asarray(w, jnp.float32)) + b > 0, 1.0, 0.0)


def nand_parameters():
    return [-0.5, -0.5], 0.75


def half_adder(x1, x2):
    def nand(a, b):
        w, c = nand_parameters()
        return float(perceptron(jnp.array([a, b], jnp.float32), jnp.array(w), c))
    n = nand(x1, x2)
    return nand(nand(x1, n), nand(x2, n)), nand(n, n)


def perceptron_fit(X, y, epochs=10, lr=1.0):
    w = [0.0] * len(X[0])
    b = 0.0
    for _ in range(epochs):
        for i in range(len(X)):
            z = sum(float(X[i][j]) * w[j] for j in range(len(w))) + b
            err = float(y[i]) - (1.0 if z > 0 else 0.0)
            w = [w[j] + lr * err * float(X[i][j]) for j in range(len(w))]
            b += lr * err
    return w, b
"""


def test_correct_alternative_in_jax_and_loops_passes():
    result = grade_source(EX, ALTERNATIVE)
    assert result.score == result.max_score, summary(result)


def test_failure_message_shows_the_case_and_the_worst_element():
    result = grade_source(
        EX, _mutate({"perceptron": MUTANT_GE["perceptron"]}), hidden=False, functions=["perceptron"]
    )
    boundary = next(r for r in result.checks if r.check.name == "strict_boundary")
    assert boundary.status == "failed"
    assert "on the boundary" in boundary.message and "got 1, expected 0" in boundary.message
