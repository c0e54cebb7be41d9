"""Tests for jaxnn.gradcheck: float64 central differences, relative error, check_gradients."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from jaxnn import activations, losses, models
from jaxnn import gradcheck as G


def _f(p):
    return jnp.sum(jnp.sin(p["w"]) * p["b"]) + jnp.sum(p["w"] ** 3)


def _df(p):
    return {"w": np.cos(p["w"]) * p["b"] + 3 * p["w"] ** 2, "b": np.sum(np.sin(p["w"]))}


def test_numerical_gradient_matches_analytic_in_float64_and_keeps_dtypes():
    p64 = {"w": np.array([[0.3, -1.2], [2.0, 0.7]]), "b": np.array(1.5)}
    g = G.numerical_gradient(_f, p64)
    assert g["w"].dtype == np.float64 and g["b"].dtype == np.float64
    expected = _df(p64)
    np.testing.assert_allclose(g["w"], expected["w"], rtol=1e-9)
    np.testing.assert_allclose(g["b"], expected["b"], rtol=1e-9)
    # float32 params: the differences are still taken in float64, then rounded.
    p32 = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), p64)
    g32 = G.numerical_gradient(_f, p32)
    assert g32["w"].dtype == np.float32
    np.testing.assert_allclose(g32["w"], expected["w"], rtol=1e-6)


def test_x64_mode_is_restored():
    before = jax.config.jax_enable_x64
    G.numerical_gradient(lambda x: jnp.sum(x**2), np.ones(2))
    G.check_gradients(lambda x: jnp.sum(x**2), np.ones(2))
    assert jax.config.jax_enable_x64 == before
    assert jnp.ones(1).dtype == (jnp.float64 if before else jnp.float32)


def test_numpy_only_function_falls_back_to_eager_calls():
    def f(x):  # not traceable: float() of a tracer fails
        return float(np.sum(np.asarray(x) ** 2))

    np.testing.assert_allclose(G.numerical_gradient(f, np.array([1.0, -2.0])), [2.0, -4.0])


def test_relative_error_cs231n_form():
    assert G.relative_error(np.zeros(3), np.zeros(3)) == 0.0  # both 0 counts 0
    assert G.relative_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == 0.5
    assert G.relative_error(np.array([2.0]), np.array([-2.0])) == 1.0
    assert G.relative_error(np.array([1e-3]), np.array([0.0])) == 1.0
    assert G.relative_error(np.array([1e-20]), np.array([0.0])) == 1e-8  # the 1e-12 floor
    tree_a = [{"w": np.array([1.0, 2.0])}, np.array(4.0)]
    tree_b = [{"w": np.array([1.0, 2.0])}, np.array(5.0)]
    np.testing.assert_allclose(G.relative_error(tree_a, tree_b), 1 / 9)
    with pytest.raises(ValueError, match=r"same structure and shapes"):
        G.relative_error({"w": np.ones(2)}, {"w": np.ones(3)})


def test_check_gradients_passes_on_mlp_with_jax_grad_and_agrees_with_check_grads():
    net = models.mlp([3, 4, 2], activation=activations.tanh)
    rng = np.random.default_rng(0)
    params = [
        {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)},
        {"w": rng.normal(size=(4, 2)), "b": rng.normal(size=2)},
    ]
    x = rng.normal(size=(5, 3))
    y = np.array([0, 1, 1, 0, 1])

    def make_loss(x):
        def loss(p):
            logits = net.apply(p, x)
            return losses.softmax_cross_entropy(logits, y) + losses.l2_penalty(p, 0.1, 5)

        return loss

    result = G.check_gradients(make_loss(x), params)  # evaluated in float64
    assert result.ok and result.max_rel_error < 1e-6
    assert isinstance(result.errors, list) and set(result.errors[0]) == {"w", "b"}
    p32 = jax.tree.map(lambda a: a.astype(np.float32), params)
    loss32 = jax.jit(make_loss(x.astype(np.float32)))
    check_grads(loss32, (p32,), order=1, modes=("rev",), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_check_gradients_catches_wrong_hand_written_backprop():
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    y = np.array([[1.0], [0.0]])
    params = [{"w": np.array([[0.2], [-0.4]]), "b": np.array([0.1])}]

    def cost(p):
        return losses.quadratic_cost(activations.sigmoid(x @ p[0]["w"] + p[0]["b"]), y)

    z = x @ params[0]["w"] + params[0]["b"]
    a = np.asarray(activations.sigmoid(z), np.float64)
    delta = (a - y) * a * (1 - a) / 2  # δ = (a − y) ⊙ σ'(z), averaged over n = 2
    good = [{"w": x.T @ delta, "b": delta.sum(0)}]
    ok = G.check_gradients(cost, params, good)
    assert ok.ok and ok.max_rel_error < 1e-6
    bad = [{"w": x.T @ ((a - y) / 2), "b": delta.sum(0)}]  # forgot σ'(z)
    result = G.check_gradients(cost, params, bad)
    assert not result.ok and result.max_rel_error > 0.1
    assert result.worst_path == "[0]['w']" and result.worst_index in {(0, 0), (1, 0)}
    assert result.errors[0]["b"] < 1e-6


def test_gradcheck_errors():
    with pytest.raises(ValueError, match=r"must return a scalar.*\.sum\(\)"):
        G.numerical_gradient(lambda x: x**2, np.ones(3))
    with pytest.raises(TypeError, match=r"floating-point.*\['n'\].*int"):
        G.numerical_gradient(lambda p: p["w"].sum(), {"w": np.ones(2), "n": np.array(3)})
    with pytest.raises(ValueError, match=r"eps must be a positive float"):
        G.numerical_gradient(lambda x: x.sum(), np.ones(2), eps=0.0)
    with pytest.raises(ValueError, match=r"same structure"):
        G.check_gradients(lambda x: x.sum(), np.ones(2), np.ones(3))


def test_docstring_examples():
    result = doctest.testmod(G, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
