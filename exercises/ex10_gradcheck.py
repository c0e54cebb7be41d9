"""Exercise 10 — gradient checking (vérification du gradient). Seeds 002 and 003.

Goal: check a gradient the way seed 002's authors checked their hand-written backpropagation
("Batch gradient descent, gradient checking, L2 Regularisation"): estimate every partial
derivative numerically, from values of the cost alone, and measure how far the claimed
gradient is from it. A wrong backprop (a missing 1/2, a sum instead of a mean, a transposed
matrix) shows at once as a large relative error.

What you will have learnt:
- the central difference ``(f(θ + ε) − f(θ − ε)) / (2ε)`` and why it beats the one-sided one;
- how to walk every element of every leaf of a pytree (dicts, lists, tuples, 0-d leaves);
- why numerical derivatives need float64 (and why jax, which computes in float32 unless
  told otherwise, is the wrong tool here: use numpy);
- the relative error, which judges a gradient independently of its scale.

Seed 003 recalls ``f(x + h) ≈ f(x) + df(x)·h``. Writing it at ``+ε`` and ``−ε`` and
subtracting cancels the second-order terms:
``f(x + ε) − f(x − ε) = 2ε f'(x) + ε³ f'''(x)/3 + …``, so the central difference is
``f'(x) + ε² f'''(x)/6 + …``: an error in ``ε²`` (a one-sided difference errs in ``ε``).

Run ``grader run -e ex10`` to check your work.
"""

from __future__ import annotations

import numpy as np


def numerical_gradient_tree(f, params, eps=1e-5):
    """The numerical gradient of ``f`` at ``params`` (gradient numérique), by central differences.

    For every element ``θ_i`` of every leaf of ``params`` (a pytree: dicts, lists and tuples
    of arrays, nested freely, 0-d leaves included):

        ∂f/∂θ_i ≈ (f(θ + ε·e_i) − f(θ − ε·e_i)) / (2ε)

    where ``θ ± ε·e_i`` is ``params`` with only that element moved by ``±ε`` (seed 003's
    ``f(x + h) ≈ f(x) + df(x)·h`` at ``h = ±ε·e_i``).

    Keep float64: work on float64 numpy copies of the leaves (``np.array(leaf, np.float64)``)
    and never change the caller's arrays. ``jax.tree_util.tree_flatten`` and
    ``tree_unflatten`` give you the leaves and rebuild the structure; do not use
    ``jax.flatten_util.ravel_pytree`` or ``jnp`` here: without x64 they turn float64 into
    float32, and at ``ε = 1e-5`` float32 differences are noise.

    Args:
      f: a scalar function of a pytree shaped like ``params`` (returns a float).
      params: the point ``θ``, a pytree of arrays.
      eps: the step ``ε``.

    Returns:
      A pytree with the structure and shapes of ``params`` holding the float64 derivatives
      (the difference quotients themselves, even when ``ε`` is large).

    Example:
      >>> f = lambda p: float(np.sum(p["w"] ** 3) + 2 * p["b"])
      >>> g = numerical_gradient_tree(f, {"w": np.array([1.0, 2.0]), "b": np.array(0.5)})
      >>> np.round(g["w"], 6).tolist(), round(float(g["b"]), 6)   # 3 w², 2
      ([3.0, 12.0], 2.0)
      >>> g = numerical_gradient_tree(f, {"w": np.array([1.0]), "b": np.array(0.0)}, eps=0.1)
      >>> round(float(g["w"][0]), 6)   # 3·1² + ε² for a cube: the quotient, not the derivative
      3.01
    """
    raise NotImplementedError(
        "numerical_gradient_tree: for each element of each float64 leaf copy, f(+eps) and f(-eps)"
    )


def relative_error(a, b):
    """The largest elementwise relative error between two arrays (erreur relative).

        relative_error(a, b) = max_i |a_i − b_i| / max(|a_i| + |b_i|, 1e-12)

    The floor ``1e-12`` keeps the ratio finite: an element where both are 0 counts 0, and
    values far below ``1e-12`` count little. The maximum, not the mean: one wrong element is
    enough to make a gradient wrong. Works in float64 on any shape, scalars included.

    Args:
      a, b: arrays (numpy or jax) of the same shape, or numbers.

    Returns:
      A float in ``[0, 1]``.

    Example:
      >>> round(relative_error(np.array([1.0, 0.0, 2.0]), np.array([1.0, 0.0, 2.2])), 6)   # 0.2 / 4.2
      0.047619
      >>> relative_error(np.array([0.0, 3.0]), np.array([1.0, 3.0]))   # 1 / 1 for the first
      1.0
    """
    raise NotImplementedError(
        "relative_error: elementwise ratio with np.maximum(..., 1e-12), then np.max"
    )


def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    """Check a claimed gradient against the numerical one (vérification du gradient).

    Compute ``numerical_gradient_tree(f, params, eps)``, then ``relative_error`` between each
    leaf of ``grads`` and the matching numerical leaf. The largest of these is
    ``max_rel_error``; the gradient passes when ``max_rel_error < tol``. With float64 and
    ``ε = 1e-5`` a right gradient typically gives ``1e-7`` or less, a wrong one ``1e-2`` to ``1``.

    Args:
      f: a scalar function of a pytree shaped like ``params``.
      grads: the claimed gradient, a pytree shaped like ``params``.
      params: the point ``θ``.
      eps: the step of the central differences.
      tol: the largest acceptable relative error.

    Returns:
      ``(ok, max_rel_error)``: a bool and a float64.

    Example:
      >>> f = lambda p: float(np.sum(p["w"] ** 2))
      >>> params = {"w": np.array([1.0, -2.0])}
      >>> ok, err = gradient_check(f, {"w": np.array([2.0, -4.0])}, params)   # 2 w: right
      >>> bool(ok), err < 1e-8
      (True, True)
      >>> gradient_check(f, {"w": np.array([1.0, -2.0])}, params)   # w: the 2 is missing
      (False, 0.3333333333...)
    """
    raise NotImplementedError(
        "gradient_check: numerical gradient, the largest relative_error over leaves, < tol"
    )
