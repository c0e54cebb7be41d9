"""Reference solution — ex09: stochastic gradient descent (seed 001, 002).

Instructor side: never shipped to students. Seed 001's ``DGS`` and ``update_mini_batch`` on the sigmoid MLP of ex07, vectorised and
jit-compiled: one epoch is a ``lax.scan`` over pre-shuffled mini-batches, and the epochs are
another ``lax.scan``, so the whole training is one compiled program.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np


def mlp_forward(params, x):
    """ex07's forward pass: sigmoid after every layer; ``x`` ``(N, n_in)``."""
    a = x
    for layer in params:
        a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
    return a


def quadratic_cost(a, y):
    """``1/(2n) Σ_x ‖y(x) − a(x)‖²`` (seed 001), ``a, y`` of shape ``(n, k)``."""
    return 0.5 * jnp.sum((y - a) ** 2) / a.shape[0]


def minibatches(key, n, batch_size):
    """A permutation of range(n) drawn from ``key``, cut every ``batch_size`` (last one smaller)."""
    perm = np.asarray(jax.random.permutation(key, int(n)))
    return [perm[k : k + batch_size] for k in range(0, int(n), int(batch_size))]


def sgd_update(params, grads, eta):
    """``θ − η g`` leaf by leaf, on any pytree."""
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads)


def _loss(params, X, Y):
    return quadratic_cost(mlp_forward(params, X), Y)


def _step(params, X_batch, Y_batch, eta):
    """θ ← θ − η ∇C(θ) with C the mean quadratic cost over the mini-batch (seed 001)."""
    grads = jax.grad(_loss)(params, X_batch, Y_batch)
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads)


def update_mini_batch(params, X_batch, Y_batch, eta):
    """One step on the mean gradient of the mini-batch's quadratic cost (jax.grad)."""
    X_batch = jnp.asarray(X_batch)
    Y_batch = jnp.asarray(Y_batch)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    return _step_jit(params, X_batch, Y_batch, eta)


_step_jit = jax.jit(_step)


@partial(jax.jit, static_argnames=("epochs", "batch_size"))
def _train(key, params, X, Y, eta, *, epochs, batch_size):
    """All epochs in one compiled program: scan over epochs, scan over mini-batches."""
    n = X.shape[0]
    full = n // batch_size
    rest = n - full * batch_size

    def batch_step(p, idx):
        return _step(p, X[idx], Y[idx], eta), None

    def epoch(p, k):
        perm = jax.random.permutation(k, n)
        p, _ = jax.lax.scan(batch_step, p, perm[: full * batch_size].reshape(full, batch_size))
        if rest:  # the last, smaller mini-batch (a static shape)
            p, _ = batch_step(p, perm[full * batch_size :])
        return p, _loss(p, X, Y)

    return jax.lax.scan(epoch, params, jax.random.split(key, epochs))


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    """Seed 001's DGS; returns (params, losses), the loss on the training set after each epoch."""
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    batch_size = min(int(batch_size), X.shape[0])
    params, losses = _train(
        key, params, X, Y, jnp.float32(eta), epochs=int(epochs), batch_size=batch_size
    )
    return params, losses
