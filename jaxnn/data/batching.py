"""Shuffled minibatches: Python iterators, and whole epochs pre-batched for ``lax.scan``.

Two ways to feed a training loop:

* :func:`iterate_batches` — a Python iterator of ``(x_batch, y_batch)``: simple, one
  dispatch per step (fine for small models and for teaching).
* :func:`epoch_indices` / :func:`epoch_batches` — one epoch as ``(num_batches, batch, ...)``
  arrays plus per-example weights, to run the whole epoch in one jitted ``lax.scan``
  (what :func:`jaxnn.train.fit` does). The last partial batch is *padded* and its padding
  gets weight 0, so every epoch has the same shapes (no recompilation) and every example
  counts exactly once.

``data`` arguments are pytrees (e.g. a tuple ``(X, y)``) of arrays sharing the leading
dimension ``N``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["epoch_batches", "epoch_indices", "iterate_batches", "minibatches", "num_examples"]

_BAD_BATCH = (
    "batch_size must be a positive integer, got {value!r}. "
    "Pass e.g. batch_size=32 (the last batch may be smaller)."
)
_RAGGED = (
    "all arrays in data must share their leading (example) dimension, got leading sizes "
    "{sizes}. Pass inputs and labels with one row per example, e.g. (X (N, ...), y (N,))."
)
_NEED_KEY = "shuffle=True needs a key: pass a jax.random.key, or shuffle=False."


def _check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(_BAD_BATCH.format(value=batch_size))
    return batch_size


def num_examples(data: Any) -> int:
    """The shared leading dimension ``N`` of every array in the pytree ``data``.

    Raises:
        ValueError: If the arrays disagree on ``N`` or ``data`` has no arrays.
    """
    sizes = {int(np.shape(a)[0]) for a in jax.tree.leaves(data)}
    if len(sizes) != 1:
        raise ValueError(_RAGGED.format(sizes=sorted(sizes)))
    return sizes.pop()


def minibatches(key: jax.Array, n: int, batch_size: int) -> list[np.ndarray]:
    """A random permutation of ``range(n)`` cut into index batches (the last may be smaller).

    Args:
        key: A ``jax.random.key``.
        n: The number of examples.
        batch_size: Examples per batch.

    Returns:
        ``ceil(n / batch_size)`` int arrays; together a permutation of ``range(n)``.

    >>> [len(b) for b in minibatches(jax.random.key(0), 10, 4)]
    [4, 4, 2]
    """
    _check_batch_size(batch_size)
    perm = np.asarray(jax.random.permutation(key, n))
    return [perm[i : i + batch_size] for i in range(0, n, batch_size)]


def iterate_batches(
    key: jax.Array | None,
    data: Any,
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
) -> Iterator[Any]:
    """Iterates over one epoch of (shuffled) minibatches of ``data``.

    Args:
        key: A ``jax.random.key`` for the shuffle (unused, may be None, when
            ``shuffle=False``).
        data: A pytree of arrays with a shared leading dimension ``N``, e.g. ``(X, y)``.
        batch_size: Examples per batch.
        shuffle: Whether to visit the examples in a random order.
        drop_last: Whether to skip the last batch when it has fewer than ``batch_size``
            examples.

    Yields:
        Pytrees shaped like ``data`` with leading dimension ``batch_size`` (the last one
        possibly smaller), of the same array type as ``data``'s leaves.

    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> [b[1].tolist() for b in iterate_batches(None, (X, y), 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    _check_batch_size(batch_size)
    n = num_examples(data)
    if shuffle:
        if key is None:
            raise ValueError(_NEED_KEY)
        order = np.asarray(jax.random.permutation(key, n))
    else:
        order = np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start : start + batch_size]
        yield jax.tree.map(lambda a, idx=idx: a[idx], data)


def epoch_indices(
    key: jax.Array | None,
    n: int,
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
) -> tuple[jax.Array, jax.Array]:
    """One epoch's example indices as a ``(num_batches, batch_size)`` array, with weights.

    The order is a random permutation (``shuffle=True``) or ``0..n-1``. Unless
    ``drop_last``, the last batch is padded to ``batch_size`` with valid indices (repeats
    from the start of the order) whose weight is 0; real examples have weight 1. Shapes
    depend only on ``(n, batch_size)``, so this is jit-compatible with ``n`` and
    ``batch_size`` static, and a scan over it never recompiles between epochs.

    Args:
        key: A ``jax.random.key`` (may be None when ``shuffle=False``).
        n: The number of examples.
        batch_size: Examples per batch.
        shuffle: Whether to permute the examples.
        drop_last: Drop the last partial batch instead of padding it.

    Returns:
        ``(indices, weights)``: int32 ``(num_batches, batch_size)`` and float32
        ``(num_batches, batch_size)``, ``num_batches = ceil(n / batch_size)`` (or
        ``n // batch_size`` with ``drop_last``). ``weights.sum()`` is the number of examples
        visited.

    >>> idx, w = epoch_indices(None, 5, 2, shuffle=False)
    >>> idx.tolist(), w.tolist()
    ([[0, 1], [2, 3], [4, 0]], [[1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    """
    _check_batch_size(batch_size)
    if shuffle:
        if key is None:
            raise ValueError(_NEED_KEY)
        order = jax.random.permutation(key, n).astype(jnp.int32)
    else:
        order = jnp.arange(n, dtype=jnp.int32)
    if drop_last:
        num_batches = n // batch_size
        if num_batches == 0:
            raise ValueError(
                f"drop_last=True with n={n} < batch_size={batch_size} leaves no batch at all. "
                "Use a smaller batch_size or drop_last=False."
            )
        size = num_batches * batch_size
        return order[:size].reshape(num_batches, batch_size), jnp.ones(
            (num_batches, batch_size), jnp.float32
        )
    num_batches = -(-n // batch_size)
    pad = num_batches * batch_size - n
    # Pad with indices of real examples (wrapping round the order) so that the gather
    # stays in bounds; their weight is 0, so they never count.
    order = jnp.concatenate([order, jnp.resize(order, pad)]) if pad else order
    weights = (jnp.arange(num_batches * batch_size) < n).astype(jnp.float32)
    return order.reshape(num_batches, batch_size), weights.reshape(num_batches, batch_size)


def epoch_batches(
    key: jax.Array | None,
    data: Any,
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
) -> tuple[Any, jax.Array]:
    """One shuffled epoch of ``data`` materialised as ``(num_batches, batch_size, ...)`` arrays.

    The companion of :func:`epoch_indices` for a scan over ready-made batches::

        batches, weights = epoch_batches(key, (X, y), 128)
        carry, _ = jax.lax.scan(step, carry, (batches, weights))

    Args:
        key: A ``jax.random.key`` (may be None when ``shuffle=False``).
        data: A pytree of arrays with a shared leading dimension ``N``.
        batch_size: Examples per batch.
        shuffle: Whether to permute the examples.
        drop_last: Drop the last partial batch instead of padding it.

    Returns:
        ``(batches, weights)``: ``data``'s pytree with every leaf reshaped to
        ``(num_batches, batch_size, *leaf.shape[1:])`` (jax arrays), and float32 weights
        ``(num_batches, batch_size)``, 0 on the padding of the last batch.
    """
    n = num_examples(data)
    idx, weights = epoch_indices(key, n, batch_size, shuffle=shuffle, drop_last=drop_last)
    return jax.tree.map(lambda a: jnp.asarray(a)[idx], data), weights
