"""Reference solution — ex06: one neuron, logistic regression (seed 000, 002).

Instructor side: never shipped to students. Plain numpy in float64 whatever the inputs' dtype,
with a sigmoid that is exact for any logit; the gradient is seed 002's formula written by hand.
Self-contained: the grader loads this file by path.
"""

from __future__ import annotations

import numpy as np

CLIP = 1e-7


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _sigmoid(z):
    """``1/(1 + e^{−z})`` as ``exp(−log(1 + e^{−z}))``: no overflow, exact for any ``z``."""
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_predict(params, X):
    """``h = σ(X w + b)`` for ``X`` of shape ``(m, n)``."""
    return _sigmoid(_f64(X) @ _f64(params["w"]) + _f64(params["b"]))


def logistic_loss(params, X, y, lam=0.0):
    """Seed 002's regularised cross-entropy: mean BCE of clipped ``h`` plus ``λ/(2m) ‖w‖²``."""
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    h = np.clip(logistic_predict(params, X), CLIP, 1.0 - CLIP)
    data = -np.mean(y * np.log(h) + (1.0 - y) * np.log1p(-h))
    return float(data + lam / (2.0 * m) * np.sum(w * w))


def logistic_grads(params, X, y, lam=0.0):
    """Seed 002: ``∂J/∂w_j = 1/m Σ (h − y) x_j + λ w_j / m``; ``∂J/∂b = 1/m Σ (h − y)``."""
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = logistic_predict(params, X) - y
    return {"w": X.T @ r / m + lam * w / m, "b": float(np.mean(r))}


def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    """Batch gradient descent from ``w = 0, b = 0``: ``θ ← θ − lr ∂J/∂θ``, ``steps`` times."""
    X = _f64(X)
    params = {"w": np.zeros(X.shape[1]), "b": 0.0}
    for _ in range(int(steps)):
        g = logistic_grads(params, X, y, lam)
        params = {"w": params["w"] - lr * g["w"], "b": params["b"] - lr * g["b"]}
    return params
