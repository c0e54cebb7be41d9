"""Reference solution — ex01: the perceptron (seed 001, 004).

Instructor side: never shipped to students. Exact and plain on purpose: the grader runs
these functions through the same drivers as the students' to produce expected outputs.
"""

from __future__ import annotations

import numpy as np


def perceptron(x, w, b):
    """1.0 where ``w·x + b > 0``, else 0.0, for ``x`` of shape ``(n,)`` or ``(N, n)``."""
    x = np.asarray(x, dtype=np.float64)
    z = x @ np.asarray(w, dtype=np.float64) + float(b)
    return np.where(z > 0, 1.0, 0.0)


def nand_parameters():
    """Nielsen's NAND perceptron: weights -2, -2 and bias 3."""
    return np.array([-2.0, -2.0]), 3.0


def _nand(a, b):
    w, bias = nand_parameters()
    return perceptron(np.stack([np.asarray(a, float), np.asarray(b, float)], axis=-1), w, bias)


def half_adder(x1, x2):
    """(sum, carry) from four NAND gates for the sum and one more for the carry."""
    n1 = _nand(x1, x2)
    sum_bit = _nand(_nand(x1, n1), _nand(x2, n1))
    carry_bit = _nand(n1, n1)
    return sum_bit, carry_bit


def perceptron_fit(X, y, epochs=10, lr=1.0):
    """Rosenblatt's rule over the examples in order, from zero weights and bias."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        for xi, yi in zip(X, y, strict=True):
            y_hat = 1.0 if xi @ w + b > 0 else 0.0
            w = w + lr * (yi - y_hat) * xi
            b = b + lr * (yi - y_hat)
    return w, b
