"""Exercise 12 — optimizers: momentum, RMSProp, Adam (les optimiseurs). Seed 002.

Goal: write the optimizers that speed up gradient descent ("Accélération de la convergence"
in seed 002) as optax ``GradientTransformation``s, the form every JAX training loop uses,
and see how each one rescales the raw gradient.

An optax transformation is a pair of pure functions (no hidden state, no Python counters):

- ``init(params) -> state``: the optimizer's memory (moving averages, a step count…), built
  from the params' *structure and shapes* only, never their values (zeros like the params);
- ``update(grads, state, params=None) -> (updates, new_state)``: the step to add to the
  params, and the new memory. ``params`` is optional: these optimizers do not need it.

The caller then does ``params = optax.apply_updates(params, updates)`` (that is
``params + updates``, leaf by leaf), so the *update* already carries the minus sign:
plain gradient descent returns ``updates = −η · g``. Params, grads and states are pytrees:
dicts, lists, tuples or NamedTuples of arrays. ``jax.tree.map(f, tree1, tree2, ...)``
applies ``f`` leaf by leaf; the state must be such a pytree of arrays, so that the whole
step can be compiled with ``jax.jit``.

What you will have learnt:
- the optax interface (``init``/``update``/``apply_updates``) and pytrees of parameters;
- momentum as an exponential moving average of the gradients (seed 002);
- RMSProp's per-parameter step size, and where its ``eps`` goes;
- Adam = momentum + RMSProp + bias correction, exactly as ``optax.adam`` computes it.

Notation: η (eta) is ``learning_rate``; g is the gradient of one step; t counts the
updates from 1. Run ``grader run -e ex12`` to check your work.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


# Given (not graded): NamedTuples are pytrees, handy for states. Use them or your own.
class MomentumState(NamedTuple):
    velocity: Any  # v, a pytree shaped like the params


class RMSPropState(NamedTuple):
    nu: Any  # s, a pytree shaped like the params


class AdamState(NamedTuple):
    count: jax.Array  # t, the number of updates done (an int32 scalar array)
    mu: Any  # m, a pytree shaped like the params
    nu: Any  # v, a pytree shaped like the params


def sgd(learning_rate):
    """Plain (stochastic) gradient descent (descente de gradient stochastique) as optax.

    Seed 002, "La descente stochastique (SGD)": one step against the gradient per
    mini-batch. With η = ``learning_rate``:

        update = −η · g

    The state is empty (use ``()`` or ``optax.EmptyState()``).

    Args:
      learning_rate: η, a positive float.

    Returns:
      ``optax.GradientTransformation(init, update)`` with ``init(params) -> state`` and
      ``update(grads, state, params=None) -> (updates, state)``; ``updates`` has the
      structure and shapes of ``grads``.

    Example:
      >>> tx = sgd(0.1)
      >>> state = tx.init({"w": jnp.zeros(2)})
      >>> updates, state = tx.update({"w": jnp.array([1.0, -2.0])}, state)
      >>> updates["w"]
      Array([-0.1,  0.2], dtype=float32)
    """
    raise NotImplementedError(
        "sgd: return optax.GradientTransformation(init, update) with updates = -lr * g"
    )


def momentum(learning_rate, beta=0.9):
    """Gradient descent with momentum (descente avec momentum), seed 002's form.

    Seed 002, "Momentum": "faire la moyenne mobile exponentielle des valeurs de gradients
    avant de mettre à jour les paramètres […] le paramètre gamma permet de doser l'importance
    donnée aux valeurs moyennes précédentes". With the seed's γ written ``beta`` here
    (γ_seed == beta) and the velocity v (vitesse) starting at zero, each step does:

        v ← β · v + (1 − β) · g        (an exponential moving average of the gradients)
        update = −η · v

    This is *not* the "heavy ball" form ``v ← β v + g`` (that one sums the gradients, so its
    steps are about 1/(1 − β) times larger), and there is no bias correction here.

    Args:
      learning_rate: η.
      beta: β in [0, 1), the weight of the past (0.9: about the last 10 gradients).

    Returns:
      An ``optax.GradientTransformation``; the state holds v (zeros shaped like the params).

    Example:
      >>> tx = momentum(0.1, beta=0.9)
      >>> state = tx.init({"w": jnp.zeros(2)})
      >>> updates, state = tx.update({"w": jnp.array([1.0, -1.0])}, state)
      >>> updates["w"]  # v = 0.1 · g, update = −0.1 · v
      Array([-0.01,  0.01], dtype=float32)
      >>> updates, state = tx.update({"w": jnp.array([1.0, -1.0])}, state)
      >>> updates["w"]  # v = 0.9 · 0.1 g + 0.1 g = 0.19 g
      Array([-0.019,  0.019], dtype=float32)
    """
    raise NotImplementedError(
        "momentum: keep v (zeros like the params) in the state; v = beta*v + (1-beta)*g"
    )


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    """RMSProp (Root Mean Square Propagation): one step size per parameter.

    Seed 002 motivates it ("limiter les écarts de direction de descente et d'amplitude");
    the formulas are Hinton's (Coursera lecture 6e). With ρ = ``decay`` and the running
    mean square s starting at **zero** (not at the first g²):

        s ← ρ · s + (1 − ρ) · g²
        update = −η · g / (√s + eps)

    ``eps`` is added *outside* the square root. (``optax.rmsprop`` puts it inside,
    ``√(s + eps)``: the two differ a lot for tiny gradients, e.g. g ≈ 1e-9.)

    Args:
      learning_rate: η.
      decay: ρ in [0, 1).
      eps: a small positive number that keeps the division finite.

    Returns:
      An ``optax.GradientTransformation``; the state holds s (zeros shaped like the params).

    Example:
      >>> tx = rmsprop(0.01, decay=0.9)
      >>> state = tx.init({"w": jnp.zeros(2)})
      >>> updates, state = tx.update({"w": jnp.array([2.0, -0.5])}, state)
      >>> updates["w"]  # s = 0.1 g², so g / √s = ±√10 ≈ ±3.162
      Array([-0.03162277,  0.03162277], dtype=float32)
    """
    raise NotImplementedError(
        "rmsprop: s = decay*s + (1-decay)*g**2 from zeros; update = -lr*g/(sqrt(s)+eps)"
    )


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    """Adam (Adaptive Moment Estimation), as ``optax.adam`` computes it.

    Seed 002's last model uses "l'adam optimizer" (seed 004's Keras code too:
    ``optimizer = adam()``); the formulas are Kingma & Ba (2015), Algorithm 1. Momentum
    (first moment m) and RMSProp (second moment v) together, both from zero, with the step
    count t going 1, 2, 3, … (keep t in the state, as an array):

        m ← b1 · m + (1 − b1) · g
        v ← b2 · v + (1 − b2) · g²
        m̂ = m / (1 − b1^t)          (bias correction: m and v start at 0, too small early on)
        v̂ = v / (1 − b2^t)
        update = −η · m̂ / (√v̂ + eps)

    ``eps`` goes outside the root, after the bias correction (as in optax). Do not count t
    in a Python variable: under ``jax.jit`` such a counter would be frozen at its first value.

    Args:
      learning_rate: η.
      b1, b2: decay rates of the first and second moments.
      eps: added to √v̂.

    Returns:
      An ``optax.GradientTransformation`` giving the same updates as
      ``optax.adam(learning_rate, b1, b2, eps)`` (to float32 rounding).

    Example:
      >>> tx = adam(0.001)
      >>> state = tx.init({"w": jnp.zeros(2)})
      >>> updates, state = tx.update({"w": jnp.array([3.0, -0.1])}, state)
      >>> updates["w"]  # at t = 1, m̂ = g and v̂ = g²: every step is ≈ η · sign(g)
      Array([-0.00099999,  0.00099999], dtype=float32)
    """
    raise NotImplementedError(
        "adam: state (t, m, v); bias-correct m and v with 1 - b**t before -lr*m/(sqrt(v)+eps)"
    )
