"""Small synthetic 2-D classification data sets (XOR, blobs, moons, spirals, flower).

Every generator takes an explicit ``key`` (a ``jax.random.key``) first, splits it and never
reuses a split; the same key gives the same data. They return a
:class:`~jaxnn.data.Dataset` ``(x, y)`` of **jax** arrays: ``x`` float32 ``(n, 2)`` (or
``(n, num_features)``), ``y`` int32 ``(n,)``.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from jaxnn.data.dataset import Dataset

__all__ = ["make_blobs", "make_flower", "make_moons", "make_spirals", "make_xor"]

_BAD_COUNT = (
    "{name}: {arg} must be a positive integer, got {value!r}. "
    "Pass the number of points to generate, e.g. {name}(key, 200)."
)


def _check_positive(name: str, arg: str, value: object) -> int:
    # bool is an int subclass; True points is a bug, not a count.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(_BAD_COUNT.format(name=name, arg=arg, value=value))
    return value


def make_xor(key: jax.Array, n: int) -> Dataset:
    """The XOR problem: points uniform in ``[-1, 1]²``, label 1 where ``x1 · x2 > 0``.

    Seed 004's XOR, with labels ``{0, 1}`` instead of ``±1``: the first and third quadrants
    are class 1, the others class 0. No line separates them (a perceptron fails).

    Args:
        key: A ``jax.random.key``.
        n: The number of points.

    Returns:
        ``Dataset(x, y)``: ``x`` float32 ``(n, 2)``, ``y`` int32 ``(n,)``.

    >>> X, y = make_xor(jax.random.key(0), 5)
    >>> X.shape, y.dtype
    ((5, 2), dtype('int32'))
    """
    _check_positive("make_xor", "n", n)
    x = jax.random.uniform(key, (n, 2), jnp.float32, minval=-1.0, maxval=1.0)
    y = (x[:, 0] * x[:, 1] > 0).astype(jnp.int32)
    return Dataset(x, y)


def make_blobs(
    key: jax.Array,
    n: int,
    centers: int | jax.Array = 3,
    *,
    num_features: int = 2,
    std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
) -> Dataset:
    """Isotropic Gaussian blobs, one class per centre (like scikit-learn's ``make_blobs``).

    Classes are as balanced as possible (``n // k`` or ``n // k + 1`` points each) and the
    points are shuffled.

    Args:
        key: A ``jax.random.key``.
        n: The number of points.
        centers: The number of classes ``k`` (centres drawn uniformly in ``center_box``),
            or the centres themselves, an array ``(k, num_features)``.
        num_features: The input dimension when ``centers`` is an int.
        std: Standard deviation of every blob.
        center_box: ``(low, high)`` bounds of the random centres.

    Returns:
        ``Dataset(x, y)``: ``x`` float32 ``(n, num_features)``, ``y`` int32 ``(n,)`` in
        ``[0, k)``.
    """
    _check_positive("make_blobs", "n", n)
    k_centers, k_labels, k_noise = jax.random.split(key, 3)
    if isinstance(centers, int):
        _check_positive("make_blobs", "centers", centers)
        low, high = center_box
        mu = jax.random.uniform(
            k_centers, (centers, num_features), jnp.float32, minval=low, maxval=high
        )
    else:
        mu = jnp.asarray(centers, jnp.float32)
        if mu.ndim != 2:
            raise ValueError(
                "make_blobs: centers must be an int or an array (k, num_features), got shape "
                f"{mu.shape}. Pass e.g. centers=jnp.array([[0., 0.], [3., 3.]])."
            )
    k = mu.shape[0]
    # arange % k balances the classes; the permutation shuffles them.
    y = jax.random.permutation(k_labels, jnp.arange(n, dtype=jnp.int32) % k)
    x = mu[y] + std * jax.random.normal(k_noise, (n, mu.shape[1]), jnp.float32)
    return Dataset(x, y)


def make_moons(key: jax.Array, n: int, *, noise: float = 0.1) -> Dataset:
    """Two interleaving half circles (like scikit-learn's ``make_moons``).

    The outer moon (``n // 2`` points, ``(cos t, sin t)``) is class 0, the inner one
    (``n - n // 2`` points, ``(1 - cos t, 0.5 - sin t)``) class 1, ``t`` evenly spaced in
    ``[0, π]``; Gaussian noise of standard deviation ``noise`` is added and the points are
    shuffled.

    Args:
        key: A ``jax.random.key``.
        n: The number of points.
        noise: Standard deviation of the Gaussian noise.

    Returns:
        ``Dataset(x, y)``: ``x`` float32 ``(n, 2)``, ``y`` int32 ``(n,)``.
    """
    _check_positive("make_moons", "n", n)
    k_noise, k_perm = jax.random.split(key)
    n_out = n // 2
    n_in = n - n_out
    t_out = jnp.linspace(0.0, jnp.pi, n_out)
    t_in = jnp.linspace(0.0, jnp.pi, n_in)
    outer = jnp.stack([jnp.cos(t_out), jnp.sin(t_out)], axis=1)
    inner = jnp.stack([1.0 - jnp.cos(t_in), 0.5 - jnp.sin(t_in)], axis=1)
    x = jnp.concatenate([outer, inner]).astype(jnp.float32)
    x = x + noise * jax.random.normal(k_noise, x.shape, jnp.float32)
    y = jnp.concatenate([jnp.zeros(n_out, jnp.int32), jnp.ones(n_in, jnp.int32)])
    perm = jax.random.permutation(k_perm, n)
    return Dataset(x[perm], y[perm])


def make_spirals(
    key: jax.Array, n: int, classes: int = 2, *, noise: float = 0.2, turns: float = 1.0
) -> Dataset:
    """Interleaved spiral arms, one per class (the CS231n spiral data set).

    Arm ``j`` has radius ``r`` evenly spaced in ``[0, 1]`` and angle
    ``2π·turns·r + 2π·j/classes`` plus Gaussian noise of standard deviation ``noise``
    radians; point = ``r · (cos θ, sin θ)``. Classes get ``n // classes`` points, the first
    ``n % classes`` one more. Points are ordered by class (not shuffled).

    Args:
        key: A ``jax.random.key``.
        n: The total number of points.
        classes: The number of arms (classes).
        noise: Standard deviation of the angular noise, in radians.
        turns: How many full turns each arm makes.

    Returns:
        ``Dataset(x, y)``: ``x`` float32 ``(n, 2)``, ``y`` int32 ``(n,)`` in ``[0, classes)``.
    """
    _check_positive("make_spirals", "n", n)
    _check_positive("make_spirals", "classes", classes)
    keys = jax.random.split(key, classes)
    xs, ys = [], []
    for j in range(classes):
        m = n // classes + (1 if j < n % classes else 0)
        r = jnp.linspace(0.0, 1.0, m)
        theta = 2 * jnp.pi * turns * r + 2 * jnp.pi * j / classes
        theta = theta + noise * jax.random.normal(keys[j], (m,))
        xs.append(jnp.stack([r * jnp.cos(theta), r * jnp.sin(theta)], axis=1))
        ys.append(jnp.full((m,), j, jnp.int32))
    return Dataset(jnp.concatenate(xs).astype(jnp.float32), jnp.concatenate(ys))


def _rotation(angle: float) -> jax.Array:
    c, s = math.cos(angle), math.sin(angle)
    return jnp.array([[c, -s], [s, c]], jnp.float32)


def make_flower(
    key: jax.Array, n_per_petal: int = 50, petals: int = 8, *, noise: float = 0.1
) -> Dataset:
    """Seed 004's "flower" data set: noisy elliptic petals with mostly-1 / mostly-0 labels.

    A faithful port of the seed's R code::

        t = seq(0, 2*pi, length=50)
        x1 = 3.5*cos(t); x2 = 0.7*sin(t); x1 = x1 - max(x1)
        x_s = cbind(x1 + rnorm(50, 0, 0.1), x2 + rnorm(50, 0, 0.1))
        for (i in 1:8) {
          y = rep(0, 50); s = ifelse(i %% 2 == 0, 7, 43); y[sample(50, s)] = 1
          x_s <- t(rot %*% t(x_s))                 # rot: 45° rotation, cumulative
          X <- rbind(X, x_s + rnorm(100, 0, 0.1)); Y <- c(Y, y)
        }

    So petal ``i`` (from 1) is the *same* noisy base ellipse (one tip at the origin,
    ``x1 ∈ [-7, 0]``) rotated by ``45° · i`` counter-clockwise, plus fresh noise. Odd petals
    have ``round(43/50 · n_per_petal)`` points labelled 1 (at random positions), even petals
    ``round(7/50 · n_per_petal)``; the rest are 0. Petals are concatenated in order.
    ``round`` is Python's (halves to even, like R's).

    Args:
        key: A ``jax.random.key``.
        n_per_petal: Points per petal (the seed's 50).
        petals: The number of petals (the seed's 8); the step stays 45° as in the seed.
        noise: Standard deviation of both Gaussian noises (the seed's 0.1); 0 gives the
            exact rotated ellipses.

    Returns:
        ``Dataset(x, y)``: ``x`` float32 ``(petals · n_per_petal, 2)``, ``y`` int32.

    >>> X, y = make_flower(jax.random.key(0))
    >>> X.shape, int(y[:50].sum()), int(y[50:100].sum())
    ((400, 2), 43, 7)
    """
    _check_positive("make_flower", "n_per_petal", n_per_petal)
    _check_positive("make_flower", "petals", petals)
    n = n_per_petal
    k_base, *k_petals = jax.random.split(key, petals + 1)
    t = jnp.linspace(0.0, 2 * jnp.pi, n)
    x1 = 3.5 * jnp.cos(t)
    x1 = x1 - jnp.max(x1)
    x2 = 0.7 * jnp.sin(t)
    base = jnp.stack([x1, x2], axis=1) + noise * jax.random.normal(k_base, (n, 2))
    n_odd, n_even = round(43 * n / 50), round(7 * n / 50)
    rot = _rotation(math.pi / 4)
    xs, ys = [], []
    x_s = base
    for i in range(1, petals + 1):
        k_labels, k_noise = jax.random.split(k_petals[i - 1])
        s = n_odd if i % 2 == 1 else n_even
        ones = jax.random.permutation(k_labels, n)[:s]  # R's sample(50, s)
        ys.append(jnp.zeros(n, jnp.int32).at[ones].set(1))
        # t(rot %*% t(x_s)): rows rotated, cumulatively like the seed. Full float32
        # precision: accelerators default to TF32 matmuls, which would bend the petals.
        x_s = jnp.matmul(x_s, rot.T, precision=jax.lax.Precision.HIGHEST)
        xs.append(x_s + noise * jax.random.normal(k_noise, (n, 2)))
    return Dataset(jnp.concatenate(xs).astype(jnp.float32), jnp.concatenate(ys))
