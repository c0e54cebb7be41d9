"""Gradient checking: compare gradients with central differences (seed 002).

Central differences ``(f(θ + ε e_i) − f(θ − ε e_i)) / (2ε)`` have an error of order
``ε²`` plus the rounding error of ``f`` divided by ``ε``. In float32 (``~1e-7``
relative rounding) and ``ε = 1e-5`` the second term is ~1e-2: useless. So this module
**computes in float64** whatever the input dtype: leaves are copied to numpy float64
arrays and ``f`` is evaluated with JAX's x64 mode switched on for the duration of the
call only (``jax.enable_x64``; the global setting is left as it was). For this to
help, ``f`` must not cast to float32 itself (write ``jnp.asarray(x)``, not
``jnp.asarray(x, jnp.float32)``); float32 arrays that ``f`` closes over are promoted
when they meet the float64 params.

``f`` is jit-compiled once when it can be (it is called ``2 × size`` times); a function
that is not traceable (numpy code, Python control flow on values) is called as it is,
on numpy float64 arrays.

Example:
    >>> import jax.numpy as jnp
    >>> from jaxnn import gradcheck
    >>> f = lambda p: jnp.sum(p["w"] ** 3) + p["b"] ** 2
    >>> params = {"w": jnp.array([1.0, -2.0]), "b": jnp.array(0.5)}
    >>> g = gradcheck.numerical_gradient(f, params)
    >>> print(g["w"], g["b"])
    [ 3. 12.] 1.0
    >>> result = gradcheck.check_gradients(f, params)
    >>> result.ok, result.max_rel_error < 1e-8
    (True, True)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["GradCheckResult", "check_gradients", "numerical_gradient", "relative_error"]

NOT_FLOAT = (
    "{fn}: every leaf must be a floating-point array, but the leaf at {path} has dtype "
    "{dtype}. Convert it (x.astype(float)) or close over it in f instead of passing it."
)
NOT_SCALAR = (
    "{fn}: f must return a scalar (e.g. a mean loss), got shape {shape}. Reduce it with "
    ".sum() or .mean()."
)
STRUCTURE_MISMATCH = (
    "{fn}: the two gradients must have the same structure and shapes; got {a} and {b}. "
    "Return gradients shaped exactly like params."
)
BAD_EPS = "{fn}: eps must be a positive float (1e-5 to 1e-7 in float64), got {eps!r}."

# Errors that mean "f cannot be traced": fall back to calling it eagerly.
_TRACE_ERRORS = (
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerArrayConversionError,
    jax.errors.TracerBoolConversionError,
    jax.errors.TracerIntegerConversionError,
)


class GradCheckResult(NamedTuple):
    """Outcome of :func:`check_gradients`.

    Attributes:
        ok: ``max_rel_error < tol``.
        max_rel_error: the largest elementwise relative error over all leaves.
        errors: a pytree like ``params`` with each leaf's largest relative error (float).
        worst_path: where the largest error is, as ``jax.tree_util.keystr`` prints it
            (e.g. ``"[1]['w']"``); ``""`` for a bare array, ``None`` without leaves.
        worst_index: the element's index inside that leaf, e.g. ``(3, 0)``.
        numerical: the central-difference gradients (numpy float64), like ``params``.
        analytic: the gradients checked (numpy float64), like ``params``.
    """

    ok: bool
    max_rel_error: float
    errors: Any
    worst_path: str | None
    worst_index: tuple[int, ...] | None
    numerical: Any
    analytic: Any


def _x64() -> contextlib.AbstractContextManager:
    enable = getattr(jax, "enable_x64", None)
    if enable is not None:
        return enable(True)
    from jax.experimental import enable_x64  # older jax

    return enable_x64()


def _float64_leaves(fn: str, tree: Any) -> tuple[list[np.ndarray], Any, list]:
    with_path, treedef = jax.tree_util.tree_flatten_with_path(tree)
    leaves = []
    for path, leaf in with_path:
        dtype = np.asarray(leaf).dtype
        if not np.issubdtype(dtype, np.floating):
            raise TypeError(
                NOT_FLOAT.format(fn=fn, path=jax.tree_util.keystr(path) or "<root>", dtype=dtype)
            )
        leaves.append(np.array(leaf, dtype=np.float64))
    return leaves, treedef, [p for p, _ in with_path]


def _numerical_float64(f: Callable, params: Any, eps: float, fn: str):
    """Central differences in float64; returns (float64 leaves, treedef, paths, dtypes)."""
    if not (isinstance(eps, int | float) and eps > 0):
        raise ValueError(BAD_EPS.format(fn=fn, eps=eps))
    dtypes = [np.asarray(leaf).dtype for leaf in jax.tree.leaves(params)]
    leaves, treedef, paths = _float64_leaves(fn, params)
    with _x64():

        def call(func):
            out = np.asarray(func(jax.tree.unflatten(treedef, leaves)), dtype=np.float64)
            if out.size != 1:
                raise ValueError(NOT_SCALAR.format(fn=fn, shape=out.shape))
            return float(out.reshape(()))

        func = jax.jit(f)
        try:
            call(func)
        except _TRACE_ERRORS:
            func = f
        grads = []
        for leaf in leaves:
            g = np.zeros_like(leaf)
            # Perturb in place and restore: the tree passed to f shares these buffers.
            for idx in np.ndindex(leaf.shape):
                orig = leaf[idx]
                leaf[idx] = orig + eps
                f_plus = call(func)
                leaf[idx] = orig - eps
                f_minus = call(func)
                leaf[idx] = orig
                g[idx] = (f_plus - f_minus) / (2 * eps)
            grads.append(g)
    return grads, treedef, paths, dtypes


def numerical_gradient(f: Callable[[Any], Any], params: Any, eps: float = 1e-5) -> Any:
    """Gradient of scalar ``f(params)`` by central differences, for every element of every leaf.

    ``∂f/∂θ_i ≈ (f(θ + ε e_i) − f(θ − ε e_i)) / (2ε)``, computed in float64 (see the
    module docstring). Costs ``2 × (number of scalars)`` calls of ``f``: meant for
    checking small models, not for training.

    Args:
        f: ``f(params) -> scalar``.
        params: a pytree of floating arrays (or one array).
        eps: ``ε``, the step.

    Returns:
        numpy arrays structured like ``params``, each with the dtype of its leaf: a
        float64 input gives float64 gradients, a float32 input gets the float64 result
        rounded to float32.

    Example:
        >>> print(numerical_gradient(lambda x: (x**2).sum(), np.array([1.0, -3.0])))
        [ 2. -6.]
    """
    grads, treedef, _, dtypes = _numerical_float64(f, params, eps, "numerical_gradient")
    return jax.tree.unflatten(treedef, [g.astype(d) for g, d in zip(grads, dtypes, strict=True)])


def _rel_error_leaf(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # An element where both are 0 gives 0 / 1e-12 = 0: it counts as agreeing.
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def _pair_leaves(fn: str, a: Any, b: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    la, ta = jax.tree.flatten(a)
    lb, tb = jax.tree.flatten(b)
    la = [np.asarray(x, dtype=np.float64) for x in la]
    lb = [np.asarray(x, dtype=np.float64) for x in lb]
    if ta != tb or any(x.shape != y.shape for x, y in zip(la, lb, strict=True)):
        sa = jax.tree.unflatten(ta, [x.shape for x in la])
        sb = jax.tree.unflatten(tb, [y.shape for y in lb])
        raise ValueError(STRUCTURE_MISMATCH.format(fn=fn, a=sa, b=sb))
    return la, lb


def relative_error(a: Any, b: Any) -> float:
    """Largest elementwise relative error ``|a_i − b_i| / max(|a_i| + |b_i|, 1e-12)``.

    The CS231n measure (seed 002's gradient check): 0 for equal values, 1 for opposite
    signs or one of them 0 (the ``1e-12`` floor only matters below that); an element
    where both are 0 counts 0. Typical verdicts in
    float64: ``< 1e-7`` excellent, ``< 1e-4`` fine with kinks (ReLU), ``> 1e-2`` a bug.

    Args:
        a: an array or pytree of arrays.
        b: same structure and shapes as ``a``.

    Returns:
        a Python float in ``[0, 1]`` (``0.0`` when there are no elements).

    Example:
        >>> relative_error(np.array([1.0, 0.0]), np.array([3.0, 0.0]))
        0.5
    """
    la, lb = _pair_leaves("relative_error", a, b)
    per_leaf = (float(_rel_error_leaf(x, y).max(initial=0.0)) for x, y in zip(la, lb, strict=True))
    return max(per_leaf, default=0.0)


def check_gradients(
    f: Callable[[Any], Any],
    params: Any,
    grads: Any | None = None,
    eps: float = 1e-5,
    tol: float = 1e-4,
) -> GradCheckResult:
    """Checks ``grads`` (default: ``jax.grad(f)(params)``) against central differences.

    Both sides are computed in float64 (``jax.grad`` runs on float64 copies of the params
    under x64 mode), so the verdict reflects the formula, not float32 rounding.

    Args:
        f: ``f(params) -> scalar``.
        params: a pytree of floating arrays.
        grads: the gradients to check, structured like ``params`` (e.g. from a
            hand-written backprop); ``None`` checks JAX's own.
        eps: central-difference step.
        tol: pass when ``max_rel_error < tol``.

    Returns:
        a :class:`GradCheckResult` (``ok``, ``max_rel_error``, per-leaf ``errors``, the
        ``worst_path``/``worst_index``, and both gradients).

    Example:
        >>> f = lambda p: jnp.sum(jnp.tanh(p[0]["w"]))
        >>> wrong = [{"w": np.ones(3)}]  # forgot the derivative of tanh
        >>> r = check_gradients(f, [{"w": np.array([0.0, 1.0, 2.0])}], wrong)
        >>> r.ok, r.worst_path, r.worst_index
        (False, "[0]['w']", (2,))
    """
    num, treedef, paths, _ = _numerical_float64(f, params, eps, "check_gradients")
    if grads is None:
        leaves, _, _ = _float64_leaves("check_gradients", params)
        with _x64():
            tree = jax.tree.unflatten(treedef, [jnp.asarray(x) for x in leaves])
            try:
                grads = jax.jit(jax.grad(f))(tree)  # one compile instead of one per op
            except _TRACE_ERRORS:
                grads = jax.grad(f)(tree)
            analytic = [np.asarray(g, dtype=np.float64) for g in jax.tree.leaves(grads)]
    else:
        _, analytic = _pair_leaves("check_gradients", jax.tree.unflatten(treedef, num), grads)
    errors, worst, worst_path, worst_index = [], -1.0, None, None
    for path, n, a in zip(paths, num, analytic, strict=True):
        rel = _rel_error_leaf(n, a)
        leaf_max = float(rel.max(initial=0.0))
        errors.append(leaf_max)
        if rel.size and leaf_max > worst:
            worst = leaf_max
            worst_path = jax.tree_util.keystr(path)
            worst_index = tuple(int(i) for i in np.unravel_index(int(rel.argmax()), rel.shape))
    max_rel = max(errors, default=0.0)
    return GradCheckResult(
        ok=bool(max_rel < tol),
        max_rel_error=max_rel,
        errors=jax.tree.unflatten(treedef, errors),
        worst_path=worst_path,
        worst_index=worst_index,
        numerical=jax.tree.unflatten(treedef, num),
        analytic=jax.tree.unflatten(treedef, analytic),
    )
