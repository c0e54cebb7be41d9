"""Refs and drivers for ex10_gradcheck (run inside the sandbox; no expected values here).

The scalar functions ``f(params)`` handed to the student are built here, in float64 numpy,
from plain data sent by the grader (coefficients, a small data set). They accept any pytree
whose leaves are arrays or numbers (numpy or jax), in jax's leaf order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandboxed.drivers import driver, ref


def _leaves(params) -> list[np.ndarray]:
    import jax

    return [np.asarray(leaf, dtype=np.float64) for leaf in jax.tree_util.tree_leaves(params)]


def cubic(a, b, c):
    """``f(v) = Σ_k a_k v_k³ + c_k v_k + ½ (Σ_k b_k v_k)²`` over the concatenated leaves ``v``."""
    a, b, c = (np.asarray(t, np.float64) for t in (a, b, c))

    def f(params):
        v = np.concatenate([leaf.ravel() for leaf in _leaves(params)])
        return float(np.sum(a * v**3 + c * v) + 0.5 * np.dot(b, v) ** 2)

    return f


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def mlp_cost(X, Y):
    """The quadratic cost ``1/(2n) Σ ‖y − a‖²`` of a sigmoid MLP (a list of {"w", "b"})."""
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)

    def f(params):
        a = X
        for layer in params:
            a = _sigmoid(
                a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64)
            )
        return float(0.5 * np.sum((Y - a) ** 2) / len(X))

    return f


def logistic_cost(X, y):
    """Binary cross-entropy from logits of ``{"w": (n,), "b": ()}`` plus ``0.5 · scale²``.

    ``params = {"linear": {"w", "b"}, "scale": ()}``: the logits are ``scale · (X w + b)``.
    """
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)

    def f(params):
        w = np.asarray(params["linear"]["w"], np.float64)
        b = np.asarray(params["linear"]["b"], np.float64)
        s = np.asarray(params["scale"], np.float64)
        z = s * (X @ w + b)
        return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * s**2)

    return f


FUNCTIONS = {"cubic": cubic, "mlp_cost": mlp_cost, "logistic_cost": logistic_cost}


@ref("ex10_f")
def make_f(name: str, *args) -> Any:
    """``Ref("ex10_f", (name, *data))``: the scalar function ``FUNCTIONS[name](*data)``."""
    return FUNCTIONS[name](*args)


@driver("ex10_keeps_params")
def keeps_params(fn, f, params, *args, **kwargs) -> Any:
    """Call ``fn(f, params, …)`` and return its result with ``params`` as they are afterwards,
    so that a function that perturbs ``params`` in place and forgets to restore them shows."""
    out = fn(f, params, *args, **kwargs)
    return {"result": out, "params_afterwards": params}
