"""Tests for jaxnn.activations: values, stability at |z| = 1e4, derivatives."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.test_util import check_grads

from jaxnn import activations as A

Z = np.array([-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0])
BIG = np.array([-1e4, -100.0, -80.0, 0.0, 80.0, 100.0, 1e4], np.float32)


def _sigmoid64(z):
    z = np.asarray(z, np.float64)
    return np.where(
        z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))
    )


def test_elementwise_values_match_numpy_formulas():
    s = _sigmoid64(Z)
    np.testing.assert_allclose(A.sigmoid(Z), s, rtol=1e-6)
    np.testing.assert_allclose(A.sigmoid_prime(Z), s * (1 - s), rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(A.relu(Z), np.maximum(Z, 0))
    np.testing.assert_array_equal(A.relu_prime(Z), (Z > 0).astype(np.float32))
    np.testing.assert_allclose(A.tanh(Z), np.tanh(Z), rtol=1e-6)
    np.testing.assert_allclose(A.tanh_prime(Z), 1 - np.tanh(Z) ** 2, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(A.leaky_relu(Z), np.where(Z >= 0, Z, 0.01 * Z), rtol=1e-6)
    np.testing.assert_allclose(A.leaky_relu(Z, alpha=0.3), np.where(Z >= 0, Z, 0.3 * Z), rtol=1e-6)


def test_sigmoid_exact_and_finite_for_huge_inputs():
    s = np.asarray(A.sigmoid(BIG))
    assert s.dtype == np.float32 and np.isfinite(s).all()
    assert s[0] == 0.0 and s[-1] == 1.0
    # Exact to float precision far in the tail (XLA flushes float32 subnormals, below
    # about -87, to 0), where a naive 1 - 1/(1+exp(z)) would already be 0.
    np.testing.assert_allclose(s[2], _sigmoid64(-80.0), rtol=1e-5)
    assert s[2] > 0
    assert np.isfinite(A.sigmoid_prime(BIG)).all()


def test_tanh_softmax_log_softmax_finite_for_huge_inputs():
    assert np.isfinite(A.tanh(BIG)).all()
    logits = jnp.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], jnp.float32)
    p = np.asarray(A.softmax(logits))
    lp = np.asarray(A.log_softmax(logits))
    assert np.isfinite(p).all() and np.isfinite(lp).all()
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(lp[0], [0.0, -1e4, -2e4])
    np.testing.assert_allclose(lp[1], [-np.log(3)] * 3, rtol=1e-6)


def test_softmax_axis_and_log_softmax_consistency():
    x = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    for axis in (0, 1, -1):
        p = np.asarray(A.softmax(x, axis=axis))
        np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-6)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        np.testing.assert_allclose(p, e / e.sum(axis=axis, keepdims=True), rtol=1e-5)
        np.testing.assert_allclose(A.log_softmax(x, axis=axis), np.log(p), rtol=1e-5, atol=1e-6)


def test_step_is_heaviside_with_zero_at_zero_and_float_output():
    out = A.step(jnp.array([-2, 0, 3]))  # integer input
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(out, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(A.step(np.array([-1e-30, 1e-30])), [0.0, 1.0])


def test_integer_inputs_are_promoted_to_float():
    assert A.sigmoid(jnp.arange(3)).dtype == jnp.float32
    assert A.relu(np.array([-1, 2])).dtype == jnp.float32
    np.testing.assert_array_equal(A.relu_prime(np.array([-1, 0, 2])), [0.0, 0.0, 1.0])


def test_autodiff_agrees_with_hand_written_derivatives():
    z = jnp.asarray(Z, jnp.float32)
    np.testing.assert_allclose(jax.vmap(jax.grad(A.sigmoid))(z), A.sigmoid_prime(z), rtol=1e-5)
    np.testing.assert_allclose(jax.vmap(jax.grad(A.tanh))(z), A.tanh_prime(z), rtol=1e-5, atol=1e-7)
    # relu'(0) = 0 on both sides (jax.nn.relu's convention = relu_prime's).
    np.testing.assert_array_equal(jax.vmap(jax.grad(A.relu))(z), A.relu_prime(z))


def test_check_grads_on_smooth_activations():
    x = jnp.array([[-1.5, 0.3, 2.0], [0.7, -0.2, 1.1]])
    for fn in (A.sigmoid, A.tanh, A.softmax, A.log_softmax, A.leaky_relu):
        check_grads(jax.jit(fn), (x,), order=1, modes=("rev",), eps=1e-2, atol=1e-2, rtol=1e-2)


@settings(max_examples=30, deadline=None)
@given(st.floats(-1e4, 1e4, allow_nan=False, width=32), st.floats(-50, 50, width=32))
def test_properties_symmetry_and_shift_invariance(z, shift):
    s = float(A.sigmoid(z)) + float(A.sigmoid(-z))
    assert abs(s - 1.0) < 1e-6
    logits = jnp.array([z, 0.0, -z / 2], jnp.float32)
    np.testing.assert_allclose(A.softmax(logits), A.softmax(logits + shift), atol=1e-5)
    assert np.isfinite(A.log_softmax(logits)).all()


def test_docstring_examples():
    result = doctest.testmod(A, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
