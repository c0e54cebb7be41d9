"""Checks for ex09_sgd (public).

``minibatches`` is random, so it is judged by properties (a shuffled partition of ``range(n)``
that depends on the key only), never against our random stream. ``train_sgd`` is judged by
what it achieves: the grader evaluates the returned params with its own sigmoid forward pass
on held-out digits whose labels the student never sees, and measures the time it takes.
The judges of both are in ``_ex09_judges.py``.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from grader.course._ex09_judges import (
    check_params,
    judge_partition,
    judge_shuffled_and_keyed,
    judge_training,
)
from grader.course.common import label
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, Exercise, budget, compare, fail, key, ok, prop

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


# -- input generators ----------------------------------------------------------------------------


def init_params(rng: np.random.Generator, sizes, dtype=np.float32):
    """Seed 001's ``Reseau``: weights and biases uniform in [−1, 1], ``w`` of shape (n_in, n_out)."""
    return [
        {
            "w": rng.uniform(-1.0, 1.0, size=(a, b)).astype(dtype),
            "b": rng.uniform(-1.0, 1.0, size=b).astype(dtype),
        }
        for a, b in itertools.pairwise(sizes)
    ]


def one_hot(labels: np.ndarray, k: int, dtype=np.float32) -> np.ndarray:
    return np.eye(k, dtype=dtype)[labels]


@cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits, pixels scaled to [0, 1] (float32), labels (int64)."""
    from jaxnn.data import load_digits

    X, y = load_digits(flatten=True)
    return X, y.astype(np.int64)


def digits_split(rng: np.random.Generator, n_train: int):
    X, y = digits()
    perm = rng.permutation(len(X))
    tr, te = perm[:n_train], perm[n_train:]
    return X[tr], y[tr], X[te], y[te]


def digits_case(
    rng, *, n_train=1300, epochs=30, batch_size=10, eta=3.0, relabel=False, en="", fr=""
) -> Case:
    """Training on the digits. With ``relabel``, the ten classes get new names (a permutation
    drawn from ``rng``): a budget check's timed rounds then ask for ten different trainings,
    and a network cached from an earlier call classifies about one digit in ten."""
    X_tr, y_tr, X_te, y_te = digits_split(rng, n_train)
    params = init_params(rng, SIZES)
    seed = int(rng.integers(2**31))
    if relabel:
        names = rng.permutation(10)
        y_tr, y_te = names[y_tr], names[y_te]
    args = (key(seed), params, X_tr, one_hot(y_tr, 10), epochs, batch_size, eta)
    # The held-out digits are the judge's secret: the student never receives them.
    return Case(args, label=label(en, fr), secret=(X_te, y_te))


def partition_cases(rng):
    return [
        Case(
            (key(int(rng.integers(2**31))), n, bs),
            label=label(
                f"n = {n}, batch_size = {bs} ({what_en})", f"n = {n}, batch_size = {bs} ({what_fr})"
            ),
        )
        for n, bs, what_en, what_fr in (
            (23, 5, "the last batch has 3 examples", "le dernier lot a 3 exemples"),
            (60, 10, "6 full batches", "6 lots complets"),
            (101, 16, "the last batch has 5 examples", "le dernier lot a 5 exemples"),
        )
    ]


def two_keys_cases(rng):
    a, b = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        Case(
            (key(s), 60, 8),
            label=label(f"n = 60, batch_size = 8, key {s}", f"n = 60, batch_size = 8, clé {s}"),
        )
        for s in (a, b)
    ]


def sgd_dict_cases(rng):
    p = {
        "w": rng.normal(size=(3, 2)).astype(np.float32),
        "b": rng.normal(size=2).astype(np.float32),
    }
    g = {
        "w": rng.normal(size=(3, 2)).astype(np.float32),
        "b": rng.normal(size=2).astype(np.float32),
    }
    return [
        Case(
            (p, g, 0.1),
            label=label(
                "one dense layer {'w', 'b'}, η = 0.1", "une couche dense {'w', 'b'}, η = 0.1"
            ),
        )
    ]


def sgd_mlp_cases(rng):
    p = init_params(rng, (4, 5, 3))
    g = init_params(rng, (4, 5, 3))
    return [
        Case(
            (p, g, 0.5),
            label=label(
                "an MLP's params: a list of two {'w', 'b'} dicts, η = 0.5",
                "les paramètres d'un MLP : une liste de deux dicts {'w', 'b'}, η = 0.5",
            ),
        )
    ]


def mini_batch_cases(rng):
    params = init_params(rng, (4, 5, 3))
    X = rng.normal(size=(8, 4)).astype(np.float32)
    Y = one_hot(rng.integers(0, 3, size=8), 3)
    return [
        Case(
            (params, X, Y, 0.5),
            label=label(
                "network [4, 5, 3], a mini-batch of 8 examples, η = 0.5",
                "réseau [4, 5, 3], un mini-batch de 8 exemples, η = 0.5",
            ),
        )
    ]


def full_batch_cases(rng):
    X = rng.normal(size=(40, 4)).astype(np.float32)
    Y = one_hot((X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int), 3)
    params = init_params(rng, (4, 6, 3))
    return [
        Case(
            (key(int(rng.integers(2**31))), params, X, Y, 5, 40, 2.0),
            label=label(
                "40 examples, batch_size = 40 (one batch: the order does not matter), 5 epochs, η = 2",
                "40 exemples, batch_size = 40 (un seul lot : l'ordre ne compte pas), 5 époques, η = 2",
            ),
        )
    ]


def digits_accuracy_cases(rng):
    return [
        digits_case(
            rng,
            epochs=30,
            en="1,300 training digits, 30 epochs, mini-batches of 10, η = 3",
            fr="1 300 chiffres d'entraînement, 30 époques, mini-batchs de 10, η = 3",
        )
    ]


def digits_budget_cases(rng):
    return [
        digits_case(
            rng,
            epochs=BUDGET_EPOCHS,
            batch_size=BUDGET_BATCH,
            relabel=True,
            en=f"1,300 training digits, {BUDGET_EPOCHS} epochs, mini-batches of {BUDGET_BATCH}, η = 3",
            fr=f"1 300 chiffres d'entraînement, {BUDGET_EPOCHS} époques, mini-batchs de {BUDGET_BATCH}, η = 3",
        )
    ]


# Batch order made observable: 3 examples in mini-batches of 2, 2 epochs, a large η. Each
# epoch is one of 6 orders (which example is alone, its batch first or last), so the trained
# params are one of 36 that the grader computes. A fresh permutation puts the same example
# alone in both epochs with probability 1/3 (1/6 if the batch order is shuffled too): that all
# ORDER_KEYS keys do so happens to a correct train_sgd with probability 3^-16 = 2e-8, and
# always when one permutation serves every epoch.
ORDER_KEYS = 16
ORDER_ETA = 8.0
ORDER_SEPARATION = 0.03  # least max-abs distance between two of the 36 trained params
ORDER_ATOL = 1e-3  # float32 rounding moves them by about 1e-6


def epoch_orders(n: int = 3, bs: int = 2):
    """Every epoch on ``n = 3`` examples in batches of 2: ``(alone, [batch, batch])``."""
    orders = []
    for alone in range(n):
        pair = [i for i in range(n) if i != alone]
        orders += [(alone, [pair, [alone]]), (alone, [[alone], pair])]
    return orders


def two_epoch_params(params, X, Y, eta):
    """``{(alone in epoch 1, alone in epoch 2): [flat trained params, ...]}`` for all 36 orders."""
    from grader.course.ex08_backprop import true_grads

    def step(p, idx):
        grads = true_grads(p, X[idx], Y[idx])
        return [
            {"w": layer["w"] - eta * gw, "b": layer["b"] - eta * gb}
            for layer, (gw, gb) in zip(p, grads, strict=True)
        ]

    def run(p, batches):
        for b in batches:
            p = step(p, np.asarray(b))
        return p

    p0 = [{k: np.asarray(v, np.float64) for k, v in layer.items()} for layer in params]
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    out: dict[tuple[int, int], list[np.ndarray]] = {}
    for a1, b1 in epoch_orders():
        p1 = run(p0, b1)
        for a2, b2 in epoch_orders():
            out.setdefault((a1, a2), []).append(_flat(run(p1, b2)))
    return out


def _flat(params) -> np.ndarray:
    return np.concatenate(
        [
            np.r_[np.asarray(layer["w"], np.float64).ravel(), np.asarray(layer["b"], np.float64)]
            for layer in params
        ]
    )


def batch_order_cases(rng):
    while True:  # draw until the 36 outcomes are far apart (deterministic: rng is seeded)
        X = (2.0 * rng.normal(size=(3, 2))).astype(np.float32)
        Y = one_hot(np.array([0, 1, 1]), 2)
        params = init_params(rng, (2, 3, 2))
        flat = np.array(
            [v for vs in two_epoch_params(params, X, Y, ORDER_ETA).values() for v in vs]
        )
        dist = np.abs(flat[:, None] - flat[None]).max(-1)
        np.fill_diagonal(dist, np.inf)
        if dist.min() >= ORDER_SEPARATION:
            break
    seeds = [int(s) for s in rng.choice(2**31, size=ORDER_KEYS, replace=False)]
    return [
        Case(
            (key(s), params, X, Y, 2, 2, ORDER_ETA),
            label=label(
                f"3 examples, batch_size = 2, 2 epochs, η = {ORDER_ETA:g}, key {s}",
                f"3 exemples, batch_size = 2, 2 époques, η = {ORDER_ETA:g}, clé {s}",
            ),
        )
        for s in seeds
    ]


# -- judges --------------------------------------------------------------------------------------


def judge_batch_order(cases, outputs):
    """Each key's trained params must be one of the 36 two-epoch orders; not all repeat epoch 1."""
    _, params0, X, Y, _, _, eta = cases[0].args
    sizes = [params0[0]["w"].shape[0]] + [layer["w"].shape[1] for layer in params0]
    truth = two_epoch_params(params0, X, Y, eta)
    repeats = 0
    for out in outputs:
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "train_sgd must return a pair (params, losses).",
                "train_sgd doit renvoyer un couple (params, losses).",
            )
        bad = check_params(out[0], sizes)
        if bad is not None:
            return bad
        got = _flat(out[0])
        found = [
            pair
            for pair, vs in truth.items()
            if any(np.abs(got - v).max() <= ORDER_ATOL for v in vs)
        ]
        if not found:
            return fail(
                "on 3 examples in mini-batches of 2, your trained params after 2 epochs are not those of any order that visits every example once per epoch. Each epoch must take one step per mini-batch, the last, smaller one included, on the mini-batch's mean gradient.",
                "sur 3 exemples en mini-batchs de 2, vos paramètres entraînés après 2 époques ne sont ceux d'aucun ordre qui voit chaque exemple une fois par époque. Chaque époque doit faire un pas par mini-batch, le dernier, plus petit, compris, sur le gradient moyen du mini-batch.",
            )
        repeats += found[0][0] == found[0][1]
    if repeats == len(outputs):
        return fail(
            f"with {len(outputs)} different keys, your second epoch always repeats the mini-batches of the first: draw a new permutation at every epoch (split the key, or jax.random.fold_in(key, epoch)).",
            f"avec {len(outputs)} clés différentes, votre deuxième époque répète toujours les mini-batchs de la première : tirez une nouvelle permutation à chaque époque (divisez la clé, ou jax.random.fold_in(key, epoch)).",
        )
    return ok()


EXERCISE = Exercise(
    id="ex09_sgd",
    title=Text("Stochastic gradient descent", "Descente de gradient stochastique"),
    checks=[
        prop(
            "minibatches",
            "partition",
            partition_cases,
            judge_partition,
            points=1,
            hint=Text(
                "Draw perm = jax.random.permutation(key, n), then cut it: [perm[k:k + batch_size] for k in range(0, n, batch_size)].",
                "Tirez perm = jax.random.permutation(key, n), puis découpez : [perm[k:k + batch_size] for k in range(0, n, batch_size)].",
            ),
        ),
        prop(
            "minibatches",
            "shuffled_by_the_key",
            two_keys_cases,
            judge_shuffled_and_keyed,
            driver="call_twice",
            points=1,
            hint=Text(
                "The same key must give the same batches, another key another order; no np.random.",
                "La même clé doit donner les mêmes lots, une autre clé un autre ordre ; pas de np.random.",
            ),
        ),
        compare(
            "sgd_update",
            "one_layer",
            sgd_dict_cases,
            points=1,
            hint=Text(
                "θ − η g for every leaf: minus, since descent goes against the gradient.",
                "θ − η g pour chaque feuille : moins, car la descente va contre le gradient.",
            ),
        ),
        compare(
            "sgd_update",
            "mlp_params",
            sgd_mlp_cases,
            points=1,
            hint=Text(
                "jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads) works on any pytree.",
                "jax.tree_util.tree_map(lambda p, g: p - eta * g, params, grads) marche sur tout pytree.",
            ),
        ),
        compare(
            "update_mini_batch",
            "one_step",
            mini_batch_cases,
            points=2,
            hint=Text(
                "Differentiate the mean cost C = 1/(2m) Σ ‖y − a‖² over the mini-batch (jax.grad), then θ ← θ − η ∇C.",
                "Dérivez le coût moyen C = 1/(2m) Σ ‖y − a‖² sur le mini-batch (jax.grad), puis θ ← θ − η ∇C.",
            ),
        ),
        compare(
            "train_sgd",
            "full_batch_epochs",
            full_batch_cases,
            driver="ex09_params_only",
            points=2,
            hint=Text(
                "With batch_size = n each epoch is one step of gradient descent on the whole set: the trained params are compared.",
                "Avec batch_size = n chaque époque est un pas de descente de gradient sur tout l'ensemble : les paramètres entraînés sont comparés.",
            ),
        ),
        prop(
            "train_sgd",
            "reshuffles_every_epoch",
            batch_order_cases,
            judge_batch_order,
            points=2,
            hint=Text(
                "Each epoch: a new key (jax.random.split or fold_in), a new permutation, one step per mini-batch.",
                "À chaque époque : une nouvelle clé (jax.random.split ou fold_in), une nouvelle permutation, un pas par mini-batch.",
            ),
        ),
        prop(
            "train_sgd",
            "digits_accuracy",
            digits_accuracy_cases,
            judge_training,
            points=2,
            timeout=120,
            hint=Text(
                "Each epoch: a new permutation from a new key, one step per mini-batch on the mean gradient, then the cost on the whole training set.",
                "À chaque époque : une nouvelle permutation avec une nouvelle clé, un pas par mini-batch sur le gradient moyen, puis le coût sur tout l'ensemble d'entraînement.",
            ),
        ),
        budget(
            "train_sgd",
            "time_budget",
            digits_budget_cases,
            BUDGET_RATIO,
            judge=judge_training,
            timeout=BUDGET_TIMEOUT,
            points=2,
            # Speed advice: for too slow (or no end), not for a wrong accuracy.
            hint=hint_for(
                Text(
                    "Compile a whole epoch: jax.jit around a lax.scan over the pre-shuffled mini-batches (no Python loop over examples).",
                    "Compilez une époque entière : jax.jit autour d'un lax.scan sur les mini-batchs mélangés d'avance (pas de boucle Python sur les exemples).",
                ),
                "slow",
                "timeout",
            ),
        ),
    ],
)
