"""Reference solution — ex08: backpropagation by hand (seed 000, 001, 003).

Instructor side: never shipped to students. Plain numpy in float64, no autodiff: the
formulas are the seeds'. The grader checks ``backprop`` against ``jax.grad`` of a trusted
quadratic cost, and the course tests check these functions against ``jax.grad`` too.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}) without overflow: e^{−|z|} is at most 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tiny_net_grads(w_hidden, w_out, x, y):
    """Seed 000's 2-2-1 network, binary cross-entropy, no biases.

    A_i = σ(w_hidden[i] · x), ŷ = σ(w_out · A);
    ∂L/∂w_i = (ŷ − y) A_i and ∂L/∂w_{i,j} = w_i x_j A_i (1 − A_i)(ŷ − y).
    """
    w_hidden = np.asarray(w_hidden, dtype=np.float64)
    w_out = np.asarray(w_out, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = float(y)
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    d_out = (y_hat - y) * A
    d_hidden = np.outer(w_out * A * (1.0 - A) * (y_hat - y), x)
    return d_out, d_hidden


def forward_with_cache(params, x):
    """(zs, activations): the L weighted inputs and the L + 1 activations, x first."""
    a = np.asarray(x, dtype=np.float64)
    zs, activations = [], [a]
    for layer in params:
        z = a @ np.asarray(layer["w"], dtype=np.float64) + np.asarray(layer["b"], dtype=np.float64)
        a = _sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backprop(params, x, y):
    """Gradients of C = 1/(2n) Σ ‖y − a_L‖² by the delta recursion, a list like params."""
    zs, activations = forward_with_cache(params, x)
    y = np.asarray(y, dtype=np.float64)
    n = activations[0].shape[0]
    grads = [None] * len(params)
    s = _sigmoid(zs[-1])
    delta = (activations[-1] - y) * s * (1.0 - s)  # δ_L = (a_L − y) ⊙ σ'(z_L), (n, n_L)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = {
            "w": activations[layer].T @ delta / n,  # Σ_x a_{l−1}ᵀ δ_l / n, (n_in, n_out)
            "b": np.sum(delta, axis=0) / n,  # Σ_x δ_l / n, (n_out,)
        }
        if layer > 0:
            s = _sigmoid(zs[layer - 1])
            w = np.asarray(params[layer]["w"], dtype=np.float64)
            delta = (delta @ w.T) * s * (1.0 - s)  # δ_l = (δ_{l+1} w_{l+1}ᵀ) ⊙ σ'(z_l)
    return grads
