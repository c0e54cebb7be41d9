"""Activation functions and the derivatives the course derives by hand.

Every function is elementwise (``softmax``/``log_softmax`` work along one axis), takes
any array-like ``z`` of any shape and returns an array of the same shape. Integer or
boolean inputs are promoted to JAX's default float dtype (float32, or float64 when
``jax_enable_x64`` is on); float inputs keep their dtype.

All of them are finite for inputs as large as ``|z| = 1e4`` in float32: that is what
separates them from the one-line textbook formulas (``1 / (1 + exp(-z))`` overflows
``exp`` at ``z = -89`` in float32, and ``exp(z) / sum(exp(z))`` is ``nan`` for
``z = 1e4``).

Example:
    >>> import jax.numpy as jnp
    >>> from jaxnn import activations
    >>> print(activations.sigmoid(jnp.array([-1e4, 0.0, 1e4])))
    [0.  0.5 1. ]
    >>> print(activations.step(jnp.array([-1.0, 0.0, 2.0])))
    [0. 0. 1.]
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

__all__ = [
    "leaky_relu",
    "log_softmax",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "step",
    "tanh",
    "tanh_prime",
]


def _as_float(z: ArrayLike) -> jax.Array:
    z = jnp.asarray(z)
    if not jnp.issubdtype(z.dtype, jnp.inexact):
        # result_type(float) is float32 unless x64 is on: the dtype users expect.
        z = z.astype(jnp.result_type(float))
    return z


def sigmoid(z: ArrayLike) -> jax.Array:
    """Logistic sigmoid ``σ(z) = 1 / (1 + e^{-z})`` (seed 001, "neurone sigmoïde").

    Computed by ``jax.nn.sigmoid`` (XLA's ``logistic``), which never evaluates ``e^{-z}``
    for large negative ``z``: exact to float precision and finite for ``|z|`` up to 1e4
    and beyond.

    Args:
        z: array of any shape.

    Returns:
        ``σ(z)``, same shape as ``z``, values in ``[0, 1]``.

    Example:
        >>> print(sigmoid(0.0))
        0.5
    """
    return jax.nn.sigmoid(_as_float(z))


def sigmoid_prime(z: ArrayLike) -> jax.Array:
    """Derivative of the sigmoid, ``σ'(z) = σ(z)(1 − σ(z))`` (seeds 000, 003).

    Args:
        z: array of any shape (the pre-activation, not ``σ(z)``).

    Returns:
        ``σ(z)(1 − σ(z))``, same shape as ``z``, values in ``[0, 1/4]``.

    Example:
        >>> print(sigmoid_prime(0.0))
        0.25
    """
    s = sigmoid(z)
    return s * (1 - s)


def relu(z: ArrayLike) -> jax.Array:
    """Rectified linear unit ``max(z, 0)``.

    Uses ``jax.nn.relu``, whose derivative at exactly 0 is 0 (matching
    :func:`relu_prime`), so ``jax.grad`` agrees with the hand-written backprop.

    Args:
        z: array of any shape.

    Returns:
        ``max(z, 0)``, same shape as ``z``.

    Example:
        >>> print(relu(jnp.array([-2.0, 0.0, 3.0])))
        [0. 0. 3.]
    """
    return jax.nn.relu(_as_float(z))


def relu_prime(z: ArrayLike) -> jax.Array:
    """Derivative of ReLU: ``1`` where ``z > 0``, ``0`` where ``z <= 0``.

    Args:
        z: array of any shape.

    Returns:
        float array of 0s and 1s, same shape as ``z``.

    Example:
        >>> print(relu_prime(jnp.array([-1.0, 0.0, 2.0])))
        [0. 0. 1.]
    """
    z = _as_float(z)
    return (z > 0).astype(z.dtype)


def tanh(z: ArrayLike) -> jax.Array:
    """Hyperbolic tangent, values in ``[-1, 1]``; no NaN for ``|z|`` up to 1e4.

    Args:
        z: array of any shape.

    Returns:
        ``tanh(z)``, same shape as ``z``.

    Example:
        >>> print(tanh(jnp.array([-1e4, 0.0, 1e4])))
        [-1.  0.  1.]
    """
    return jnp.tanh(_as_float(z))


def tanh_prime(z: ArrayLike) -> jax.Array:
    """Derivative of tanh, ``1 − tanh(z)²``.

    Args:
        z: array of any shape.

    Returns:
        ``1 − tanh(z)²``, same shape as ``z``.

    Example:
        >>> print(tanh_prime(0.0))
        1.0
    """
    t = tanh(z)
    return 1 - t * t


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> jax.Array:
    """Leaky ReLU: ``z`` where ``z >= 0``, ``alpha · z`` elsewhere.

    Args:
        z: array of any shape.
        alpha: slope for negative inputs (usually small and positive).

    Returns:
        same shape as ``z``.

    Example:
        >>> print(leaky_relu(jnp.array([-100.0, 5.0])))
        [-1.  5.]
    """
    z = _as_float(z)
    return jnp.where(z >= 0, z, alpha * z)


def softmax(z: ArrayLike, axis: int = -1) -> jax.Array:
    """Softmax ``e^{z_j} / Σ_k e^{z_k}`` along ``axis``.

    The maximum is subtracted before exponentiating (``jax.nn.softmax`` does it), so
    logits of 1e4 give exact one-hot outputs instead of ``inf / inf = nan``.

    Args:
        z: logits, any shape, e.g. ``(N, K)``.
        axis: the class axis.

    Returns:
        probabilities, same shape as ``z``, summing to 1 along ``axis``.

    Example:
        >>> print(softmax(jnp.array([1e4, 0.0])))
        [1. 0.]
    """
    return jax.nn.softmax(_as_float(z), axis=axis)


def log_softmax(z: ArrayLike, axis: int = -1) -> jax.Array:
    """Log of the softmax, ``z_j − log Σ_k e^{z_k}``, computed stably.

    Use this rather than ``log(softmax(z))``: the latter is ``-inf`` as soon as one
    probability underflows to 0 (e.g. logits ``[1e4, 0]``).

    Args:
        z: logits, any shape, e.g. ``(N, K)``.
        axis: the class axis.

    Returns:
        log-probabilities, same shape as ``z``, all ``<= 0``.

    Example:
        >>> print(log_softmax(jnp.array([1e4, 0.0])))
        [     0. -10000.]
    """
    return jax.nn.log_softmax(_as_float(z), axis=axis)


def step(z: ArrayLike) -> jax.Array:
    """Heaviside step, the perceptron's activation: ``1.0`` where ``z > 0``, else ``0.0``.

    Seed 001's perceptron outputs 1 when ``w·x + b > 0`` and 0 otherwise, so ``z = 0``
    maps to ``0.0``. Its derivative is 0 almost everywhere, which is why gradient descent
    needs the sigmoid instead (seed 001, "Le problème des perceptrons").

    Args:
        z: array of any shape.

    Returns:
        float array of 0s and 1s, same shape as ``z``.

    Example:
        >>> print(step(jnp.array([-0.5, 0.0, 0.5])))
        [0. 0. 1.]
    """
    z = _as_float(z)
    return jnp.where(z > 0, jnp.ones_like(z), jnp.zeros_like(z))
