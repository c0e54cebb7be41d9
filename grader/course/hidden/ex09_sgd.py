"""Hidden checks for ex09_sgd: edge sizes, other keys and splits, nested pytrees, jax inputs."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label
from grader.course.ex09_sgd import (
    BUDGET_EPOCHS,
    BUDGET_RATIO,
    BUDGET_TIMEOUT,
    digits_case,
    init_params,
    judge_partition,
    judge_shuffled_and_keyed,
    judge_training,
    one_hot,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import Case, budget, compare, fail, key, ok, prop, transform


def edge_size_cases(rng):
    seeds = [int(s) for s in rng.choice(2**31, size=5, replace=False)]
    return [
        Case((key(seeds[0]), 1, 1), label=label("n = 1, batch_size = 1", "n = 1, batch_size = 1")),
        Case(
            (key(seeds[1]), 7, 1),
            label=label("batch_size = 1 (pure SGD)", "batch_size = 1 (SGD pur)"),
        ),
        Case(
            (key(seeds[2]), 7, 10),
            label=label(
                "batch_size larger than n: one batch of 7",
                "batch_size plus grand que n : un lot de 7",
            ),
        ),
        Case(
            (key(seeds[3]), 23, 23),
            label=label("batch_size = n: one full batch", "batch_size = n : un lot complet"),
        ),
        Case(
            (Ref("legacy_key", (seeds[4],)), 60, 7),
            label=label(
                "an old-style uint32 key (jax.random.PRNGKey), n = 60, batch_size = 7",
                "une clé uint32 à l'ancienne (jax.random.PRNGKey), n = 60, batch_size = 7",
            ),
        ),
    ]


def large_two_keys(rng):
    a, b = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        Case(
            (key(s), 1000, 32),
            label=label(
                f"n = 1000, batch_size = 32, key {s}", f"n = 1000, batch_size = 32, clé {s}"
            ),
        )
        for s in (a, b)
    ]


def _f32(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def nested_cases(rng):
    params = {
        "encoder": [
            {"w": _f32(rng, 3, 4), "b": _f32(rng, 4)},
            {"w": _f32(rng, 4, 2), "b": _f32(rng, 2)},
        ],
        "head": {"w": _f32(rng, 2, 1), "scale": np.float32(1.5)},
        "pair": (_f32(rng, 2), _f32(rng, 3)),
    }
    grads = {
        "encoder": [
            {"w": _f32(rng, 3, 4), "b": _f32(rng, 4)},
            {"w": _f32(rng, 4, 2), "b": _f32(rng, 2)},
        ],
        "head": {"w": _f32(rng, 2, 1), "scale": np.float32(-0.5)},
        "pair": (_f32(rng, 2), _f32(rng, 3)),
    }
    jp = {"w": as_jax(_f32(rng, 5, 3)), "b": as_jax(_f32(rng, 3))}
    jg = {"w": as_jax(_f32(rng, 5, 3)), "b": as_jax(_f32(rng, 3))}
    return [
        Case(
            (params, grads, 0.05),
            label=label(
                "nested dicts, lists, a tuple and a 0-d leaf",
                "dicts, listes, un tuple et une feuille 0-d imbriqués",
            ),
        ),
        Case((jp, jg, 0.3), label=label("jax arrays", "tableaux jax")),
        Case((params, grads, 0.0), label=label("η = 0: nothing moves", "η = 0 : rien ne bouge")),
    ]


def jit_cases(rng):
    p = init_params(rng, (3, 4, 2))
    g = init_params(rng, (3, 4, 2))
    return [
        Case(
            (p, g, 0.2),
            label=label("under jax.jit, MLP params", "sous jax.jit, paramètres d'un MLP"),
        )
    ]


def mini_batch_hidden(rng):
    params = init_params(rng, (3, 6, 6, 4), dtype=np.float64)
    x = rng.normal(size=(1, 3))
    y = one_hot(rng.integers(0, 4, size=1), 4, dtype=np.float64)
    jparams = init_params(rng, (5, 4, 3))
    X = _f32(rng, 16, 5)
    Y = one_hot(rng.integers(0, 3, size=16), 3)
    return [
        Case(
            (params, x, y, 3.0),
            label=label(
                "three layers [3, 6, 6, 4], a mini-batch of one example, float64, η = 3",
                "trois couches [3, 6, 6, 4], un mini-batch d'un exemple, float64, η = 3",
            ),
        ),
        Case(
            (
                [{k: as_jax(v) for k, v in layer.items()} for layer in jparams],
                as_jax(X),
                as_jax(Y),
                0.7,
            ),
            label=label("jax inputs, 16 examples, η = 0.7", "entrées jax, 16 exemples, η = 0,7"),
        ),
    ]


HIDDEN_BATCH = 250  # 1,400 = 5 × 250 + 150: a last, smaller mini-batch


def hidden_digits(rng):
    return [
        digits_case(
            rng,
            n_train=1400,
            epochs=BUDGET_EPOCHS,
            batch_size=HIDDEN_BATCH,
            eta=2.5,
            relabel=True,
            en=f"1,400 other training digits, {BUDGET_EPOCHS} epochs, mini-batches of {HIDDEN_BATCH}, η = 2.5",
            fr=f"1 400 autres chiffres d'entraînement, {BUDGET_EPOCHS} époques, mini-batchs de {HIDDEN_BATCH}, η = 2,5",
        )
    ]


def zero_epoch_cases(rng):
    X = _f32(rng, 20, 4)
    return [
        Case(
            (
                key(int(rng.integers(2**31))),
                init_params(rng, (4, 3, 2)),
                X,
                one_hot(rng.integers(0, 2, 20), 2),
                0,
                5,
                1.0,
            ),
            label=label("epochs = 0", "epochs = 0"),
        )
    ]


def judge_zero_epochs(cases, outputs):
    params0 = cases[0].args[1]
    out = outputs[0]
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            "train_sgd must return a pair (params, losses).",
            "train_sgd doit renvoyer un couple (params, losses).",
        )
    params, losses = out
    try:
        n_losses = len(np.asarray(losses, dtype=np.float64).reshape(-1))
    except (TypeError, ValueError):
        n_losses = -1
    if n_losses != 0:
        return fail(
            "with epochs = 0 there is no epoch, so losses must be empty.",
            "avec epochs = 0 il n'y a aucune époque : losses doit être vide.",
        )
    try:
        same = (
            isinstance(params, (list, tuple))
            and len(params) == len(params0)
            and all(
                np.allclose(np.asarray(p[k], np.float64), q[k], rtol=1e-6, atol=1e-7)
                for p, q in zip(params, params0, strict=True)
                for k in ("w", "b")
            )
        )
    except Exception:
        same = False
    if not same:
        return fail(
            "with epochs = 0 the params must come back unchanged.",
            "avec epochs = 0 les paramètres doivent revenir inchangés.",
        )
    return ok()


CHECKS = [
    prop("minibatches", "edge_sizes", edge_size_cases, judge_partition, hidden=True),
    prop(
        "minibatches",
        "large_shuffled",
        large_two_keys,
        judge_shuffled_and_keyed,
        driver="call_twice",
    ),
    compare("sgd_update", "nested_and_jax", nested_cases),
    transform("sgd_update", "under_jit", jit_cases, transform="jit"),
    compare(
        "update_mini_batch",
        "deeper_and_jax",
        mini_batch_hidden,
        hint=Text(
            "Every layer, any depth; the mean over the mini-batch even for a batch of one.",
            "Toutes les couches, quelle que soit la profondeur ; la moyenne sur le mini-batch même pour un lot d'un exemple.",
        ),
    ),
    budget(
        "train_sgd",
        "other_digits_budget",
        hidden_digits,
        BUDGET_RATIO,
        judge=judge_training,
        timeout=BUDGET_TIMEOUT,
        points=2,
        hint=hint_for(
            Text(
                "Compile a whole epoch: jax.jit around a lax.scan over the pre-shuffled mini-batches.",
                "Compilez une époque entière : jax.jit autour d'un lax.scan sur les mini-batchs mélangés d'avance.",
            ),
            "slow",
            "timeout",
        ),
    ),
    prop("train_sgd", "zero_epochs", zero_epoch_cases, judge_zero_epochs, hidden=True),
]
