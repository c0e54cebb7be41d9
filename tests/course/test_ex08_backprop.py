"""ex08_backprop: the reference passes everything and agrees with jax.grad; students' classic
mistakes are caught with feedback that names the first wrong layer; autodiff is refused;
correct code written differently passes."""

from __future__ import annotations

import importlib.util
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from grader.testing import (
    REPO,
    by_function,
    failed,
    grade_source,
    passed,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex08_backprop"
REF = reference_source(EX)


def _reference():
    spec = importlib.util.spec_from_file_location("_ref_ex08", REPO / "solutions" / f"{EX}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_agrees_with_jax_grad():
    ref = _reference()
    rng = np.random.default_rng(0)
    with jax.enable_x64(True):
        for y in (0.0, 1.0):
            wh, wo, x = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2)

            def bce(wo, wh, x=x, y=y):
                y_hat = jax.nn.sigmoid(wo @ jax.nn.sigmoid(wh @ x))
                return -y * jnp.log(y_hat) - (1 - y) * jnp.log(1 - y_hat)

            g_out, g_hidden = jax.jit(jax.grad(bce, argnums=(0, 1)))(
                jnp.asarray(wo), jnp.asarray(wh)
            )
            d_out, d_hidden = ref.tiny_net_grads(wh, wo, x, y)
            np.testing.assert_allclose(d_out, g_out, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(d_hidden, g_hidden, rtol=1e-12, atol=1e-14)
        for sizes, n in (([4, 3], 7), ([3, 5, 2], 1), ([4, 6, 5, 3], 32), ([6, 1], 5)):
            params = [
                {"w": rng.uniform(-1, 1, (a, b)), "b": rng.uniform(-1, 1, b)}
                for a, b in itertools.pairwise(sizes)
            ]
            x = rng.normal(size=(n, sizes[0]))
            y = rng.uniform(size=(n, sizes[-1]))

            def cost(p, x=x, y=y):
                a = x
                for layer in p:
                    a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
                return jnp.sum((y - a) ** 2) / (2 * x.shape[0])

            expected = jax.jit(jax.grad(cost))(jax.tree.map(jnp.asarray, params))
            got = ref.backprop(params, x, y)
            for g, e in zip(got, expected, strict=True):
                np.testing.assert_allclose(g["w"], e["w"], rtol=1e-10, atol=1e-14)
                np.testing.assert_allclose(g["b"], e["b"], rtol=1e-10, atol=1e-14)


# One mistake per function in each mutant; one grading run each. "expect" lists phrases the
# backprop feedback must contain (the first wrong layer and the diagnosis).
MUTANTS = {
    "sigma_prime_missing_on_output": (
        {
            "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, float) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    return (y_hat - y) * A, np.outer(x, w_out * A * (1 - A) * (y_hat - y))   # transposed
""",
            "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, float)
    zs, activations = [], []                      # x itself is missing
    for layer in params:
        z = a @ np.asarray(layer["w"]) + np.asarray(layer["b"])
        a = _sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations
""",
            "backprop": """
def backprop(params, x, y):
    a = [np.asarray(x, float)]
    zs = []
    for layer in params:
        zs.append(a[-1] @ np.asarray(layer["w"]) + np.asarray(layer["b"]))
        a.append(_sigmoid(zs[-1]))
    n = a[0].shape[0]
    grads = [None] * len(params)
    delta = a[-1] - np.asarray(y)                 # σ'(z_L) forgotten
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": a[l].T @ delta / n, "b": delta.sum(axis=0) / n}
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {"one_layer": ["layer 1 of 1", "output layer", "dW is wrong", "db is wrong"]},
    ),
    "w_instead_of_w_transposed": (
        {
            "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, float) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    return (y_hat - y) * A, np.outer(w_out * (y_hat - y), x)     # σ'(A) forgotten
""",
            "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, float)
    zs, activations = [], [a]
    for layer in params:
        a = _sigmoid(a @ np.asarray(layer["w"]) + np.asarray(layer["b"]))
        zs.append(a)                               # the activation, not z
        activations.append(a)
    return zs, activations
""",
            "backprop": """
def backprop(params, x, y):
    zs, acts = _reference_forward(params, x)
    n = acts[0].shape[0]
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta.sum(axis=0) / n}
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"])) * s * (1 - s)   # w, not w.T
    return grads
""",
        },
        {"square_layers": ["layer 2 of 3", "Layer 3 is right", "δ_2 = (δ_3 @ w_3.T)"]},
    ),
    "not_divided_by_n": (
        {
            "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, float) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden.T @ x)                   # columns taken as neurons
    y_hat = _sigmoid(w_out @ A)
    return (y_hat - y) * A, np.outer(w_out * A * (1 - A) * (y_hat - y), x)
""",
            "forward_with_cache": """
def forward_with_cache(params, x):
    zs, activations = _reference_forward(params, x)
    return activations, zs                         # swapped
""",
            "backprop": """
def backprop(params, x, y):
    zs, acts = _reference_forward(params, x)
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    grads = []
    for l in range(len(params) - 1, -1, -1):
        grads.insert(0, {"w": acts[l].T @ delta, "b": delta.sum(axis=0)})   # no / n
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {"one_layer": ["n = 7 times too large", "layer 1 of 1"]},
    ),
    "mean_taken_twice": (
        {
            "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, float) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    e = y - y_hat                                  # sign error
    return e * A, np.outer(w_out * A * (1 - A) * e, x)
""",
            "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, float)
    zs, activations = [], [a]
    for layer in params:
        z = a @ np.asarray(layer["w"])             # bias forgotten
        a = _sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations
""",
            "backprop": """
def backprop(params, x, y):
    zs, acts = _reference_forward(params, x)
    n = acts[0].shape[0]
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s) / n       # a mean here…
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta.mean(axis=0)}   # …and again
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {"two_layers": ["n = 7 times too small", "divided by n twice"]},
    ),
    "bias_not_summed_and_autodiff": (
        {
            "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    import jax
    import jax.numpy as jnp

    def loss(wo, wh):
        y_hat = jax.nn.sigmoid(wo @ jax.nn.sigmoid(wh @ x))
        return -y * jnp.log(y_hat) - (1 - y) * jnp.log(1 - y_hat)

    return jax.grad(loss, argnums=(0, 1))(jnp.asarray(w_out), jnp.asarray(w_hidden))
""",
            "forward_with_cache": """
def forward_with_cache(params, x):
    from jax import vjp                            # forbidden, even if unused for values
    return _reference_forward(params, x)
""",
            "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = acts[0].shape[0]
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta / n}   # not summed over the batch
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {"one_layer": ["db has shape (7, 3), expected (3,)", "sum δ_l over the batch"]},
    ),
    "reversed_layers": (
        {
            "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = acts[0].shape[0]
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    grads = []
    for l in range(len(params) - 1, -1, -1):
        grads.append({"w": acts[l].T @ delta / n, "b": delta.sum(axis=0) / n})   # output first
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {"square_layers": ["looks reversed", "layer 3 of 3"], "two_layers": ["looks reversed"]},
    ),
    "dw_not_divided_by_n": (
        {
            "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = acts[0].shape[0]
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta, "b": delta.sum(axis=0) / n}   # dW not / n
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"]).T) * s * (1 - s)
    return grads
""",
        },
        {
            "three_layers": [
                "layer 3 of 3",
                "dW is wrong (max rel. error",
                "it is 32 times the right one",
                "db is right",
                "db_L is right, so δ_L is right",
            ]
        },
    ),
    "autodiff_backprop": (
        {
            "backprop": """
def backprop(params, x, y):
    import jax
    import jax.numpy as jnp

    def cost(p):
        a = jnp.asarray(x)
        for layer in p:
            a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
        return jnp.sum((jnp.asarray(y) - a) ** 2) / (2 * a.shape[0])

    return jax.grad(cost)([{k: jnp.asarray(v) for k, v in l.items()} for l in params])
""",
        },
        {},
    ),
}

HELPER = """

def _reference_forward(params, x):
    a = np.asarray(x, dtype=np.float64)
    zs, activations = [], [a]
    for layer in params:
        z = a @ np.asarray(layer["w"], dtype=np.float64) + np.asarray(layer["b"], dtype=np.float64)
        a = _sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations
"""


def _mutate(mutations):
    return replace_functions(REF + HELPER, mutations)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wrong_implementations_are_caught(name):
    mutations, expect = MUTANTS[name]
    if name == "autodiff_backprop":  # eager jax.grad in the sandbox is slow: public checks only
        result = grade_source(EX, _mutate(mutations), hidden=False, functions=["backprop"])
    else:
        result = grade_source(EX, _mutate(mutations))
    for function in mutations:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    for function in set(by_function(result)) - set(mutations):
        assert passed(result, function), summary(result)
    checks = {r.check.name: r for r in by_function(result)["backprop"]}
    for check, phrases in expect.items():
        message = checks[check].message
        for phrase in phrases:
            assert phrase in message, f"{check}: {phrase!r} not in {message!r}"
    if name == "autodiff_backprop":
        # Right values, but the static check refuses jax.grad, with the line.
        assert checks["three_layers"].status == "passed"
        assert checks["no_autodiff"].status == "failed"
        assert "uses jax.grad" in checks["no_autodiff"].message


ALTERNATIVE_LOOPS = """
import math


def _s(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def tiny_net_grads(w_hidden, w_out, x, y):
    x = [float(v) for v in x]
    A = [_s(sum(float(w_hidden[i][j]) * x[j] for j in range(2))) for i in range(2)]
    y_hat = _s(sum(float(w_out[i]) * A[i] for i in range(2)))
    e = y_hat - float(y)
    d_out = [e * A[i] for i in range(2)]
    d_hidden = [[float(w_out[i]) * x[j] * A[i] * (1 - A[i]) * e for j in range(2)] for i in range(2)]
    return d_out, d_hidden


def forward_with_cache(params, x):
    import numpy as np
    a = np.array(x, dtype=np.float64)
    zs, acts = [], [a]
    for p in params:
        z = a @ np.array(p["w"], dtype=np.float64) + np.array(p["b"], dtype=np.float64)
        a = np.array([[_s(v) for v in row] for row in z])
        zs.append(z)
        acts.append(a)
    return zs, acts


def backprop(params, x, y):
    # Seed 001's way: one example at a time, sum the gradients, divide by n at the end.
    import numpy as np
    x, y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    n = x.shape[0]
    total = [{"w": np.zeros(np.shape(p["w"])), "b": np.zeros(np.shape(p["b"]))} for p in params]
    for k in range(n):
        zs, acts = forward_with_cache(params, x[k:k + 1])
        s = acts[-1][0]
        delta = (s - y[k]) * s * (1 - s)
        for l in reversed(range(len(params))):
            total[l]["w"] += np.outer(acts[l][0], delta)
            total[l]["b"] += delta
            if l:
                a = acts[l][0]
                delta = (np.array(params[l]["w"], dtype=np.float64) @ delta) * a * (1 - a)
    return [{"w": t["w"] / n, "b": t["b"] / n} for t in total]
"""

ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp


def tiny_net_grads(w_hidden, w_out, x, y):
    A = jax.nn.sigmoid(jnp.asarray(w_hidden) @ jnp.asarray(x))
    y_hat = jax.nn.sigmoid(jnp.dot(jnp.asarray(w_out), A))
    return (y_hat - y) * A, jnp.outer(jnp.asarray(w_out) * A * (1 - A) * (y_hat - y), jnp.asarray(x))


@jax.jit
def forward_with_cache(params, x):
    a = jnp.asarray(x)
    zs, acts = [], [a]
    for p in params:
        zs.append(a @ p["w"] + p["b"])
        a = jax.nn.sigmoid(zs[-1])
        acts.append(a)
    return zs, acts


@jax.jit
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = x.shape[0]
    deltas = [None] * len(params)
    s = jax.nn.sigmoid(zs[-1])
    deltas[-1] = (acts[-1] - jnp.asarray(y)) * s * (1 - s)
    for l in range(len(params) - 2, -1, -1):
        s = jax.nn.sigmoid(zs[l])
        deltas[l] = jnp.einsum("nk,jk->nj", deltas[l + 1], params[l + 1]["w"]) * s * (1 - s)
    return [{"w": jnp.einsum("ni,nj->ij", acts[l], d) / n, "b": jnp.mean(d, axis=0)}
            for l, d in enumerate(deltas)]
"""


@pytest.mark.parametrize("source", [ALTERNATIVE_LOOPS, ALTERNATIVE_JAX], ids=["loops", "jax"])
def test_correct_alternatives_pass(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


def test_backprop_feedback_in_french_names_the_layer():
    mutations, _ = MUTANTS["w_instead_of_w_transposed"]
    result = grade_source(
        EX, _mutate({"backprop": mutations["backprop"]}), lang="fr", functions=["backprop"]
    )
    square = next(r for r in result.checks if r.check.name == "square_layers")
    assert "couche 2 sur 3" in square.message and "dW est faux" in square.message
    hidden = next(r for r in result.checks if r.check.name == "hidden_architectures")
    assert hidden.status == "error"  # w instead of w.T fails loudly with non-square layers


# -- dtypes: rounding noise is never "wrong" -----------------------------------------------------

# The stub's helpers as given (sigmoid casts to float64): with float32 inputs, layer 1's
# weighted inputs are float32 and everything after is float64 computed from float32 data.
WITH_FLOAT64_HELPER = """
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tiny_net_grads(w_hidden, w_out, x, y):
    A = sigmoid(np.asarray(w_hidden) @ np.asarray(x))
    y_hat = sigmoid(np.asarray(w_out) @ A)
    return (y_hat - y) * A, np.outer(np.asarray(w_out) * A * (1 - A) * (y_hat - y), x)


def forward_with_cache(params, x):
    a = np.asarray(x)
    zs, acts = [], [a]
    for p in params:
        z = a @ np.asarray(p["w"]) + np.asarray(p["b"])  # float32 for layer 1, then float64
        zs.append(z)
        a = sigmoid(z)
        acts.append(a)
    return zs, acts


def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = np.shape(x)[0]
    delta = (acts[-1] - np.asarray(y)) * sigmoid_prime(zs[-1])
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta.sum(axis=0) / n}
        if l:
            delta = (delta @ np.asarray(params[l]["w"]).T) * sigmoid_prime(zs[l - 1])
    return grads
"""

# float32 throughout: numpy for the tiny network, jax.numpy for the MLP, no float64 anywhere.
FLOAT32_THROUGHOUT = """
import numpy as np
import jax
import jax.numpy as jnp


def _sig32(z):
    z = np.asarray(z, np.float32)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, np.float32) for v in (w_hidden, w_out, x))
    A = _sig32(w_hidden @ x)
    y_hat = _sig32(w_out @ A)
    err = np.float32(y_hat - np.float32(y))
    return err * A, np.outer(w_out * A * (1 - A) * err, x)


def forward_with_cache(params, x):
    a = jnp.asarray(x, jnp.float32)
    zs, acts = [], [a]
    for p in params:
        z = a @ jnp.asarray(p["w"], jnp.float32) + jnp.asarray(p["b"], jnp.float32)
        a = jax.nn.sigmoid(z)
        zs.append(z)
        acts.append(a)
    return zs, acts


def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = acts[0].shape[0]
    s = jax.nn.sigmoid(zs[-1])
    delta = (acts[-1] - jnp.asarray(y, jnp.float32)) * s * (1 - s)
    grads = []
    for l in range(len(params) - 1, -1, -1):
        grads.insert(0, {"w": acts[l].T @ delta / n, "b": delta.sum(axis=0) / n})
        if l:
            s = jax.nn.sigmoid(zs[l - 1])
            delta = (delta @ jnp.asarray(params[l]["w"], jnp.float32).T) * s * (1 - s)
    return grads
"""


@pytest.mark.parametrize(
    "source", [WITH_FLOAT64_HELPER, FLOAT32_THROUGHOUT], ids=["float64_helper", "float32"]
)
def test_correct_code_in_other_precisions_gets_full_marks(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


def test_backprop_judge_reveals_the_error_and_factor_only_in_public_checks():
    from grader.course.ex08_backprop import judge_backprop, net_cases, true_grads
    from grader.judging import plain, redact

    (case,) = net_cases(np.random.default_rng(0), [([4, 3], 5)], targets=True)
    ((gw, gb),) = true_grads(*plain(case.args))
    message = judge_backprop([case], [[{"w": 3 * gw, "b": gb}]]).message
    for text, revealed in ((message.en, "3 times the right one"), (message.fr, "3 fois le bon")):
        public, hidden = redact(text, hidden=False), redact(text, hidden=True)
        assert revealed in public and ("max rel. error" in public or "erreur relative" in public)
        assert "dW" in hidden and revealed not in hidden
        assert "max rel. error" not in hidden and "erreur relative" not in hidden
