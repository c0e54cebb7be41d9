"""Tests for jaxnn.layers: flax parity, init/apply shape agreement, dropout, serial, errors."""

import doctest
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from jaxnn import activations, initializers
from jaxnn import layers as Ly

KEY = jax.random.key(0)
RNG = np.random.default_rng(0)
X_IMG = RNG.normal(size=(2, 9, 8, 3)).astype(np.float32)

# Drawing weights compiles a random-number kernel per shape (~0.2 s of CPU each), so
# most tests take init's shapes from jax.eval_shape and fill the params with numpy.


def _abstract_init(layer, in_shape):
    """(output_shape, params as ShapeDtypeStructs) without drawing anything."""
    box = {}

    def init(key):
        box["out"], params = layer.init(key, in_shape)
        return params

    params = jax.eval_shape(init, KEY)
    return box["out"], params


def _np_params(layer, in_shape, scale=0.5):
    """Random numpy params with the structure and shapes that layer.init returns."""
    out, abstract = _abstract_init(layer, in_shape)
    return out, jax.tree.map(lambda a: (scale * RNG.normal(size=a.shape)).astype(a.dtype), abstract)


def _eval_shape(layer, params, in_shape, batch=2):
    """The apply output shape for a concrete batch, via jax.eval_shape (no FLOPs)."""
    spec = jax.ShapeDtypeStruct((batch, *in_shape[1:]), jnp.float32)
    return jax.eval_shape(lambda p, x: layer.apply(p, x), params, spec).shape


def test_dense_matches_flax_dense():
    layer = Ly.dense(5)
    out_shape, params = _np_params(layer, (None, 7))
    assert out_shape == (None, 5)
    assert params["w"].shape == (7, 5) and params["b"].shape == (5,)
    x = RNG.normal(size=(4, 7)).astype(np.float32)
    ref = nn.Dense(5).apply({"params": {"kernel": params["w"], "bias": params["b"]}}, x)
    np.testing.assert_allclose(layer.apply(params, x), ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "kernel, stride, padding, flax_padding",
    [
        (3, 1, "SAME", "SAME"),
        (3, 2, "SAME", "SAME"),
        ((3, 2), 1, "VALID", "VALID"),
        (3, (2, 1), 1, 1),
        (5, 2, 2, 2),
        ((2, 3), 1, ((1, 0), (0, 2)), ((1, 0), (0, 2))),
    ],
)
def test_conv2d_matches_flax_conv(kernel, stride, padding, flax_padding):
    layer = Ly.conv2d(4, kernel, stride=stride, padding=padding)
    out_shape, params = _np_params(layer, (None, 9, 8, 3))
    ks = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    st = stride if isinstance(stride, tuple) else (stride, stride)
    conv = nn.Conv(4, ks, strides=st, padding=flax_padding)
    ref = conv.apply({"params": {"kernel": params["w"], "bias": params["b"]}}, X_IMG)
    y = layer.apply(params, X_IMG)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    assert out_shape == (None, *ref.shape[1:])


@pytest.mark.parametrize(
    "window, stride, padding",
    [(2, None, "VALID"), (3, 2, "SAME"), ((2, 3), (1, 2), "VALID"), (3, 1, ((1, 1), (0, 2)))],
)
def test_pools_match_flax(window, stride, padding):
    ws = window if isinstance(window, tuple) else (window, window)
    st = (stride if isinstance(stride, tuple) else (stride, stride)) if stride else ws
    mx = Ly.max_pool(window, stride, padding)
    np.testing.assert_allclose(mx.apply({}, X_IMG), nn.max_pool(X_IMG, ws, st, padding), rtol=1e-6)
    for include in (True, False):
        av = Ly.avg_pool(window, stride, padding, count_include_pad=include)
        ref = nn.avg_pool(X_IMG, ws, st, padding, count_include_pad=include)
        np.testing.assert_allclose(av.apply({}, X_IMG), ref, rtol=1e-5, atol=1e-6)
        assert av.init(KEY, (None, 9, 8, 3))[0] == (None, *ref.shape[1:])


def test_avg_pool_padding_semantics_documented():
    x = jnp.ones((1, 3, 3, 1))
    corner_incl = Ly.avg_pool(3, 1, "SAME").apply({}, x)[0, 0, 0, 0]
    corner_excl = Ly.avg_pool(3, 1, "SAME", count_include_pad=False).apply({}, x)[0, 0, 0, 0]
    np.testing.assert_allclose(corner_incl, 4 / 9)  # 4 real ones, 5 padded zeros
    np.testing.assert_allclose(corner_excl, 1.0)


LAYERS = [
    (Ly.dense(3), (None, 5)),
    (Ly.dense(2), (None, 4, 5)),
    (Ly.conv2d(6, 5, padding="VALID"), (None, 12, 10, 3)),
    (Ly.conv2d(2, 3, stride=2), (None, 7, 7, 1)),
    (Ly.max_pool(2), (None, 7, 6, 2)),
    (Ly.avg_pool(3, 2, "SAME"), (None, 7, 6, 2)),
    (Ly.flatten(), (None, 4, 3, 2)),
    (Ly.dropout(0.5), (None, 3)),
    (Ly.relu, (None, 2, 3)),
    (Ly.log_softmax, (None, 4)),
    (Ly.residual(Ly.serial(Ly.dense(4), Ly.tanh, Ly.dense(3))), (None, 3)),
    (
        Ly.serial(
            Ly.conv2d(4, 3), Ly.relu, Ly.max_pool(2), Ly.dropout(0.1), Ly.flatten(), Ly.dense(10)
        ),
        (None, 8, 8, 1),
    ),
]


@pytest.mark.parametrize("layer, in_shape", LAYERS)
def test_init_shape_equals_apply_shape(layer, in_shape):
    out_shape, params = _abstract_init(layer, in_shape)
    assert out_shape[0] is None
    assert _eval_shape(layer, params, in_shape) == (2, *out_shape[1:])
    assert _eval_shape(layer, params, in_shape, batch=5)[1:] == out_shape[1:]


def test_real_init_is_flax_default_with_one_sub_key_per_layer():
    # One weight shape only, (6, 6): every new shape compiles a random kernel.
    net = Ly.serial(Ly.dense(6), Ly.relu, Ly.dense(6))
    out_shape, params = net.init(KEY, (None, 6))
    assert out_shape == (None, 6) and list(params) == ["dense_0", "dense_2"]
    assert jax.tree.map(jnp.shape, params) == jax.tree.map(
        jnp.shape, _abstract_init(net, (None, 6))[1]
    )
    # serial splits its key per layer; dense splits its own into (w, b) keys.
    k_layer = jax.random.split(KEY, 3)[2]
    k_w, _ = jax.random.split(k_layer)
    flax_default = nn.initializers.lecun_normal()(k_w, (6, 6))
    np.testing.assert_allclose(params["dense_2"]["w"], flax_default, rtol=1e-6)
    np.testing.assert_array_equal(params["dense_2"]["b"], np.zeros(6))
    assert not np.allclose(params["dense_0"]["w"], params["dense_2"]["w"])  # distinct keys
    _, again = net.init(KEY, (None, 6))
    np.testing.assert_array_equal(again["dense_0"]["w"], params["dense_0"]["w"])
    # A factory is accepted where an init is expected (lecun_normal vs lecun_normal()).
    _, same = Ly.dense(6, w_init=initializers.lecun_normal).init(k_layer, (None, 6))
    np.testing.assert_array_equal(same["w"], params["dense_2"]["w"])


def test_conv_output_size_agrees_with_conv_init():
    for h, k, p, s in [(32, 5, 0, 1), (32, 5, 2, 1), (7, 3, 0, 2), (28, 3, 1, 2)]:
        shape, _ = _abstract_init(Ly.conv2d(1, k, stride=s, padding=p), (None, h, h, 1))
        assert shape[1] == Ly.conv_output_size(h, k, p, s) == (h - k + 2 * p) // s + 1
    assert Ly.conv_output_size(28, 3, "SAME", 2) == 14


def test_dropout_statistics_and_scaling():
    rate, n = 0.3, 200 * 200
    x = jnp.ones((200, 200))
    y = np.asarray(Ly.dropout(rate).apply({}, x, train=True, key=jax.random.key(7)))
    dropped = np.mean(y == 0)
    assert abs(dropped - rate) < 5 * np.sqrt(rate * (1 - rate) / n)  # binomial bound
    np.testing.assert_allclose(y[y != 0], 1 / (1 - rate), rtol=1e-6)
    # The expectation is preserved: that is the point of the 1/(1 - rate) scaling.
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(rate / (1 - rate) / n)


def test_dropout_identity_when_not_training_and_errors():
    layer = Ly.dropout(0.5)
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(layer.apply({}, x), x)
    np.testing.assert_array_equal(layer.apply({}, x, train=False, key=KEY), x)
    np.testing.assert_array_equal(Ly.dropout(0.0).apply({}, x, train=True), x)
    with pytest.raises(ValueError, match=r"train=True but no key.*key=key"):
        layer.apply({}, x, train=True)
    for bad in (1.0, -0.1, 1.5, "half", None):
        with pytest.raises(ValueError, match=r"probability of DROPPING.*0 <= rate < 1"):
            Ly.dropout(bad)
    with pytest.raises(TypeError, match="PRNG key"):
        layer.apply({}, x, train=True, key=0)


def test_dropout_under_jit_with_static_train():
    apply = jax.jit(Ly.dropout(0.5).apply, static_argnames="train")
    x = jnp.ones((200, 200))
    a = apply({}, x, train=True, key=jax.random.key(1))
    b = apply({}, x, train=True, key=jax.random.key(2))
    assert not np.array_equal(a, b)
    with pytest.raises(TypeError, match="static_argnames='train'"):
        jax.jit(lambda t: Ly.dropout(0.5).apply({}, x, train=t, key=KEY))(True)


def test_serial_names_omit_empty_params_and_thread_shapes():
    net = Ly.serial(Ly.dense(8), Ly.relu, Ly.dropout(0.2), Ly.dense(3), Ly.softmax)
    out_shape, params = _np_params(net, (None, 5))
    assert out_shape == (None, 3)
    assert list(params) == ["dense_0", "dense_3"]
    assert params["dense_3"]["w"].shape == (8, 3)
    x = RNG.normal(size=(4, 5)).astype(np.float32)
    manual = jax.nn.softmax(
        jax.nn.relu(x @ params["dense_0"]["w"] + params["dense_0"]["b"]) @ params["dense_3"]["w"]
        + params["dense_3"]["b"]
    )
    np.testing.assert_allclose(net.apply(params, x), manual, rtol=1e-5)
    init_fn, apply_fn = net  # stax-style unpacking
    assert init_fn is net.init and apply_fn is net.apply and net.kind == "serial"


def test_serial_gives_each_layer_its_own_key():
    net = Ly.serial(Ly.dropout(0.5), Ly.dropout(0.5))
    _, params = net.init(KEY, (None, 200))
    assert params == {}
    x = jnp.ones((200, 200))
    # Record the mask of each dropout: the second sees the first's output (0 or 2).
    first = Ly.serial(Ly.dropout(0.5), Ly.activation(lambda z: z, "id")).apply
    k = jax.random.key(3)
    y1 = first(params, x, train=True, key=k)
    y2 = net.apply(params, x, train=True, key=k)
    kept_by_first = np.asarray(y1 != 0)
    np.testing.assert_array_equal(np.asarray(y2 != 0) & ~kept_by_first, False)
    # Had both layers used the same key they would drop the same units: the survivors
    # would be exactly those of the first. With different keys about half of them die.
    survivors_second = np.asarray(y2 != 0)[kept_by_first]
    assert 0.35 < survivors_second.mean() < 0.65
    np.testing.assert_array_equal(y2, net.apply(params, x, train=True, key=k))  # deterministic
    with pytest.raises(ValueError, match="no key"):
        net.apply(params, x, train=True)


def test_serial_errors():
    with pytest.raises(TypeError, match=r"argument 1 is .*not a Layer.*jaxnn.layers.relu"):
        Ly.serial(Ly.dense(3), activations.relu)
    with pytest.raises(TypeError, match=r"not a Layer.*dense\(10\) \(called\)"):
        Ly.serial(Ly.dense)
    net = Ly.serial(Ly.dense(2))
    _, params = _np_params(net, (None, 3))
    with pytest.raises(ValueError, match=r"Unexpected keys \['dense_7'\]"):
        net.apply({**params, "dense_7": params["dense_0"]}, jnp.ones((1, 3)))
    with pytest.raises(ValueError, match=r"must be the dict that serial's init returned"):
        net.apply([params["dense_0"]], jnp.ones((1, 3)))


def test_clear_errors_on_bad_inputs():
    _, dp = _abstract_init(Ly.dense(4), (None, 784))
    with pytest.raises(ValueError, match=r"input has 28 features.*expect 784.*flatten\(\)"):
        Ly.dense(4).apply(dp, jnp.ones((2, 28, 28)))
    conv = Ly.conv2d(4, 3)
    _, cp = _abstract_init(conv, (None, 8, 8, 1))
    with pytest.raises(ValueError, match=r"NHWC.*x\[\.\.\., None\]"):
        conv.apply(cp, jnp.ones((2, 8, 8)))
    with pytest.raises(ValueError, match=r"3 channels.*expect 1.*transpose"):
        conv.apply(cp, jnp.ones((2, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"keys \['w', 'b'\]"):
        conv.apply({"kernel": cp["w"]}, jnp.ones((2, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"output would be empty.*smaller window"):
        Ly.conv2d(2, 5, padding="VALID").init(KEY, (None, 4, 4, 1))
    with pytest.raises(ValueError, match=r"padding must be 'SAME', 'VALID'"):
        Ly.conv2d(2, 3, padding="FULL")
    with pytest.raises(ValueError, match=r"kernel_size must be a positive int"):
        Ly.conv2d(2, 0)
    with pytest.raises(ValueError, match=r"NHWC input_shape"):
        Ly.max_pool(2).init(KEY, (None, 8, 8))
    with pytest.raises(ValueError, match=r"keep the shape.*SAME padding"):
        Ly.residual(Ly.dense(5)).init(KEY, (None, 3))


def test_residual_adds_input_and_zero_inner_is_identity():
    inner = Ly.serial(Ly.conv2d(6, 3), Ly.relu, Ly.conv2d(3, 3))
    block = Ly.residual(inner)
    shape, params = _np_params(block, (None, 9, 8, 3))
    assert shape == (None, 9, 8, 3) and list(params) == ["conv2d_0", "conv2d_2"]

    @jax.jit
    def both(params):
        return block.apply(params, X_IMG), X_IMG + inner.apply(params, X_IMG)

    y, expected = both(params)
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    zero = jax.tree.map(np.zeros_like, params)
    np.testing.assert_allclose(both(zero)[0], X_IMG)


def test_activation_layers_match_functions():
    x = jnp.linspace(-3, 3, 7)
    pairs = [
        (Ly.relu, activations.relu), (Ly.sigmoid, activations.sigmoid),
        (Ly.tanh, activations.tanh), (Ly.softmax, activations.softmax),
        (Ly.log_softmax, activations.log_softmax), (Ly.leaky_relu, activations.leaky_relu),
        (Ly.step, activations.step),
    ]  # fmt: skip
    for layer, fn in pairs:
        assert layer.init(KEY, (None, 7)) == ((None, 7), {})
        np.testing.assert_array_equal(layer.apply({}, x), fn(x))
    leaky = Ly.activation(functools.partial(activations.leaky_relu, alpha=0.2))
    assert leaky.kind == "leaky_relu"
    np.testing.assert_allclose(leaky.apply({}, x)[0], -0.6)


def test_gradients_through_serial_cnn_check_grads():
    # Under jit, as in training: the pools must stay reverse-differentiable there. In float64
    # with a small step: overlapping max-pool windows put kinks everywhere, and float32
    # differences with eps = 1e-2 crossed one on 10 of 30 random draws (1e-4 in float64: 0).
    net = Ly.serial(
        Ly.conv2d(2, 3, stride=2), Ly.tanh, Ly.max_pool(2, 1, "SAME"), Ly.avg_pool(2),
        Ly.flatten(), Ly.dense(2),
    )  # fmt: skip
    _, abstract = _abstract_init(net, (None, 8, 8, 1))
    rng = np.random.default_rng(3)  # its own draws, whatever ran before in this process
    with jax.enable_x64(True):
        params = jax.tree.map(lambda a: 0.5 * rng.normal(size=a.shape), abstract)
        x = rng.normal(size=(2, 8, 8, 1))

        @jax.jit
        def loss(p):
            return jnp.sum(net.apply(p, x) ** 2)

        check_grads(loss, (params,), order=1, modes=("rev",), eps=1e-4, atol=1e-4, rtol=1e-4)


def test_docstring_examples():
    result = doctest.testmod(Ly, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


def test_max_pool_fast_path_matches_reduce_window_values_and_gradients():
    # Non-overlapping VALID windows take a reshape path (faster gradients on CPU); its values
    # and, without ties, its gradients must be reduce_window's, odd sizes (cropping) included.
    from jax import lax

    x = jnp.asarray(np.random.default_rng(7).normal(size=(2, 7, 9, 3)), jnp.float32)

    def reference(x):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 3, 1), (1, 2, 3, 1), "VALID")

    pool = Ly.max_pool((2, 3))
    np.testing.assert_array_equal(pool.apply({}, x), reference(x))
    g_ours = jax.grad(lambda v: (pool.apply({}, v) ** 2).sum())(x)
    g_ref = jax.grad(lambda v: (reference(v) ** 2).sum())(x)
    np.testing.assert_allclose(g_ours, g_ref, rtol=1e-6)
