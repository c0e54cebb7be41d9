"""Reference solution — ex02: activation functions (seed 001, 002, 004).

Instructor side: never shipped to students. Exact and numerically stable: no ``exp`` of a
large positive number is ever computed, so every function is finite for ``|z|`` up to 1e4
and beyond. Each function works on numpy inputs (computed in numpy, float64 stays float64)
and on jax arrays, including tracers under ``jax.jit`` / ``jax.vmap`` (computed with
``jax.numpy``), because the grader also runs these through its ``jit`` and ``vmap`` drivers.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _prepare(z):
    """``(xp, z)``: the array module to use and ``z`` as a float array of it."""
    if isinstance(z, jax.Array):  # also true for tracers under jit / vmap
        if not jnp.issubdtype(z.dtype, jnp.floating):
            z = z.astype(jnp.float32)
        return jnp, z
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    return np, z


def sigmoid(z):
    """``1 / (1 + e^{-z})`` from ``e^{-|z|}`` only: exact in both tails, never overflows."""
    xp, z = _prepare(z)
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """``σ(z)(1 − σ(z))`` written as ``e^{-|z|} / (1 + e^{-|z|})²`` (exact for large ``|z|``)."""
    xp, z = _prepare(z)
    e = xp.exp(-xp.abs(z))
    return e / (1.0 + e) ** 2


def relu(z):
    """``max(z, 0)`` elementwise; the input is not modified."""
    xp, z = _prepare(z)
    return xp.maximum(z, xp.zeros_like(z))


def relu_prime(z):
    """1 where ``z > 0``, 0 where ``z <= 0`` (0 at 0 by convention)."""
    xp, z = _prepare(z)
    return xp.where(z > 0, xp.ones_like(z), xp.zeros_like(z))


def tanh(z):
    """The library's tanh: exact, and ±1 (not NaN) for large ``|z|``."""
    xp, z = _prepare(z)
    return xp.tanh(z)


def leaky_relu(z, alpha=0.01):
    """``z`` where ``z > 0``, ``alpha · z`` elsewhere."""
    xp, z = _prepare(z)
    return xp.where(z > 0, z, alpha * z)


def softmax(z, axis=-1):
    """``e^{z − m} / Σ e^{z − m}`` along ``axis``, with ``m`` the maximum along ``axis``."""
    xp, z = _prepare(z)
    shifted = z - xp.max(z, axis=axis, keepdims=True)
    e = xp.exp(shifted)
    return e / xp.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """``(z − m) − log Σ e^{z − m}`` along ``axis``: finite even when a probability underflows."""
    xp, z = _prepare(z)
    shifted = z - xp.max(z, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))
