"""Tests for jaxnn.models: param layouts, shapes, known values, training sanity, errors."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxnn import activations, layers, losses
from jaxnn import models as M

KEY = jax.random.key(0)
RNG = np.random.default_rng(0)

# Drawing weights compiles a random-number kernel per shape (~0.2 s of CPU each), so
# shape tests use jax.eval_shape and value tests fill params with numpy.


def _abstract_init(model, in_shape=None):
    """(output_shape, params as ShapeDtypeStructs) without drawing anything."""
    box = {}

    def init(key):
        box["out"], params = model.init(key) if in_shape is None else model.init(key, in_shape)
        return params

    params = jax.eval_shape(init, KEY)
    return box["out"], params


def _np_params(model, in_shape=None, scale=0.5):
    out, abstract = _abstract_init(model, in_shape)
    return out, jax.tree.map(lambda a: (scale * RNG.normal(size=a.shape)).astype(a.dtype), abstract)


def test_mlp_params_are_a_list_of_dense_dicts_and_forward_matches_manual():
    # A real init on the module docstring's shapes (compiled kernels are shared).
    out_shape, real = M.mlp([784, 30, 10]).init(KEY)
    assert out_shape == (None, 10) and isinstance(real, list)
    assert [p["w"].shape for p in real] == [(784, 30), (30, 10)]
    assert float(jnp.abs(real[0]["w"]).sum()) > 0 and float(jnp.abs(real[1]["b"]).sum()) == 0
    net = M.mlp([4, 6, 5, 3])
    out_shape, params = _np_params(net)
    assert out_shape == (None, 3)
    assert isinstance(params, list) and len(params) == 3
    assert [p["w"].shape for p in params] == [(4, 6), (6, 5), (5, 3)]
    assert [p["b"].shape for p in params] == [(6,), (5,), (3,)]
    x = RNG.normal(size=(7, 4)).astype(np.float32)
    h = x.astype(np.float64)
    for i, p in enumerate(params):
        h = h @ np.asarray(p["w"], np.float64) + np.asarray(p["b"], np.float64)
        h = np.maximum(h, 0) if i < 2 else h
    np.testing.assert_allclose(net.apply(params, x), h, rtol=1e-5, atol=1e-5)


def test_mlp_seed001_sigmoid_everywhere_and_layer_activation():
    net = M.mlp([3, 4, 2], activation=activations.sigmoid, final_activation=layers.sigmoid)
    _, params = _np_params(net, (None, 3))
    x = jnp.ones((2, 3))
    a = jax.nn.sigmoid(jax.nn.sigmoid(x @ params[0]["w"] + params[0]["b"]) @ params[1]["w"]
                       + params[1]["b"])  # fmt: skip
    np.testing.assert_allclose(net.apply(params, x), a, rtol=1e-6)


def test_mlp_errors():
    with pytest.raises(ValueError, match=r"at least an input and an output size"):
        M.mlp([10])
    net = M.mlp([784, 10])
    with pytest.raises(ValueError, match=r"built for inputs of shape \(None, 784\).*\(None, 64\)"):
        net.init(KEY, (None, 64))
    _, params = _abstract_init(net)
    with pytest.raises(ValueError, match=r"784.*Flatten images first"):
        net.apply(params, jnp.ones((2, 28, 28)))
    with pytest.raises(ValueError, match=r"list of 1 \{'w', 'b'\} dicts"):
        net.apply({"dense_0": params[0]}, jnp.ones((2, 784)))


def test_count_params_matches_course_formula():
    for n in (1, 30, 100):
        _, params = _abstract_init(M.mlp([784, n, 10]))
        assert M.count_params(params) == 795 * n + 10
    _, params = _abstract_init(M.mlp([2, 2, 1]))
    assert M.count_params(params) == 9
    assert M.count_params(_np_params(M.mlp([2, 5, 3]))[1]) == 33


def test_perceptron_nand_and_rosenblatt_rule():
    X = jnp.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    net = M.perceptron(2)
    shape, params = net.init(KEY)
    assert shape == (None,) and params["w"].shape == (2,) and params["b"].shape == ()
    np.testing.assert_array_equal(net.apply(params, X), [0, 0, 0, 0])  # zeros: w·x + b = 0
    nand = {"w": jnp.array([-2.0, -2.0]), "b": jnp.array(3.0)}
    np.testing.assert_array_equal(net.apply(nand, X), [1, 1, 1, 0])
    # Linearly separable (OR) is learnt exactly; XOR cannot be (seed 004).
    p_or = M.perceptron_fit(X, jnp.array([0.0, 1.0, 1.0, 1.0]), epochs=20)
    np.testing.assert_array_equal(net.apply(p_or, X), [0, 1, 1, 1])
    p_xor = M.perceptron_fit(X, jnp.array([0.0, 1.0, 1.0, 0.0]), epochs=50)
    assert np.mean(np.asarray(net.apply(p_xor, X)) == [0, 1, 1, 0]) < 1.0


def test_perceptron_fit_one_step_is_rosenblatt_update():
    X = jnp.array([[1.0, 2.0]])
    p = M.perceptron_fit(X, jnp.array([1.0]), epochs=1, lr=0.5)
    # ŷ = step(0) = 0, so w += 0.5 · (1 - 0) · x, b += 0.5.
    np.testing.assert_allclose(p["w"], [0.5, 1.0])
    np.testing.assert_allclose(p["b"], 0.5)
    with pytest.raises(ValueError, match=r"labels in \{0, 1\} of shape \(1,\)"):
        M.perceptron_fit(X, jnp.array([[1.0]]))


def test_logistic_regression_output_and_training():
    net = M.logistic_regression(2)
    shape, params = net.init(KEY)
    assert shape == (None,) and params["w"].shape == (2,) and params["b"].shape == ()
    X = jnp.array([[1.0, 2.0], [-1.0, -2.0], [2.0, 1.0], [-2.0, -1.0]])
    y = jnp.array([1.0, 0.0, 1.0, 0.0])
    p = {"w": jnp.array([0.5, -0.25]), "b": jnp.array(0.1)}
    np.testing.assert_allclose(net.apply(p, X), jax.nn.sigmoid(X @ p["w"] + 0.1), rtol=1e-6)
    logit_net = M.logistic_regression(2, return_logits=True)
    np.testing.assert_allclose(logit_net.apply(p, X), X @ p["w"] + 0.1, rtol=1e-6)

    @jax.jit
    def step(params):
        grads = jax.grad(lambda q: losses.binary_cross_entropy(net.apply(q, X), y))(params)
        return jax.tree.map(lambda a, g: a - 0.5 * g, params, grads)

    for _ in range(50):
        params = step(params)
    assert float(losses.binary_cross_entropy(net.apply(params, X), y)) < 0.1


def test_lenet5_shapes_and_param_count():
    net = M.lenet5(10, input_shape=(28, 28, 1))
    shape, params = _abstract_init(net)
    assert shape == (None, 10)
    assert M.count_params(params) == 61706
    assert params["conv2d_3"]["w"].shape == (5, 5, 6, 16)
    assert params["dense_7"]["w"].shape == (400, 120)  # 5 · 5 · 16
    spec = jax.ShapeDtypeStruct((3, 28, 28, 1), jnp.float32)
    assert jax.eval_shape(net.apply, params, spec).shape == (3, 10)
    classic = M.lenet5(7, activation=layers.tanh, pool="avg")
    shape, p2 = _abstract_init(classic, (None, 32, 32, 3))
    assert shape == (None, 7) and p2["dense_7"]["w"].shape == (6 * 6 * 16, 120)


def test_lenet5_errors():
    with pytest.raises(ValueError, match=r"at least 10x10.*simple_cnn"):
        M.lenet5().init(KEY, (None, 8, 8, 1))
    with pytest.raises(ValueError, match=r"needs an input_shape"):
        M.lenet5().init(KEY)
    with pytest.raises(ValueError, match=r"built for inputs of shape \(None, 28, 28, 1\)"):
        M.lenet5(input_shape=(28, 28, 1)).init(KEY, (None, 32, 32, 3))
    with pytest.raises(ValueError, match=r"pool must be 'max' or 'avg'"):
        M.lenet5(pool="median")


def test_simple_cnn_on_digits_sized_inputs_and_dropout_key():
    net = M.simple_cnn(10, (8, 8, 1), hidden=32, dropout_rate=0.25)
    shape, params = _np_params(net, scale=0.1)
    assert shape == (None, 10)
    assert params["conv2d_0"]["w"].shape == (3, 3, 1, 32)
    assert params["dense_7"]["w"].shape == (2 * 2 * 64, 32)
    x = RNG.uniform(size=(2, 8, 8, 1)).astype(np.float32)
    apply = jax.jit(net.apply, static_argnames="train")
    assert apply(params, x).shape == (2, 10)
    a = apply(params, x, train=True, key=jax.random.key(1))
    b = apply(params, x, train=True, key=jax.random.key(2))
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="no key"):
        apply(params, x, train=True)
    assert M.count_params(params) < 200_000  # ex14's budget


def test_residual_block_layout_and_identity_with_zero_weights():
    block = M.residual_block(hidden_channels=5)
    shape, params = _np_params(block, (None, 6, 6, 3))
    assert shape == (None, 6, 6, 3)
    assert jax.tree.map(jnp.shape, params) == {
        "conv1": {"w": (3, 3, 3, 5), "b": (5,)},
        "conv2": {"w": (3, 3, 5, 3), "b": (3,)},
    }
    x = RNG.normal(size=(2, 6, 6, 3)).astype(np.float32)
    conv = layers.conv2d(1, 3)  # apply only reads the params

    @jax.jit
    def both(params):
        h = jax.nn.relu(conv.apply(params["conv1"], x))
        return block.apply(params, x), jax.nn.relu(x + conv.apply(params["conv2"], h))

    y, expected = both(params)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    zero = jax.tree.map(np.zeros_like, params)
    np.testing.assert_allclose(both(zero)[0], np.maximum(x, 0))


def test_mlp_learns_xor_with_optax():
    X = jnp.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = jnp.array([0, 1, 1, 0])
    net = M.mlp([2, 8, 2], activation=activations.tanh)
    _, params = _np_params(net)
    opt = optax.adam(0.05)
    state = opt.init(params)

    @jax.jit
    def step(params, state):
        grads = jax.grad(lambda p: losses.softmax_cross_entropy(net.apply(p, X), y))(params)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(params, updates), state

    for _ in range(150):
        params, state = step(params, state)
    np.testing.assert_array_equal(net.apply(params, X).argmax(-1), y)


def test_docstring_examples():
    result = doctest.testmod(M, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0
