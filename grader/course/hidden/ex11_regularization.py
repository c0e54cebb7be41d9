"""Hidden checks for ex11_regularization: nested pytrees, jax inputs, edge sizes, patience 0,
other data for the model selection, and a problem where the largest network overfits."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, case, xor_data
from grader.course.ex11_regularization import (
    curves,
    f32,
    id_rows,
    judge_dropout,
    judge_selection,
    judge_split,
    layer,
    nonzero,
    rings,
    selections,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import compare, key, prop


def nested_decay_cases(rng):
    def tree():
        return {
            "dense_0": layer(rng, 3, 4),
            "blocks": [layer(rng, 4, 4), {"scale": f32(rng, 4), "b": f32(rng, 4)}],
            "head": (layer(rng, 4, 2),),
        }

    params, grads = tree(), tree()
    jax_params, jax_grads = ({k: as_jax(v) for k, v in layer(rng, 5, 2).items()} for _ in range(2))
    return [
        case(
            "nested dicts, lists and a tuple; a leaf named 'scale' is not decayed",
            "dicts, listes et un tuple imbriqués ; une feuille nommée 'scale' ne décroît pas",
            *(params, grads, 0.05, 0.002),
        ),
        case("jax arrays", "tableaux jax", jax_params, jax_grads, 0.3, 0.05),
    ]


def dropout_hidden_cases(rng):
    x = as_jax(nonzero(rng, (8, 10, 12)))
    seeds = [int(rng.integers(2**31)) for _ in range(3)]
    return [
        case(
            "jax x of shape (8, 10, 12), an old-style uint32 key, rate = 0.9",
            "x jax de forme (8, 10, 12), une clé uint32 à l'ancienne, rate = 0,9",
            *(Ref("legacy_key", (seeds[0],)), x, 0.9),
        ),
        case("jax x, rate = 0.05", "x jax, rate = 0,05", key(seeds[1]), x, 0.05),
        case(
            "jax x, train=False given by keyword",
            "x jax, train=False passé par mot-clé",
            *(key(seeds[2]), x, 0.3),
            train=False,
        ),
    ]


def dropout_jit_cases(rng):
    return [
        case(
            "under jax.jit (rate and train static), rate = 0.4",
            "sous jax.jit (rate et train statiques), rate = 0,4",
            *(key(int(rng.integers(2**31))), nonzero(rng, (64, 50)), 0.4, True),
        )
    ]


def fit_hidden_cases(rng):
    X = 1e6 + rng.normal(size=(40, 3)) * np.array([1.0, 0.01, 5.0])
    return [
        case(
            "features around 1e6 with small spreads (a one-pass E[x²] − E[x]² loses them)",
            "caractéristiques autour de 1e6 peu dispersées (une formule en une passe E[x²] − E[x]² les perd)",
            X,
        ),
        case(
            "jax float32, 3 examples and 5 features (statistics per feature)",
            "jax float32, 3 exemples et 5 caractéristiques (statistiques par caractéristique)",
            as_jax(rng.normal(size=(3, 5)) * 2 + 1, "float32"),
        ),
    ]


def apply_hidden_cases(rng):
    X = rng.normal(size=(5, 4)) * 1e-4
    stats = (as_jax(np.float32([0.5, -1.0])), as_jax(np.float32([2.0, 0.25])))
    return [
        case(
            "std = 1e-4 with the default eps (eps is small but not negligible under a root)",
            "std = 1e-4 avec l'eps par défaut (eps est petit mais pas négligeable sous une racine)",
            *(X, np.zeros(4), np.full(4, 1e-4)),
        ),
        case("jax float32 inputs", "entrées jax float32", as_jax(f32(rng, 7, 2)), *stats),
    ]


def split_hidden_cases(rng):
    images = np.zeros((40, 4, 4))
    images[:, 0, 0] = np.arange(40)
    images[:, 1:, :] = rng.integers(0, 9, size=(40, 3, 4))
    keys = [key(int(rng.integers(2**31))) for _ in range(3)]
    return [
        case(
            "40 images (40, 4, 4), val_frac = 0.1, test_frac = 0.3",
            "40 images (40, 4, 4), val_frac = 0,1, test_frac = 0,3",
            *(keys[0], images, np.arange(40) % 10, 0.1, 0.3),
        ),
        case(
            "jax inputs, n = 11, val_frac = 0.1 (1.1 → 1), test_frac = 0.25 (2.75 → 3)",
            "entrées jax, n = 11, val_frac = 0,1 (1,1 → 1), test_frac = 0,25 (2,75 → 3)",
            *(keys[1], as_jax(id_rows(11), "float32"), as_jax(np.arange(11) + 100)),
            val_frac=0.1,
            test_frac=0.25,
        ),
        case(
            "val_frac = 0: an empty validation set",
            "val_frac = 0 : un ensemble de validation vide",
            *(keys[2], id_rows(20), np.arange(20), 0.0, 0.3),
        ),
    ]


early_hidden_cases = curves(
    (
        [0.5, 0.6, 0.7, 0.8],
        2,
        "never improving after the first epoch",
        "jamais d'amélioration après la première époque",
    ),
    ([0.9, 0.8, 0.8, 0.7], 3, "improving at the very end", "une amélioration à la toute fin"),
    ([0.3], 1, "a single epoch", "une seule époque"),
    (
        [3.0, 2.0, 2.5, 2.6, 2.7],
        10,
        "patience longer than the list",
        "une patience plus longue que la liste",
    ),
    (
        np.array([2.0, 1.0, 1.5, 0.9, 1.1, 1.2, 0.95]),
        2,
        "a numpy array, patience 2",
        "un tableau numpy, patience 2",
    ),
    (
        as_jax(np.float32([1.0, 0.7, 0.7, 0.6, 0.8, 0.9])),
        1,
        "a jax array with a tie, patience 1",
        "un tableau jax avec une égalité, patience 1",
    ),
)
patience_zero_cases = curves(
    (
        [1.0, 0.9, 0.95, 0.8],
        0,
        "patience 0: stop at the first epoch that does not improve",
        "patience 0 : arrêt à la première époque sans amélioration",
    ),
    ([3.0, 2.0, 1.0], 0, "patience 0, always improving", "patience 0, toujours en amélioration"),
)


def xor(rng, n):
    X, y = xor_data(rng, n)
    return X.astype(np.float32), y.astype(np.int64)


def three_rings(rng, n):
    return rings(rng, n, edges=(0.45, 0.78))


def noise(rng, n):
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 2, size=n)


selection_hidden_cases = selections(
    (xor, [1, 24], 24, 200, 300, "XOR quadrants", "les quadrants du XOR"),
    (three_rings, [2, 1, 40], 40, 300, 300, "three classes in rings", "trois classes en anneaux"),
)
overfitting_cases = selections(
    (noise, [256, 1], 1, 20, 300, "random labels", "étiquettes aléatoires")
)

PATIENCE_ZERO_HINT = Text(
    "Check the count only after an epoch that did not improve: with patience 0 training stops at the first such epoch (Keras's rule), as with patience 1.",
    "Ne testez le compte qu'après une époque sans amélioration : avec patience 0 l'entraînement s'arrête à la première telle époque (la règle de Keras), comme avec patience 1.",
)

CHECKS = [
    compare("weight_decay_update", "nested_and_jax", nested_decay_cases),
    prop("dropout", "jax_3d_and_keyword", dropout_hidden_cases, judge_dropout),
    prop(
        "dropout",
        "under_jit",
        dropout_jit_cases,
        judge_dropout,
        driver="jit",
        options={"static_argnums": [2, 3]},
        # Tracer advice: for the errors that tracers raise, not for a wrong mask or scale.
        hint=hint_for(
            Text(
                "Under jax.jit x and key are tracers: no np.asarray(x), no Python if on array values; jax.random.bernoulli and jnp.where work.",
                "Sous jax.jit x et key sont des traceurs : pas de np.asarray(x), pas de if Python sur des valeurs de tableaux ; jax.random.bernoulli et jnp.where marchent.",
            ),
            "tracer",
            "ambiguous",
        ),
    ),
    compare("standardize_fit", "stable_and_jax", fit_hidden_cases),
    compare("standardize_apply", "small_std_and_jax", apply_hidden_cases),
    prop("train_val_test_split", "images_jax_and_empty", split_hidden_cases, judge_split),
    compare("early_stopping", "edges", early_hidden_cases),
    compare("early_stopping", "patience_zero", patience_zero_cases, hint=PATIENCE_ZERO_HINT),
    prop(
        "select_hidden_size", "other_problems", selection_hidden_cases, judge_selection, timeout=180
    ),
    prop(
        "select_hidden_size",
        "overfitting",
        overfitting_cases,
        judge_selection,
        timeout=120,
        hint=Text(
            "A bigger network is not always better: with 20 noisy points the large one memorises them and predicts badly on the validation set.",
            "Un réseau plus grand n'est pas toujours meilleur : avec 20 points bruités le grand les mémorise et prédit mal sur l'ensemble de validation.",
        ),
    ),
]
