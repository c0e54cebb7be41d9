"""Checks for ex12_optimizers (public), and the judge of ``init`` that the hidden checks use.

The transformations are driven inside the sandbox by ``grader/sandboxed/drivers/ex12.py``: built with
the case's hyperparameters, initialised on a pytree of float32 params and run for many steps,
either on a given sequence of gradients (the result is the updates, stacked with the step on
axis 0) or on a quadratic problem whose gradient is computed at the current params (the result
is the params after each step). The reference is driven identically.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.compare import Tolerance, input_precision
from grader.course.common import case, cases_of
from grader.hints import hints
from grader.i18n import Text
from grader.judging import case_words, close, per_case
from grader.spec import Exercise, Spread, Variant, compare, fail, ok, static

# Adam's bias correction 1 − b2^t loses digits in float32 early on (b2 = 0.999); two correct
# implementations that compute the power differently differ by up to ~5e-5 relatively.
ADAM_TOL = Tolerance(float32=(3e-4, 1e-6))
TOL = Tolerance(float32=(1e-4, 1e-6))

# -- the spread of correct runs ----------------------------------------------------------------


def cast_leaves(tree, kind, dtype):
    """``tree`` with its leaves of the jnp dtype ``kind`` (e.g. ``jnp.integer``) cast to ``dtype``."""
    import jax
    import jax.numpy as jnp

    def one(x):
        x = jnp.asarray(x)
        return x.astype(dtype) if jnp.issubdtype(x.dtype, kind) else x

    return jax.tree.map(one, tree)


def float_counter(make):
    """``make`` (an optimizer factory) with the integer leaves of its state, the step count,
    kept as float32: ``t`` as a float, as many students write it."""

    def build(*args, **kwargs):
        import jax.numpy as jnp
        import optax

        tx = make(*args, **kwargs)
        init = lambda params: cast_leaves(tx.init(params), jnp.integer, jnp.float32)
        return optax.GradientTransformation(init, tx.update)

    return build


def in_float64(make):
    """``make`` computing in float64 (params and gradients cast up, updates cast back to the
    gradients' dtype): what a float64 numpy implementation, or exact bias corrections from a
    Python-int ``t``, give. Runs with JAX's x64 enabled (``Variant(x64=True)``)."""

    def build(*args, **kwargs):
        import jax
        import jax.numpy as jnp
        import optax

        tx = make(*args, **kwargs)
        up = lambda tree: cast_leaves(tree, jnp.floating, jnp.float64)

        def update(grads, state, params=None):
            updates, state = tx.update(up(grads), state, None if params is None else up(params))
            return jax.tree.map(lambda u, g: u.astype(jnp.asarray(g).dtype), updates, grads), state

        return optax.GradientTransformation(lambda params: tx.init(up(params)), update)

    return build


# Near a minimum Adam's steps are ≈ ±η whatever the gradient's size, so the last bits of two
# correct runs (an int32, float or Python-int step count; float32 or float64 arithmetic) drift
# apart along the trajectory: measured on adam/quadratic, textbook Adam ends up to 1.0e-5 from
# the reference where the per-precision tolerance allows 1e-6 near 0. Such checks allow
# SPREAD_MULTIPLE times the largest deviation, leaf by leaf, of the reference run with a float
# step count and in float64 (measured with the expected values: grader/expect.py).
SPREAD_MULTIPLE = 4.0
TRAJECTORY_SPREAD = Spread(
    SPREAD_MULTIPLE,
    (
        Variant("float_step_count", wrap=float_counter),
        Variant("float64", x64=True, wrap=in_float64),
    ),
)

# -- pytrees and gradient sequences ----------------------------------------------------------


def f32(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def layer(rng, n_in, n_out):
    return {"w": f32(rng, n_in, n_out), "b": np.zeros(n_out, np.float32)}


# Each tree: how to draw its params, and how labels describe it.
TREES = {
    "dict": (lambda rng: layer(rng, 3, 4), "{'w': (3, 4), 'b': (4,)}"),
    "list": (lambda rng: [f32(rng, 4), f32(rng, 4, 3)], "[(4,), (4, 3)]"),
    "nested": (
        lambda rng: {"layers": [layer(rng, 3, 4), layer(rng, 4, 3)], "scale": np.float32(1.0)},
        "{'layers': [{'w', 'b'}, {'w', 'b'}], 'scale': ()}",
    ),
}


def tree_map(fn, tree):
    """``fn`` on every leaf (as a numpy array) of a tree of dicts, lists and tuples."""
    if isinstance(tree, dict):
        return {k: tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, v) for v in tree)
    return fn(np.asarray(tree))


def gradients(rng, params, steps, scale=1.0, zeros=0.1):
    """``steps`` gradients per leaf (stacked on axis 0): normal, with a step-dependent size
    (as mini-batches give) and a fraction ``zeros`` of exact zeros."""
    sizes = np.exp(rng.normal(scale=0.5, size=steps))

    def one(p):
        g = rng.normal(size=(steps, *p.shape)) * sizes.reshape((steps,) + (1,) * p.ndim)
        g[rng.random(size=g.shape) < zeros] = 0.0
        return (g * scale).astype(np.float32)

    return tree_map(one, params)


def sequence_case(rng, tree, steps, hparams, scale=1.0, *what):
    """``hparams`` (positional list or keywords dict) on a ``tree`` of params, fed ``steps``
    given gradients of size about ``scale``; ``what`` = (en, fr) says what is special."""
    make, desc = TREES[tree]
    params = make(rng)
    grads = gradients(rng, params, steps, scale)
    values = hparams.items() if isinstance(hparams, dict) else (("", v) for v in hparams)
    hp = ", ".join(f"{k}={v:g}" if k else f"{v:g}" for k, v in values)
    en, fr = (f", {w}" for w in what) if what else ("", "")
    return case(
        f"({hp}) on params {desc}, {steps} steps of given gradients{en} (result: the updates, axis 0 = step, 0 = first update)",
        f"({hp}) sur les paramètres {desc}, {steps} pas de gradients donnés{fr} (résultat : les mises à jour, axe 0 = pas, 0 = première mise à jour)",
        *(hparams, params, grads),
    )


def quadratic_case(rng, tree, steps, hparams):
    make, desc = TREES[tree]
    params = make(rng)
    curvature = tree_map(
        lambda p: np.exp(rng.uniform(-2.0, 2.0, size=p.shape)).astype(np.float32), params
    )
    target = tree_map(lambda p: f32(rng, *p.shape), params)
    hp = ", ".join(f"{k}={v:g}" for k, v in hparams.items())
    return case(
        f"({hp}) minimising ½·Σ c·(p − target)² (c from 0.14 to 7.4) on params {desc} for {steps} steps (result: the params after each step, axis 0 = step)",
        f"({hp}) en minimisant ½·Σ c·(p − cible)² (c de 0,14 à 7,4) sur les paramètres {desc} pendant {steps} pas (résultat : les paramètres après chaque pas, axe 0 = pas)",
        *(hparams, params, curvature, target, steps),
    )


def sequence_check(function, name, cases, *, jit=False, tol=TOL, **kwargs):
    """A compare check through the ``ex12_sequence`` driver; ``jit=True`` compiles the step and
    calls ``update(grads, state)`` without params (a transform check)."""
    options = {"jit": True, "with_params": False} if jit else {}
    check = compare(
        function, name, cases, driver="ex12_sequence", options=options, tol=tol, **kwargs
    )
    return replace(check, kind="transform") if jit else check


def quadratic_check(function, name, cases, *, tol=TOL, **kwargs):
    """A compare check through the ``ex12_quadratic`` driver: a trajectory, so its tolerance
    includes :data:`TRAJECTORY_SPREAD` (the spread of correct runs)."""
    return compare(
        function, name, cases, driver="ex12_quadratic", tol=tol, spread=TRAJECTORY_SPREAD, **kwargs
    )


# -- init: the state depends only on the params' structure -----------------------------------


def init_cases(hparams, tree):
    """Two params of the same shapes but other values, then the same 20 gradients."""

    def cases(rng):
        make, desc = TREES[tree]
        params = make(rng)
        other = tree_map(
            lambda p: (3.0 * p + rng.normal(size=p.shape) + 5.0).astype(np.float32), params
        )
        grads = gradients(rng, params, 20)
        return [
            case(
                f"init on two params {desc} of the same shapes, other values, then 20 identical gradients",
                f"init sur deux jeux de paramètres {desc} de mêmes formes, autres valeurs, puis 20 gradients identiques",
                *(hparams, params, other, grads),
            )
        ]

    return cases


@per_case
def judge_init_structure(case, out):
    """Driver ``ex12_init_twice``: both runs (same gradients, params of the same shapes but
    other values) must agree."""
    try:
        (sa, ua), (sb, ub) = ((out[k]["state"], out[k]["updates"]) for k in ("a", "b"))
    except (TypeError, KeyError):
        return fail(
            "the grader could not read your optimizer's state or updates.",
            "le correcteur n'a pas pu lire l'état ou les mises à jour de votre optimiseur.",
        )
    en, fr = case_words(case)
    if len(sa) != len(sb) or any(
        np.shape(x) != np.shape(y) or not np.array_equal(x, y, equal_nan=True)
        for x, y in zip(sa, sb, strict=False)
    ):
        return fail(
            f"On {en}: init(params) gave different states for two params of the same shapes but different values. The state must depend on the params' structure and shapes only: zeros like the params (jax.tree.map(jnp.zeros_like, params)), a zero step count; never the params themselves.",
            f"Sur {fr} : init(params) a donné des états différents pour deux jeux de paramètres de mêmes formes mais de valeurs différentes. L'état ne doit dépendre que de la structure et des formes des paramètres : des zéros comme les paramètres (jax.tree.map(jnp.zeros_like, params)), un compteur à zéro ; jamais les paramètres eux-mêmes.",
        )
    if not close(ua, ub, inputs=input_precision(case.args, case.kwargs)):  # (NaN with NaN)
        return fail(
            f"On {en}: with the same gradients, your updates differ when the params have other values. These optimizers never look at the params: the updates depend only on the gradients (and the state built from zeros).",
            f"Sur {fr} : avec les mêmes gradients, vos mises à jour changent quand les paramètres ont d'autres valeurs. Ces optimiseurs ne regardent jamais les paramètres : les mises à jour ne dépendent que des gradients (et de l'état parti de zéros).",
        )
    return ok()


# -- hints -----------------------------------------------------------------------------------

SGD_HINT = Text(
    "update = −learning_rate · g for every leaf (jax.tree.map): the update carries the minus sign, optax.apply_updates adds it to the params. The state can be empty: ().",
    "mise à jour = −learning_rate · g pour chaque feuille (jax.tree.map) : la mise à jour porte le signe moins, optax.apply_updates l'ajoute aux paramètres. L'état peut être vide : ().",
)
MOMENTUM_HINT = Text(
    "Seed 002's momentum is an exponential moving average: v ← β·v + (1 − β)·g from v = 0, update = −η·v. Not v ← β·v + g (heavy ball: steps 1/(1 − β) times too large), and no bias correction. If step 0 is already wrong, look at v's initial value.",
    "Le momentum de la graine 002 est une moyenne mobile exponentielle : v ← β·v + (1 − β)·g à partir de v = 0, mise à jour = −η·v. Pas v ← β·v + g (heavy ball : des pas 1/(1 − β) fois trop grands), et pas de correction de biais. Si le pas 0 est déjà faux, regardez la valeur initiale de v.",
)
RMSPROP_HINT = Text(
    "s starts at zeros (not at the first g²): s ← ρ·s + (1 − ρ)·g², then update = −η·g / (√s + eps), with the new s.",
    "s part de zéros (pas du premier g²) : s ← ρ·s + (1 − ρ)·g², puis mise à jour = −η·g / (√s + eps), avec le nouveau s.",
)
RMSPROP_EPS_HINT = Text(
    "With gradients of about 1e-9, eps = 1e-8 dominates: it must be added outside the root, g / (√s + eps), not inside as optax.rmsprop does (g / √(s + eps)).",
    "Avec des gradients de l'ordre de 1e-9, eps = 1e-8 domine : il s'ajoute hors de la racine, g / (√s + eps), pas dedans comme le fait optax.rmsprop (g / √(s + eps)).",
)
ADAM_HINT = Text(
    "t counts the updates from 1: m̂ = m / (1 − b1^t), v̂ = v / (1 − b2^t), update = −η·m̂ / (√v̂ + eps), with m and v updated first (from zeros). Compare with optax.adam on a small example.",
    "t compte les mises à jour à partir de 1 : m̂ = m / (1 − b1^t), v̂ = v / (1 − b2^t), mise à jour = −η·m̂ / (√v̂ + eps), après avoir mis à jour m et v (partis de zéros). Comparez avec optax.adam sur un petit exemple.",
)
JIT_HINT = Text(
    "The grader compiles the whole step with jax.jit and calls update(grads, state) without params. Keep everything that changes (the step count too) in the state, as arrays: a Python counter or attribute is frozen at tracing time. The state must be a pytree (tuple, NamedTuple, dict, list) of arrays, and params must default to None.",
    "Le correcteur compile tout le pas avec jax.jit et appelle update(grads, state) sans params. Gardez tout ce qui change (le compteur de pas aussi) dans l'état, sous forme de tableaux : un compteur ou un attribut Python est figé au traçage. L'état doit être un pytree (tuple, NamedTuple, dict, list) de tableaux, et params doit valoir None par défaut.",
)
INIT_HINT = Text(
    "init(params) builds zeros shaped like the params (and a zero step count); it never copies the params' values.",
    "init(params) construit des zéros de la forme des paramètres (et un compteur à zéro) ; il ne recopie jamais les valeurs des paramètres.",
)


def jit_hint(formula: Text) -> Text:
    """The jit advice followed by the function's own formula hint for wrong values (a Python
    counter frozen at tracing time, or the formula); the jit advice alone for a tracer error
    or an exception (update called without params, a state that is not a pytree)."""
    both = Text(f"{JIT_HINT.en} {formula.en}", f"{JIT_HINT.fr} {formula.fr}")
    return hints(values=both, tracer=JIT_HINT, exception=JIT_HINT)


# -- public checks ---------------------------------------------------------------------------

WHAT = {
    "beta": ("default beta", "beta par défaut"),
    "rmsprop": ("default decay and eps", "decay et eps par défaut"),
    "adam": ("default b1, b2, eps", "b1, b2, eps par défaut"),
    "tiny": ("gradients of about 1e-9, eps = 1e-8", "gradients de l'ordre de 1e-9, eps = 1e-8"),
}
sgd_sequences = cases_of(sequence_case, ("dict", 50, [0.1]), ("list", 50, {"learning_rate": 0.03}))
momentum_sequences = cases_of(
    sequence_case,
    ("dict", 80, [0.05], 1.0, *WHAT["beta"]),
    ("list", 80, {"learning_rate": 0.1, "beta": 0.5}),
)
rmsprop_sequences = cases_of(
    sequence_case,
    ("dict", 80, [0.01], 1.0, *WHAT["rmsprop"]),
    ("list", 80, {"learning_rate": 0.003, "decay": 0.5, "eps": 1e-6}),
)
rmsprop_tiny = cases_of(sequence_case, ("dict", 40, {"learning_rate": 0.01}, 1e-9, *WHAT["tiny"]))
adam_sequences = cases_of(
    sequence_case,
    ("dict", 100, [0.001], 1.0, *WHAT["adam"]),
    ("nested", 100, {"learning_rate": 0.01, "b1": 0.8, "b2": 0.99, "eps": 1e-6}),
)
adam_quadratic = cases_of(quadratic_case, ("dict", 100, {"learning_rate": 0.05}))
adam_jit = cases_of(sequence_case, ("nested", 60, {"learning_rate": 0.01}))

# Writing the update rule is the exercise: optax's ready-made optimizers and the
# transformations they are built from (and jaxnn's own optimizers) would skip it.
# optax.GradientTransformation, optax.EmptyState and optax.apply_updates stay allowed.
OPTAX_READY_MADE = """
    sgd momentum adam adamw adamax nadam radam rmsprop adagrad adadelta lion lamb lars noisy_sgd
    trace ema scale scale_by_adam scale_by_rms scale_by_stddev scale_by_learning_rate chain
    inject_hyperparams transforms contrib _src
"""
READY_MADE = (
    *(f"optax.{name}" for name in OPTAX_READY_MADE.split()),
    "jaxnn.optim",
    "flax.training",
)
BY_HAND_WHY = Text(
    "write the update rule yourself; return it wrapped in optax.GradientTransformation(init, update)",
    "écrivez la règle de mise à jour vous-même ; renvoyez-la dans optax.GradientTransformation(init, update)",
)

EXERCISE = Exercise(
    id="ex12_optimizers",
    title=Text("Optimizers: momentum, RMSProp, Adam", "Optimiseurs : momentum, RMSProp, Adam"),
    checks=[
        sequence_check("sgd", "gradient_sequence", sgd_sequences, hint=SGD_HINT),
        sequence_check(
            "momentum", "gradient_sequence", momentum_sequences, points=2, hint=MOMENTUM_HINT
        ),
        sequence_check("rmsprop", "gradient_sequence", rmsprop_sequences, hint=RMSPROP_HINT),
        sequence_check("rmsprop", "tiny_gradients", rmsprop_tiny, hint=RMSPROP_EPS_HINT),
        sequence_check(
            "adam", "matches_optax", adam_sequences, points=2, tol=ADAM_TOL, hint=ADAM_HINT
        ),
        quadratic_check("adam", "quadratic", adam_quadratic, tol=ADAM_TOL, hint=ADAM_HINT),
        sequence_check(
            "adam", "jit_without_params", adam_jit, jit=True, tol=ADAM_TOL, hint=jit_hint(ADAM_HINT)
        ),
        *(
            static(function, "by_hand", forbid=READY_MADE, why=BY_HAND_WHY)
            for function in ("sgd", "momentum", "rmsprop", "adam")
        ),
    ],
)
