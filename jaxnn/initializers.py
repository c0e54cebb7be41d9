"""Weight initializers, in the style of ``jax.nn.initializers`` / flax.

Each factory returns ``init(key, shape, dtype=jnp.float32) -> Array``. They draw exactly
what ``jax.nn.initializers`` draws for the same key (same fans, same distributions, same
random calls), so params made here are interchangeable with flax's; the tests check it.

Fans follow ``jax.nn.initializers``: the input axis is ``-2`` and the output axis ``-1``,
every other axis is the receptive field. For a dense kernel ``(n_in, n_out)`` that gives
``fan_in = n_in``, ``fan_out = n_out``; for a conv kernel ``(KH, KW, C_in, C_out)``
(HWIO) it gives ``fan_in = KH·KW·C_in`` and ``fan_out = KH·KW·C_out``.

==================  ======================================  =========================
initializer         distribution                            variance
==================  ======================================  =========================
``lecun_normal``    truncated normal (±2σ), flax's default  ``1 / fan_in``
``he_normal``       truncated normal, for ReLU              ``2 / fan_in``
``glorot_normal``   truncated normal (Xavier)               ``2 / (fan_in + fan_out)``
``glorot_uniform``  uniform ``[−a, a)``                     ``2 / (fan_in + fan_out)``
``normal(σ)``       normal                                  ``σ²``
``uniform(s)``      ``[0, s)``, or ``[lo, hi)`` for a pair
``zeros / ones``    constants (flax's default bias is zeros)
==================  ======================================  =========================

The "normal" variance-scaling initializers use a normal truncated to two standard
deviations, rescaled so that the variance is the one in the table: that is what
``jax.nn.initializers.lecun_normal`` and friends (and Keras) do, and it keeps rare huge
initial weights out.

Example:
    >>> import jax
    >>> w = lecun_normal()(jax.random.key(0), (3, 3, 64, 128))  # fan_in = 3·3·64
    >>> w.shape, w.dtype
    ((3, 3, 64, 128), dtype('float32'))
    >>> bool(jnp.all(w == jax.nn.initializers.lecun_normal()(jax.random.key(0), w.shape)))
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import jax
import jax.numpy as jnp

__all__ = [
    "Initializer",
    "compute_fans",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "normal",
    "ones",
    "uniform",
    "variance_scaling",
    "zeros",
]

Initializer = Callable[..., jax.Array]
"""``init(key, shape, dtype=jnp.float32) -> Array``."""

FANS_NEED_2D = (
    "{name}: cannot compute fan_in/fan_out of a {ndim}-D shape {shape}; variance-scaling "
    "initializers need a kernel of at least 2 dims: (n_in, n_out) for dense, "
    "(KH, KW, C_in, C_out) for conv. Use zeros/normal for biases and vectors."
)
BAD_UNIFORM = (
    "uniform: expected a scale (float > 0, draws in [0, scale)) or a pair "
    "(minval, maxval) with minval < maxval, got {got!r}. E.g. uniform((-1.0, 1.0))."
)
BAD_MODE = "variance_scaling: mode must be one of {modes}, got {mode!r}."
BAD_DISTRIBUTION = "variance_scaling: distribution must be one of {dists}, got {dist!r}."

# Standard deviation of a standard normal truncated to (-2, 2): dividing by it restores
# the requested variance after truncation (jax.nn.initializers uses the same constant).
_TRUNCATED_STD = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def compute_fans(shape: Sequence[int], name: str = "compute_fans") -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a kernel shape: axis -2 in, axis -1 out, the rest receptive field.

    Args:
        shape: ``(n_in, n_out)`` or ``(KH, KW, C_in, C_out)`` (any rank >= 2).
        name: the caller's name, for the error message.

    Returns:
        ``(fan_in, fan_out)`` as floats.

    Example:
        >>> compute_fans((5, 5, 3, 16))
        (75.0, 400.0)
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) < 2:
        raise ValueError(FANS_NEED_2D.format(name=name, ndim=len(shape), shape=shape))
    receptive_field = math.prod(shape[:-2])
    return float(shape[-2] * receptive_field), float(shape[-1] * receptive_field)


def variance_scaling(
    scale: float,
    mode: Literal["fan_in", "fan_out", "fan_avg"],
    distribution: Literal["truncated_normal", "normal", "uniform"],
) -> Initializer:
    """Draws with variance ``scale / n`` where ``n`` is the fan chosen by ``mode``.

    Same draws as ``jax.nn.initializers.variance_scaling(scale, mode, distribution)``
    for kernels whose input axis is -2 and output axis -1.

    Args:
        scale: variance numerator (1 for LeCun, 2 for He, 1 with ``fan_avg`` for Glorot).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"`` (the mean of both).
        distribution: ``"truncated_normal"``, ``"normal"`` or ``"uniform"``.

    Returns:
        ``init(key, shape, dtype=jnp.float32) -> Array`` of that shape and dtype.

    Example:
        >>> w = variance_scaling(2.0, "fan_in", "normal")(jax.random.key(0), (3, 3, 64, 128))
        >>> print(round(float(w.var() * 576), 1))  # fan_in = 3·3·64
        2.0
    """
    if mode not in _MODES:
        raise ValueError(BAD_MODE.format(modes=_MODES, mode=mode))
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(BAD_DISTRIBUTION.format(dists=_DISTRIBUTIONS, dist=distribution))

    def init(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
        fan_in, fan_out = compute_fans(shape, name="variance_scaling")
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = jnp.array(scale / n, dtype=dtype)
        if distribution == "truncated_normal":
            stddev = jnp.sqrt(variance) / jnp.array(_TRUNCATED_STD, dtype)
            return jax.random.truncated_normal(key, -2, 2, shape, dtype) * stddev
        if distribution == "normal":
            return jax.random.normal(key, shape, dtype) * jnp.sqrt(variance)
        # Uniform on [-a, a) has variance a²/3, hence a = sqrt(3 · variance).
        return jax.random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)

    return init


def lecun_normal() -> Initializer:
    """LeCun normal: truncated normal with variance ``1 / fan_in`` (flax's default kernel init).

    Keeps the variance of ``x @ w`` equal to that of ``x``, suited to tanh/linear layers.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``; shape at least 2-D.

    Example:
        >>> w = lecun_normal()(jax.random.key(0), (3, 3, 64, 128))
        >>> print(round(float(w.std() * 576**0.5), 1))  # std = 1/sqrt(fan_in)
        1.0
    """
    return variance_scaling(1.0, "fan_in", "truncated_normal")


def he_normal() -> Initializer:
    """He (Kaiming) normal: truncated normal with variance ``2 / fan_in``, for ReLU layers.

    ReLU zeroes half of its inputs, so the factor 2 keeps activations from shrinking
    with depth.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``; shape at least 2-D.

    Example:
        >>> w = he_normal()(jax.random.key(0), (3, 3, 64, 128))
        >>> print(round(float(w.var() * 576), 1))
        2.0
    """
    return variance_scaling(2.0, "fan_in", "truncated_normal")


def he_uniform() -> Initializer:
    """He uniform: uniform on ``[−a, a)`` with variance ``2 / fan_in``.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``; shape at least 2-D.

    Example:
        >>> w = he_uniform()(jax.random.key(0), (3, 3, 64, 128))
        >>> bool(abs(w).max() <= (6 / 576) ** 0.5)  # a = sqrt(3 · 2 / fan_in)
        True
    """
    return variance_scaling(2.0, "fan_in", "uniform")


def glorot_normal() -> Initializer:
    """Glorot (Xavier) normal: truncated normal with variance ``2 / (fan_in + fan_out)``.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``; shape at least 2-D.

    Example:
        >>> w = glorot_normal()(jax.random.key(0), (3, 3, 64, 128))
        >>> print(round(float(w.var() * (576 + 1152) / 2), 1))
        1.0
    """
    return variance_scaling(1.0, "fan_avg", "truncated_normal")


def glorot_uniform() -> Initializer:
    """Glorot (Xavier) uniform on ``[−a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``; shape at least 2-D.

    Example:
        >>> w = glorot_uniform()(jax.random.key(0), (3, 3, 64, 128))
        >>> bool(abs(w).max() <= (6 / (576 + 1152)) ** 0.5)
        True
    """
    return variance_scaling(1.0, "fan_avg", "uniform")


def normal(stddev: float = 1e-2) -> Initializer:
    """Normal with mean 0 and standard deviation ``stddev``, any shape.

    Args:
        stddev: the standard deviation.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``, same draws as
        ``jax.nn.initializers.normal(stddev)``.

    Example:
        >>> print(round(float(normal(0.5)(jax.random.key(0), (3, 3, 64, 128)).std()), 2))
        0.5
    """

    def init(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
        return jax.random.normal(key, shape, dtype) * jnp.array(stddev, dtype)

    return init


def uniform(scale: float | tuple[float, float] = 1e-2) -> Initializer:
    """Uniform on ``[0, scale)`` (as ``jax.nn.initializers.uniform``) or on ``[lo, hi)``.

    Seed 001's ``Reseau`` draws weights and biases in ``[−1, 1]``: ``uniform((-1.0, 1.0))``.

    Args:
        scale: a float ``s > 0`` for ``[0, s)`` (same draws as
            ``jax.nn.initializers.uniform(s)``), or a pair ``(minval, maxval)``.

    Returns:
        ``init(key, shape, dtype=jnp.float32)``, any shape.

    Example:
        >>> w = uniform((-1.0, 1.0))(jax.random.key(0), (3, 3, 64, 128))
        >>> bool(w.min() >= -1.0 and w.max() < 1.0 and w.min() < -0.9)
        True
    """
    if isinstance(scale, tuple | list):
        if len(scale) != 2 or not float(scale[0]) < float(scale[1]):
            raise ValueError(BAD_UNIFORM.format(got=scale))
        lo, hi = float(scale[0]), float(scale[1])

        def init_range(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
            return jax.random.uniform(key, shape, dtype, lo, hi)

        return init_range
    if not float(scale) > 0:
        raise ValueError(BAD_UNIFORM.format(got=scale))

    def init(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
        return jax.random.uniform(key, shape, dtype) * jnp.array(scale, dtype)

    return init


def zeros(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
    """All zeros (the default bias init). ``key`` is ignored; it is there for the common signature.

    Note that ``zeros`` and ``ones`` are initializers themselves (as in
    ``jax.nn.initializers``), not factories: pass ``zeros``, not ``zeros()``.

    Args:
        key: unused.
        shape: any shape.
        dtype: the dtype.

    Returns:
        zeros of ``shape``.

    Example:
        >>> print(zeros(None, (2,)))
        [0. 0.]
    """
    del key
    return jnp.zeros(shape, dtype)


def ones(key: jax.Array, shape: Sequence[int], dtype=jnp.float32) -> jax.Array:
    """All ones. ``key`` is ignored.

    Args:
        key: unused.
        shape: any shape.
        dtype: the dtype.

    Returns:
        ones of ``shape``.

    Example:
        >>> print(ones(None, (2,)))
        [1. 1.]
    """
    del key
    return jnp.ones(shape, dtype)
