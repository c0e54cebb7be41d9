"""Tests for jaxnn.losses: formulas, parity with optax, stability, shape errors."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.test_util import check_grads

from jaxnn import losses as L

RNG = np.random.default_rng(0)
A_ = RNG.normal(size=(6, 3)).astype(np.float32)
Y_ = RNG.normal(size=(6, 3)).astype(np.float32)


def test_quadratic_cost_mse_l1_formulas():
    n = A_.shape[0]
    np.testing.assert_allclose(
        L.quadratic_cost(A_, Y_), np.sum(np.linalg.norm(Y_ - A_, axis=1) ** 2) / (2 * n), rtol=1e-6
    )
    np.testing.assert_allclose(L.mse(A_, Y_), np.mean((A_ - Y_) ** 2), rtol=1e-6)
    np.testing.assert_allclose(L.l1_loss(A_, Y_), np.abs(A_ - Y_).sum(axis=1).mean(), rtol=1e-6)
    # mse averages over outputs too, quadratic_cost does not and has the 1/2.
    np.testing.assert_allclose(L.mse(A_, Y_), 2 * L.quadratic_cost(A_, Y_) / 3, rtol=1e-6)


def test_binary_cross_entropy_matches_formula_and_clips():
    p = np.array([0.1, 0.5, 0.9, 0.0, 1.0], np.float32)
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0], np.float32)
    # Clipped in float32, where 1 - 1e-7 rounds to 1 - 1.19e-7 (as numpy float32 does).
    pc = np.clip(p, np.float32(1e-7), np.float32(1 - 1e-7)).astype(np.float64)
    expected = np.mean(-(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    out = L.binary_cross_entropy(p, y)
    assert np.isfinite(out)
    np.testing.assert_allclose(out, expected, rtol=1e-4)
    np.testing.assert_allclose(
        L.binary_cross_entropy(p, y, eps=1e-3), np.mean(-(y * np.log(np.clip(p, 1e-3, 1 - 1e-3))
        + (1 - y) * np.log(1 - np.clip(p, 1e-3, 1 - 1e-3)))), rtol=1e-5,
    )  # fmt: skip


def test_bce_with_logits_matches_optax_and_probability_version():
    z = RNG.normal(size=(8,)).astype(np.float32) * 3
    y = (RNG.random(8) > 0.5).astype(np.float32)
    np.testing.assert_allclose(
        L.binary_cross_entropy_with_logits(z, y),
        optax.sigmoid_binary_cross_entropy(z, y).mean(),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        L.binary_cross_entropy_with_logits(z, y),
        L.binary_cross_entropy(jax.nn.sigmoid(z), y),
        rtol=1e-4,
    )


def test_bce_with_logits_stable_at_1e4():
    z = jnp.array([1e4, -1e4, 1e4, -1e4], jnp.float32)
    y = jnp.array([1.0, 0.0, 0.0, 1.0])
    per = [float(L.binary_cross_entropy_with_logits(z[i : i + 1], y[i : i + 1])) for i in range(4)]
    np.testing.assert_allclose(per, [0.0, 0.0, 1e4, 1e4])
    g = jax.grad(L.binary_cross_entropy_with_logits)(z, y)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, (jax.nn.sigmoid(z) - y) / 4)


def test_categorical_cross_entropy_formula_and_clipping():
    p = np.array([[0.2, 0.7, 0.1], [0.0, 0.5, 0.5]], np.float32)
    y = np.eye(3, dtype=np.float32)[[1, 0]]
    expected = np.mean([-np.log(0.7), -np.log(1e-7)])
    np.testing.assert_allclose(L.categorical_cross_entropy(p, y), expected, rtol=1e-5)


def test_softmax_cross_entropy_matches_optax_and_is_stable():
    logits = RNG.normal(size=(5, 4)).astype(np.float32) * 4
    labels = np.array([0, 3, 1, 2, 3])
    np.testing.assert_allclose(
        L.softmax_cross_entropy(logits, labels),
        optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean(),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        L.softmax_cross_entropy(logits, labels),
        L.categorical_cross_entropy(jax.nn.softmax(logits), np.eye(4)[labels]),
        rtol=1e-4,
    )
    huge = jnp.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    out = L.softmax_cross_entropy(huge, jnp.array([0, 0]))
    np.testing.assert_allclose(out, (0.0 + 2e4) / 2)
    assert np.isfinite(jax.grad(L.softmax_cross_entropy)(huge, jnp.array([0, 0]))).all()


def test_softmax_cross_entropy_works_under_jit_and_extra_axes():
    logits = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    labels = np.array([[0, 1, 2], [3, 3, 0]])
    ref = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    np.testing.assert_allclose(jax.jit(L.softmax_cross_entropy)(logits, labels), ref, rtol=1e-6)


def test_softmax_cross_entropy_label_errors():
    logits = jnp.zeros((3, 4))
    with pytest.raises(ValueError, match=r"look one-hot.*argmax"):
        L.softmax_cross_entropy(logits, jnp.eye(4)[:3])
    with pytest.raises(TypeError, match=r"integer class labels.*astype"):
        L.softmax_cross_entropy(logits, jnp.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"expected labels of shape \(3,\)"):
        L.softmax_cross_entropy(logits, jnp.array([0, 1]))
    with pytest.raises(ValueError, match=r"class ids in \[0, 4\).*\[0, 4\]"):
        L.softmax_cross_entropy(logits, jnp.array([0, 1, 4]))


@pytest.mark.parametrize(
    "fn",
    [L.quadratic_cost, L.mse, L.l1_loss, L.binary_cross_entropy,
     L.binary_cross_entropy_with_logits, L.categorical_cross_entropy],
)  # fmt: skip
def test_shape_mismatch_is_a_clear_error(fn):
    # (N, 1) against (N,) would silently broadcast to (N, N).
    with pytest.raises(ValueError, match=r"same shape.*\(4, 1\).*\(4,\).*reshape"):
        fn(jnp.full((4, 1), 0.5), jnp.ones(4))


def test_batch_losses_reject_scalars():
    with pytest.raises(ValueError, match="leading batch axis"):
        L.quadratic_cost(1.0, 0.0)


def test_l2_penalty_nested_weights_only_and_matches_optax_l2_loss():
    params = {
        "mlp": [{"w": jnp.array([[1.0, 2.0]]), "b": jnp.array([100.0])},
                {"w": jnp.array([3.0]), "b": jnp.array(7.0)}],
        "conv": {"block": {"w": jnp.full((2, 2, 1, 1), 0.5), "b": jnp.ones(1)}},
        "scale": jnp.array(9.0),
    }  # fmt: skip
    sum_sq = 1 + 4 + 9 + 4 * 0.25
    np.testing.assert_allclose(L.l2_penalty(params, lam=0.3, m=10), 0.3 / 20 * sum_sq, rtol=1e-6)
    ws = [params["mlp"][0]["w"], params["mlp"][1]["w"], params["conv"]["block"]["w"]]
    via_optax = sum(optax.l2_loss(w).sum() for w in ws) * 0.3 / 10
    np.testing.assert_allclose(L.l2_penalty(params, 0.3, 10), via_optax, rtol=1e-6)
    mask = L.weight_mask(params)
    assert mask["mlp"][0] == {"w": True, "b": False} and mask["scale"] is False


def test_l2_penalty_gradient_is_lambda_w_over_m_and_names():
    params = [{"w": jnp.array([1.0, -2.0]), "b": jnp.array(3.0)}]
    g = jax.grad(L.l2_penalty)(params, 0.5, 4)
    np.testing.assert_allclose(g[0]["w"], 0.5 * params[0]["w"] / 4)
    np.testing.assert_allclose(g[0]["b"], 0.0)
    flax_like = {"Dense_0": {"kernel": jnp.array([2.0]), "bias": jnp.array([5.0])}}
    assert float(L.l2_penalty(flax_like, 1.0, 1)) == 0.0
    np.testing.assert_allclose(L.l2_penalty(flax_like, 1.0, 1, names=("kernel",)), 2.0)


def test_l2_penalty_rejects_bad_m():
    with pytest.raises(ValueError, match=r"number of training examples.*X_train.shape\[0\]"):
        L.l2_penalty({"w": jnp.ones(2)}, 0.1, 0)


def test_check_grads_of_losses():
    z = jnp.array([[0.3, -1.2, 2.0], [1.0, 0.1, -0.5]])
    y = jnp.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    kw = {"order": 1, "modes": ("rev",), "eps": 1e-2, "atol": 1e-2, "rtol": 1e-2}
    labels = jnp.array([2, 0])
    for loss in (
        lambda a: L.binary_cross_entropy_with_logits(a, y),
        lambda a: L.softmax_cross_entropy(a, labels),
        lambda a: L.quadratic_cost(a, y),
        lambda a: L.binary_cross_entropy(jax.nn.sigmoid(a), y),
    ):
        check_grads(jax.jit(loss), (z,), **kw)


def test_docstring_examples():
    result = doctest.testmod(L, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0


def test_bce_with_logits_gradient_is_right_at_zero_logits():
    # A model whose weights start at zero sees z = 0 on its first step: the gradient there
    # must be (σ(0) − y)/n = (0.5 − y)/n, as optax's.
    z = jnp.array([0.0, 0.0, 1.0, -2.0])
    y = jnp.array([0.0, 1.0, 0.0, 1.0])
    ours = jax.grad(L.binary_cross_entropy_with_logits)(z, y)
    theirs = jax.grad(lambda z: optax.sigmoid_binary_cross_entropy(z, y).mean())(z)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours[:2], [0.125, -0.125], rtol=1e-6)
