"""Tests for jaxnn.optim: 50-step parity with optax and with numpy recurrences."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxnn import optim as O

STEPS = 50


def _params():
    k = jax.random.split(jax.random.key(0), 4)
    return {
        "layers": [
            {"w": jax.random.normal(k[0], (3, 4)), "b": jnp.zeros(4)},
            {"w": jax.random.normal(k[1], (4,)), "b": jnp.array(0.5)},
        ],
        "head": {"w": jax.random.normal(k[2], (2, 2))},
    }


def _loss(p):
    # Non-quadratic and coupled across leaves, so trajectories diverge if a step is off.
    flat = jnp.concatenate([jnp.ravel(x) for x in jax.tree.leaves(p)])
    return jnp.sum(jnp.sin(flat) * flat) + 0.1 * jnp.sum(flat) ** 2


def _trajectory(opt, params, with_params=False):
    def step(carry, _):
        p, s = carry
        g = jax.grad(_loss)(p)
        u, s = opt.update(g, s, p) if with_params else opt.update(g, s)
        return (optax.apply_updates(p, u), s), u

    (p, _), us = jax.lax.scan(step, (params, opt.init(params)), None, length=STEPS)
    return p, us


def _run(opt, with_params=False):
    """Runs STEPS steps on _loss in one jitted scan; returns (params, stacked updates)."""
    return jax.jit(lambda p: _trajectory(opt, p, with_params))(_params())


def _run_pair(a, b, with_params=False):
    """Both optimizers' trajectories from one compilation."""
    return jax.jit(lambda p: (_trajectory(a, p, with_params), _trajectory(b, p, with_params)))(
        _params()
    )


def _assert_tree_close(a, b, rtol=1e-5, atol=1e-6):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=rtol, atol=atol), a, b)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (O.sgd(0.01), optax.sgd(0.01)),
        (O.heavy_ball(0.01, 0.9), optax.sgd(0.01, momentum=0.9)),
        (O.heavy_ball(0.01, 0.8, nesterov=True), optax.sgd(0.01, momentum=0.8, nesterov=True)),
        (O.adam(0.01), optax.adam(0.01)),
        (O.adam(0.03, b1=0.5, b2=0.9, eps=1e-6), optax.adam(0.03, b1=0.5, b2=0.9, eps=1e-6)),
        (O.rmsprop(0.01, eps_in_sqrt=True), optax.rmsprop(0.01)),
        (O.rmsprop(0.01, 0.8, 1e-4), optax.rmsprop(0.01, 0.8, 1e-4, eps_in_sqrt=False)),
        (
            O.sgd(optax.linear_schedule(0.02, 0.0, 40)),
            optax.sgd(optax.linear_schedule(0.02, 0.0, 40)),
        ),
        (
            O.adam(optax.exponential_decay(0.05, 10, 0.5)),
            optax.adam(optax.exponential_decay(0.05, 10, 0.5)),
        ),
    ],
)
def test_matches_optax_over_50_steps_on_nested_pytree(ours, theirs):
    (p_ours, u_ours), (p_theirs, u_theirs) = _run_pair(ours, theirs)
    _assert_tree_close(u_ours, u_theirs)
    _assert_tree_close(p_ours, p_theirs)
    assert not np.allclose(p_ours["head"]["w"], _params()["head"]["w"])  # it moved


_GRAD = jax.jit(jax.grad(_loss))  # compiled once, shared by the hand-written loops


def _numpy_run(step_fn, state0):
    """The same 50 steps with a hand-written numpy float64 recurrence on flat vectors."""
    params = _params()
    leaves, treedef = jax.tree.flatten(params)
    x = np.concatenate([np.ravel(np.asarray(leaf, np.float64)) for leaf in leaves])
    state = state0(x)
    for t in range(1, STEPS + 1):
        tree = _unflatten(x.astype(np.float32), leaves, treedef)
        g = np.concatenate([np.ravel(leaf) for leaf in jax.tree.leaves(_GRAD(tree))])
        g = g.astype(np.float64)
        delta, state = step_fn(g, state, t)
        x = x + delta
    return _unflatten(x, leaves, treedef)


def _unflatten(v, leaves, treedef):
    out, i = [], 0
    for leaf in leaves:
        out.append(v[i : i + leaf.size].reshape(leaf.shape))
        i += leaf.size
    return jax.tree.unflatten(treedef, out)


def test_momentum_ema_matches_seed002_recurrence():
    lr, beta = 0.05, 0.9

    def step(g, v, t):
        v = beta * v + (1 - beta) * g  # v ← β v + (1 − β) g
        return -lr * v, v  # update −η v

    expected = _numpy_run(step, np.zeros_like)
    p, _ = _run(O.momentum_ema(lr, beta))
    _assert_tree_close(p, expected, rtol=2e-4, atol=2e-5)
    assert O.momentum is O.momentum_ema  # the course's name is the EMA form
    # ... which differs from optax's heavy ball:
    p_hb, _ = _run(optax.sgd(lr, momentum=beta))
    assert not np.allclose(p["head"]["w"], p_hb["head"]["w"], atol=1e-3)


def test_rmsprop_matches_course_recurrence_eps_outside_sqrt():
    lr, rho, eps = 0.01, 0.9, 1e-2  # a large eps makes its placement visible

    def step(g, s, t):
        s = rho * s + (1 - rho) * g**2
        return -lr * g / (np.sqrt(s) + eps), s

    expected = _numpy_run(step, np.zeros_like)
    p, _ = _run(O.rmsprop(lr, rho, eps))
    _assert_tree_close(p, expected, rtol=2e-4, atol=2e-5)
    p_in, _ = _run(O.rmsprop(lr, rho, eps, eps_in_sqrt=True))
    assert not np.allclose(p["head"]["w"], p_in["head"]["w"], rtol=1e-4, atol=1e-5)


def test_adam_matches_numpy_with_bias_correction():
    lr, b1, b2, eps = 0.02, 0.9, 0.999, 1e-8

    def step(g, state, t):
        m, v = state
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return -lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)

    expected = _numpy_run(step, lambda x: (np.zeros_like(x), np.zeros_like(x)))
    p, _ = _run(O.adam(lr, b1, b2, eps))
    _assert_tree_close(p, expected, rtol=2e-4, atol=2e-5)


def test_weight_decay_is_seed003_rule_on_w_only():
    lr, lam = 0.05, 0.01
    p, _ = _run(optax.chain(O.sgd(lr), O.weight_decay(lam)), with_params=True)

    def leaf_is_w(path):
        return any(getattr(k, "key", None) == "w" for k in path)

    params = _params()
    paths = [path for path, _ in jax.tree.flatten_with_path(params)[0]]
    cur = params
    for _ in range(STEPS):
        g = _GRAD(cur)
        flat_p, flat_g = jax.tree.leaves(cur), jax.tree.leaves(g)
        new = [
            w - lr * gw - lam * w if leaf_is_w(path) else w - lr * gw  # W ← W − ηg − λW
            for path, w, gw in zip(paths, flat_p, flat_g, strict=True)
        ]
        cur = jax.tree.unflatten(jax.tree.structure(params), new)
    _assert_tree_close(p, cur, rtol=1e-5, atol=1e-6)
    # Equivalent to optax.add_decayed_weights(λ/η) before the learning-rate scaling.
    p_optax, _ = _run(optax.chain(optax.add_decayed_weights(lam / lr, mask=_w_mask), optax.sgd(lr)),
                      with_params=True)  # fmt: skip
    _assert_tree_close(p, p_optax, rtol=1e-4, atol=1e-5)


def _w_mask(params):
    from jaxnn.losses import weight_mask

    return weight_mask(params)


def test_weight_decay_mask_names_and_errors():
    params = {"Dense_0": {"kernel": jnp.array([2.0]), "bias": jnp.array([2.0])}}
    zeros = jax.tree.map(jnp.zeros_like, params)
    opt = O.weight_decay(0.5, names=("kernel",))
    u, _ = opt.update(zeros, opt.init(params), params)
    np.testing.assert_allclose(u["Dense_0"]["kernel"], [-1.0])
    np.testing.assert_allclose(u["Dense_0"]["bias"], [0.0])
    custom = O.weight_decay(0.5, mask={"Dense_0": {"kernel": False, "bias": True}})
    u, _ = custom.update(zeros, custom.init(params), params)
    np.testing.assert_allclose(u["Dense_0"]["bias"], [-1.0])
    with pytest.raises(
        ValueError, match=r"needs the current params.*opt.update\(grads, state, params\)"
    ):
        opt.update(zeros, opt.init(params))


def test_states_are_named_tuples_with_counts():
    params = {"w": jnp.ones(2)}
    g = {"w": jnp.ones(2)}
    for opt, cls in [
        (O.sgd(0.1), O.SgdState),
        (O.momentum_ema(0.1), O.MomentumEmaState),
        (O.heavy_ball(0.1), O.HeavyBallState),
        (O.rmsprop(0.1), O.RmspropState),
        (O.adam(0.1), O.AdamState),
    ]:
        state = opt.init(params)
        assert isinstance(state, cls) and hasattr(cls, "_fields")
        _, state = opt.update(g, state)
        assert int(state.count) == 1


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        O.momentum_ema(0.1, beta=1.0)
    with pytest.raises(ValueError, match=r"b2 must be in \[0, 1\)"):
        O.adam(0.1, b2=1.5)


def test_docstring_examples():
    result = doctest.testmod(O, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0
