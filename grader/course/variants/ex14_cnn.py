"""ex14_cnn: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex14_cnn.py`` already holds: probabilities instead of logits, a ReLU
before the addition only, shapes written for the digits, a squeezed batch of one, no ReLU
between the convolutions, ``np.random``, dropout when evaluating, VALID convolutions, no
pooling, forgotten biases, zero filters. These cover other forms.

A wrong ``init_cnn`` would also fail ``cnn_apply``'s checks (they call it), so each wrong
submission pairs one of them with the reference's other.
"""

CORRECT = {
    # The course's own jaxnn layers (serial, conv2d, max_pool, dense: LeCun-normal init);
    # the residual block with lax.conv_general_dilated and explicit ((1, 1), (1, 1)) padding,
    # not jitted.
    "jaxnn_layers_explicit_padding": {
        "init_cnn": """
from jaxnn import layers as L


def _net(num_classes):
    return L.serial(
        L.conv2d(16, 3), L.relu, L.max_pool(2),
        L.conv2d(32, 3), L.relu, L.max_pool(2),
        L.flatten(), L.dense(64), L.relu, L.dense(num_classes),
    )


def init_cnn(key, input_shape, num_classes):
    _, params = _net(int(num_classes)).init(key, (None, *input_shape))
    return params
""",
        "cnn_apply": """
def cnn_apply(params, x, train=False, key=None):
    num_classes = params["dense_9"]["b"].shape[0]
    return _net(num_classes).apply(params, jnp.asarray(x, jnp.float32), train=train, key=key)
""",
        "residual_block": """
def residual_block(params, x):
    def conv(h, p):
        y = lax.conv_general_dilated(
            h, p["w"], (1, 1), ((1, 1), (1, 1)), dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        return y + p["b"]

    x = jnp.asarray(x, jnp.float32)
    f = conv(jax.nn.relu(conv(x, params["conv1"])), params["conv2"])
    return jnp.maximum(x + f, 0.0)
""",
    },
    # Written by hand: one key split per layer, Glorot-uniform weights, average pooling then a
    # strided convolution and a global average pool (any input size); the residual block as
    # nine shifted slices contracted with einsum (another summation order), jit-compatible.
    "by_hand_glorot_avgpool_shifted_slices": {
        "init_cnn": """
def _glorot(key, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jax.random.uniform(key, shape, jnp.float32, -limit, limit)


def init_cnn(key, input_shape, num_classes):
    c = input_shape[-1]
    k1, k2, k3 = jax.random.split(key, 3)
    return {
        "c1": {"w": _glorot(k1, (3, 3, c, 24), 9 * c, 9 * 24), "b": jnp.zeros(24)},
        "c2": {"w": _glorot(k2, (3, 3, 24, 48), 9 * 24, 9 * 48), "b": jnp.zeros(48)},
        "out": {"w": _glorot(k3, (48, num_classes), 48, num_classes), "b": jnp.zeros(num_classes)},
    }
""",
        "cnn_apply": """
def cnn_apply(params, x, train=False, key=None):
    dims = ("NHWC", "HWIO", "NHWC")
    x = jnp.asarray(x, jnp.float32)
    h = lax.conv_general_dilated(x, params["c1"]["w"], (1, 1), "SAME", dimension_numbers=dims)
    h = jax.nn.relu(h + params["c1"]["b"])
    h = lax.reduce_window(h, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4.0
    h = lax.conv_general_dilated(h, params["c2"]["w"], (2, 2), "SAME", dimension_numbers=dims)
    h = jax.nn.relu(h + params["c2"]["b"])
    h = h.mean(axis=(1, 2))
    return h @ params["out"]["w"] + params["out"]["b"]
""",
        "residual_block": """
def _conv3x3(x, p):
    n, h, w, c = x.shape
    xp = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = p["b"]
    for i in range(3):
        for j in range(3):
            out = out + jnp.einsum("nhwc,co->nhwo", xp[:, i : i + h, j : j + w, :], p["w"][i, j])
    return out


def residual_block(params, x):
    x = jnp.asarray(x, jnp.float32)
    hidden = jax.nn.relu(_conv3x3(x, params["conv1"]))
    return jax.nn.relu(_conv3x3(hidden, params["conv2"]) + x)
""",
    },
}

WRONG = {
    "one_pooling_in_the_size_skip_from_hidden": {
        # The flattened size counts one 2x2 pooling, not two: the dense head does not fit.
        "init_cnn": """
def init_cnn(key, input_shape, num_classes):
    h, w, c = (int(s) for s in input_shape)
    flat = (h // 2) * (w // 2) * 32
    shapes = {
        "conv1": (3, 3, c, 16),
        "conv2": (3, 3, 16, 32),
        "dense1": (flat, 64),
        "dense2": (64, int(num_classes)),
    }
    keys = jax.random.split(key, len(shapes))
    params = {}
    for k, (name, shape) in zip(keys, shapes.items()):
        fan_in = int(np.prod(shape[:-1]))
        params[name] = {
            "w": jax.random.normal(k, shape) * np.sqrt(2.0 / fan_in),
            "b": jnp.zeros(shape[-1]),
        }
    return params
""",
        # The skip connection taken from the hidden activation, not from x.
        "residual_block": """
def residual_block(params, x):
    x = jnp.asarray(x, jnp.float32)
    h = jax.nn.relu(_conv_same(x, params["conv1"]))
    return jax.nn.relu(h + _conv_same(h, params["conv2"]))
""",
    },
    "class_ids_bias_after_relu": {
        # The predicted classes instead of the logits.
        "cnn_apply": """
def cnn_apply(params, x, train=False, key=None):
    return jnp.argmax(_forward(params, x), axis=-1)
""",
        # conv1's bias added after its ReLU.
        "residual_block": """
def residual_block(params, x):
    x = jnp.asarray(x, jnp.float32)
    p1, p2 = params["conv1"], params["conv2"]
    z = _conv_same(x, {"w": p1["w"], "b": jnp.zeros_like(p1["b"])})
    h = jax.nn.relu(z) + p1["b"]
    return jax.nn.relu(x + _conv_same(h, p2))
""",
    },
}
