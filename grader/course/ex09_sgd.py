"""Checks for ex09_sgd (public).

``minibatches`` is random, so it is judged by properties (a shuffled partition of ``range(n)``
that depends on the key only), never against our random stream. ``train_sgd`` is judged by
what it achieves: the grader evaluates the returned params with its own sigmoid forward pass
on held-out digits whose labels the student never sees, and measures the time it takes.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from grader.course._ex09_judges import (
    ORDER_ETA,
    ORDER_KEYS,
    ORDER_SEPARATION,
    judge_batch_order,
    judge_partition,
    judge_shuffled_and_keyed,
    judge_training,
    two_epoch_params,
)
from grader.course.common import case
from grader.course.ex07_mlp import random_params
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, Exercise, budget, compare, key, prop

# Training on the digits: seed 001's network (sigmoid everywhere, quadratic cost) with
# 64 inputs, 30 hidden units, 10 outputs, mini-batches of 10 and η = 3.
SIZES = (64, 30, 10)
# The time budget: train_sgd's steady-state time (compilation excluded) against the
# reference's on the same inputs, timed in the same kind of sandbox at the same moment
# (grader/budget.py). Measured per epoch on 1,300 digits (see docs/writing-checks.md):
# with mini-batches of 10 a jitted step called from a Python loop over the batches is
# slower than seed 001's per-example loop (its cost is per batch, the loop's per example);
# with mini-batches of 200 it is about 12x the reference, the per-example loop about 60x,
# a jitted lax.scan over one epoch 1-2x. 25x separates them by 2x on either side.
BUDGET_EPOCHS = 100
BUDGET_BATCH = 200
BUDGET_RATIO = 25.0
BUDGET_TIMEOUT = 60.0  # one call at most (the first includes compiling)

# -- inputs ----------------------------------------------------------------------------------------


def f32(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def one_hot(labels, k: int, dtype=np.float32) -> np.ndarray:
    return np.eye(k, dtype=dtype)[labels]


@cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits, pixels scaled to [0, 1] (float32), labels (int64)."""
    from jaxnn.data import load_digits

    X, y = load_digits(flatten=True)
    return X, y.astype(np.int64)


def digits_case(rng, *, n_train=1300, epochs=30, batch_size=10, eta=3.0, relabel=False, words=None):
    """Training on the digits. With ``relabel``, the ten classes get new names (a permutation
    drawn from ``rng``): a budget check's timed rounds then ask for ten different trainings,
    and a network cached from an earlier call classifies about one digit in ten."""
    X, y = digits()
    perm = rng.permutation(len(X))
    (X_tr, y_tr), (X_te, y_te) = ((X[i], y[i]) for i in (perm[:n_train], perm[n_train:]))
    params = random_params(rng, SIZES)
    seed = int(rng.integers(2**31))
    if relabel:
        names = rng.permutation(10)
        y_tr, y_te = names[y_tr], names[y_te]
    args = (key(seed), params, X_tr, one_hot(y_tr, 10), epochs, batch_size, eta)
    what_en, what_fr = words or ("training digits", "chiffres d'entraînement")
    n_fr, eta_fr = f"{n_train:,}".replace(",", " "), f"{eta:g}".replace(".", ",")
    en = f"{n_train:,} {what_en}, {epochs} epochs, mini-batches of {batch_size}, η = {eta:g}"
    fr = f"{n_fr} {what_fr}, {epochs} époques, mini-batchs de {batch_size}, η = {eta_fr}"
    # The held-out digits are the judge's secret: the student never receives them.
    return Case(args, label=Text(en, fr), secret=(X_te, y_te))


def partition_cases(rng):
    rows = (
        (23, 5, "the last batch has 3 examples", "le dernier lot a 3 exemples"),
        (60, 10, "6 full batches", "6 lots complets"),
        (101, 16, "the last batch has 5 examples", "le dernier lot a 5 exemples"),
    )
    return [
        case(f"n = {n}, batch_size = {bs} ({en})", f"n = {n}, batch_size = {bs} ({fr})", k, n, bs)
        for n, bs, en, fr in rows
        for k in [key(int(rng.integers(2**31)))]
    ]


def two_keys_cases(rng, n=60, bs=8):
    seeds = [int(s) for s in rng.choice(2**31, size=2, replace=False)]
    en, fr = f"n = {n}, batch_size = {bs}, key", f"n = {n}, batch_size = {bs}, clé"
    return [case(f"{en} {s}", f"{fr} {s}", key(s), n, bs) for s in seeds]


def sgd_dict_cases(rng):
    p, g = ({"w": f32(rng, 3, 2), "b": f32(rng, 2)} for _ in range(2))
    en, fr = "one dense layer {'w', 'b'}, η = 0.1", "une couche dense {'w', 'b'}, η = 0.1"
    return [case(en, fr, p, g, 0.1)]


def sgd_mlp_cases(rng):
    p, g = (random_params(rng, (4, 5, 3)) for _ in range(2))
    en = "an MLP's params: a list of two {'w', 'b'} dicts, η = 0.5"
    fr = "les paramètres d'un MLP : une liste de deux dicts {'w', 'b'}, η = 0.5"
    return [case(en, fr, p, g, 0.5)]


def mini_batch_cases(rng):
    params, X = random_params(rng, (4, 5, 3)), f32(rng, 8, 4)
    Y = one_hot(rng.integers(0, 3, size=8), 3)
    en = "network [4, 5, 3], a mini-batch of 8 examples, η = 0.5"
    fr = "réseau [4, 5, 3], un mini-batch de 8 exemples, η = 0.5"
    return [case(en, fr, params, X, Y, 0.5)]


def full_batch_cases(rng):
    X = f32(rng, 40, 4)
    Y = one_hot((X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int), 3)
    args = (random_params(rng, (4, 6, 3)), X, Y, 5, 40, 2.0)
    en = "40 examples, batch_size = 40 (one batch: the order does not matter), 5 epochs, η = 2"
    fr = "40 exemples, batch_size = 40 (un seul lot : l'ordre ne compte pas), 5 époques, η = 2"
    return [case(en, fr, key(int(rng.integers(2**31))), *args)]


def batch_order_cases(rng):
    while True:  # draw until the 36 outcomes are far apart (deterministic: rng is seeded)
        X = (2.0 * rng.normal(size=(3, 2))).astype(np.float32)
        Y = one_hot(np.array([0, 1, 1]), 2)
        params = random_params(rng, (2, 3, 2))
        flat = np.array([*itertools.chain(*two_epoch_params(params, X, Y, ORDER_ETA).values())])
        dist = np.abs(flat[:, None] - flat[None]).max(-1)
        np.fill_diagonal(dist, np.inf)
        if dist.min() >= ORDER_SEPARATION:
            break
    seeds = [int(s) for s in rng.choice(2**31, size=ORDER_KEYS, replace=False)]
    en = f"3 examples, batch_size = 2, 2 epochs, η = {ORDER_ETA:g}, key"
    fr = f"3 exemples, batch_size = 2, 2 époques, η = {ORDER_ETA:g}, clé"
    return [case(f"{en} {s}", f"{fr} {s}", key(s), params, X, Y, 2, 2, ORDER_ETA) for s in seeds]


HINTS = {
    "partition": Text(
        "Draw perm = jax.random.permutation(key, n), then cut it: [perm[k:k + batch_size] for k in range(0, n, batch_size)].",
        "Tirez perm = jax.random.permutation(key, n), puis découpez : [perm[k:k + batch_size] for k in range(0, n, batch_size)].",
    ),
    "shuffled_by_the_key": Text(
        "The same key must give the same batches, another key another order; no np.random.",
        "La même clé doit donner les mêmes lots, une autre clé un autre ordre ; pas de np.random.",
    ),
    "one_layer": Text(
        "θ − η g for every leaf: minus, since descent goes against the gradient.",
        "θ − η g pour chaque feuille : moins, car la descente va contre le gradient.",
    ),
    "mlp_params": Text(
        "jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads) works on any pytree.",
        "jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads) marche sur tout pytree.",
    ),
    "one_step": Text(
        "Differentiate the mean cost C = 1/(2m) Σ ‖y − a‖² over the mini-batch (jax.grad), then θ ← θ − η ∇C.",
        "Dérivez le coût moyen C = 1/(2m) Σ ‖y − a‖² sur le mini-batch (jax.grad), puis θ ← θ − η ∇C.",
    ),
    "full_batch_epochs": Text(
        "With batch_size = n each epoch is one step of gradient descent on the whole set: the trained params are compared.",
        "Avec batch_size = n chaque époque est un pas de descente de gradient sur tout l'ensemble : les paramètres entraînés sont comparés.",
    ),
    "reshuffles_every_epoch": Text(
        "Each epoch: a new key (jax.random.split or fold_in), a new permutation, one step per mini-batch.",
        "À chaque époque : une nouvelle clé (jax.random.split ou fold_in), une nouvelle permutation, un pas par mini-batch.",
    ),
    "digits_accuracy": Text(
        "Each epoch: a new permutation from a new key, one step per mini-batch on the mean gradient, then the cost on the whole training set.",
        "À chaque époque : une nouvelle permutation avec une nouvelle clé, un pas par mini-batch sur le gradient moyen, puis le coût sur tout l'ensemble d'entraînement.",
    ),
    # Speed advice: for too slow (or no end), not for a wrong accuracy.
    "time_budget": hint_for(
        Text(
            "Compile a whole epoch: jax.jit around a lax.scan over the pre-shuffled mini-batches (no Python loop over examples).",
            "Compilez une époque entière : jax.jit autour d'un lax.scan sur les mini-batchs mélangés d'avance (pas de boucle Python sur les exemples).",
        ),
        "slow",
        "timeout",
    ),
}

EXERCISE = Exercise(
    id="ex09_sgd",
    title=Text("Stochastic gradient descent", "Descente de gradient stochastique"),
    checks=[
        prop("minibatches", "partition", partition_cases, judge_partition, hint=HINTS["partition"]),
        prop(
            "minibatches",
            "shuffled_by_the_key",
            two_keys_cases,
            judge_shuffled_and_keyed,
            driver="call_twice",
            hint=HINTS["shuffled_by_the_key"],
        ),
        compare("sgd_update", "one_layer", sgd_dict_cases, hint=HINTS["one_layer"]),
        compare("sgd_update", "mlp_params", sgd_mlp_cases, hint=HINTS["mlp_params"]),
        compare(
            "update_mini_batch", "one_step", mini_batch_cases, points=2, hint=HINTS["one_step"]
        ),
        compare(
            "train_sgd",
            "full_batch_epochs",
            full_batch_cases,
            driver="ex09_params_only",
            points=2,
            hint=HINTS["full_batch_epochs"],
        ),
        prop(
            "train_sgd",
            "reshuffles_every_epoch",
            batch_order_cases,
            judge_batch_order,
            points=2,
            hint=HINTS["reshuffles_every_epoch"],
        ),
        prop(
            "train_sgd",
            "digits_accuracy",
            lambda rng: [digits_case(rng)],
            judge_training,
            points=2,
            timeout=120,
            hint=HINTS["digits_accuracy"],
        ),
        budget(
            "train_sgd",
            "time_budget",
            lambda rng: [
                digits_case(rng, epochs=BUDGET_EPOCHS, batch_size=BUDGET_BATCH, relabel=True)
            ],
            BUDGET_RATIO,
            judge=judge_training,
            timeout=BUDGET_TIMEOUT,
            points=2,
            hint=HINTS["time_budget"],
        ),
    ],
)
