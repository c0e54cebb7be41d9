"""Reference solution — ex07: a multi-layer network, forward pass (seed 000, 001).

Instructor side: never shipped to students. Exact and plain on purpose: the grader runs
these functions through the same drivers as the students' to produce expected outputs.
Forward passes are computed in numpy float64 with a sigmoid that never overflows.
"""

from __future__ import annotations

import itertools

import jax
import numpy as np


def _sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}) without overflow: e^{−|z|} is at most 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _layers(params):
    return [
        (np.asarray(layer["w"], dtype=np.float64), np.asarray(layer["b"], dtype=np.float64))
        for layer in params
    ]


def init_mlp(key, sizes):
    """Uniform weights and biases in [−1, 1], one fresh subkey per leaf (seed 001's Reseau)."""
    sizes = [int(s) for s in sizes]
    n_layers = len(sizes) - 1
    keys = jax.random.split(key, 2 * n_layers)
    params = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        w = jax.random.uniform(keys[2 * i], (n_in, n_out), minval=-1.0, maxval=1.0)
        b = jax.random.uniform(keys[2 * i + 1], (n_out,), minval=-1.0, maxval=1.0)
        params.append({"w": w, "b": b})
    return params


def mlp_forward(params, x):
    """σ(a @ w + b) after every layer, from a = x of shape (N, n_in)."""
    a = np.asarray(x, dtype=np.float64)
    for w, b in _layers(params):
        a = _sigmoid(a @ w + b)
    return a


def mlp_logits(params, x):
    """ReLU after every hidden layer, nothing after the last one."""
    a = np.asarray(x, dtype=np.float64)
    layers = _layers(params)
    for i, (w, b) in enumerate(layers):
        z = a @ w + b
        a = np.maximum(z, 0.0) if i < len(layers) - 1 else z
    return a


def evaluate(params, X, y):
    """The number of examples whose argmax over the classes equals the label (an int)."""
    predictions = np.argmax(mlp_forward(params, X), axis=1)
    return int(np.sum(predictions == np.asarray(y).astype(np.int64)))
