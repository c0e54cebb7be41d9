"""ex06_logistic: the reference passes everything; students' classic mistakes are caught (and
the gradient's are named); autodiff is refused in logistic_grads; correct code written
differently (jax float32 with a jitted loop and autodiff in logistic_fit, Python loops) passes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.course._ex06_grads import grads_judge, seed_gradient
from grader.course.ex06_logistic import separation_judge
from grader.judging import redact
from grader.spec import Case
from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex06_logistic"
REF = reference_source(EX)


# Each mutant breaks every function at once, in one plausible way. The mutated functions do not
# call each other (each computes h itself), so every function's checks see only its own mistake.
MUTANT_BIAS = {
    "logistic_predict": """
def logistic_predict(params, X):
    return _sigmoid(_f64(X) @ _f64(params["w"]))          # the bias is forgotten
""",
    "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    h = np.clip(_sigmoid(X @ w + float(params["b"])), CLIP, 1.0 - CLIP)
    data = -np.mean(y * np.log(h) + (1.0 - y) * np.log1p(-h))
    return float(data + lam / (2.0 * m) * (np.sum(w * w) + float(params["b"]) ** 2))  # b too
""",
    "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = _sigmoid(X @ w + float(params["b"])) - y
    return {"w": X.T @ r / m + lam * w / m, "b": float(np.mean(r)) + lam * float(params["b"]) / m}
""",
    "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X, y = _f64(X), _f64(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(int(steps)):
        r = _sigmoid(X @ w + b) - y
        w, b = w - lr * (X.T @ r + lam * w), b - lr * np.sum(r)      # sums: no 1/m
    return {"w": w, "b": b}
""",
}

MUTANT_SIGNS = {
    "logistic_predict": """
def logistic_predict(params, X):
    return 1.0 / (1.0 + np.exp(_f64(X) @ _f64(params["w"]) + _f64(params["b"])))   # e^{+z}
""",
    "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    h = _sigmoid(X @ w + float(params["b"]))                                # no clipping
    return float(-np.mean(y * np.log(h) + (1 - y) * np.log(1 - h)) + lam / (2 * len(X)) * np.sum(w * w))
""",
    "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = y - _sigmoid(X @ w + float(params["b"]))                            # y - h
    return {"w": X.T @ r / m + lam * w / m, "b": float(np.mean(r))}
""",
    "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X, y = _f64(X), _f64(y)
    w, b = np.zeros(X.shape[1]), 0.0
    m = X.shape[0]
    for _ in range(int(steps)):
        r = _sigmoid(X @ w + b) - y
        w, b = w + lr * (X.T @ r / m + lam * w / m), b + lr * np.mean(r)   # climbs
    return {"w": w, "b": b}
""",
}

MUTANT_FACTORS = {
    "logistic_predict": """
def logistic_predict(params, X):
    return _sigmoid(_f64(X) @ _f64(params["w"])) + _f64(params["b"])   # b after the sigmoid
""",
    "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    h = np.clip(_sigmoid(X @ w + float(params["b"])), CLIP, 1.0 - CLIP)
    data = -np.mean(y * np.log(h) + (1.0 - y) * np.log1p(-h))
    return float(data + lam / m * np.sum(w * w))                  # λ/m, not λ/(2m)
""",
    "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = _sigmoid(X @ w + float(params["b"])) - y
    return {"w": X.T @ r / m + lam * w / (2 * m), "b": float(np.mean(r))}   # λ w/(2m)
""",
    "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X, y = _f64(X), _f64(y)
    w, b = np.zeros(X.shape[1]), 0.0
    m = X.shape[0]
    for _ in range(int(steps) - 1):                                # one step short
        r = _sigmoid(X @ w + b) - y
        w, b = w - lr * (X.T @ r / m + lam * w / m), b - lr * np.mean(r)
    return {"w": w, "b": b}
""",
}

MUTANT_SUMS = {
    "logistic_predict": """
def logistic_predict(params, X):
    return _f64(X) @ _f64(params["w"]) + _f64(params["b"])          # no sigmoid
""",
    "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    h = np.clip(_sigmoid(X @ w + float(params["b"])), CLIP, 1.0 - CLIP)
    data = -np.sum(y * np.log(h) + (1.0 - y) * np.log1p(-h))       # sum, not mean
    return float(data + lam / (2.0 * m) * np.sum(w * w))
""",
    "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    h = _sigmoid(X @ w + float(params["b"]))
    r = (h - y) * h * (1 - h)                                      # the quadratic cost's gradient
    m = X.shape[0]
    return {"w": X.T @ r / m + lam * w / m, "b": float(np.mean(r))}
""",
    "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X, y = _f64(X), _f64(y)
    w, b = np.zeros(X.shape[1]), 0.0
    m = X.shape[0]
    for _ in range(int(steps)):
        r = _sigmoid(X @ w + b) - y
        w = w - lr * (X.T @ r / m + lam * w / m)
        b = b - lr * (np.mean(r) + lam * b / m)                    # regularises b
    return {"w": w, "b": b}
""",
}

# What the seed-formula judge should say about each logistic_grads mistake.
DIAGNOSES = {
    "bias": "The bias is not regularised",
    "signs": "Sign error",
    "factors": "the 2 of the square cancels",
    "sums": "gradient of the quadratic cost",
}


def _mutate(mutations):
    return replace_functions(REF, mutations)


@pytest.mark.parametrize(
    "name, mutant",
    [
        ("bias", MUTANT_BIAS),
        ("signs", MUTANT_SIGNS),
        ("factors", MUTANT_FACTORS),
        ("sums", MUTANT_SUMS),
    ],
    ids=["bias", "signs", "factors", "sums"],
)
def test_wrong_implementations_are_caught(name, mutant):
    result = grade_source(EX, _mutate(mutant))
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    for r in result.checks:
        if r.check.function == "logistic_grads" and r.check.kind == "property":
            assert DIAGNOSES[name] in r.message, f"{r.check.id}: {r.message}"
            if r.check.hidden:
                assert "formula gives" not in r.message


AUTODIFF = {
    "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    import jax
    import jax.numpy as jnp

    def loss(p):
        h = jax.nn.sigmoid(jnp.asarray(X) @ p["w"] + p["b"])
        yy = jnp.asarray(y)
        return -jnp.mean(yy * jnp.log(h) + (1 - yy) * jnp.log(1 - h)) + lam / (2 * len(X)) * jnp.sum(p["w"] ** 2)

    return jax.grad(loss)({"w": jnp.asarray(params["w"], jnp.float32), "b": jnp.asarray(params["b"], jnp.float32)})
""",
}


def test_autodiff_is_refused_in_logistic_grads():
    result = grade_source(EX, _mutate(AUTODIFF), hidden=False, functions=["logistic_grads"])
    by_name = {r.check.name: r for r in result.checks}
    assert by_name["no_autodiff"].status == "failed"
    assert "jax.grad" in by_name["no_autodiff"].message
    # the values are right: only the static check fails (ALTERNATIVE_JAX shows that autodiff
    # is fine in logistic_fit)
    others = [r for r in result.checks if r.check.name != "no_autodiff"]
    assert all(r.status == "passed" for r in others), summary(result)


ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp


def logistic_predict(params, X):
    return jax.nn.sigmoid(jnp.asarray(X, jnp.float32) @ jnp.asarray(params["w"], jnp.float32) + params["b"])


def logistic_loss(params, X, y, lam=0.0):
    h = jnp.clip(logistic_predict(params, X), 1e-7, 1 - 1e-7)
    y = jnp.asarray(y, jnp.float32)
    w = jnp.asarray(params["w"], jnp.float32)
    return -jnp.mean(y * jnp.log(h) + (1 - y) * jnp.log(1 - h)) + lam / (2 * y.shape[0]) * jnp.sum(w * w)


def logistic_grads(params, X, y, lam=0.0):
    X = jnp.asarray(X, jnp.float32)
    r = logistic_predict(params, X) - jnp.asarray(y, jnp.float32)
    m = X.shape[0]
    return {"w": X.T @ r / m + lam * jnp.asarray(params["w"], jnp.float32) / m, "b": jnp.mean(r)}


def _loss_from_logits(p, X, y, lam):  # stable; autodiff is allowed in logistic_fit
    z = X @ p["w"] + p["b"]
    return jnp.mean(jnp.logaddexp(0.0, z) - y * z) + lam / (2 * X.shape[0]) * jnp.sum(p["w"] ** 2)


@jax.jit
def _run(X, y, lr, lam, steps):
    def body(_, p):
        g = jax.grad(_loss_from_logits)(p, X, y, lam)
        return {"w": p["w"] - lr * g["w"], "b": p["b"] - lr * g["b"]}
    init = {"w": jnp.zeros(X.shape[1], jnp.float32), "b": jnp.float32(0.0)}
    return jax.lax.fori_loop(0, steps, body, init)


def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    return _run(jnp.asarray(X, jnp.float32), jnp.asarray(y, jnp.float32), lr, lam, steps)
"""

ALTERNATIVE_LOOPS = """
import math


def _sigma(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _rows(X):
    return [[float(v) for v in row] for row in X]


def logistic_predict(params, X):
    w, b = [float(v) for v in params["w"]], float(params["b"])
    return [_sigma(sum(wj * xj for wj, xj in zip(w, row)) + b) for row in _rows(X)]


def logistic_loss(params, X, y, lam=0.0):
    h = logistic_predict(params, X)
    y = [float(v) for v in y]
    m = len(y)
    total = 0.0
    for hi, yi in zip(h, y):
        hi = min(max(hi, 1e-7), 1 - 1e-7)
        total -= yi * math.log(hi) + (1 - yi) * math.log(1 - hi)
    return total / m + lam / (2 * m) * sum(float(v) ** 2 for v in params["w"])


def logistic_grads(params, X, y, lam=0.0):
    rows = _rows(X)
    h = logistic_predict(params, rows)
    y = [float(v) for v in y]
    m, n = len(rows), len(rows[0])
    w = [float(v) for v in params["w"]]
    gw = [sum((h[i] - y[i]) * rows[i][j] for i in range(m)) / m + lam * w[j] / m for j in range(n)]
    return {"w": gw, "b": sum(h[i] - y[i] for i in range(m)) / m}


def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    rows = _rows(X)
    params = {"w": [0.0] * len(rows[0]), "b": 0.0}
    for _ in range(steps):
        g = logistic_grads(params, rows, y, lam)
        params = {"w": [a - lr * d for a, d in zip(params["w"], g["w"])], "b": params["b"] - lr * g["b"]}
    return params
"""


@pytest.mark.parametrize(
    "source", [ALTERNATIVE_JAX, ALTERNATIVE_LOOPS], ids=["jax_float32_jit", "python_loops"]
)
def test_correct_alternatives_pass(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


def test_the_formula_value_is_revealed_in_public_checks_only():
    params, X, y = {"w": np.array([0.5]), "b": 0.2}, np.array([[1.0], [-2.0]]), np.array([0.0, 1.0])
    case = Case((params, X, y, 0.5), label="two examples")
    gw, gb = seed_gradient(params["w"], params["b"], X, y, 0.5)
    verdict = grads_judge()([case], [{"w": -gw, "b": -gb}])  # a sign error
    right, wrong = f"{gw[0]:.6g}", f"{-gw[0]:.6g}"
    for lang in ("en", "fr"):
        public, hidden = (redact(verdict.message(lang), hidden=h) for h in (False, True))
        assert "∂J/∂w[0]" in public and right in public and wrong in public, public
        assert "∂J/∂w[0]" in hidden and right not in hidden and wrong not in hidden, hidden
    assert "Sign error" in redact(verdict.message.en, hidden=True)


def test_the_separation_message_reveals_no_answer():
    X, y = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1.0, 0.0])
    verdict = separation_judge([Case((X, y), label="two points")], [{"w": np.zeros(2), "b": 0.0}])
    assert not verdict.passed and "50.0 %" in verdict.message.en
    for lang in ("en", "fr"):  # only the student's own accuracy: nothing to cut
        assert redact(verdict.message(lang), hidden=True) == redact(
            verdict.message(lang), hidden=False
        )
