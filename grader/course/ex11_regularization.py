"""Checks for ex11_regularization (public).

Random functions (``dropout``, ``train_val_test_split``) are judged by properties, never
against our random stream (the judges are in _ex11_judges.py); ``select_hidden_size`` is judged
on data where one candidate is unambiguously best whatever reasonable training the student uses.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.course._ex11_judges import (
    judge_dropout,
    judge_identity_and_keys,
    judge_selection,
    judge_split,
    judge_split_keys,
)
from grader.course.common import case
from grader.i18n import Text
from grader.spec import Exercise, compare, key, prop

# -- weight decay, standardisation, early stopping: compared with the reference ---------------


def f32(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def layer(rng, n_in, n_out):
    return {"w": f32(rng, n_in, n_out), "b": f32(rng, n_out)}


def decay_cases(rng):
    params, grads = ([layer(rng, 3, 4), layer(rng, 4, 2)] for _ in range(2))
    zero = {"w": np.zeros((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    return [
        case(
            "an MLP (a list of two {'w', 'b'} dicts), η = 0.1, λ = 0.01",
            "un MLP (une liste de deux dicts {'w', 'b'}), η = 0,1, λ = 0,01",
            *(params, grads, 0.1, 0.01),
        ),
        case(
            "zero gradients, η = 0.5, λ = 0.1: only the decay acts, on w only",
            "gradients nuls, η = 0,5, λ = 0,1 : seule la décroissance agit, sur w seulement",
            *(layer(rng, 2, 3), zero, 0.5, 0.1),
        ),
    ]


def fit_cases(rng):
    X = rng.normal(size=(50, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + [5.0, -2.0, 0.0, 100.0]
    X[:, 2] = 7.0  # a constant feature: std 0
    return [
        case(
            "50 examples, 4 features of different means and scales, one constant",
            "50 exemples, 4 caractéristiques de moyennes et d'échelles différentes, dont une constante",
            X,
        )
    ]


def apply_cases(rng):
    X = rng.normal(size=(20, 3)) * 2 + 1
    stats = (X.mean(axis=0), X.std(axis=0))
    X_test = rng.normal(size=(6, 3))
    return [
        case("6 new examples, default eps", "6 nouveaux exemples, eps par défaut", X_test, *stats),
        case(
            "eps = 0.1: it is added to std, not under a square root",
            "eps = 0,1 : il s'ajoute à std, pas sous une racine",
            *(X_test, *stats, 0.1),
        ),
        case(
            "std = 0 for one feature (constant in the training set)",
            "std = 0 pour une caractéristique (constante dans l'ensemble d'entraînement)",
            *(X_test, np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.0, 0.5])),
        ),
    ]


def curves(*rows):
    """Early-stopping cases from ``(losses, patience, en, fr)`` rows."""
    return lambda rng: [case(en, fr, losses, p) for losses, p, en, fr in rows]


early_cases = curves(
    (
        [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9],
        2,
        "a typical curve, patience 2",
        "une courbe typique, patience 2",
    ),
    (
        [1.0, 0.8, 0.85, 0.9, 0.5],
        2,
        "patience 2 runs out just before a better epoch",
        "la patience 2 s'épuise juste avant une meilleure époque",
    ),
    (
        [1.0, 0.5, 0.5, 0.5, 0.4],
        2,
        "ties: an equal loss is not an improvement",
        "égalités : une perte égale n'est pas une amélioration",
    ),
    ([1.0, 0.5, 0.5, 0.5, 0.4], 3, "the same curve, patience 3", "la même courbe, patience 3"),
    ([1.0, 0.9, 0.95, 0.8], 1, "patience 1", "patience 1"),
)


# -- dropout: judged by properties ---------------------------------------------------------------


def nonzero(rng, shape):
    """float32 values of magnitude in [0.5, 2], random signs: a zero in the output is a drop."""
    x = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return x.astype(np.float32)


def dropout_cases(rng):
    x = nonzero(rng, (100, 60))
    return [
        case(
            f"x of shape (100, 60), rate = {r}",
            f"x de forme (100, 60), rate = {r}",
            *(key(int(rng.integers(2**31))), x, r),
        )
        for r in (0.2, 0.7)
    ]


def identity_and_key_cases(rng):
    x = nonzero(rng, (40, 25))
    a, b = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        case(
            "train=False: no dropout at all", "train=False : aucun dropout", key(a), x, 0.5, False
        ),
        case("rate = 0: nothing is dropped", "rate = 0 : rien n'est supprimé", key(a), x, 0.0),
        case(f"rate = 0.5, key {a}", f"rate = 0,5, clé {a}", key(a), x, 0.5),
        case(f"rate = 0.5, key {b}", f"rate = 0,5, clé {b}", key(b), x, 0.5),
    ]


# -- train/validation/test split: judged by properties ----------------------------------------


def id_rows(n: int, d: int = 3) -> np.ndarray:
    """Row i starts with the number i: the grader can tell which example each row is."""
    X = np.zeros((n, d))
    X[:, 0] = np.arange(n)
    X[:, 1:] = np.arange(n)[:, None] * np.arange(2, d + 1) % 7
    return X


def split_cases(rng):
    return [
        case(
            "n = 37, val_frac = 0.2 (7.4 → 7), test_frac = 0.15 (5.55 → 6)",
            "n = 37, val_frac = 0,2 (7,4 → 7), test_frac = 0,15 (5,55 → 6)",
            *(key(int(rng.integers(2**31))), id_rows(37), 1000 + np.arange(37), 0.2, 0.15),
        ),
        case(
            "n = 50, default fractions (10 and 10), labels 0, 1, 2",
            "n = 50, fractions par défaut (10 et 10), étiquettes 0, 1, 2",
            *(key(int(rng.integers(2**31))), id_rows(50, 2), np.arange(50) % 3),
        ),
    ]


def split_key_cases(rng):
    seeds = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        case(f"n = 60, key {s}", f"n = 60, clé {s}", key(s), id_rows(60), 1000 + np.arange(60))
        for s in seeds
    ]


# -- select_hidden_size: problems with an unambiguous best candidate --------------------------


def rings(rng, n, edges=(0.6,)):
    """Points of the unit disc, classed by their radius between ``edges``: with one edge, class
    1 outside radius 0.6, which no single tanh/sigmoid unit can draw."""
    r = np.sqrt(rng.uniform(0, 1, n))
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1).astype(np.float32)
    return X, np.digitize(r, edges).astype(np.int64)


def selections(*rows):
    """Selection cases from ``(data, candidates, answer, n_train, n_val, en, fr)`` rows, ``en``
    and ``fr`` saying what the problem is; the candidate that must be chosen is the secret."""

    def cases(rng):
        out = []
        for data, candidates, answer, n_train, n_val, en, fr in rows:
            train, val = data(rng, n_train), data(rng, n_val)
            c = case(
                f"{en} ({n_train} training points), candidates {candidates}",
                f"{fr} ({n_train} points d'entraînement), candidats {candidates}",
                *(key(int(rng.integers(2**31))), *train, *val, list(candidates)),
            )
            out.append(replace(c, secret=answer))
        return out

    return cases


selection_cases = selections(
    (rings, [1, 32], 32, 200, 200, "a disc inside a ring", "un disque dans un anneau"),
    (rings, [32, 1], 32, 200, 200, "the same problem", "le même problème"),
)


# -- hints -----------------------------------------------------------------------------------

DECAY_HINT = Text(
    "W ← W − η g − λ W for the entries named 'w' only (λ is not multiplied by η); b ← b − η g.",
    "W ← W − η g − λ W pour les entrées nommées 'w' seulement (λ n'est pas multiplié par η) ; b ← b − η g.",
)
DROPOUT_HINT = Text(
    "rate is the probability of dropping; the values kept are divided by 1 − rate.",
    "rate est la probabilité de supprimer ; les valeurs gardées sont divisées par 1 − rate.",
)
DROPOUT_KEY_HINT = Text(
    "train=False or rate = 0 returns x itself; the mask comes from the key only.",
    "train=False ou rate = 0 renvoie x lui-même ; le masque ne vient que de la clé.",
)
FIT_HINT = Text(
    "Statistics per feature (axis=0); the population std, np.std(X, axis=0) with ddof=0.",
    "Statistiques par caractéristique (axis=0) ; l'écart type de population, np.std(X, axis=0) avec ddof=0.",
)
APPLY_HINT = Text(
    "(X − mean) / (std + eps): eps is added to std, which keeps a zero std finite.",
    "(X − mean) / (std + eps) : eps s'ajoute à std, ce qui garde un std nul fini.",
)
SPLIT_HINT = Text(
    "round(val_frac · n) and round(test_frac · n) of the whole set (Python's round, not int); one permutation indexes both X and y.",
    "round(val_frac · n) et round(test_frac · n) de tout l'ensemble (le round de Python, pas int) ; une seule permutation indexe X et y.",
)
SPLIT_KEY_HINT = Text(
    "jax.random.permutation(key, n): the same key, the same split; another key, another split.",
    "jax.random.permutation(key, n) : même clé, même séparation ; autre clé, autre séparation.",
)
EARLY_HINT = Text(
    "Keep the best index; count the epochs in a row that are not strictly lower than the best; stop when the count reaches patience.",
    "Gardez l'indice du meilleur ; comptez les époques d'affilée qui ne sont pas strictement plus basses que le meilleur ; arrêtez quand le compte atteint patience.",
)
SELECTION_HINT = Text(
    "Train every candidate on the training set, compare their losses on the validation set, return candidates[best] (the value).",
    "Entraînez chaque candidat sur l'ensemble d'entraînement, comparez leurs pertes sur l'ensemble de validation, renvoyez candidates[meilleur] (la valeur).",
)

EXERCISE = Exercise(
    id="ex11_regularization",
    title=Text(
        "Fighting over- and under-fitting", "Lutter contre le sur- et le sous-apprentissage"
    ),
    checks=[
        compare("weight_decay_update", "mlp_and_decay_only", decay_cases, hint=DECAY_HINT),
        prop("dropout", "drop_and_rescale", dropout_cases, judge_dropout, hint=DROPOUT_HINT),
        prop(
            "dropout",
            "identity_and_keys",
            identity_and_key_cases,
            judge_identity_and_keys,
            driver="call_twice",
            hint=DROPOUT_KEY_HINT,
        ),
        compare("standardize_fit", "per_feature", fit_cases, hint=FIT_HINT),
        compare("standardize_apply", "new_examples", apply_cases, hint=APPLY_HINT),
        prop("train_val_test_split", "sizes_and_pairs", split_cases, judge_split, hint=SPLIT_HINT),
        prop(
            "train_val_test_split",
            "shuffled_by_the_key",
            split_key_cases,
            judge_split_keys,
            driver="call_twice",
            hint=SPLIT_KEY_HINT,
        ),
        compare("early_stopping", "curves_and_ties", early_cases, hint=EARLY_HINT),
        prop(
            "select_hidden_size",
            "underfitting",
            selection_cases,
            judge_selection,
            points=2,
            timeout=180,
            hint=SELECTION_HINT,
        ),
    ],
)
