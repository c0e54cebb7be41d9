"""Exercise 03 — gradient descent (descente de gradient). Seeds 001, 003 and 004.

Goal: minimise a function by following the opposite of its gradient, the algorithm that
trains every network of this course. Seed 001 ("Comment minimiser la fonction coût ?")
shows that the step ``Δv = −η ∇C`` makes the cost decrease, ``ΔC ≈ −η ‖∇C‖² < 0``, and asks
for 3 iterations by hand on three functions; seed 004 writes the same update as
``w_{t+1} = w_t − η ∇_w J(w_t)``; seed 003 recalls the derivatives (dérivées) and gradients
that the update needs.

What you will have learnt:
- to write the gradient-descent loop and keep the whole trajectory (for plots and checks);
- to derive gradients by hand, signs included, and to check them numerically with
  central differences (the grader refuses ``jax.grad`` in the hand-derived ones);
- why numerical differentiation needs float64, and why central differences
  ``(f(x+ε) − f(x−ε)) / 2ε`` are much more accurate than forward ones ``(f(x+ε) − f(x)) / ε``;
- what the step η (le pas, learning rate) does: too small is slow, too large diverges
  (try ``C2``: it has no minimum at all).

Run ``grader run -e ex03`` to check your work. Inputs may be numpy or jax arrays.
"""

from __future__ import annotations

import numpy as np


def gradient_descent(grad_fn, x0, eta, steps):
    """Gradient descent (descente de gradient): iterate ``x ← x − η ∇f(x)``.

    Seed 001, "L'algorithme de descente de gradient": to minimise ``C(v)``, repeat

        v → v − η ∇C

    with ``η > 0`` the step (le pas). Ours: ``x`` is seed's ``v`` and ``grad_fn(x)`` is ``∇C(v)``.
    Seed 004 writes it ``w_{t+1} = w_t − η ∇_w J(w_t)``.

    Args:
      grad_fn: a function returning the gradient ``∇f(x)``, an array of ``x``'s shape.
      x0: the starting point (point de départ), an array of any shape (``()`` for a number).
      eta: the step η, a positive float.
      steps: the number of updates, an int ``>= 0``.

    Returns:
      The trajectory: an array of shape ``(steps + 1, *x0.shape)`` whose row 0 is ``x0`` and
      row ``k + 1`` is ``row_k − eta · grad_fn(row_k)``. Do not modify ``x0`` in place.

    Example (``f(x) = x²``, ``∇f(x) = 2x``, ``x0 = 1``, ``η = 0.25``: each step halves x):
      >>> gradient_descent(lambda x: 2 * x, np.array(1.0), 0.25, 3)
      array([1.   , 0.5  , 0.25 , 0.125])
    """
    raise NotImplementedError(
        "gradient_descent: start a list with x0, append x - eta * grad_fn(x) steps times, np.stack"
    )


def numerical_gradient(f, x, eps=1e-5):
    """The gradient of a scalar function by central differences (différences finies centrées).

    Seed 003 defines the derivative by ``f(x + h) ≈ f(x) + f'(x)·h``; for ``f: ℝⁿ → ℝ`` the
    gradient ``∇f(x) = (∂f/∂x_1, …, ∂f/∂x_n)`` collects one partial derivative per
    coordinate. Approximate each one by moving **only** element ``i`` by ``±eps``:

        ∂f/∂x_i ≈ (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps)

    (``e_i`` is 1 at position ``i``, 0 elsewhere). The error is about ``eps²`` — the forward
    difference ``(f(x + eps·e_i) − f(x)) / eps`` is only accurate to about ``eps``, which the
    grader notices. ``x`` may have any shape: loop over ``np.ndindex(x.shape)``. With
    ``eps = 1e-5`` the difference of two nearly equal values of ``f`` needs float64: compute
    in float64 (``np.array(x, dtype=np.float64)``) and return float64 for a float64 ``x``
    (a float32 ``x`` may give float32 or float64). Do not modify ``x``.

    Args:
      f: a function of an array of ``x``'s shape, returning a number.
      x: the point, an array of any shape.
      eps: the half-width of the difference.

    Returns:
      An array of ``x``'s shape: the approximate gradient ∇f(x).

    Example (``f(x) = x_0² + 3·x_1`` at ``(1, 2)``: ``∇f = (2·x_0, 3) = (2, 3)``):
      >>> g = numerical_gradient(lambda x: x[0] ** 2 + 3 * x[1], np.array([1.0, 2.0]))
      >>> np.round(g, 6)
      array([2., 3.])
    """
    raise NotImplementedError(
        "numerical_gradient: for i in np.ndindex(x.shape), perturb x[i] by +eps and -eps"
    )


def grad_f1(x):
    """The derivative of seed 001's ``f(x) = x⁴ − x³`` (dérivée de f), derived by hand.

    Seed 001's exercise, function 1: ``f(x) = x^4 − x^3``. Differentiate each power
    (``(xⁿ)' = n xⁿ⁻¹``). No ``jax.grad`` or other automatic differentiation, no
    ``numerical_gradient``: the grader checks the source.

    Args:
      x: a number or an array of any shape (the formula applies elementwise).

    Returns:
      ``f1'(x)``, same shape as ``x``.

    Example (``f1'(0.5) = 4·0.125 − 3·0.25 = −0.25``; ``f1'(1) = 1``):
      >>> grad_f1(np.array([0.5, 1.0]))
      array([-0.25,  1.  ])
    """
    raise NotImplementedError("grad_f1: differentiate x**4 - x**3 by hand")


def grad_c2(v):
    """The gradient of seed 001's ``C(v₁, v₂) = −v₁³ + v₂²`` (gradient de C), derived by hand.

    Seed 001: ``∇C = (∂C/∂v₁, ∂C/∂v₂)``. Differentiate with respect to ``v₁`` with ``v₂``
    held constant, then the other way round; mind the sign of ``−v₁³``. Ours: ``v[0]`` is
    seed's ``v₁``, ``v[1]`` is ``v₂``. No automatic or numerical differentiation.

    Args:
      v: an array of shape ``(2,)``.

    Returns:
      ``∇C2(v)``, an array of shape ``(2,)``.

    Example (at ``v = (1, 2)``; check it against your formula):
      >>> grad_c2(np.array([1.0, 2.0]))
      array([-3.,  4.])
    """
    raise NotImplementedError("grad_c2: one partial derivative per variable; mind the minus sign")


def grad_c3(v):
    """The gradient of seed 001's ``C(v₁, v₂) = v₁² v₂²`` (gradient de C), derived by hand.

    Seed 001's exercise, function 3. For ``∂C/∂v₁``, ``v₂²`` is a constant factor (and the
    other way round). ``v[0]`` is seed's ``v₁``, ``v[1]`` is ``v₂``. No automatic or
    numerical differentiation.

    Args:
      v: an array of shape ``(2,)``.

    Returns:
      ``∇C3(v)``, an array of shape ``(2,)``.

    Example (at ``v = (1, 0)``, as everywhere on the axes, the gradient is 0):
      >>> grad_c3(np.array([1.0, 0.0]))
      array([0., 0.])
    """
    raise NotImplementedError("grad_c3: treat v2**2 as a constant to differentiate in v1")


def three_iterations(x0):
    """Seed 001's exercise (« effectuer 3 itérations de l'algorithme avec η = 0.1 »).

    Run 3 iterations of gradient descent with ``η = 0.1`` on the seed's three functions:

    1. ``f(x) = x⁴ − x³`` from ``x0`` (a number: a trajectory of shape ``(4,)``);
    2. ``C(v₁, v₂) = −v₁³ + v₂²`` from ``(x0, x0)`` (shape ``(4, 2)``);
    3. ``C(v₁, v₂) = v₁² v₂²`` from ``(x0, x0)`` (shape ``(4, 2)``).

    Use your ``gradient_descent`` and your hand-derived ``grad_f1``, ``grad_c2``, ``grad_c3``
    (no automatic or numerical differentiation). Compare with the computation on paper!
    What does each function do after 3 steps: does it approach a minimum?

    Args:
      x0: the starting value, a number.

    Returns:
      ``(it_f1, it_c2, it_c3)``: the three trajectories, each as ``gradient_descent``
      returns it (``x0`` or ``(x0, x0)`` first, then the 3 iterates).

    Example (from x0 = 1: ``f1'(1) = 1`` so the first iterate of f1 is ``1 − 0.1·1 = 0.9``):
      >>> it_f1, it_c2, it_c3 = three_iterations(1.0)
      >>> it_f1.shape, it_c2.shape, it_c3.shape
      ((4,), (4, 2), (4, 2))
      >>> it_f1[:2], it_c2[1], it_c3[1]
      (array([1. , 0.9]), array([1.3, 0.8]), array([0.8, 0.8]))
    """
    raise NotImplementedError(
        "three_iterations: gradient_descent(grad_f1, np.array(float(x0)), 0.1, 3), then C2 and C3"
    )
