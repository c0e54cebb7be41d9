"""Random train / validation / test splits with an explicit key."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from jaxnn.data.batching import num_examples

__all__ = ["split_indices", "train_test_split", "train_val_test_split"]

_BAD_FRACS = (
    "{name}: fractions must be in [0, 1) and sum to less than 1, got {fracs}. "
    "Pass e.g. val_frac=0.2, test_frac=0.2 (the rest is the training set)."
)


def split_indices(key: jax.Array, n: int, fracs: tuple[float, ...]) -> list[np.ndarray]:
    """Shuffles ``range(n)`` and cuts it into parts of ``round(f · n)`` for each ``f``.

    Args:
        key: A ``jax.random.key``.
        n: The number of examples.
        fracs: Fractions of ``n`` for the held-out parts, e.g. ``(0.2, 0.2)``.

    Returns:
        ``len(fracs) + 1`` int arrays, disjoint and covering ``range(n)``: first the rest
        (``n - Σ round(f · n)`` indices), then one part per fraction.

    >>> [len(p) for p in split_indices(jax.random.key(0), 10, (0.2, 0.3))]
    [5, 2, 3]
    """
    if any(not 0.0 <= f < 1.0 for f in fracs) or sum(fracs) >= 1.0:
        raise ValueError(_BAD_FRACS.format(name="split_indices", fracs=fracs))
    sizes = [round(f * n) for f in fracs]
    rest = n - sum(sizes)
    if rest < 0:
        raise ValueError(_BAD_FRACS.format(name="split_indices", fracs=fracs))
    perm = np.asarray(jax.random.permutation(key, n))
    bounds = np.cumsum([rest, *sizes])
    return np.split(perm, bounds[:-1])


def _take(a: Any, idx: np.ndarray) -> Any:
    return a[idx]


def train_val_test_split(
    key: jax.Array, X: Any, y: Any, val_frac: float = 0.2, test_frac: float = 0.2
) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Shuffles and splits ``(X, y)`` into disjoint train, validation and test sets.

    The validation and test sets have ``round(val_frac · n)`` and ``round(test_frac · n)``
    examples; the training set has the rest. Together they cover every example once.

    Args:
        key: A ``jax.random.key``.
        X: Inputs ``(n, ...)`` (numpy or jax).
        y: Labels ``(n, ...)``.
        val_frac: Fraction of the whole set for validation.
        test_frac: Fraction of the whole set for testing.

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``, same array types as the inputs.
    """
    num_examples((X, y))
    n = int(np.shape(y)[0])
    train, val, test = split_indices(key, n, (val_frac, test_frac))
    return (
        _take(X, train),
        _take(y, train),
        _take(X, val),
        _take(y, val),
        _take(X, test),
        _take(y, test),
    )


def train_test_split(
    key: jax.Array, X: Any, y: Any, test_frac: float = 0.2
) -> tuple[Any, Any, Any, Any]:
    """Shuffles and splits ``(X, y)`` into disjoint train and test sets.

    Args:
        key: A ``jax.random.key``.
        X: Inputs ``(n, ...)``.
        y: Labels ``(n, ...)``.
        test_frac: Fraction for the test set (``round(test_frac · n)`` examples).

    Returns:
        ``(X_train, y_train, X_test, y_test)`` (note the order: each set's inputs then its
        labels, like :func:`train_val_test_split`, not scikit-learn's).
    """
    num_examples((X, y))
    n = int(np.shape(y)[0])
    train, test = split_indices(key, n, (test_frac,))
    return _take(X, train), _take(y, train), _take(X, test), _take(y, test)
