"""Refs and drivers for ex03_gradient_descent (run inside the sandbox; no expected values here).

The functions of ex03 take callables (``grad_fn``, ``f``), which cannot cross the wire: the
grader sends ``Ref("ex03_…", (arrays…))`` and the worker builds the callable here. Each works
on numpy arrays and on jax arrays (tracers included, so ``jax.jit`` / ``lax.scan`` code works).
"""

from __future__ import annotations

from grader.sandboxed.drivers import ref


@ref("ex03_quadratic_grad")
def quadratic_grad(a, b):
    """∇f for ``f(x) = Σ (a·x²/2 − b·x)`` (elementwise ``a``, ``b`` of x's shape): ``a·x − b``."""
    return lambda x: a * x - b


@ref("ex03_linear_grad")
def linear_grad(A, b):
    """∇f for ``f(x) = x·A·x/2 − b·x`` with ``A`` symmetric, ``x`` of shape ``(n,)``: ``A x − b``."""
    return lambda x: A @ x - b


@ref("ex03_double_well_grad")
def double_well_grad(c):
    """∇f for ``f(x) = Σ (c·x⁴/4 − x²/2)`` (two minima per element): ``c·x³ − x``."""
    return lambda x: c * x**3 - x


@ref("ex03_scalar_fn")
def scalar_fn(c, d, w):
    """A scalar function of an array ``x`` of the shape of ``c``, ``d``, ``w``:

    ``f(x) = Σ c·x³ + Σ sin(d·x) + (Σ w·x)²`` (curved in every direction and coupled).
    """

    def f(x):
        import jax
        import jax.numpy as jnp
        import numpy as np

        xp = jnp if isinstance(x, jax.Array) else np
        return xp.sum(c * x**3) + xp.sum(xp.sin(d * x)) + xp.sum(w * x) ** 2

    return f
