"""Reference solution — ex12: optimizers as optax GradientTransformations (seed 002).

Instructor side: never shipped to students. Plain jax, jit-compatible (the grader drives these
transformations under ``jax.jit`` too). ``adam`` reproduces ``optax.adam`` operation by
operation (same moment updates, same int32 step count, same bias correction and eps
placement), so the two agree to float32 rounding.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class MomentumState(NamedTuple):
    velocity: Any  # v, shaped like the params


class RMSPropState(NamedTuple):
    nu: Any  # s, the moving average of g², shaped like the params


class AdamState(NamedTuple):
    count: jax.Array  # int32 scalar: number of updates done
    mu: Any  # first moment m
    nu: Any  # second moment v


def _zeros_like(params):
    return jax.tree.map(jnp.zeros_like, params)


@jax.jit
def _bias_corrected(moment, decay, count):
    """``moment / (1 − decay**count)``, compiled as optax compiles it (so the roundings agree)."""
    correction = 1 - decay**count
    return jax.tree.map(lambda t: t / correction.astype(t.dtype), moment)


def sgd(learning_rate):
    """Plain gradient descent: update = −η g; no state."""

    def init(params):
        del params
        return optax.EmptyState()

    def update(grads, state, params=None):
        del params
        return jax.tree.map(lambda g: -learning_rate * g, grads), state

    return optax.GradientTransformation(init, update)


def momentum(learning_rate, beta=0.9):
    """Seed 002's momentum: v ← β v + (1 − β) g (an exponential moving average), update −η v."""

    def init(params):
        return MomentumState(velocity=_zeros_like(params))

    def update(grads, state, params=None):
        del params
        v = jax.tree.map(lambda v, g: beta * v + (1 - beta) * g, state.velocity, grads)
        return jax.tree.map(lambda v: -learning_rate * v, v), MomentumState(velocity=v)

    return optax.GradientTransformation(init, update)


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    """s ← ρ s + (1 − ρ) g² from s = 0; update −η g / (√s + eps), eps outside the root."""

    def init(params):
        return RMSPropState(nu=_zeros_like(params))

    def update(grads, state, params=None):
        del params
        s = jax.tree.map(lambda s, g: decay * s + (1 - decay) * g * g, state.nu, grads)
        updates = jax.tree.map(lambda g, s: -learning_rate * g / (jnp.sqrt(s) + eps), grads, s)
        return updates, RMSPropState(nu=s)

    return optax.GradientTransformation(init, update)


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    """Adam as ``optax.adam``: moments m, v from zero, bias-corrected, −η m̂ / (√v̂ + eps)."""

    def init(params):
        return AdamState(
            count=jnp.zeros([], jnp.int32), mu=_zeros_like(params), nu=_zeros_like(params)
        )

    def update(grads, state, params=None):
        del params
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * (g * g) + b2 * v, grads, state.nu)
        count = state.count + 1
        mu_hat = _bias_corrected(mu, b1, count)
        nu_hat = _bias_corrected(nu, b2, count)
        updates = jax.tree.map(
            lambda m, v: -learning_rate * (m / (jnp.sqrt(v) + eps)), mu_hat, nu_hat
        )
        return updates, AdamState(count=count, mu=mu, nu=nu)

    return optax.GradientTransformation(init, update)
