"""ex04_losses: the reference passes everything; students' classic mistakes are caught;
correct code written differently (jax float32, Python loops) passes."""

from __future__ import annotations

import pytest

from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex04_losses"
REF = reference_source(EX)


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_AVERAGES = {
    "quadratic_cost": """
def quadratic_cost(a, y):
    return 0.5 * float(np.mean((_f64(y) - _f64(a)) ** 2))   # mean over n·k elements, not n
""",
    "mse": """
def mse(y_pred, y):
    d = _f64(y_pred) - _f64(y)
    return float(np.sum(d * d)) / d.shape[0]   # mean over the batch only
""",
    "l1_loss": """
def l1_loss(y_pred, y):
    return float(np.mean(np.abs(_f64(y) - _f64(y_pred))))   # mean over elements
""",
    "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(_f64(p), eps, 1.0 - eps); y = _f64(y)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))) / p.shape[0]   # per row
""",
    "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = _f64(z), _f64(y)
    s = 1.0 / (1.0 + np.exp(-z))                       # sigmoid, then log: unstable
    return float(-np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)))
""",
    "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = np.clip(_f64(p), eps, 1.0 - eps)
    return float(-np.mean(_f64(y_onehot) * np.log(p)))   # mean over n·k elements
""",
    "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = _f64(logits)
    sm = np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)    # overflows
    return float(-np.mean(np.log(sm[np.arange(len(z)), np.asarray(labels)])))
""",
    "l2_penalty": """
def l2_penalty(params, lam, m):
    return float(lam) / float(m) * _sum_w_squares(params)   # λ/m instead of λ/(2m)
""",
}

MUTANT_FORGOTTEN = {
    "quadratic_cost": """
def quadratic_cost(a, y):
    d = _f64(y) - _f64(a)
    return float(np.sum(d * d)) / d.shape[0]   # the 1/2 is missing
""",
    "mse": """
def mse(y_pred, y):
    return 0.5 * float(np.mean((_f64(y_pred) - _f64(y)) ** 2))   # a 1/2 too many
""",
    "l1_loss": """
def l1_loss(y_pred, y):
    return float(np.sum(np.abs(_f64(y) - _f64(y_pred))))   # not averaged over the batch
""",
    "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p, y = _f64(p), _f64(y)                                  # no clipping
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
    "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    s = 1.0 / (1.0 + np.exp(-np.clip(_f64(z), -500, 500)))   # sigmoid, then the clipped BCE
    return binary_cross_entropy(s, y)
""",
    "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = _f64(p)                                                # no clipping
    return float(-np.sum(_f64(y_onehot) * np.log(p))) / p.shape[0]
""",
    "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = _f64(logits)
    labels = np.asarray(labels)
    onehot = np.eye(labels.max() + 1)[labels]      # number of classes from the labels
    z = z - z.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
    return float(-np.mean(np.sum(onehot * log_p, axis=-1)))
""",
    "l2_penalty": """
def l2_penalty(params, lam, m):
    import jax
    leaves = jax.tree_util.tree_leaves(params)                # biases counted too
    return float(lam) / (2.0 * m) * sum(float(np.sum(_f64(v) ** 2)) for v in leaves)
""",
}

MUTANT_SUBTLE = {
    "quadratic_cost": """
def quadratic_cost(a, y):
    d = _f64(y) - _f64(a)
    return float(np.sum(np.linalg.norm(d, axis=-1))) / (2 * d.shape[0])   # ‖·‖, not ‖·‖²
""",
    "mse": """
def mse(y_pred, y):
    return float(np.sqrt(np.mean((_f64(y_pred) - _f64(y)) ** 2)))   # RMSE
""",
    "l1_loss": """
def l1_loss(y_pred, y):
    d = _f64(y) - _f64(y_pred)
    return float(np.sum(d)) / d.shape[0]      # no absolute value
""",
    "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(_f64(p), 1e-7, 1.0 - 1e-7)       # ignores the eps argument
    y = _f64(y)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
    "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = _f64(z), _f64(y)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log(1 + np.exp(-z))))   # -z, not -|z|
""",
    "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = np.clip(_f64(p), 1e-7, 1.0 - 1e-7)       # ignores the eps argument
    return float(-np.sum(_f64(y_onehot) * np.log(p))) / p.shape[0]
""",
    "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = _f64(logits)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    sm = e / e.sum(axis=-1, keepdims=True)          # stable softmax, but then log(0)
    return float(-np.mean(np.log(sm[np.arange(len(z)), np.asarray(labels)])))
""",
    "l2_penalty": """
def l2_penalty(params, lam, m):
    layers = [params] if isinstance(params, dict) else params
    total = sum(float(np.sum(_f64(layer["w"]) ** 2)) for layer in layers if "w" in layer)
    return float(lam) / (2.0 * m) * total        # one level only: no recursion
""",
}


def _mutate(mutations):
    return replace_functions(REF, mutations)


@pytest.mark.parametrize(
    "mutant",
    [MUTANT_AVERAGES, MUTANT_FORGOTTEN, MUTANT_SUBTLE],
    ids=["averages_and_overflow", "forgotten_terms", "subtle"],
)
def test_wrong_implementations_are_caught(mutant):
    result = grade_source(EX, _mutate(mutant))
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


def test_constant_factor_is_reported_for_a_wrong_average():
    result = grade_source(
        EX,
        _mutate({"l2_penalty": MUTANT_AVERAGES["l2_penalty"]}),
        hidden=False,
        functions=["l2_penalty"],
    )
    first = next(r for r in result.checks if r.check.name == "mlp_params")
    assert first.status == "failed"
    assert "times 2" in first.message and "λ/(2m)" in first.hint


ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp


def quadratic_cost(a, y):
    a, y = jnp.asarray(a), jnp.asarray(y)
    return 0.5 * jnp.sum((y - a) ** 2) / a.shape[0]


def mse(y_pred, y):
    return jnp.mean((jnp.asarray(y_pred) - jnp.asarray(y)) ** 2)


def l1_loss(y_pred, y):
    return jnp.mean(jnp.sum(jnp.abs(jnp.asarray(y) - jnp.asarray(y_pred)), axis=-1))


def binary_cross_entropy(p, y, eps=1e-7):
    p = jnp.clip(jnp.asarray(p, jnp.float32), eps, 1 - eps)
    y = jnp.asarray(y, jnp.float32)
    return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))


def binary_cross_entropy_with_logits(z, y):
    z, y = jnp.asarray(z, jnp.float32), jnp.asarray(y, jnp.float32)
    return jnp.mean(jnp.logaddexp(0.0, z) - z * y)


def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = jnp.clip(jnp.asarray(p, jnp.float32), eps, 1 - eps)
    return -jnp.sum(jnp.asarray(y_onehot) * jnp.log(p)) / p.shape[0]


def softmax_cross_entropy(logits, labels):
    log_p = jax.nn.log_softmax(jnp.asarray(logits, jnp.float32), axis=-1)
    labels = jnp.asarray(labels, jnp.int32)
    return -jnp.mean(jnp.take_along_axis(log_p, labels[:, None], axis=-1))


def l2_penalty(params, lam, m):
    flat, _ = jax.tree_util.tree_flatten_with_path(params)
    total = 0.0
    for path, leaf in flat:
        last = path[-1]
        if isinstance(last, jax.tree_util.DictKey) and last.key == "w":
            total = total + jnp.sum(jnp.asarray(leaf, jnp.float32) ** 2)
    return lam / (2 * m) * total
"""

ALTERNATIVE_LOOPS = """
import math


def _rows(x):
    x = [list(map(float, row)) if hasattr(row, "__len__") else [float(row)] for row in x]
    return x


def quadratic_cost(a, y):
    a, y = _rows(a), _rows(y)
    total = sum((yj - aj) ** 2 for ra, ry in zip(a, y) for aj, yj in zip(ra, ry))
    return total / (2 * len(a))


def _flat(x):
    import numpy as np
    return [float(v) for v in np.asarray(x).ravel()]


def mse(y_pred, y):
    a, b = _flat(y_pred), _flat(y)
    return math.fsum((u - v) ** 2 for u, v in zip(a, b)) / len(a)


def l1_loss(y_pred, y):
    a, b = _rows(y_pred), _rows(y)
    return sum(sum(abs(v - u) for u, v in zip(ra, rb)) for ra, rb in zip(a, b)) / len(a)


def binary_cross_entropy(p, y, eps=1e-7):
    total = 0.0
    ps, ys = _flat(p), _flat(y)
    for pi, yi in zip(ps, ys):
        pi = min(max(pi, eps), 1 - eps)
        total += -math.log(pi) if yi == 1 else -math.log(1 - pi)
    return total / len(ps)


def binary_cross_entropy_with_logits(z, y):
    total = 0.0
    zs, ys = _flat(z), _flat(y)
    for zi, yi in zip(zs, ys):
        # log(1 + e^z) - z*y, written without overflow
        softplus = zi + math.log1p(math.exp(-zi)) if zi > 0 else math.log1p(math.exp(zi))
        total += softplus - zi * yi
    return total / len(zs)


def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p, y = _rows(p), _rows(y_onehot)
    total = 0.0
    for rp, ry in zip(p, y):
        for pj, yj in zip(rp, ry):
            if yj:
                total -= yj * math.log(min(max(pj, eps), 1 - eps))
    return total / len(p)


def softmax_cross_entropy(logits, labels):
    z = _rows(logits)
    labels = _flat(labels)
    total = 0.0
    for row, lab in zip(z, labels):
        top = max(row)
        lse = top + math.log(sum(math.exp(v - top) for v in row))
        total += lse - row[int(lab)]
    return total / len(z)


def l2_penalty(params, lam, m):
    def walk(node):
        if isinstance(node, dict):
            return sum(sum(v * v for v in _flat(val)) if key == "w" else walk(val)
                       for key, val in node.items())
        if isinstance(node, (list, tuple)):
            return sum(walk(item) for item in node)
        return 0.0
    return lam * walk(params) / (2 * m)
"""


@pytest.mark.parametrize(
    "source", [ALTERNATIVE_JAX, ALTERNATIVE_LOOPS], ids=["jax_float32", "python_loops"]
)
def test_correct_alternatives_pass(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)
