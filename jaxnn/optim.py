"""Reference optimizers, written out as optax ``GradientTransformation``s.

**optax's own optimizers are the default choice** (``optax.adam``, ``optax.sgd``...):
they are faster to reach for, better tested and composable with everything in optax.
This module exists so that the course's formulas (seed 002) have a readable,
production-quality implementation that plugs into the same machinery, and for the two
places where the course and optax differ:

* ``momentum_ema`` (alias ``momentum``, the course's ex12 name) is seed 002's
  exponential moving average ``v ← β v + (1 − β) g``, update ``−η v``. optax's
  ``sgd(momentum=β)`` is the **heavy-ball** form ``v ← β v + g`` (no ``1 − β``), here
  :func:`heavy_ball`. Both converge; for the same ``η`` the EMA steps are ``1 − β``
  times smaller.
* ``rmsprop`` puts ``eps`` outside the root, ``−η g / (√s + ε)``, as the course does;
  ``optax.rmsprop`` defaults to ``−η g / √(s + ε)`` (``eps_in_sqrt=True`` here).
* ``weight_decay`` is seed 003's ``W ← W − η g − λ W``: ``λ W`` is **not** multiplied by
  the learning rate (``optax.add_decayed_weights`` is, once chained before the
  learning-rate scaling).

Every transformation has a ``NamedTuple`` state with a step ``count``, and accepts a
float learning rate or an optax schedule ``count -> lr`` (evaluated at the count before
the update, as optax does). Updates are applied with ``optax.apply_updates``.

==========================================  ======================================
``sgd(η)``                                  ``−η g``
``momentum_ema(η, β)`` / ``momentum``       ``v ← βv + (1−β)g``; ``−η v``
``heavy_ball(η, β)``                        ``v ← βv + g``; ``−η v`` (= ``optax.sgd(η, β)``)
``rmsprop(η, ρ, ε)``                        ``s ← ρs + (1−ρ)g²``; ``−η g/(√s + ε)``
``adam(η, β1, β2, ε)``                      bias-corrected moments (= ``optax.adam``)
``weight_decay(λ)``                         adds ``−λ w`` for leaves named ``"w"``
==========================================  ======================================

Example:
    >>> import jax.numpy as jnp, optax
    >>> from jaxnn import optim
    >>> params = {"w": jnp.array([1.0, -2.0]), "b": jnp.array(0.5)}
    >>> opt = optax.chain(optim.sgd(0.1), optim.weight_decay(0.01))  # seed 003
    >>> state = opt.init(params)
    >>> grads = {"w": jnp.array([1.0, 1.0]), "b": jnp.array(1.0)}
    >>> updates, state = opt.update(grads, state, params)
    >>> new = optax.apply_updates(params, updates)
    >>> print(new["w"], new["b"])  # w - 0.1 g - 0.01 w ; b - 0.1 g
    [ 0.89 -2.08] 0.4
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jaxnn.losses import weight_mask

__all__ = [
    "AdamState",
    "HeavyBallState",
    "MomentumEmaState",
    "RmspropState",
    "SgdState",
    "adam",
    "heavy_ball",
    "momentum",
    "momentum_ema",
    "rmsprop",
    "sgd",
    "weight_decay",
]

ScalarOrSchedule = float | jax.Array | Callable[[jax.Array], jax.Array]

NEEDS_PARAMS = (
    "weight_decay: update needs the current params, got params=None. Call "
    "opt.update(grads, state, params) (the third argument), as optax's "
    "add_decayed_weights also requires."
)
BAD_BETA = "{fn}: {name} must be in [0, 1), got {value!r}."


class SgdState(NamedTuple):
    """State of :func:`sgd`: the step count (for schedules)."""

    count: jax.Array


class MomentumEmaState(NamedTuple):
    """State of :func:`momentum_ema`: step count and velocity ``v`` (like params)."""

    count: jax.Array
    velocity: Any


class HeavyBallState(NamedTuple):
    """State of :func:`heavy_ball`: step count and velocity ``v`` (like params)."""

    count: jax.Array
    velocity: Any


class RmspropState(NamedTuple):
    """State of :func:`rmsprop`: step count and the mean square ``s`` (like params)."""

    count: jax.Array
    nu: Any


class AdamState(NamedTuple):
    """State of :func:`adam`: step count, first moment ``m`` and second moment ``v``."""

    count: jax.Array
    mu: Any
    nu: Any


def _lr(learning_rate: ScalarOrSchedule, count: jax.Array) -> Any:
    return learning_rate(count) if callable(learning_rate) else learning_rate


def _check_beta(fn: str, name: str, value: Any) -> None:
    if isinstance(value, int | float) and not 0.0 <= value < 1.0:
        raise ValueError(BAD_BETA.format(fn=fn, name=name, value=value))


def _zero_count() -> jax.Array:
    return jnp.zeros([], jnp.int32)


def sgd(learning_rate: ScalarOrSchedule) -> optax.GradientTransformation:
    """Plain (stochastic) gradient descent: ``θ ← θ − η g`` (seeds 001, 003).

    Args:
        learning_rate: ``η``, a float or an optax schedule.

    Returns:
        an ``optax.GradientTransformation`` with :class:`SgdState`; same updates as
        ``optax.sgd(learning_rate)``.

    Example:
        >>> opt = sgd(0.5)
        >>> updates, _ = opt.update({"w": jnp.array([2.0])}, opt.init({"w": jnp.zeros(1)}))
        >>> print(updates["w"])
        [-1.]
    """

    def init(params: Any) -> SgdState:
        del params
        return SgdState(count=_zero_count())

    def update(updates: Any, state: SgdState, params: Any = None) -> tuple[Any, SgdState]:
        del params
        lr = _lr(learning_rate, state.count)
        updates = jax.tree.map(lambda g: -lr * g, updates)
        return updates, SgdState(count=optax.safe_increment(state.count))

    return optax.GradientTransformation(init, update)


def momentum_ema(
    learning_rate: ScalarOrSchedule, beta: float = 0.9
) -> optax.GradientTransformation:
    """Seed 002's momentum, an exponential moving average of the gradients.

    ``v ← β v + (1 − β) g`` (``v`` starts at 0), then ``θ ← θ − η v``. The average
    keeps the direction of past steps and damps the mini-batch noise. No bias
    correction (that is Adam's addition), so the first steps are ``1 − β`` times smaller
    than SGD's.

    Args:
        learning_rate: ``η``, a float or an optax schedule.
        beta: ``β`` in ``[0, 1)``; ``0`` gives SGD.

    Returns:
        an ``optax.GradientTransformation`` with :class:`MomentumEmaState`.

    Example:
        >>> opt = momentum_ema(1.0, beta=0.9)
        >>> state = opt.init(jnp.zeros(1))
        >>> u1, state = opt.update(jnp.array([1.0]), state)
        >>> u2, state = opt.update(jnp.array([1.0]), state)
        >>> print(u1, u2)  # v = 0.1, then 0.9·0.1 + 0.1 = 0.19
        [-0.1] [-0.19]
    """
    _check_beta("momentum_ema", "beta", beta)

    def init(params: Any) -> MomentumEmaState:
        return MomentumEmaState(count=_zero_count(), velocity=jax.tree.map(jnp.zeros_like, params))

    def update(updates, state: MomentumEmaState, params=None):
        del params
        velocity = jax.tree.map(lambda g, v: beta * v + (1 - beta) * g, updates, state.velocity)
        lr = _lr(learning_rate, state.count)
        updates = jax.tree.map(lambda v: -lr * v, velocity)
        return updates, MomentumEmaState(optax.safe_increment(state.count), velocity)

    return optax.GradientTransformation(init, update)


momentum = momentum_ema
"""Alias of :func:`momentum_ema`: the course's ``momentum`` (ex12) is the EMA form."""


def heavy_ball(
    learning_rate: ScalarOrSchedule, beta: float = 0.9, nesterov: bool = False
) -> optax.GradientTransformation:
    """Heavy-ball (Polyak) momentum, the form of ``optax.sgd(momentum=β)`` and PyTorch.

    ``v ← β v + g`` (``v`` starts at 0), then ``θ ← θ − η v``; with ``nesterov=True``
    the step is ``−η (g + β v)``. Compared with :func:`momentum_ema` the velocity is
    ``1 / (1 − β)`` times larger at equilibrium (10x for ``β = 0.9``).

    Args:
        learning_rate: ``η``, a float or an optax schedule.
        beta: ``β`` in ``[0, 1)``.
        nesterov: use Nesterov's look-ahead step.

    Returns:
        an ``optax.GradientTransformation`` with :class:`HeavyBallState`; same updates
        as ``optax.sgd(learning_rate, momentum=beta, nesterov=nesterov)``.

    Example:
        >>> opt = heavy_ball(1.0, beta=0.9)
        >>> state = opt.init(jnp.zeros(1))
        >>> u1, state = opt.update(jnp.array([1.0]), state)
        >>> u2, state = opt.update(jnp.array([1.0]), state)
        >>> print(u1, u2)
        [-1.] [-1.9]
    """
    _check_beta("heavy_ball", "beta", beta)

    def init(params: Any) -> HeavyBallState:
        return HeavyBallState(count=_zero_count(), velocity=jax.tree.map(jnp.zeros_like, params))

    def update(updates, state: HeavyBallState, params=None):
        del params
        velocity = jax.tree.map(lambda g, v: g + beta * v, updates, state.velocity)
        step = jax.tree.map(lambda g, v: g + beta * v, updates, velocity) if nesterov else velocity
        lr = _lr(learning_rate, state.count)
        updates = jax.tree.map(lambda s: -lr * s, step)
        return updates, HeavyBallState(optax.safe_increment(state.count), velocity)

    return optax.GradientTransformation(init, update)


def rmsprop(
    learning_rate: ScalarOrSchedule,
    decay: float = 0.9,
    eps: float = 1e-8,
    eps_in_sqrt: bool = False,
) -> optax.GradientTransformation:
    """RMSProp: divide each step by a running root mean square of the gradients (seed 002).

    ``s ← ρ s + (1 − ρ) g²`` from ``s = 0``, then ``θ ← θ − η g / (√s + ε)``. With
    ``eps_in_sqrt=True`` the step is ``−η g / √(s + ε)``, ``optax.rmsprop``'s default;
    the two differ noticeably only while ``s`` is tiny (e.g. the first steps on small
    gradients).

    Args:
        learning_rate: ``η``, a float or an optax schedule.
        decay: ``ρ`` in ``[0, 1)``.
        eps: ``ε``, keeps the division finite.
        eps_in_sqrt: put ``ε`` inside the root (optax's default) instead of outside.

    Returns:
        an ``optax.GradientTransformation`` with :class:`RmspropState`; same updates as
        ``optax.rmsprop(learning_rate, decay, eps, eps_in_sqrt=eps_in_sqrt)``.

    Example:
        >>> opt = rmsprop(0.1, decay=0.9)
        >>> updates, _ = opt.update(jnp.array([3.0]), opt.init(jnp.zeros(1)))
        >>> print(updates)  # -0.1 · 3 / sqrt(0.1 · 9)
        [-0.31622776]
    """
    _check_beta("rmsprop", "decay", decay)

    def init(params: Any) -> RmspropState:
        return RmspropState(count=_zero_count(), nu=jax.tree.map(jnp.zeros_like, params))

    def update(updates, state: RmspropState, params=None):
        del params
        nu = jax.tree.map(lambda g, s: (1 - decay) * g**2 + decay * s, updates, state.nu)
        if eps_in_sqrt:
            scaled = jax.tree.map(lambda g, s: g * jax.lax.rsqrt(s + eps), updates, nu)
        else:
            scaled = jax.tree.map(lambda g, s: g / (jnp.sqrt(s) + eps), updates, nu)
        lr = _lr(learning_rate, state.count)
        updates = jax.tree.map(lambda u: -lr * u, scaled)
        return updates, RmspropState(optax.safe_increment(state.count), nu)

    return optax.GradientTransformation(init, update)


def adam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
) -> optax.GradientTransformation:
    """Adam: momentum plus RMSProp, with bias correction (seed 002's "adam optimizer").

    With ``t`` the step number (from 1)::

        m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
        m̂ = m / (1 − β1^t)             v̂ = v / (1 − β2^t)
        θ ← θ − η m̂ / (√v̂ + ε)

    The bias correction undoes the pull towards the zero initial moments during the
    first steps.

    Args:
        learning_rate: ``η``, a float or an optax schedule.
        b1: ``β1``, decay of the first moment.
        b2: ``β2``, decay of the second moment.
        eps: ``ε``, outside the root (as optax and the Adam paper).

    Returns:
        an ``optax.GradientTransformation`` with :class:`AdamState`; same updates as
        ``optax.adam(learning_rate, b1, b2, eps)``.

    Example:
        >>> opt = adam(0.1)
        >>> updates, _ = opt.update(jnp.array([5.0, -0.01]), opt.init(jnp.zeros(2)))
        >>> print([round(float(u), 4) for u in updates])  # the first step is about -η·sign(g)
        [-0.1, 0.1]
    """
    _check_beta("adam", "b1", b1)
    _check_beta("adam", "b2", b2)

    def init(params: Any) -> AdamState:
        zeros = jax.tree.map(jnp.zeros_like, params)
        return AdamState(count=_zero_count(), mu=zeros, nu=jax.tree.map(jnp.zeros_like, params))

    def update(updates, state: AdamState, params=None):
        del params
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, updates, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * g**2 + b2 * v, updates, state.nu)
        t = optax.safe_increment(state.count)
        # Computed in float32 at least: b2**t in low precision would round to 1.
        c1, c2 = 1 - b1**t, 1 - b2**t
        step = jax.tree.map(
            lambda m, v: (m / c1.astype(m.dtype)) / (jnp.sqrt(v / c2.astype(v.dtype)) + eps),
            mu,
            nu,
        )
        lr = _lr(learning_rate, state.count)
        updates = jax.tree.map(lambda s: -lr * s, step)
        return updates, AdamState(count=t, mu=mu, nu=nu)

    return optax.GradientTransformation(init, update)


def weight_decay(
    lam: float,
    mask: Any | Callable[[Any], Any] | None = None,
    names: Sequence[str] = ("w",),
) -> optax.GradientTransformation:
    """Seed 003's weight decay: add ``−λ w`` to the update of every weight, not the biases.

    Chained after an optimizer, ``optax.chain(sgd(η), weight_decay(λ))`` gives exactly
    ``W ← W − η g − λ W`` for weights and ``b ← b − η g`` for biases (seed 003). Note
    that ``λ`` is not multiplied by ``η`` (it is "decoupled", as in AdamW): it equals
    ``optax.add_decayed_weights(λ / η)`` placed before the learning-rate scaling, and
    an L2 penalty ``λ'/(2m) Σ w²`` in the loss corresponds to ``λ = η λ' / m``.

    Args:
        lam: ``λ``, the fraction of each weight removed per step.
        mask: which leaves decay: a pytree of bools like params, or a function
            ``params -> bools``. Default: the leaves under a dict key in ``names``
            (see ``jaxnn.losses.weight_mask``).
        names: dict keys that mark weights when ``mask`` is None (``("kernel",)`` for flax).

    Returns:
        an ``optax.GradientTransformation`` (state ``optax.EmptyState``) whose ``update``
        needs ``params``.

    Example:
        >>> opt = weight_decay(0.1)
        >>> params = [{"w": jnp.array([2.0]), "b": jnp.array([2.0])}]
        >>> zero = [{"w": jnp.zeros(1), "b": jnp.zeros(1)}]
        >>> updates, _ = opt.update(zero, opt.init(params), params)
        >>> print(updates[0]["w"], updates[0]["b"])
        [-0.2] [0.]
    """

    def init(params: Any) -> optax.EmptyState:
        del params
        return optax.EmptyState()

    def update(updates, state, params=None):
        if params is None:
            raise ValueError(NEEDS_PARAMS)
        if mask is not None:
            params_mask = mask(params) if callable(mask) else mask
        else:
            params_mask = weight_mask(params, names)
        updates = jax.tree.map(
            lambda u, p, keep: u - lam * p if keep else u, updates, params, params_mask
        )
        return updates, state

    return optax.GradientTransformation(init, update)
