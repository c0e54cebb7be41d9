"""Reference solution — ex14: a convolutional network and a residual block (seed 002, 004).

Instructor side: never shipped to students. Plain jax (``lax.conv_general_dilated`` with
flax's NHWC/HWIO layout), jit-compatible, self-contained.

The CNN is seed 002's classic pattern, twice: convolution → ReLU → max pooling, then a dense
head (like seed 004's Keras CIFAR-10 model, scaled down to 8x8 digits)::

    conv 3x3 (C → 16), ReLU, max-pool 2x2
    conv 3x3 (16 → 32), ReLU, max-pool 2x2
    flatten, dense (→ 64), ReLU, dense (→ num_classes)

For 8x8x1 digits and 10 classes that is 13,706 parameters.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

_DIMS = ("NHWC", "HWIO", "NHWC")


def _conv_same(x, p):
    """A 3x3 (or any odd KxK) 'SAME' convolution with bias, NHWC input, HWIO kernel."""
    y = lax.conv_general_dilated(
        x,
        p["w"],
        window_strides=(1, 1),
        padding="SAME",
        dimension_numbers=_DIMS,
        precision=lax.Precision.HIGHEST,
    )
    return y + p["b"]


def _max_pool(x):
    """2x2 max pooling with stride 2 (seed 002: "un filtre de taille k avec un stride S=k")."""
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def init_cnn(key, input_shape, num_classes):
    """Two conv/ReLU/max-pool stages and a two-layer dense head, He-normal weights, zero biases.

    He initialisation for ReLU networks: ``w ~ N(0, 2 / fan_in)``, ``fan_in = K·K·C_in`` for a
    convolution, ``n_in`` for a dense layer. All the weights come from one draw of ``key``
    (one random-number kernel to compile instead of one per layer shape).
    """
    h, w, c = (int(s) for s in input_shape)
    flat = (h // 4) * (w // 4) * 32
    layers = {
        "conv1": ((3, 3, c, 16), 9 * c),
        "conv2": ((3, 3, 16, 32), 9 * 16),
        "dense1": ((flat, 64), flat),
        "dense2": ((64, int(num_classes)), 64),
    }
    total = sum(int(np.prod(shape)) for shape, _ in layers.values())
    z = np.asarray(jax.random.normal(key, (total,), jnp.float32))
    params, start = {}, 0
    for name, (shape, fan_in) in layers.items():
        size = int(np.prod(shape))
        w_ = z[start : start + size].reshape(shape) * np.float32(np.sqrt(2.0 / fan_in))
        params[name] = {"w": jnp.asarray(w_), "b": jnp.asarray(np.zeros(shape[-1], np.float32))}
        start += size
    return params


@jax.jit
def _forward(params, x):
    x = jnp.asarray(x, jnp.float32)
    x = _max_pool(jax.nn.relu(_conv_same(x, params["conv1"])))
    x = _max_pool(jax.nn.relu(_conv_same(x, params["conv2"])))
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ params["dense1"]["w"] + params["dense1"]["b"])
    return x @ params["dense2"]["w"] + params["dense2"]["b"]


def cnn_apply(params, x, train=False, key=None):
    """Logits ``(N, num_classes)`` for images ``x`` of shape ``(N, H, W, C)``.

    No dropout, so ``train`` and ``key`` change nothing (and ``key`` may be None).
    """
    return _forward(params, x)


@jax.jit
def _residual(params, x):
    x = jnp.asarray(x, jnp.float32)
    h = jax.nn.relu(_conv_same(x, params["conv1"]))
    return jax.nn.relu(x + _conv_same(h, params["conv2"]))


def residual_block(params, x):
    """``relu(x + conv2(relu(conv1(x))))``, both convolutions 3x3 'SAME' with biases.

    Seed 002: ``a^{l+2} = g(w^{l+2} a^{l+1} + b^{l+2} + a^l)`` with ``a^l = x``, ``g = relu``.
    """
    return _residual(params, x)
