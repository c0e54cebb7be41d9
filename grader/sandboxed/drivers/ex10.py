"""Refs and drivers for ex10_gradcheck (run inside the sandbox; no expected values here).

The scalar functions ``f(params)`` handed to the student are built here, in float64 numpy,
from plain data sent by the grader (coefficients, a small data set). They accept any pytree
whose leaves are arrays or numbers (numpy or jax), in jax's leaf order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandboxed.drivers import driver, ref


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def cubic(a, b, c):
    """``f(v) = Σ_k a_k v_k³ + c_k v_k + ½ (Σ_k b_k v_k)²`` over the concatenated leaves ``v``."""
    import jax

    a, b, c = map(_f64, (a, b, c))

    def f(params):
        v = np.concatenate([_f64(leaf).ravel() for leaf in jax.tree_util.tree_leaves(params)])
        return float(np.sum(a * v**3 + c * v) + 0.5 * np.dot(b, v) ** 2)

    return f


def mlp_cost(X, Y):
    """The quadratic cost ``1/(2n) Σ ‖y − a‖²`` of a sigmoid MLP (a list of {"w", "b"})."""
    X, Y = _f64(X), _f64(Y)

    def f(params):
        a = X
        for layer in params:
            a = 0.5 * (1.0 + np.tanh(0.5 * (a @ _f64(layer["w"]) + _f64(layer["b"]))))
        return float(0.5 * np.sum((Y - a) ** 2) / len(X))

    return f


def logistic_cost(X, y):
    """Binary cross-entropy from logits of ``{"w": (n,), "b": ()}`` plus ``0.5 · scale²``.

    ``params = {"linear": {"w", "b"}, "scale": ()}``: the logits are ``scale · (X w + b)``.
    """
    X, y = _f64(X), _f64(y)

    def f(params):
        s = _f64(params["scale"])
        z = s * (X @ _f64(params["linear"]["w"]) + _f64(params["linear"]["b"]))
        return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * s**2)

    return f


@ref("ex10_f")
def make_f(name: str, *args) -> Any:
    """``Ref("ex10_f", (name, *data))``: the scalar function ``name(*data)`` of this module."""
    return {"cubic": cubic, "mlp_cost": mlp_cost, "logistic_cost": logistic_cost}[name](*args)


@driver("ex10_keeps_params")
def keeps_params(fn, f, params, *args, **kwargs) -> Any:
    """Call ``fn(f, params, …)`` and return its result with ``params`` as they are afterwards,
    so that a function that perturbs ``params`` in place and forgets to restore them shows."""
    return {"result": fn(f, params, *args, **kwargs), "params_afterwards": params}
