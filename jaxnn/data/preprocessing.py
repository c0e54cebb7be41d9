"""One-hot encoding and feature standardisation."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["Standardizer", "one_hot", "standardize", "standardize_apply", "standardize_fit"]


def one_hot(labels: Any, num_classes: int, dtype: Any = jnp.float32) -> jax.Array:
    """One-hot encodes integer class ids.

    Args:
        labels: Integer class ids, any shape ``S`` (usually ``(N,)``).
        num_classes: The number of classes ``K``.
        dtype: The result's dtype.

    Returns:
        ``(*S, K)`` array with a 1 at each label's position. A label outside
        ``[0, K)`` gives a row of zeros (as ``jax.nn.one_hot``; this cannot be checked
        under ``jit``).

    >>> one_hot(jnp.array([0, 2]), 3)
    Array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(
            f"one_hot: num_classes must be a positive int, got {num_classes!r}. "
            "Pass the number of classes, e.g. one_hot(y, 10)."
        )
    return jax.nn.one_hot(labels, num_classes, dtype=dtype)


class Standardizer(NamedTuple):
    """Per-feature statistics from :func:`standardize_fit`.

    Attributes:
        mean: Per-feature mean, shape ``X.shape[1:]``.
        std: Per-feature population standard deviation (ddof 0), same shape.
    """

    mean: Any
    std: Any


def _xp(x: Any) -> Any:
    # numpy in, numpy out (host preprocessing of big data sets stays on the host);
    # jax arrays and tracers use jnp, so this also works under jit.
    return jnp if isinstance(x, jax.Array) else np


def standardize_fit(X: Any) -> Standardizer:
    """Per-feature mean and population standard deviation (``ddof=0``) over axis 0.

    Args:
        X: Data ``(N, ...)``.

    Returns:
        ``Standardizer(mean, std)``, each of shape ``X.shape[1:]``.
    """
    xp = _xp(X)
    X = xp.asarray(X)
    return Standardizer(xp.mean(X, axis=0), xp.std(X, axis=0))


def standardize_apply(X: Any, mean: Any, std: Any, eps: float = 1e-8) -> Any:
    """``(X - mean) / (std + eps)``; ``eps`` keeps constant features finite (they become 0).

    Args:
        X: Data ``(N, ...)``.
        mean: Per-feature means ``X.shape[1:]``.
        std: Per-feature standard deviations ``X.shape[1:]``.
        eps: Added to ``std``.

    Returns:
        Standardised data, same shape as ``X``.

    >>> m, s = standardize_fit(np.array([[1.0], [3.0]]))
    >>> np.round(standardize_apply(np.array([[1.0], [3.0]]), m, s), 6).ravel().tolist()
    [-1.0, 1.0]
    """
    return (X - mean) / (std + eps)


def standardize(X: Any, *others: Any, eps: float = 1e-8) -> tuple[Any, ...]:
    """Fits the statistics on ``X`` and standardises ``X`` and every array in ``others``.

    Use it to scale a test set with the *training* statistics::

        X_train, X_test = standardize(X_train, X_test)

    Args:
        X: The data the statistics are fitted on ``(N, ...)``.
        *others: More arrays ``(M, ...)`` scaled with ``X``'s statistics.
        eps: Added to the standard deviation.

    Returns:
        A tuple ``(X_std, *others_std)`` (always a tuple, even for one array).
    """
    mean, std = standardize_fit(X)
    return tuple(standardize_apply(a, mean, std, eps) for a in (X, *others))
