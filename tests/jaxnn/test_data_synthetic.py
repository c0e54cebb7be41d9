"""Synthetic data sets: XOR rule, seed 004's flower, blobs, moons, spirals."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxnn.data import Dataset, make_blobs, make_flower, make_moons, make_spirals, make_xor


def rot(deg):
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def test_xor_rule_range_and_types():
    X, y = make_xor(jax.random.key(0), 500)
    X, y = np.asarray(X), np.asarray(y)
    assert X.shape == (500, 2) and X.dtype == np.float32
    assert y.shape == (500,) and y.dtype == np.int32
    assert X.min() >= -1 and X.max() <= 1
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int32))
    # All four quadrants are populated, so both classes are present in a balanced way.
    assert 0.4 < y.mean() < 0.6


def test_xor_same_key_same_data_other_key_other_data():
    a, b, c = (make_xor(jax.random.key(k), 50) for k in (1, 1, 2))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.allclose(a.x, c.x)
    assert isinstance(a, Dataset)


@pytest.mark.parametrize(("n", "odd", "even"), [(50, 43, 7), (51, 44, 7)])
def test_flower_label_counts_per_petal(n, odd, even):
    X, y = make_flower(jax.random.key(0), n_per_petal=n)
    assert X.shape == (8 * n, 2) and y.shape == (8 * n,)
    counts = np.asarray(y).reshape(8, n).sum(axis=1)
    # Petal i (from 1): odd petals round(43/50 n) ones, even petals round(7/50 n).
    np.testing.assert_array_equal(counts, [odd, even] * 4)
    assert set(np.unique(np.asarray(y))) <= {0, 1}


def test_flower_petals_are_the_base_ellipse_rotated_cumulatively():
    n = 51  # odd, so that t = π is a sample: the far tip (-7, 0)
    X, _ = make_flower(jax.random.key(3), n_per_petal=n, noise=0.0)
    petals = np.asarray(X, np.float64).reshape(8, n, 2)
    t = np.linspace(0, 2 * np.pi, n)
    base = np.stack([3.5 * np.cos(t) - 3.5, 0.7 * np.sin(t)], axis=1)  # x1 - max(x1)
    for i in range(1, 9):
        # Row vectors: the seed's t(rot %*% t(x_s)) is x_s @ rot.T, applied i times.
        np.testing.assert_allclose(petals[i - 1], base @ rot(45 * i).T, atol=1e-5)
    # Concretely: the far tip (-7, 0) of petal 1 sits at 225° (rotated counter-clockwise).
    tip = petals[0][np.argmax(np.linalg.norm(petals[0], axis=1))]
    np.testing.assert_allclose(tip, 7 * np.array([-1, -1]) / math.sqrt(2), atol=1e-4)
    # After 8 steps of 45°, the last petal is back on the base ellipse.
    np.testing.assert_allclose(petals[7], base, atol=1e-5)


def test_flower_noise_is_small_and_fresh_per_petal():
    X, _ = make_flower(jax.random.key(0), noise=0.1)
    clean, _ = make_flower(jax.random.key(0), noise=0.0)
    diff = np.asarray(X) - np.asarray(clean)
    # Base noise (rotated) plus fresh noise: std ≈ 0.1·√2 per coordinate.
    assert 0.1 < diff.std() < 0.2
    d = diff.reshape(8, 50, 2)
    assert not np.allclose(d[0], d[7])  # same rotation (0° vs 360°), different noise


def test_blobs_balanced_and_centered():
    centers = jnp.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 10.0]])
    X, y = make_blobs(jax.random.key(0), 301, centers, std=0.5)
    y = np.asarray(y)
    np.testing.assert_array_equal(np.bincount(y), [101, 100, 100])
    for k in range(3):
        np.testing.assert_allclose(np.asarray(X)[y == k].mean(0), centers[k], atol=0.2)
    Xr, yr = make_blobs(jax.random.key(1), 40, 4, num_features=5)
    assert Xr.shape == (40, 5) and int(yr.max()) == 3


def test_moons_and_spirals_shapes_and_classes():
    X, y = make_moons(jax.random.key(0), 101, noise=0.0)
    y = np.asarray(y)
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]
    outer = np.asarray(X)[y == 0]
    np.testing.assert_allclose(np.linalg.norm(outer, axis=1), 1.0, atol=1e-5)
    X, y = make_spirals(jax.random.key(0), 301, classes=3)
    assert X.shape == (301, 2) and np.bincount(np.asarray(y)).tolist() == [101, 100, 100]
    assert float(jnp.abs(X).max()) <= 1.0 + 1e-6


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_counts_are_rejected_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="make_xor: n must be a positive integer"):
        make_xor(jax.random.key(0), bad)
