"""ex14_cnn: the reference passes everything; students' classic mistakes are caught; a
different, correct CNN (and a residual block written without lax.conv) passes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.course._ex14_judges import _check_logits
from grader.judging import redact
from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex14_cnn"
REF = reference_source(EX)


# Mutants swap functions of the reference (whose helpers _conv_same, _max_pool, _forward
# stay available). Each names, per function, the check that must catch its mistake and a
# word of the message, so that a mistake is never "caught" by another function's.
MUTANT_ZEROS_SOFTMAX = {
    "init_cnn": (
        "random_from_the_key",
        "same parameters for two different keys",
        """
def init_cnn(key, input_shape, num_classes):
    h, w, c = input_shape
    flat = (h // 4) * (w // 4) * 32
    shapes = {"conv1": (3, 3, c, 16), "conv2": (3, 3, 16, 32), "dense1": (flat, 64),
              "dense2": (64, num_classes)}
    return {k: {"w": jnp.zeros(s), "b": jnp.zeros(s[-1])} for k, s in shapes.items()}
""",
    ),
    "cnn_apply": (
        "evaluation_mode",
        "probabilities",
        """
def cnn_apply(params, x, train=False, key=None):
    return jax.nn.softmax(_forward(params, x))     # probabilities instead of logits
""",
    ),
    "residual_block": (
        "zero_weights_identity",
        "after the addition",
        """
def residual_block(params, x):
    x = jnp.asarray(x, jnp.float32)
    h = jax.nn.relu(_conv_same(x, params["conv1"]))
    return x + jax.nn.relu(_conv_same(h, params["conv2"]))   # ReLU before the addition only
""",
    ),
}

MUTANT_FIXED_SQUEEZE = {
    "init_cnn": (
        "other_input_shapes",
        "Size each layer",
        """
def init_cnn(key, input_shape, num_classes):
    ks = jax.random.split(key, 4)                    # written for 8x8x1 digits and 10 classes
    he = lambda k, s, fan: jax.random.normal(k, s) * jnp.sqrt(2.0 / fan)
    return {
        "conv1": {"w": he(ks[0], (3, 3, 1, 16), 9), "b": jnp.zeros(16)},
        "conv2": {"w": he(ks[1], (3, 3, 16, 32), 144), "b": jnp.zeros(32)},
        "dense1": {"w": he(ks[2], (128, 64), 128), "b": jnp.zeros(64)},
        "dense2": {"w": he(ks[3], (64, 10), 64), "b": jnp.zeros(10)},
    }
""",
    ),
    "cnn_apply": (
        "evaluation_mode",
        "expected logits of shape (1, 10)",
        """
def cnn_apply(params, x, train=False, key=None):
    return jnp.squeeze(_forward(params, x))     # a batch of one loses its batch axis
""",
    ),
    "residual_block": (
        "random_params",
        "wrong values",
        """
def residual_block(params, x):
    x = jnp.asarray(x, jnp.float32)
    h = _conv_same(x, params["conv1"])                      # no ReLU between the convolutions
    return jax.nn.relu(x + _conv_same(h, params["conv2"]))
""",
    ),
}

MUTANT_GLOBAL_DROPOUT_VALID = {
    "init_cnn": (
        "random_from_the_key",
        "same key returned different parameters",
        """
def init_cnn(key, input_shape, num_classes):
    h, w, c = input_shape
    flat = (h // 4) * (w // 4) * 32
    layers = {"conv1": ((3, 3, c, 16), 9 * c), "conv2": ((3, 3, 16, 32), 144),
              "dense1": ((flat, 64), flat), "dense2": ((64, num_classes), 64)}
    return {k: {"w": jnp.asarray(np.random.normal(size=s) * np.sqrt(2 / f), jnp.float32),
                "b": jnp.zeros(s[-1])} for k, (s, f) in layers.items()}   # np.random, not key
""",
    ),
    "cnn_apply": (
        "evaluation_mode",
        "raised",
        """
def cnn_apply(params, x, train=False, key=None):
    x = jnp.asarray(x, jnp.float32)
    x = _max_pool(jax.nn.relu(_conv_same(x, params["conv1"])))
    x = _max_pool(jax.nn.relu(_conv_same(x, params["conv2"])))
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ params["dense1"]["w"] + params["dense1"]["b"])
    keep = jax.random.bernoulli(key, 0.9, x.shape)          # dropout even when evaluating
    x = jnp.where(keep, x / 0.9, 0.0)
    return x @ params["dense2"]["w"] + params["dense2"]["b"]
""",
    ),
    "residual_block": (
        "random_params",
        "wrong shape",
        """
def residual_block(params, x):
    def conv(v, p):
        return jax.lax.conv_general_dilated(v, p["w"], (1, 1), "VALID",
            dimension_numbers=("NHWC", "HWIO", "NHWC")) + p["b"]
    x = jnp.asarray(x, jnp.float32)
    f = conv(jax.nn.relu(conv(x, params["conv1"])), params["conv2"])   # VALID: shrinks by 4
    return jax.nn.relu(x[:, 2:-2, 2:-2, :] + f)
""",
    ),
}

MUTANT_BIG_NOBIAS = {
    "init_cnn": (
        "parameter_budget",
        "over the budget",
        """
def init_cnn(key, input_shape, num_classes):
    h, w, c = input_shape
    ks = jax.random.split(key, 3)       # no pooling: the dense head sees 8*8*32 = 2048 inputs
    return {
        "conv1": {"w": jax.random.normal(ks[0], (3, 3, c, 32)) * 0.3, "b": jnp.zeros(32)},
        "dense1": {"w": jax.random.normal(ks[1], (h * w * 32, 128)) * 0.02, "b": jnp.zeros(128)},
        "dense2": {"w": jax.random.normal(ks[2], (128, num_classes)) * 0.1,
                   "b": jnp.zeros(num_classes)},
    }
""",
    ),
    "residual_block": (
        "random_params",
        "wrong values",
        """
def residual_block(params, x):
    def conv(v, w):
        return jax.lax.conv_general_dilated(v, w, (1, 1), "SAME",
            dimension_numbers=("NHWC", "HWIO", "NHWC"))          # biases forgotten
    x = jnp.asarray(x, jnp.float32)
    h = jax.nn.relu(conv(x, params["conv1"]["w"]))
    return jax.nn.relu(x + conv(h, params["conv2"]["w"]))
""",
    ),
}


def _mutate(mutant):
    return replace_functions(REF, {name: code for name, (_, _, code) in mutant.items()})


@pytest.mark.parametrize(
    ("mutant", "hidden"),
    [
        (MUTANT_ZEROS_SOFTMAX, True),
        (MUTANT_FIXED_SQUEEZE, True),
        (MUTANT_GLOBAL_DROPOUT_VALID, False),
        (MUTANT_BIG_NOBIAS, False),
    ],
    ids=[
        "zeros_softmax_relu_first",
        "fixed_squeeze_no_mid_relu",
        "nprandom_dropout_valid",
        "big_nobias",
    ],
)
def test_wrong_implementations_are_caught(mutant, hidden):
    named = [f"{function}/{check}" for function, (check, _, _) in mutant.items()]
    result = grade_source(EX, _mutate(mutant), hidden=hidden, checks=named)
    checks = {(r.check.function, r.check.name): r for r in result.checks}
    for function, (check, words, _) in mutant.items():
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
        r = checks[(function, check)]
        assert r.status != "passed" and words in r.message, f"{function}:\n{summary(result)}"


def test_a_network_that_cannot_learn_fails_the_training_check():
    # Zero convolution filters: every feature map is 0, the dense head sees nothing.
    dead = """
def init_cnn(key, input_shape, num_classes):
    params = _reference_init(key, input_shape, num_classes)
    for name in ("conv1", "conv2"):
        params[name] = {"w": jnp.zeros_like(params[name]["w"]), "b": params[name]["b"]}
    return params
"""
    src = REF.replace("def init_cnn(", "def _reference_init(", 1) + dead
    result = grade_source(EX, src, hidden=False, checks=["cnn_apply/trains_on_digits"])
    (check,) = result.checks
    assert check.status == "failed" and "at least 90 %" in check.message, summary(result)


ALTERNATIVE = '''
import jax
import jax.numpy as jnp


def _avg_pool(x):
    n, h, w, c = x.shape
    x = x[:, : h // 2 * 2, : w // 2 * 2, :]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def _conv(x, w, b):
    return jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
        dimension_numbers=("NHWC", "HWIO", "NHWC")) + b


def init_cnn(key, input_shape, num_classes):
    """A list of layers, Glorot-uniform weights, average pooling, one dense layer."""
    h, w, c = input_shape
    k1, k2, k3 = jax.random.split(key, 3)
    flat = (h // 4) * (w // 4) * 24

    def glorot(k, shape, fan_in, fan_out):
        lim = (6.0 / (fan_in + fan_out)) ** 0.5
        return jax.random.uniform(k, shape, minval=-lim, maxval=lim)

    return [
        [glorot(k1, (3, 3, c, 12), 9 * c, 9 * 12), jnp.zeros(12)],
        [glorot(k2, (3, 3, 12, 24), 9 * 12, 9 * 24), jnp.zeros(24)],
        [glorot(k3, (flat, num_classes), flat, num_classes), jnp.zeros(num_classes)],
    ]


def cnn_apply(params, x, train=False, key=None):
    x = _avg_pool(jax.nn.relu(_conv(x, *params[0])))
    x = _avg_pool(jax.nn.relu(_conv(x, *params[1])))
    x = x.reshape(x.shape[0], -1)
    if train:                                   # dropout (rate 0.1) only while training
        keep = jax.random.bernoulli(key, 0.9, x.shape)
        x = jnp.where(keep, x / 0.9, 0.0)
    return x @ params[2][0] + params[2][1]


def residual_block(params, x):
    """Convolutions as sums of shifted slices, no lax.conv."""
    def conv_same(v, p):
        n, h, w, _ = v.shape
        padded = jnp.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)))
        out = p["b"]
        for i in range(3):
            for j in range(3):
                out = out + jnp.einsum("nhwc,cm->nhwm", padded[:, i : i + h, j : j + w, :], p["w"][i, j])
        return out

    x = jnp.asarray(x)
    return jax.nn.relu(x + conv_same(jax.nn.relu(conv_same(x, params["conv1"])), params["conv2"]))
'''


def test_correct_alternative_cnn_passes():
    result = grade_source(EX, ALTERNATIVE)
    assert result.score == result.max_score, summary(result)


def test_the_expected_logits_shape_is_shown_in_public_checks_only():
    # A squeezed batch of one: the message names the expected shape (1, 10) only when public.
    verdict = _check_logits(np.zeros(10), 1, 10, ("a batch of one", "un lot d'un seul"))
    for text in (verdict.message.en, verdict.message.fr):
        public, hidden = redact(text, hidden=False), redact(text, hidden=True)
        assert "(1, 10)" in public and "(10,)" in public, public
        assert "(1, 10)" not in hidden and "(10,)" in hidden, hidden
    squeeze = replace_functions(REF, {"cnn_apply": MUTANT_FIXED_SQUEEZE["cnn_apply"][2]})
    result = grade_source(EX, squeeze, checks=["cnn_apply/other_shapes_batch_of_one"])
    (check,) = result.checks
    assert check.status == "failed" and "(1, 5)" not in check.message, summary(result)
    assert "expected logits of shape (batch, num_classes), got (5,)" in check.message
