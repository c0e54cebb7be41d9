"""Reference solution — ex15: the training workflow (seed 000, 004).

Instructor side: never shipped to students. Plain numpy for the counting, jax for the
random data (explicit keys) and for the training loop (jit-compiled steps, optax's Adam).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax


@partial(jax.jit, static_argnums=1)
def _permutation(key, n):
    """A random order of ``range(n)`` (jit-compiled once per ``n``)."""
    return jax.random.permutation(key, n)


def confusion_matrix(y_true, y_pred, num_classes):
    """``C[i, j]`` = number of examples of true class ``i`` predicted as ``j`` (int64)."""
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    m = np.zeros((int(num_classes), int(num_classes)), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def make_xor(key, n):
    """Seed 004's XOR: ``n`` points uniform in ``[-1, 1]²``, label 1 where ``x1·x2 > 0``."""
    X = np.asarray(jax.random.uniform(key, (int(n), 2), jnp.float32, minval=-1.0, maxval=1.0))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int32)
    return X, y


def make_flower(key, n_per_petal=50, petals=8):
    """Seed 004's flower, its R code step by step (``rot`` rotates by 45° counter-clockwise)."""
    n = int(n_per_petal)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    rot = np.array([[c, -s], [s, c]])
    t = np.linspace(0.0, 2.0 * np.pi, n)
    x1 = 3.5 * np.cos(t)
    x2 = 0.7 * np.sin(t)
    x1 = x1 - x1.max()
    k_base, k_petals = jax.random.split(key)
    x_s = np.stack([x1, x2], axis=1) + 0.1 * np.asarray(jax.random.normal(k_base, (n, 2)))
    X, Y = [], []
    for i, k in zip(
        range(1, int(petals) + 1), jax.random.split(k_petals, int(petals)), strict=True
    ):
        k_label, k_noise = jax.random.split(k)
        ones = round(7 * n / 50) if i % 2 == 0 else round(43 * n / 50)
        y = np.zeros(n, np.int32)
        y[np.asarray(_permutation(k_label, n))[:ones]] = 1
        x_s = (rot @ x_s.T).T  # cumulative: petal i is the base ellipse rotated by 45°·i
        X.append(x_s + 0.1 * np.asarray(jax.random.normal(k_noise, (n, 2))))
        Y.append(y)
    return np.concatenate(X).astype(np.float32), np.concatenate(Y)


def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    """Keras's ``model.fit``: hold out the last examples, Adam on shuffled mini-batches.

    ``history["loss"]``/``["accuracy"]`` are the epoch's averages over its mini-batches
    (weighted by their sizes, as Keras reports them); ``val_*`` are computed on the held-out
    examples with the parameters at the end of the epoch.
    """
    X = np.asarray(X, np.float32)  # numpy indexing: no gather to compile per batch shape
    y = np.asarray(y, np.int32)
    n = X.shape[0]
    n_train = int(n * (1 - validation_split))
    x_tr, y_tr, x_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    k_init, key = jax.random.split(key)
    params = init_fn(k_init)
    optimizer = optax.adam(lr)
    state = optimizer.init(params)

    def loss_and_logits(p, xb, yb):
        logits = apply_fn(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), logits

    @jax.jit
    def step(p, s, xb, yb):
        (loss, logits), grads = jax.value_and_grad(loss_and_logits, has_aux=True)(p, xb, yb)
        updates, s = optimizer.update(grads, s, p)
        correct = jnp.sum(jnp.argmax(logits, axis=-1) == yb)
        return optax.apply_updates(p, updates), s, loss, correct

    @jax.jit
    def evaluate(p, xs, ys):
        loss, logits = loss_and_logits(p, xs, ys)
        return loss, jnp.mean(jnp.argmax(logits, axis=-1) == ys)

    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(int(epochs)):
        key, k_perm = jax.random.split(key)
        order = np.asarray(_permutation(k_perm, n_train))
        total_loss, total_correct = 0.0, 0
        for start in range(0, n_train, int(batch_size)):
            idx = order[start : start + int(batch_size)]
            params, state, loss, correct = step(params, state, x_tr[idx], y_tr[idx])
            total_loss += float(loss) * len(idx)
            total_correct += int(correct)
        history["loss"].append(total_loss / n_train)
        history["accuracy"].append(total_correct / n_train)
        if len(x_val):
            val_loss, val_acc = evaluate(params, x_val, y_val)
            history["val_loss"].append(float(val_loss))
            history["val_accuracy"].append(float(val_acc))
        else:
            history["val_loss"].append(float("nan"))
            history["val_accuracy"].append(float("nan"))
    return params, history
