"""ex10_gradcheck: the reference passes everything; students' classic mistakes are caught;
correct code written differently passes."""

from __future__ import annotations

import pytest

from grader.testing import (
    failed,
    failed_stub_examples,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex10_gradcheck"
REF = reference_source(EX)


def _mutate(mutations):
    return replace_functions(REF, mutations)


def test_stub_examples_hold_for_the_reference():
    """The worked examples in the stub's docstrings are right (run against the reference)."""
    assert failed_stub_examples(EX) == 0


# The reference's gradient_check uses private helpers, so each function's mistake stands alone.
MUTANT_FORWARD = {
    "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    base = [np.array(leaf, dtype=np.float64) for leaf in leaves]
    f0 = float(f(jax.tree_util.tree_unflatten(treedef, base)))
    grads = []
    for leaf in base:
        g = np.zeros_like(leaf)
        for i in np.ndindex(leaf.shape):
            old = leaf[i]
            leaf[i] = old + eps
            g[i] = (float(f(jax.tree_util.tree_unflatten(treedef, base))) - f0) / eps  # one-sided
            leaf[i] = old
        grads.append(g)
    return jax.tree_util.tree_unflatten(treedef, grads)
""",
    "relative_error": """
def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))   # mean
""",
    "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, params, eps))
    errs = [_relative(c, n) for c, n in zip(jax.tree_util.tree_leaves(grads), num)]
    err = float(np.mean(errs))                                                         # mean
    return err < tol, err
""",
}

MUTANT_HALF = {
    "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    base = [np.array(leaf, dtype=np.float64) for leaf in leaves]
    grads = []
    for leaf in base:
        g = np.zeros_like(leaf)
        for i in np.ndindex(leaf.shape):
            old = leaf[i]
            leaf[i] = old + eps
            plus = float(f(jax.tree_util.tree_unflatten(treedef, base)))
            leaf[i] = old - eps
            minus = float(f(jax.tree_util.tree_unflatten(treedef, base)))
            leaf[i] = old
            g[i] = (plus - minus) / eps                                      # not 2 eps
        grads.append(g)
    return jax.tree_util.tree_unflatten(treedef, grads)
""",
    "relative_error": """
def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-12)))      # + instead of max
""",
    "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, params, eps))
    err = max(_relative(c, n) for c, n in zip(jax.tree_util.tree_leaves(grads), num))
    return err > tol, err                                                    # reversed
""",
}

MUTANT_FLOAT32 = {
    "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree
    flat, unravel = ravel_pytree(params)                                     # float32 without x64
    grad = jnp.zeros_like(flat)
    for i in range(flat.size):
        e = jnp.zeros_like(flat).at[i].set(eps)
        grad = grad.at[i].set((f(unravel(flat + e)) - f(unravel(flat - e))) / (2 * eps))
    return unravel(grad)
""",
    "relative_error": """
def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))   # norms
""",
    "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, params, 1e-5))            # ignores eps
    err = max(_relative(c, n) for c, n in zip(jax.tree_util.tree_leaves(grads), num))
    return err < tol, err
""",
}

MUTANT_INPLACE = {
    "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    grads = []
    for leaf in leaves:                                     # perturbs the caller's arrays...
        g = np.zeros(np.shape(leaf))
        for i in np.ndindex(np.shape(leaf)):
            leaf[i] += eps
            plus = f(params)
            leaf[i] -= 2 * eps
            minus = f(params)                               # ...and never puts them back
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return jax.tree_util.tree_unflatten(treedef, grads)
""",
    "relative_error": """
def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)                 # max(|a|, |b|)
    return float(np.max(np.abs(a - b) / den))
""",
    "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, params, eps))
    err = max(_relative(c, n) for c, n in zip(jax.tree_util.tree_leaves(grads), num))
    return err < tol, np.float32(err)                                        # float32
""",
}


@pytest.mark.parametrize(
    "mutant",
    [MUTANT_FORWARD, MUTANT_HALF, MUTANT_FLOAT32, MUTANT_INPLACE],
    ids=["forward_mean_mean", "half_plus_reversed", "float32_norms_eps", "inplace_maxab_f32"],
)
def test_wrong_implementations_are_caught(mutant):
    result = grade_source(EX, _mutate(mutant))
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


def test_messages_name_the_mistake():
    result = grade_source(
        EX, _mutate(MUTANT_HALF), hidden=False, functions=["numerical_gradient_tree"]
    )
    msg = next(r.message for r in result.checks if r.check.name == "dict_and_mlp")
    assert "times 2" in msg  # the engine spots the constant factor of a missing 2 in 2·eps
    result = grade_source(EX, _mutate(MUTANT_FLOAT32), functions=["numerical_gradient_tree"])
    msg = next(r.message for r in result.checks if r.check.name == "dict_and_mlp")
    assert "float64" in msg and "float32" in msg


ALTERNATIVE = """
import numpy as np


def _leaves(tree):
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in _leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [x for t in tree for x in _leaves(t)]
    return [tree]


def _rebuild(tree, values):
    if isinstance(tree, dict):
        return {k: _rebuild(tree[k], values) for k in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuild(t, values) for t in tree)
    return values.pop(0)


def numerical_gradient_tree(f, params, eps=1e-5):
    # Plain recursion and loops; perturbs the caller's arrays in place and restores them.
    leaves = _leaves(params)
    work = [np.array(x, dtype=np.float64) for x in leaves]
    tree = _rebuild(params, list(work))
    out = []
    for leaf in work:
        g = np.empty_like(leaf)
        for idx in np.ndindex(leaf.shape):
            keep = leaf[idx]
            leaf[idx] = keep + eps
            up = f(tree)
            leaf[idx] = keep - eps
            down = f(tree)
            leaf[idx] = keep
            g[idx] = (up - down) / (2 * eps)
        out.append(g)
    return _rebuild(params, out)


def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    den = np.abs(a) + np.abs(b)
    den = np.where(den < 1e-12, 1e-12, den)
    worst = 0.0
    for d, s in zip(np.abs(a - b).ravel(), den.ravel()):
        worst = max(worst, d / s)
    return worst


def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    numerical = numerical_gradient_tree(f, params, eps)
    err = np.float64(0.0)
    for c, n in zip(_leaves(grads), _leaves(numerical)):
        err = max(err, np.float64(relative_error(c, n)))
    return err < tol, err
"""


def test_correct_alternative_with_plain_recursion_passes():
    result = grade_source(EX, ALTERNATIVE)
    assert result.score == result.max_score, summary(result)
