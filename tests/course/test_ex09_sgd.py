"""ex09_sgd: the reference passes everything; students' classic mistakes are caught (a naive
per-example loop misses the time budget); correct code written differently passes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from grader import course
from grader.testing import (
    failed,
    failed_stub_examples,
    grade_source,
    reference_source,
    replace_function,
    replace_functions,
    stub_source,
    summary,
)

EX = "ex09_sgd"
REF = reference_source(EX)


def grade_checks(source: str, keep):
    """Grade ``source`` (hidden checks included) on the checks whose name satisfies ``keep``."""
    chosen = [f"{c.function}/{c.name}" for c in course.load(EX).checks if keep(c.name)]
    return grade_source(EX, source, checks=chosen)


def _mutate(mutations):
    return replace_functions(REF, mutations)


def test_reference_gets_full_marks_with_hidden_checks():
    result = grade_source(EX, REF)
    assert result.score == result.max_score > 0, summary(result)
    assert 15 <= result.max_score <= 25


def test_stub_examples_hold_for_the_reference():
    """The worked examples in the stub's docstrings are right (run against the reference)."""
    assert failed_stub_examples(EX) == 0


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_ORDER = {
    "minibatches": """
def minibatches(key, n, batch_size):
    idx = np.arange(n)                                   # forgot to shuffle
    return [idx[k : k + batch_size] for k in range(0, n, batch_size)]
""",
    "sgd_update": """
def sgd_update(params, grads, eta):
    return jax.tree_util.tree_map(lambda p, g: p + eta * g, params, grads)   # ascent
""",
    "update_mini_batch": """
def update_mini_batch(params, X_batch, Y_batch, eta):
    def total(p):                                        # the sum over the batch, not the mean
        return 0.5 * jnp.sum((Y_batch - mlp_forward(p, X_batch)) ** 2)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, jax.grad(total)(params))
""",
    "train_sgd": """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32); Y = jnp.asarray(Y, jnp.float32)
    losses = []
    for _ in range(epochs):                              # ignores batch_size: full-batch steps
        params = _step_jit(params, X, Y, eta)
        losses.append(float(_loss(params, X, Y)))
    return params, losses
""",
}

MUTANT_EDGES = {
    "minibatches": """
def minibatches(key, n, batch_size):
    perm = np.asarray(jax.random.permutation(key, n))
    return [perm[k : k + batch_size] for k in range(0, n - batch_size + 1, batch_size)]  # drops the rest
""",
    "sgd_update": """
def sgd_update(params, grads, eta):
    return {k: params[k] - eta * grads[k] for k in params}   # a flat dict only
""",
    "update_mini_batch": """
def update_mini_batch(params, X_batch, Y_batch, eta):
    def mse(p):                                          # mean over all elements, no 1/2
        return jnp.mean((Y_batch - mlp_forward(p, X_batch)) ** 2)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, jax.grad(mse)(params))
""",
    "train_sgd": """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32); Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    first = _loss(params, X, Y)
    params, losses = _train(key, params, X, Y, jnp.float32(eta), epochs=int(epochs),
                            batch_size=min(int(batch_size), X.shape[0]))
    return params, jnp.concatenate([first[None], losses])   # the initial loss too: epochs + 1
""",
}

MUTANT_RNG = {
    "minibatches": """
def minibatches(key, n, batch_size):
    perm = np.random.permutation(n)                      # global state: ignores the key
    return [perm[k : k + batch_size] for k in range(0, n, batch_size)]
""",
    "sgd_update": """
def sgd_update(params, grads, eta):
    return [{"w": p["w"] - eta * g["w"], "b": p["b"] - eta * g["b"]} for p, g in zip(params, grads)]
""",
    "update_mini_batch": """
def update_mini_batch(params, X_batch, Y_batch, eta):
    def cross_entropy(p):                                # not the course's quadratic cost
        a = mlp_forward(p, X_batch)
        return -jnp.mean(jnp.sum(Y_batch * jnp.log(a) + (1 - Y_batch) * jnp.log(1 - a), axis=1))
    params = jax.tree_util.tree_map(jnp.asarray, params)
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, jax.grad(cross_entropy)(params))
""",
    "train_sgd": """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    params, losses = _train(key, jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params),
                            jnp.asarray(X, jnp.float32), jnp.asarray(Y, jnp.float32), jnp.float32(eta),
                            epochs=int(epochs), batch_size=min(int(batch_size), len(X)))
    return params, losses * len(X)                       # the summed cost, not the mean
""",
}

MUTANT_BATCH_ORDER = {
    "minibatches": """
def minibatches(key, n, batch_size):
    idx = np.arange(n)
    batches = [idx[k : k + batch_size] for k in range(0, n, batch_size)]
    order = np.asarray(jax.random.permutation(key, len(batches)))
    return [batches[i] for i in order]                   # shuffles the batches, not the examples
""",
}


# The checks that show each mutant's mistakes (fewer sandboxed trainings: a faster test).
MUTANTS = {
    "order_ascent_sum_fullbatch": (
        MUTANT_ORDER,
        {"shuffled_by_the_key", "one_layer", "one_step", "digits_accuracy"},
    ),
    "edges_flat_mse_extra_loss": (
        MUTANT_EDGES,
        {"partition", "mlp_params", "one_step", "zero_epochs"},
    ),
    "rng_list_xent_sumloss": (
        MUTANT_RNG,
        {"shuffled_by_the_key", "one_layer", "one_step", "digits_accuracy"},
    ),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wrong_implementations_are_caught(name):
    mutant, checks = MUTANTS[name]
    result = grade_checks(_mutate(mutant), checks.__contains__)
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    for r in result.checks:  # every selected check catches its function's mistake
        assert r.status != "passed", f"{r.check.id} let the mistake through"


def test_shuffling_only_the_batch_order_is_caught_with_a_helpful_message():
    result = grade_source(EX, _mutate(MUTANT_BATCH_ORDER), hidden=False, functions=["minibatches"])
    check = next(r for r in result.checks if r.check.name == "shuffled_by_the_key")
    assert check.status == "failed"
    assert "only the order of the batches" in check.message


NAIVE_LOOP = """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    # Seed 001's DGS and update_mini_batch as written (Nielsen's network.py): numpy, one
    # backpropagation per example. Correct, but far too slow for the budget.
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    ws = [np.array(p["w"], np.float64) for p in params]
    bs = [np.array(p["b"], np.float64) for p in params]
    rng = np.random.default_rng(np.asarray(jax.random.randint(key, (2,), 0, 2**30)).tolist())
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for k in range(0, len(X), batch_size):
            batch = order[k : k + batch_size]
            nw, nb = [np.zeros_like(w) for w in ws], [np.zeros_like(b) for b in bs]
            for i in batch:
                acts = [X[i]]
                for w, b in zip(ws, bs):
                    acts.append(sig(acts[-1] @ w + b))
                delta = (acts[-1] - Y[i]) * acts[-1] * (1 - acts[-1])
                for l in range(len(ws) - 1, -1, -1):
                    nw[l] += np.outer(acts[l], delta)
                    nb[l] += delta
                    if l:
                        delta = (delta @ ws[l].T) * acts[l] * (1 - acts[l])
            ws = [w - eta / len(batch) * g for w, g in zip(ws, nw)]
            bs = [b - eta / len(batch) * g for b, g in zip(bs, nb)]
        a = X
        for w, b in zip(ws, bs):
            a = sig(a @ w + b)
        losses.append(0.5 * np.sum((a - Y) ** 2) / len(X))
    return [{"w": w, "b": b} for w, b in zip(ws, bs)], losses
"""


def test_naive_per_example_loop_is_right_but_misses_the_time_budget_quickly():
    src = replace_function(REF, "train_sgd", NAIVE_LOOP)
    names = {"full_batch_epochs", "digits_accuracy", "time_budget", "other_digits_budget"}
    started = time.monotonic()
    result = grade_checks(src, names.__contains__)
    elapsed = time.monotonic() - started
    by_name = {r.check.name: r for r in result.checks}
    assert by_name["full_batch_epochs"].status == "passed", summary(result)  # it is right...
    budget = by_name["time_budget"]
    assert budget.status in ("failed", "timeout") and budget.score == 0, summary(result)
    assert "budget" in budget.message and "reference solution" in budget.message
    # ...and so slow that the 120 s accuracy check and the hidden budget are not waited for.
    for name in ("digits_accuracy", "other_digits_budget"):
        assert by_name[name].status == "failed", summary(result)
        assert "not run" in by_name[name].message and "time_budget" in by_name[name].message
    timeouts = sum(r.check.timeout for r in result.checks)
    assert elapsed < 0.4 * timeouts, f"{elapsed:.0f} s against {timeouts:.0f} s of timeouts"


JIT_STEP_LOOP = """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    # The most common JAX pattern: a jitted step called from a Python loop over mini-batches.
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    n = X.shape[0]
    losses = []
    for k in jax.random.split(key, epochs):
        perm = jax.random.permutation(k, n)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            params = _step_jit(params, X[idx], Y[idx], eta)
        losses.append(_loss_jit(params, X, Y))
    return params, jnp.stack(losses) if losses else jnp.zeros(0)


_loss_jit = jax.jit(_loss)
"""


def test_a_jitted_step_in_a_python_loop_over_mini_batches_meets_the_budget():
    src = replace_function(REF, "train_sgd", JIT_STEP_LOOP)
    result = grade_checks(src, {"time_budget"}.__contains__)
    assert result.score == result.max_score, summary(result)


CACHED = """
_cache = []


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    # Trains once, then returns the same network: fast, but not an answer to the next call.
    if not _cache:
        _cache.append(_train_once(key, params, X, Y, epochs, batch_size, eta))
    return _cache[0]


def _train_once(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    return _train(key, params, X, Y, jnp.float32(eta), epochs=int(epochs), batch_size=int(batch_size))
"""


def test_answers_cached_from_the_warm_up_fail_the_timed_rounds():
    result = grade_checks(replace_function(REF, "train_sgd", CACHED), {"time_budget"}.__contains__)
    (check,) = result.checks
    assert check.status == "failed" and check.score == 0, summary(result)
    assert "timed run 1" in check.message, check.message


def test_the_reference_meets_its_budgets_while_both_cores_are_busy():
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        result = grade_checks(REF, {"time_budget", "other_digits_budget"}.__contains__)
    finally:
        for p in burners:
            p.kill()
            p.wait()
    assert result.score == result.max_score, summary(result)


def test_the_stub_quotes_the_budget_the_checks_use():
    from grader.course import ex09_sgd as checks

    doc = " ".join(stub_source(EX).split())  # the docstring's lines joined
    assert f"{checks.BUDGET_EPOCHS} epochs in mini-batches of {checks.BUDGET_BATCH}" in doc
    assert f"at most {checks.BUDGET_RATIO:g} times the reference's" in doc
    budgets = [c for c in course.load(EX).checks if c.kind == "budget"]
    assert budgets and all(c.budget_ratio == checks.BUDGET_RATIO for c in budgets)


ALTERNATIVE = """
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np


def minibatches(key, n, batch_size):
    # Another valid use of the key: seed numpy's generator from it.
    seed = np.asarray(jax.random.randint(key, (4,), 0, 2**31 - 1)).tolist()
    order = np.random.default_rng(seed).permutation(n)
    return [order[i : i + batch_size].tolist() for i in range(0, n, batch_size)]


def sgd_update(params, grads, eta):
    if isinstance(params, dict):
        return {k: sgd_update(params[k], grads[k], eta) for k in params}
    if isinstance(params, (list, tuple)):
        return type(params)(sgd_update(p, g, eta) for p, g in zip(params, grads))
    return params - eta * grads


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def update_mini_batch(params, X_batch, Y_batch, eta):
    # Backpropagation by hand in numpy float64, seed 001's sums divided by m.
    X = np.asarray(X_batch, np.float64)
    Y = np.asarray(Y_batch, np.float64)
    W = [np.asarray(p["w"], np.float64) for p in params]
    B = [np.asarray(p["b"], np.float64) for p in params]
    acts = [X]
    for w, b in zip(W, B):
        acts.append(_sigmoid(acts[-1] @ w + b))
    delta = (acts[-1] - Y) * acts[-1] * (1 - acts[-1])
    new = [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        gw, gb = acts[l].T @ delta / len(X), delta.sum(axis=0) / len(X)
        if l:
            delta = (delta @ W[l].T) * acts[l] * (1 - acts[l])
        new[l] = {"w": W[l] - eta * gw, "b": B[l] - eta * gb}
    return new


def _cost(p, X, Y):
    a = X
    for layer in p:
        a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
    return 0.5 * jnp.sum((Y - a) ** 2) / X.shape[0]


@partial(jax.jit, static_argnames=("batch_size",))
def _epoch(params, X, Y, key, eta, batch_size):
    n = X.shape[0]
    perm = jax.random.permutation(key, n)
    Xs, Ys = X[perm], Y[perm]
    full = n // batch_size

    def body(i, carry):
        p, total = carry
        xb = jax.lax.dynamic_slice_in_dim(Xs, i * batch_size, batch_size)
        yb = jax.lax.dynamic_slice_in_dim(Ys, i * batch_size, batch_size)
        loss, g = jax.value_and_grad(_cost)(p, xb, yb)
        return jax.tree_util.tree_map(lambda a, b: a - eta * b, p, g), total + loss * batch_size

    params, total = jax.lax.fori_loop(0, full, body, (params, 0.0))
    if n % batch_size:
        loss, g = jax.value_and_grad(_cost)(params, Xs[full * batch_size :], Ys[full * batch_size :])
        params = jax.tree_util.tree_map(lambda a, b: a - eta * b, params, g)
        total = total + loss * (n % batch_size)
    return params, total / n          # the mean of the mini-batch losses seen during the epoch


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X, Y = jnp.asarray(X), jnp.asarray(Y)
    losses = []
    for k in jax.random.split(key, epochs):
        params, loss = _epoch(params, X, Y, k, eta, int(batch_size))
        losses.append(loss)
    return params, jnp.stack(losses) if losses else []
"""


def test_correct_alternative_in_numpy_and_another_jax_style_passes():
    # Every check but the public budget (the hidden one times the same training on other data).
    result = grade_checks(ALTERNATIVE, lambda name: name != "time_budget")
    assert result.score == result.max_score, summary(result)


@pytest.mark.parametrize(
    ("batches", "revealed"),
    [
        ([list(range(0, 4)), list(range(4, 8))], (" = 3", " = 3")),  # n = 10: the last is missing
        ([[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]], ("; expected [4, 4, 2]", " ; attendu [4, 4, 2]")),
    ],
)
def test_the_batch_count_and_sizes_are_revealed_in_public_checks_only(batches, revealed):
    import numpy as np

    from grader.course._ex09_judges import batches_of
    from grader.judging import redact

    message = batches_of([np.array(b) for b in batches], 10, 4).message
    for text, part in zip((message.en, message.fr), revealed, strict=True):
        public, hidden = redact(text, hidden=False), redact(text, hidden=True)
        assert part in public and part not in hidden, (public, hidden)
