"""ex12_optimizers: the reference passes everything (and is optax.adam); students' classic
mistakes are caught; correct code written differently passes."""

from __future__ import annotations

import importlib.util

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from grader.testing import (
    REPO,
    failed,
    grade_source,
    reference_source,
    replace_functions,
    stub_source,
    summary,
)

EX = "ex12_optimizers"
REF = reference_source(EX)


def _reference_module():
    spec = importlib.util.spec_from_file_location("_ref_ex12", REPO / "solutions" / f"{EX}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(tx, grads_seq, params, jit=False):
    state = tx.init(params)
    update = jax.jit(tx.update) if jit else tx.update
    out = []
    for g in grads_seq:
        u, state = update(g, state)
        out.append(u)
    return out


def test_reference_adam_is_optax_adam_and_the_others_follow_their_formulas():
    ref = _reference_module()
    rng = np.random.default_rng(0)
    params = {"w": jnp.ones((3, 2)), "b": [jnp.zeros(2), jnp.float32(0.0)]}

    def gradient(size):
        return jax.tree.map(
            lambda p: jnp.asarray(rng.normal(size=np.shape(p)) * size, jnp.float32), params
        )

    seq = [gradient(size) for size in np.exp(rng.normal(size=60))]
    for kw in ({}, {"b1": 0.5, "b2": 0.9, "eps": 1e-3}):
        ours = _run(ref.adam(0.01, **kw), seq, params)
        theirs = _run(optax.adam(0.01, **kw), seq, params)
        for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    # momentum and rmsprop by their formulas, in float64 numpy, one leaf
    g = np.array([np.asarray(s["w"], np.float64) for s in seq])
    v, s_ = np.zeros((3, 2)), np.zeros((3, 2))
    mom = _run(ref.momentum(0.1, 0.8), seq, params)
    rms = _run(ref.rmsprop(0.1, 0.7, 1e-8), seq, params)
    for t in range(len(seq)):
        v = 0.8 * v + 0.2 * g[t]
        s_ = 0.7 * s_ + 0.3 * g[t] ** 2
        np.testing.assert_allclose(mom[t]["w"], -0.1 * v, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(rms[t]["w"], -0.1 * g[t] / (np.sqrt(s_) + 1e-8), rtol=1e-5)
    # sgd, and the whole thing under jit without params
    sgd = _run(ref.sgd(0.3), seq, params, jit=True)
    np.testing.assert_allclose(sgd[5]["b"][0], -0.3 * np.asarray(seq[5]["b"][0]), rtol=1e-6)


def test_stubs_score_zero_with_not_implemented_messages():
    result = grade_source(EX, stub_source(EX), hidden=False)
    assert result.score == 0
    assert all("not implemented yet" in r.message for r in result.checks), summary(result)


def _mutate(mutations):
    return replace_functions(REF, mutations)


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_SIGNS_AND_FORMS = {
    "sgd": """
def sgd(learning_rate):
    def init(params):
        return ()
    def update(grads, state, params=None):
        return jax.tree.map(lambda g: learning_rate * g, grads), state   # sign: ascent
    return optax.GradientTransformation(init, update)
""",
    "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return MomentumState(velocity=_zeros_like(params))
    def update(grads, state, params=None):
        v = jax.tree.map(lambda v, g: beta * v + g, state.velocity, grads)   # heavy ball
        return jax.tree.map(lambda v: -learning_rate * v, v), MomentumState(velocity=v)
    return optax.GradientTransformation(init, update)
""",
    "rmsprop": """
def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return RMSPropState(nu=_zeros_like(params))
    def update(grads, state, params=None):
        s = jax.tree.map(lambda s, g: decay * s + (1 - decay) * g * g, state.nu, grads)
        # eps inside the root, as optax.rmsprop
        u = jax.tree.map(lambda g, s: -learning_rate * g / jnp.sqrt(s + eps), grads, s)
        return u, RMSPropState(nu=s)
    return optax.GradientTransformation(init, update)
""",
    "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return AdamState(count=jnp.zeros([], jnp.int32), mu=_zeros_like(params), nu=_zeros_like(params))
    def update(grads, state, params=None):
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, state.nu)
        # no bias correction
        u = jax.tree.map(lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), mu, nu)
        return u, AdamState(count=state.count + 1, mu=mu, nu=nu)
    return optax.GradientTransformation(init, update)
""",
}

MUTANT_STATE_MISTAKES = {
    "sgd": """
def sgd(learning_rate):
    def init(params):
        return ()
    def update(grads, state, params=None):
        # returns the new params, not the step
        return jax.tree.map(lambda p, g: p - learning_rate * g, params, grads), state
    return optax.GradientTransformation(init, update)
""",
    "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return (jnp.zeros([], jnp.int32), _zeros_like(params))
    def update(grads, state, params=None):
        t, v = state
        t = t + 1
        v = jax.tree.map(lambda v, g: beta * v + (1 - beta) * g, v, grads)
        # bias correction added (Adam's), not in seed 002's momentum
        u = jax.tree.map(lambda v: -learning_rate * v / (1 - beta**t), v)
        return u, (t, v)
    return optax.GradientTransformation(init, update)
""",
    "rmsprop": """
def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return (jnp.zeros([], jnp.int32), _zeros_like(params))
    def update(grads, state, params=None):
        t, s = state
        # s starts at the first g² instead of 0
        s = jax.tree.map(
            lambda s, g: jnp.where(t == 0, g * g, decay * s + (1 - decay) * g * g), s, grads
        )
        u = jax.tree.map(lambda g, s: -learning_rate * g / (jnp.sqrt(s) + eps), grads, s)
        return u, (t + 1, s)
    return optax.GradientTransformation(init, update)
""",
    "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    t = 0   # a Python counter: right when called eagerly, frozen under jax.jit
    def init(params):
        return (_zeros_like(params), _zeros_like(params))
    def update(grads, state, params=None):
        nonlocal t
        t += 1
        m, v = state
        m = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, m)
        v = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, v)
        u = jax.tree.map(
            lambda m, v: -learning_rate * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + eps), m, v
        )
        return u, (m, v)
    return optax.GradientTransformation(init, update)
""",
}

MUTANT_INTERFACE = {
    "sgd": """
def sgd(learning_rate):
    def init(params):
        return ()
    def update(grads, state, params):   # params has no default: update(grads, state) fails
        return jax.tree.map(lambda g: -learning_rate * g, grads), state
    return optax.GradientTransformation(init, update)
""",
    "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return MomentumState(velocity=params)   # starts from the params, not from zeros
    def update(grads, state, params=None):
        v = jax.tree.map(lambda v, g: beta * v + (1 - beta) * g, state.velocity, grads)
        return jax.tree.map(lambda v: -learning_rate * v, v), MomentumState(velocity=v)
    return optax.GradientTransformation(init, update)
""",
    "rmsprop": """
class _Box:   # not a pytree: jax.jit cannot take it
    def __init__(self, s):
        self.s = s


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return _Box(_zeros_like(params))
    def update(grads, state, params=None):
        s = jax.tree.map(lambda s, g: decay * s + (1 - decay) * g * g, state.s, grads)
        u = jax.tree.map(lambda g, s: -learning_rate * g / (jnp.sqrt(s) + eps), grads, s)
        return u, _Box(s)
    return optax.GradientTransformation(init, update)
""",
    "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return AdamState(count=jnp.zeros([], jnp.int32), mu=_zeros_like(params), nu=_zeros_like(params))
    def update(grads, state, params=None):
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, state.nu)
        count = state.count + 1
        # eps inside the root: invisible for ordinary gradients, wrong for tiny ones
        u = jax.tree.map(
            lambda m, v: -learning_rate * (m / (1 - b1**count)) / jnp.sqrt(v / (1 - b2**count) + eps),
            mu, nu,
        )
        return u, AdamState(count=count, mu=mu, nu=nu)
    return optax.GradientTransformation(init, update)
""",
}


@pytest.mark.parametrize(
    "mutant",
    [MUTANT_SIGNS_AND_FORMS, MUTANT_STATE_MISTAKES],
    ids=["signs_and_forms", "state_mistakes"],
)
def test_wrong_implementations_are_caught_by_the_public_checks(mutant):
    result = grade_source(EX, _mutate(mutant), hidden=False)
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


def test_interface_mistakes_are_caught_by_the_hidden_checks_with_useful_messages():
    result = grade_source(EX, _mutate(MUTANT_INTERFACE))
    for function in MUTANT_INTERFACE:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    by_id = {(r.check.function, r.check.name): r for r in result.checks}
    # params without a default, a state that is not a pytree: only the jit checks see them
    assert by_id[("sgd", "jit_without_params")].status == "error"
    assert "params" in by_id[("sgd", "jit_without_params")].message
    assert by_id[("rmsprop", "jit_without_params")].status == "error"
    assert by_id[("rmsprop", "gradient_sequence")].status == "passed"
    # eps inside Adam's root: plain with tiny gradients
    assert by_id[("adam", "tiny_and_other_hyperparameters")].status == "failed"
    init = by_id[("momentum", "init_from_structure")]
    assert init.status == "failed" and "zeros like the params" in init.message


def test_ready_made_optax_optimizers_compute_right_but_lose_the_by_hand_points():
    result = grade_source(EX, ALTERNATIVE_OPTAX_PIECES, hidden=False)
    lost = {r.check.function for r in result.checks if r.status != "passed"}
    assert lost == {"sgd", "momentum", "adam"}, summary(result)
    assert all(r.check.name == "by_hand" for r in result.checks if r.status != "passed")
    assert any("optax.adam" in r.message for r in result.checks if r.status != "passed")


def test_tiny_gradient_message_names_the_case_the_step_axis_and_the_fix():
    source = _mutate({"rmsprop": MUTANT_SIGNS_AND_FORMS["rmsprop"]})
    result = grade_source(EX, source, hidden=False, functions=["rmsprop"])
    tiny = next(r for r in result.checks if r.check.name == "tiny_gradients")
    assert tiny.status == "failed" and "about 1e-9" in tiny.message
    assert "axis 0 = step" in tiny.message and "outside the root" in tiny.hint


ALTERNATIVE_OPTAX_PIECES = """
import jax
import jax.numpy as jnp
import optax


def sgd(learning_rate):
    return optax.sgd(learning_rate)


def momentum(learning_rate, beta=0.9):
    return optax.chain(optax.ema(beta, debias=False), optax.scale(-learning_rate))


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return {"s": jax.tree.map(jnp.zeros_like, params)}

    def update(grads, state, params=None):
        s = jax.tree.map(lambda s, g: decay * s + (1.0 - decay) * jnp.square(g), state["s"], grads)
        return jax.tree.map(lambda g, s: -learning_rate * g / (s ** 0.5 + eps), grads, s), {"s": s}

    return optax.GradientTransformation(init, update)


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    return optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)
"""

ALTERNATIVE_BY_HAND = """
import jax
import jax.numpy as jnp
import optax


def sgd(learning_rate):
    return optax.GradientTransformation(
        lambda params: None,
        lambda grads, state, params=None: (jax.tree.map(lambda g: g * -learning_rate, grads), state),
    )


def momentum(learning_rate, beta=0.9):
    def init(params):
        return [jnp.zeros(jnp.shape(p), jnp.float32) for p in jax.tree.leaves(params)]

    def update(grads, state, params=None):
        leaves, treedef = jax.tree.flatten(grads)
        v = [beta * vi + (1.0 - beta) * g for vi, g in zip(state, leaves)]
        return jax.tree.unflatten(treedef, [-learning_rate * vi for vi in v]), v

    return optax.GradientTransformation(init, update)


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return tuple(jnp.zeros_like(p) for p in jax.tree.leaves(params))

    def update(grads, state, params=None):
        leaves, treedef = jax.tree.flatten(grads)
        s = tuple(decay * si + (1 - decay) * g * g for si, g in zip(state, leaves))
        u = [-(learning_rate / (jnp.sqrt(si) + eps)) * g for si, g in zip(s, leaves)]
        return jax.tree.unflatten(treedef, u), s

    return optax.GradientTransformation(init, update)


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return {"t": jnp.array(0.0), "m": zeros, "v": zeros}

    def update(grads, state, params=None):
        t = state["t"] + 1.0
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state["m"], grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g ** 2, state["v"], grads)
        c1, c2 = 1.0 / (1.0 - jnp.power(b1, t)), 1.0 / (1.0 - jnp.power(b2, t))
        u = jax.tree.map(lambda m, v: -learning_rate * (m * c1) / (jnp.sqrt(v * c2) + eps), m, v)
        return u, {"t": t, "m": m, "v": v}

    return optax.GradientTransformation(init, update)
"""


@pytest.mark.parametrize(
    ("source", "hidden"),
    [(ALTERNATIVE_BY_HAND, True)],
    ids=["by_hand_with_hidden"],
)
def test_correct_alternatives_pass(source, hidden):
    result = grade_source(EX, source, hidden=hidden)
    assert result.score == result.max_score, summary(result)


# -- textbook Adam (CS231n, deeplearning.ai): step counters and bias-correction forms ----------


def _textbook_adam(counter: str, form: str) -> str:
    """Adam as the courses write it: ``counter`` is "int32" (a jnp int32 in the state),
    "python" (a Python int in a closure: not jit-able, so only the non-jit checks see it) or
    "float" (a jnp float32); ``form`` is "hat" (m̂ = m / (1 − b1^t), v̂ = v / (1 − b2^t)) or
    "lr_t" (lr_t = lr·sqrt(1 − b2^t) / (1 − b1^t), update = −lr_t·m / (sqrt(v) + eps_t) with
    eps_t = eps·sqrt(1 − b2^t): the same formula, eps outside the root after the correction;
    TensorFlow's form with eps itself in place of eps_t is another optimizer, which the
    tiny-gradient checks tell apart)."""
    init_t = {"int32": "jnp.zeros([], jnp.int32)", "float": "jnp.zeros([], jnp.float32)"}
    if form == "hat":
        step = (
            "    u = jax.tree.map(lambda m, v: -learning_rate * (m / (1 - b1 ** t))"
            " / (jnp.sqrt(v / (1 - b2 ** t)) + eps), m, v)\n"
        )
    else:
        step = (
            "    lr_t = learning_rate * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)\n"
            "    eps_t = eps * jnp.sqrt(1 - b2 ** t)\n"
            "    u = jax.tree.map(lambda m, v: -lr_t * m / (jnp.sqrt(v) + eps_t), m, v)\n"
        )
    if counter == "python":
        return (
            "def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):\n"
            "    count = [0]\n\n"
            "    def init(params):\n"
            "        count[0] = 0\n"
            "        zeros = jax.tree.map(jnp.zeros_like, params)\n"
            "        return (zeros, zeros)\n\n"
            "    def update(grads, state, params=None):\n"
            "        count[0] += 1\n"
            "        t = count[0]\n"
            "        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state[0], grads)\n"
            "        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state[1], grads)\n"
            + "".join("    " + line + "\n" for line in step.splitlines())
            + "        return u, (m, v)\n\n"
            "    return optax.GradientTransformation(init, update)\n"
        )
    return (
        "def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):\n"
        "    def init(params):\n"
        "        zeros = jax.tree.map(jnp.zeros_like, params)\n"
        f"        return ({init_t[counter]}, zeros, zeros)\n\n"
        "    def update(grads, state, params=None):\n"
        "        t = state[0] + 1\n"
        "        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state[1], grads)\n"
        "        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state[2], grads)\n"
        + "".join("    " + line + "\n" for line in step.splitlines())
        + "        return u, (t, m, v)\n\n"
        "    return optax.GradientTransformation(init, update)\n"
    )


TEXTBOOK = {
    f"{counter}_{form}": _textbook_adam(counter, form)
    for counter in ("int32", "python", "float")
    for form in ("hat", "lr_t")
}


@pytest.mark.parametrize("name", list(TEXTBOOK))
def test_textbook_adam_gets_full_marks_whatever_its_step_counter(name):
    checks = None
    if name.startswith("python"):  # a Python counter cannot run under jit: those checks aside
        checks = ["adam/matches_optax", "adam/quadratic", "adam/tiny_and_other_hyperparameters"]
    source = replace_functions(REF, {"adam": TEXTBOOK[name]})
    result = grade_source(EX, source, functions=None if checks else ["adam"], checks=checks)
    assert result.score == result.max_score, summary(result)


def test_init_judge_tells_updates_that_depend_on_the_params_from_rounding():
    from grader.course.ex12_optimizers import init_cases, judge_init_structure

    cases = init_cases({"learning_rate": 0.1}, "dict")(np.random.default_rng(0))
    rng = np.random.default_rng(1)
    u = {"w": rng.normal(size=(20, 3, 4)).astype(np.float32), "b": np.zeros((20, 4), np.float32)}
    state = [np.zeros((3, 4), np.float32)]

    def judged(other):
        out = {"a": {"state": state, "updates": u}, "b": {"state": state, "updates": other}}
        return judge_init_structure(cases, [out])

    ulp = {k: np.nextafter(v, np.float32(np.inf)) for k, v in u.items()}  # float32 rounding
    assert judged(ulp).passed
    shifted = {k: v + np.float32(1e-3) for k, v in u.items()}  # updates that saw the params
    verdict = judged(shifted)
    assert not verdict.passed and "updates differ" in verdict.message.en
