"""Drivers for ex12_optimizers: run a student's optax transformation and return plain data.

A ``GradientTransformation`` cannot cross the wire, so these drivers build it inside the
sandbox, drive it for many steps and return what it did (updates or parameters, stacked with
the step number on axis 0), which the grader compares with the reference driven identically.

Inputs (plain data): ``hparams`` is a list of positional arguments or a dict of keyword
arguments for the exercise's function (``adam(*hparams)`` / ``adam(**hparams)``); ``params``,
``grads``, ``curvature`` and ``target`` are pytrees (dicts and lists) of float32 arrays;
``grads`` holds one gradient per step, stacked on axis 0 of every leaf.
"""

from __future__ import annotations

from typing import Any

from grader.sandboxed.drivers import driver


def _build(fn, hparams):
    tx = fn(**hparams) if isinstance(hparams, dict) else fn(*hparams)
    name = getattr(fn, "__name__", "the function")
    if not (callable(getattr(tx, "init", None)) and callable(getattr(tx, "update", None))):
        raise TypeError(
            f"{name}(...) returned {type(tx).__name__}, not an optax GradientTransformation: "
            "return optax.GradientTransformation(init, update) built from your two functions"
        )
    return tx


def _to_jax(tree):
    import jax
    import jax.numpy as jnp

    return jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), tree)


def _per_step(grads) -> list:
    """The gradient pytree of each step, as jax float32 arrays (one batched transfer)."""
    import jax
    import numpy as np

    leaves, treedef = jax.tree_util.tree_flatten(grads)
    leaves = [np.asarray(leaf, np.float32) for leaf in leaves]
    n_steps, n_leaves = len(leaves[0]), len(leaves)
    arrays = jax.device_put([leaf[t] for t in range(n_steps) for leaf in leaves])
    return [treedef.unflatten(arrays[t * n_leaves : (t + 1) * n_leaves]) for t in range(n_steps)]


def _update(tx, grads, state, params, with_params: bool):
    out = tx.update(grads, state, params) if with_params else tx.update(grads, state)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(
            f"update() returned {type(out).__name__}, not a pair: it must return "
            "(updates, new_state)"
        )
    return out[0], out[1]


def _leaves_like(tree, like, what: str) -> list:
    """``tree``'s leaves, after checking it has the structure of ``like``."""
    import jax

    expected = jax.tree_util.tree_structure(like)
    got = jax.tree_util.tree_structure(tree)
    if got != expected:
        raise ValueError(
            f"{what} has the structure {got}, expected {expected} (the structure of the "
            "params/gradients): return one array per parameter, in a pytree of the same shape "
            "(jax.tree.map(lambda g, s: ..., grads, state...) does that)"
        )
    return jax.tree_util.tree_leaves(tree)


def _stack(steps: list[list], like) -> Any:
    """One pytree shaped like ``like`` whose leaves stack the steps' leaves on axis 0."""
    import jax
    import numpy as np

    columns = []
    for i, col in enumerate(zip(*steps, strict=True)):
        arrays = [np.asarray(a) for a in col]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"the update of leaf {i} changed shape between steps ({sorted(shapes)}): "
                "each update must have the shape of its parameter"
            )
        columns.append(np.stack(arrays))
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(like), columns)


def _make_step(tx, with_params: bool, jit: bool, gradient=None):
    import jax
    import optax

    def step(params, state, grads):
        if gradient is not None:
            grads = gradient(params)
        updates, state = _update(tx, grads, state, params, with_params)
        new_params = optax.apply_updates(params, updates)
        return new_params, state, updates

    return jax.jit(step) if jit else step


@driver("ex12_sequence")
def sequence(fn, hparams, params, grads, *, with_params=True, jit=False) -> Any:
    """Feed the gradients ``grads[t]`` one step at a time; return ``{"updates": (T, ...)}``.

    ``with_params=False`` calls ``update(grads, state)`` (params left to their default None);
    ``jit=True`` compiles the whole step (update and ``optax.apply_updates``) with ``jax.jit``,
    so the state must be a pytree of arrays.
    """
    tx = _build(fn, hparams)
    params = _to_jax(params)
    state = tx.init(params)
    step = _make_step(tx, with_params, jit)
    rows = []
    for g in _per_step(grads):
        params, state, updates = step(params, state, g)
        rows.append(_leaves_like(updates, g, "the updates returned by update()"))
    return {"updates": _stack(rows, params)}


@driver("ex12_quadratic")
def quadratic(fn, hparams, params, curvature, target, steps, *, with_params=True, jit=False):
    """Minimise ``½ Σ c·(p − target)²`` for ``steps`` steps, the gradient ``c·(p − target)``
    computed here at the current params; return ``{"params": (steps, ...)}`` after each step."""
    import jax

    tx = _build(fn, hparams)
    params = _to_jax(params)
    curvature, target = _to_jax(curvature), _to_jax(target)

    def gradient(p):
        return jax.tree.map(lambda c, x, y: c * (x - y), curvature, p, target)

    state = tx.init(params)
    step = _make_step(tx, with_params, jit, gradient)
    rows = []
    for _ in range(int(steps)):
        params, state, updates = step(params, state, None)
        _leaves_like(updates, curvature, "the updates returned by update()")
        rows.append(_leaves_like(params, curvature, "the new params"))
    return {"params": _stack(rows, curvature)}


@driver("ex12_init_twice")
def init_twice(fn, hparams, params_a, params_b, grads) -> Any:
    """Initialise from two params of the same structure but other values, run the same
    gradients from both; return both initial states' leaves and both update sequences."""
    import jax
    import numpy as np

    tx = _build(fn, hparams)
    out = {}
    for tag, params in (("a", params_a), ("b", params_b)):
        params = _to_jax(params)
        state = tx.init(params)
        try:
            leaves = [np.asarray(x) for x in jax.tree_util.tree_leaves(state)]
        except TypeError as exc:
            raise TypeError(
                f"init() returned a state whose leaves are not arrays ({exc}): keep arrays "
                "(and numbers) in tuples, NamedTuples, lists or dicts"
            ) from exc
        rows = []
        for g in _per_step(grads):
            updates, state = _update(tx, g, state, params, True)
            rows.append(_leaves_like(updates, g, "the updates returned by update()"))
        out[tag] = {"state": leaves, "updates": _stack(rows, params)}
    return out
