"""Hidden checks for ex09_sgd: edge sizes, other keys and splits, nested pytrees, jax inputs."""

from __future__ import annotations

from functools import partial

import numpy as np

from grader.course._ex09_judges import (
    NOT_A_PAIR,
    judge_partition,
    judge_shuffled_and_keyed,
    judge_training,
    numbers,
)
from grader.course.common import as_jax, case
from grader.course.ex07_mlp import params_as_jax, random_params
from grader.course.ex09_sgd import (
    BUDGET_EPOCHS,
    BUDGET_RATIO,
    BUDGET_TIMEOUT,
    digits_case,
    f32,
    one_hot,
    two_keys_cases,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import budget, compare, fail, key, ok, prop, transform


def edge_size_cases(rng):
    seeds = [int(s) for s in rng.choice(2**31, size=5, replace=False)]
    large_en = "batch_size larger than n: one batch of 7"
    large_fr = "batch_size plus grand que n : un lot de 7"
    full_en, full_fr = "batch_size = n: one full batch", "batch_size = n : un lot complet"
    legacy_en = "an old-style uint32 key (jax.random.PRNGKey), n = 60, batch_size = 7"
    legacy_fr = "une clé uint32 à l'ancienne (jax.random.PRNGKey), n = 60, batch_size = 7"
    return [
        case("n = 1, batch_size = 1", "n = 1, batch_size = 1", key(seeds[0]), 1, 1),
        case("batch_size = 1 (pure SGD)", "batch_size = 1 (SGD pur)", key(seeds[1]), 7, 1),
        case(large_en, large_fr, key(seeds[2]), 7, 10),
        case(full_en, full_fr, key(seeds[3]), 23, 23),
        case(legacy_en, legacy_fr, Ref("legacy_key", (seeds[4],)), 60, 7),
    ]


def nested_cases(rng):
    def tree(scale):
        encoder = [{"w": f32(rng, 3, 4), "b": f32(rng, 4)}, {"w": f32(rng, 4, 2), "b": f32(rng, 2)}]
        head = {"w": f32(rng, 2, 1), "scale": np.float32(scale)}
        return {"encoder": encoder, "head": head, "pair": (f32(rng, 2), f32(rng, 3))}

    params, grads = tree(1.5), tree(-0.5)
    jp, jg = ({"w": as_jax(f32(rng, 5, 3)), "b": as_jax(f32(rng, 3))} for _ in range(2))
    en = "nested dicts, lists, a tuple and a 0-d leaf"
    fr = "dicts, listes, un tuple et une feuille 0-d imbriqués"
    return [
        case(en, fr, params, grads, 0.05),
        case("jax arrays", "tableaux jax", jp, jg, 0.3),
        case("η = 0: nothing moves", "η = 0 : rien ne bouge", params, grads, 0.0),
    ]


def jit_cases(rng):
    p, g = (random_params(rng, (3, 4, 2)) for _ in range(2))
    return [case("under jax.jit, MLP params", "sous jax.jit, paramètres d'un MLP", p, g, 0.2)]


def mini_batch_hidden(rng):
    params = random_params(rng, (3, 6, 6, 4), np.float64)
    x, y = rng.normal(size=(1, 3)), one_hot(rng.integers(0, 4, size=1), 4, dtype=np.float64)
    jparams, X = random_params(rng, (5, 4, 3)), f32(rng, 16, 5)
    jax_args = (
        params_as_jax(jparams, None),
        as_jax(X),
        as_jax(one_hot(rng.integers(0, 3, size=16), 3)),
    )
    en = "three layers [3, 6, 6, 4], a mini-batch of one example, float64, η = 3"
    fr = "trois couches [3, 6, 6, 4], un mini-batch d'un exemple, float64, η = 3"
    return [
        case(en, fr, params, x, y, 3.0),
        case(
            "jax inputs, 16 examples, η = 0.7", "entrées jax, 16 exemples, η = 0,7", *jax_args, 0.7
        ),
    ]


HIDDEN_BATCH = 250  # 1,400 = 5 × 250 + 150: a last, smaller mini-batch


def zero_epoch_cases(rng):
    X = f32(rng, 20, 4)
    args = (key(int(rng.integers(2**31))), random_params(rng, (4, 3, 2)), X)
    return [case("epochs = 0", "epochs = 0", *args, one_hot(rng.integers(0, 2, 20), 2), 0, 5, 1.0)]


def judge_zero_epochs(cases, outputs):
    (out,), params0 = outputs, cases[0].args[1]
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return NOT_A_PAIR
    params, losses = out[0], numbers(out[1])
    if losses is None or len(losses) != 0:
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
    prop("minibatches", "edge_sizes", edge_size_cases, judge_partition),
    prop(
        "minibatches",
        "large_shuffled",
        partial(two_keys_cases, n=1000, bs=32),
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
        lambda rng: [
            digits_case(
                rng,
                n_train=1400,
                epochs=BUDGET_EPOCHS,
                batch_size=HIDDEN_BATCH,
                eta=2.5,
                relabel=True,
                words=("other training digits", "autres chiffres d'entraînement"),
            )
        ],
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
    prop("train_sgd", "zero_epochs", zero_epoch_cases, judge_zero_epochs),
]
