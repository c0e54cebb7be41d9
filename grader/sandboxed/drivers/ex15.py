"""Refs for ex15_experiments: the trusted model that the student's ``fit`` trains.

``Ref("ex15_mlp_init", (sizes,))`` is ``init_fn(key) -> params`` and ``Ref("ex15_mlp_apply", ())``
is ``apply_fn(params, x) -> logits``: a small tanh MLP, params a list of ``{"w": (n_in, n_out),
"b": (n_out,)}``. :func:`mlp_logits_numpy` is the same forward pass in numpy float64, for the
judges (which run in the grader, not here).
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

import numpy as np

from grader.sandboxed.drivers import ref


def mlp_init(key, sizes) -> list[dict]:
    """Weights ``N(0, 1 / n_in)``, biases zero, from ``key`` (a jax key)."""
    import jax
    import jax.numpy as jnp

    sizes = [int(s) for s in sizes]
    total = sum(a * b for a, b in itertools.pairwise(sizes))
    z = np.asarray(jax.random.normal(key, (total,), jnp.float32))
    params, start = [], 0
    for n_in, n_out in itertools.pairwise(sizes):
        w = z[start : start + n_in * n_out].reshape(n_in, n_out) / np.float32(np.sqrt(n_in))
        params.append({"w": jnp.asarray(w), "b": jnp.asarray(np.zeros(n_out, np.float32))})
        start += n_in * n_out
    return params


def mlp_apply(params, x):
    """Logits: ``tanh`` hidden layers, a linear last layer."""
    import jax.numpy as jnp

    h = jnp.asarray(x, jnp.float32)
    for layer in params[:-1]:
        h = jnp.tanh(h @ layer["w"] + layer["b"])
    return h @ params[-1]["w"] + params[-1]["b"]


def mlp_logits_numpy(params, x) -> np.ndarray:
    """:func:`mlp_apply` in numpy float64 (for judges; raises on malformed params)."""
    h = np.asarray(x, np.float64)
    layers = list(params)
    for i, layer in enumerate(layers):
        h = h @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64)
        if i < len(layers) - 1:
            h = np.tanh(h)
    return h


@ref("ex15_mlp_init")
def make_init(sizes) -> Any:
    """``init_fn(key) -> params`` for an MLP with layer ``sizes`` (e.g. ``[2, 16, 16, 2]``)."""
    return partial(mlp_init, sizes=sizes)


@ref("ex15_mlp_apply")
def make_apply() -> Any:
    """``apply_fn(params, x) -> logits`` of the MLP."""
    return mlp_apply
