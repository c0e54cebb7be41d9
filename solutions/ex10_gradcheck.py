"""Reference solution — ex10: gradient checking (seed 002, 003).

Instructor side: never shipped to students. Plain numpy in float64: numerical derivatives
at small ``eps`` need it (jax without x64 would silently compute in float32).
"""

from __future__ import annotations

import jax
import numpy as np


def numerical_gradient_tree(f, params, eps=1e-5):
    """Central differences ``(f(θ + eps·e_i) − f(θ − eps·e_i)) / (2 eps)`` for every element of
    every leaf; the result has the structure of ``params``, in float64."""
    return _numerical(f, params, eps)


def _numerical(f, params, eps):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    base = [np.array(leaf, dtype=np.float64) for leaf in leaves]  # copies: params stay intact
    grads = []
    for leaf in base:
        g = np.zeros_like(leaf)
        flat, gflat = leaf.reshape(-1), g.reshape(-1)  # views of leaf and g
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = float(f(jax.tree_util.tree_unflatten(treedef, base)))
            flat[i] = old - eps
            minus = float(f(jax.tree_util.tree_unflatten(treedef, base)))
            flat[i] = old
            gflat[i] = (plus - minus) / (2.0 * eps)
        grads.append(g)
    return jax.tree_util.tree_unflatten(treedef, grads)


def relative_error(a, b):
    """``max_i |a_i − b_i| / max(|a_i| + |b_i|, 1e-12)``; 0 where both are 0."""
    return _relative(a, b)


def _relative(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ratio = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)
    return float(np.max(ratio)) if ratio.size else 0.0


def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    """``(max_rel_error < tol, max_rel_error)``: claimed ``grads`` against numerical ones."""
    # The private helpers, so that this function stands on its own (the course's tests swap
    # the public ones for wrong variants one at a time).
    numerical = jax.tree_util.tree_leaves(_numerical(f, params, eps))
    claimed = jax.tree_util.tree_leaves(grads)
    err = max((_relative(c, n) for c, n in zip(claimed, numerical, strict=True)), default=0.0)
    return bool(err < tol), float(err)
