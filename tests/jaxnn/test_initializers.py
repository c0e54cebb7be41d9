"""Tests for jaxnn.initializers: parity with jax.nn.initializers, fans, statistics, errors."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxnn import initializers as I

KEY = jax.random.key(42)
# HWIO: the fans involve the receptive field (fan_in 576, fan_out 1152). Tests and
# doctests share this shape: each new shape compiles a new random-number kernel.
CONV = (3, 3, 64, 128)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (I.lecun_normal(), jax.nn.initializers.lecun_normal()),
        (I.he_normal(), jax.nn.initializers.he_normal()),
        (I.he_uniform(), jax.nn.initializers.he_uniform()),
        (I.glorot_normal(), jax.nn.initializers.glorot_normal()),
        (I.glorot_uniform(), jax.nn.initializers.glorot_uniform()),
        (I.normal(0.3), jax.nn.initializers.normal(0.3)),
        (I.uniform(0.5), jax.nn.initializers.uniform(0.5)),
        (I.zeros, jax.nn.initializers.zeros),
        (I.ones, jax.nn.initializers.ones),
    ],
)
def test_same_draws_as_jax_nn_initializers(ours, theirs):
    a = ours(KEY, CONV)
    b = theirs(KEY, CONV, jnp.float32)
    assert a.shape == CONV and a.dtype == jnp.float32
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_same_draws_for_dense_kernels():
    a = I.glorot_uniform()(KEY, (64, 32))
    np.testing.assert_allclose(a, jax.nn.initializers.glorot_uniform()(KEY, (64, 32)), rtol=1e-6)


def test_fans_for_dense_and_conv():
    assert I.compute_fans((784, 10)) == (784.0, 10.0)
    assert I.compute_fans((5, 5, 3, 16)) == (75.0, 400.0)  # fan_in = KH·KW·C_in
    with pytest.raises(ValueError, match=r"at least 2 dims.*zeros/normal for biases"):
        I.lecun_normal()(KEY, (10,))


def test_variances_follow_their_fans():
    conv = CONV
    cases = [
        (I.he_normal(), 2 / 576),
        (I.lecun_normal(), 1 / 576),
        (I.glorot_normal(), 2 / (576 + 1152)),
        (I.glorot_uniform(), 2 / (576 + 1152)),
    ]
    for init, var in cases:
        w = np.asarray(init(KEY, conv), np.float64)
        assert abs(w.mean()) < 0.05 * np.sqrt(var)
        assert abs(w.var() / var - 1) < 0.03, (init, w.var(), var)
    w = np.asarray(I.lecun_normal()(KEY, conv))
    assert np.abs(w).max() <= 2 * np.sqrt(1 / 576) / 0.8796 + 1e-6  # truncated at 2σ_raw


def test_uniform_scale_and_range():
    w = np.asarray(I.uniform(0.5)(KEY, CONV))
    assert w.min() >= 0 and w.max() < 0.5 and w.max() > 0.49
    w = np.asarray(I.uniform((-1.0, 1.0))(KEY, CONV))  # seed 001's Reseau
    assert -1 <= w.min() < -0.99 and 0.99 < w.max() < 1
    for bad in [(1.0, -1.0), (0.0, 0.0, 1.0), -0.1, 0.0]:
        with pytest.raises(ValueError, match=r"uniform: expected a scale"):
            I.uniform(bad)


def test_dtype_and_key_determinism():
    a = I.he_normal()(KEY, CONV, jnp.bfloat16)
    assert a.dtype == jnp.bfloat16
    np.testing.assert_array_equal(I.he_normal()(KEY, CONV), I.he_normal()(KEY, CONV))
    assert not np.allclose(I.he_normal()(KEY, CONV), I.he_normal()(jax.random.key(1), CONV))
    assert I.zeros(None, (2, 3), jnp.int32).dtype == jnp.int32


def test_variance_scaling_bad_arguments():
    with pytest.raises(ValueError, match="mode must be one of"):
        I.variance_scaling(1.0, "fan_sideways", "normal")
    with pytest.raises(ValueError, match="distribution must be one of"):
        I.variance_scaling(1.0, "fan_in", "cauchy")


def test_docstring_examples():
    result = doctest.testmod(I, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
