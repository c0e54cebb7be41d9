"""Reference solution — ex11: fighting over- and under-fitting (seed 000, 002, 003).

Instructor side: never shipped to students. Exact and plain: numpy where the work is
bookkeeping, jax where randomness (a key) or training is involved.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax


def weight_decay_update(params, grads, eta, lam):
    """Seed 003: ``W ← W − η g − λ W`` for entries named ``"w"``, ``θ ← θ − η g`` for the rest."""

    def update(path, p, g):
        named_w = bool(path) and isinstance(path[-1], jax.tree_util.DictKey) and path[-1].key == "w"
        return p - eta * g - lam * p if named_w else p - eta * g

    return jax.tree_util.tree_map_with_path(update, params, grads)


def dropout(key, x, rate, train=True):
    """Inverted dropout: zero with probability ``rate``, survivors scaled by ``1/(1 − rate)``."""
    if not train or rate == 0:
        return x
    x = jnp.asarray(x)
    if rate >= 1:
        return jnp.zeros_like(x)
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), jnp.zeros_like(x))


def standardize_fit(X):
    """Per-feature mean and population standard deviation (ddof 0), two-pass (stable)."""
    X = np.asarray(X)
    dtype = X.dtype if X.dtype.kind == "f" else np.float64
    X64 = X.astype(np.float64)
    mean = X64.mean(axis=0)
    std = np.sqrt(np.mean((X64 - mean) ** 2, axis=0))
    return mean.astype(dtype), std.astype(dtype)


def standardize_apply(X, mean, std, eps=1e-8):
    """``(X − mean) / (std + eps)``, feature by feature."""
    return (np.asarray(X) - np.asarray(mean)) / (np.asarray(std) + eps)


def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    """One permutation from ``key``; the test set, then the validation set, then the rest."""
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    n_val, n_test = round(val_frac * n), round(test_frac * n)
    perm = np.asarray(jax.random.permutation(key, n))
    test, val, train = perm[:n_test], perm[n_test : n_test + n_val], perm[n_test + n_val :]
    return X[train], y[train], X[val], y[val], X[test], y[test]


def early_stopping(val_losses, patience):
    """Index of the best epoch when training stops (Keras's rule: only a strictly lower loss
    improves; stop once ``patience`` epochs in a row did not improve, checked after each
    epoch that did not improve, so patience 0 acts like 1)."""
    losses = [float(v) for v in np.asarray(val_losses, dtype=np.float64).reshape(-1)]
    if not losses:
        raise ValueError("early_stopping needs at least one validation loss")
    best, wait = 0, 0
    for i in range(1, len(losses)):
        if losses[i] < losses[best]:
            best, wait = i, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return best


# -- select_hidden_size: one hidden layer (tanh), softmax cross-entropy, full-batch Adam ------


def _init(key, n_in, hidden, n_out):
    k1, k2 = jax.random.split(key)
    return [
        {"w": jax.random.normal(k1, (n_in, hidden)) / np.sqrt(n_in), "b": jnp.zeros(hidden)},
        {"w": jax.random.normal(k2, (hidden, n_out)) / np.sqrt(hidden), "b": jnp.zeros(n_out)},
    ]


def _logits(params, X):
    h = jnp.tanh(X @ params[0]["w"] + params[0]["b"])
    return h @ params[1]["w"] + params[1]["b"]


def _loss(params, X, y):
    return optax.softmax_cross_entropy_with_integer_labels(_logits(params, X), y).mean()


@partial(jax.jit, static_argnames=("hidden", "n_out", "steps"))
def _fit(key, X, y, *, hidden, n_out, steps=500, lr=0.03):
    params = _init(key, X.shape[1], hidden, n_out)
    opt = optax.adam(lr)

    def step(carry, _):
        p, s = carry
        g = jax.grad(_loss)(p, X, y)
        u, s = opt.update(g, s, p)
        return (optax.apply_updates(p, u), s), None

    (params, _), _ = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
    return params


def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    """The candidate (its value) whose trained MLP has the lowest validation cross-entropy."""
    X_train = jnp.asarray(X_train, jnp.float32)
    X_val = jnp.asarray(X_val, jnp.float32)
    y_train = jnp.asarray(y_train, jnp.int32)
    y_val = jnp.asarray(y_val, jnp.int32)
    n_out = int(max(int(y_train.max()), int(y_val.max()))) + 1
    losses = []
    for k, h in zip(jax.random.split(key, len(candidates)), candidates, strict=True):
        params = _fit(k, X_train, y_train, hidden=int(h), n_out=n_out)
        losses.append(float(_loss(params, X_val, y_val)))
    return candidates[int(np.argmin(losses))]
