"""Reference solution — ex03: gradient descent (seed 001, 003, 004).

Instructor side: never shipped to students. Plain numpy; float64 inputs stay float64.
"""

from __future__ import annotations

import numpy as np


def _float_dtype(x) -> np.dtype:
    """The input's float dtype (float32 stays float32), float64 for anything else."""
    dtype = np.asarray(x).dtype
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def gradient_descent(grad_fn, x0, eta, steps):
    """``x ← x − η ∇f(x)`` for ``steps`` steps; the ``steps + 1`` points, ``x0`` first."""
    x = np.array(x0, dtype=_float_dtype(x0))  # a copy: x0 is never modified
    path = [x]
    for _ in range(steps):
        x = x - eta * np.asarray(grad_fn(x), dtype=x.dtype)
        path.append(x)
    return np.stack(path)


def numerical_gradient(f, x, eps=1e-5):
    """Central differences ``(f(x + eps·e_i) − f(x − eps·e_i)) / (2 eps)`` for every element.

    Computed in float64 (the differences of ``f`` need it), returned in the input's float dtype.
    """
    dtype = _float_dtype(x)
    x64 = np.array(x, dtype=np.float64)
    grad = np.zeros(x64.shape, dtype=np.float64)
    for i in np.ndindex(x64.shape):
        step = np.zeros_like(x64)
        step[i] = eps
        grad[i] = (float(f(x64 + step)) - float(f(x64 - step))) / (2.0 * eps)
    return grad.astype(dtype)


def grad_f1(x):
    """``f1(x) = x⁴ − x³``  ⇒  ``f1'(x) = 4x³ − 3x²`` (elementwise)."""
    x = np.asarray(x, dtype=_float_dtype(x))
    return 4.0 * x**3 - 3.0 * x**2


def grad_c2(v):
    """``C2(v) = −v₁³ + v₂²``  ⇒  ``∇C2 = (−3v₁², 2v₂)``."""
    v = np.asarray(v, dtype=_float_dtype(v))
    return np.stack([-3.0 * v[0] ** 2, 2.0 * v[1]])


def grad_c3(v):
    """``C3(v) = v₁² v₂²``  ⇒  ``∇C3 = (2 v₁ v₂², 2 v₁² v₂)``."""
    v = np.asarray(v, dtype=_float_dtype(v))
    return np.stack([2.0 * v[0] * v[1] ** 2, 2.0 * v[0] ** 2 * v[1]])


def three_iterations(x0):
    """Seed 001's exercise: 3 iterations with η = 0.1 on f1 from x0, on C2 and C3 from (x0, x0)."""
    x0 = float(x0)
    start = np.array([x0, x0])
    return (
        gradient_descent(grad_f1, np.array(x0), 0.1, 3),
        gradient_descent(grad_c2, start, 0.1, 3),
        gradient_descent(grad_c3, start, 0.1, 3),
    )
