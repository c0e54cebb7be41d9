"""Checks for ex11_regularization (public).

Random functions (``dropout``, ``train_val_test_split``) are judged by properties, never
against our random stream; ``select_hidden_size`` is judged on data where one candidate is
unambiguously best whatever reasonable training the student uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.course._ex11_judges import (
    judge_dropout,
    judge_identity_and_keys,
    judge_split,
    judge_split_keys,
)
from grader.course.common import label
from grader.i18n import Text
from grader.judging import case_words
from grader.spec import Case, Exercise, compare, fail, key, ok, prop

# -- weight decay, standardisation, early stopping: compared with the reference ---------------


def _f32(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def decay_cases(rng):
    params = [{"w": _f32(rng, 3, 4), "b": _f32(rng, 4)}, {"w": _f32(rng, 4, 2), "b": _f32(rng, 2)}]
    grads = [{"w": _f32(rng, 3, 4), "b": _f32(rng, 4)}, {"w": _f32(rng, 4, 2), "b": _f32(rng, 2)}]
    layer = {"w": _f32(rng, 2, 3), "b": _f32(rng, 3)}
    zero = {"w": np.zeros((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    return [
        Case(
            (params, grads, 0.1, 0.01),
            label=label(
                "an MLP (a list of two {'w', 'b'} dicts), η = 0.1, λ = 0.01",
                "un MLP (une liste de deux dicts {'w', 'b'}), η = 0,1, λ = 0,01",
            ),
        ),
        Case(
            (layer, zero, 0.5, 0.1),
            label=label(
                "zero gradients, η = 0.5, λ = 0.1: only the decay acts, on w only",
                "gradients nuls, η = 0,5, λ = 0,1 : seule la décroissance agit, sur w seulement",
            ),
        ),
    ]


def fit_cases(rng):
    X = rng.normal(size=(50, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array(
        [5.0, -2.0, 0.0, 100.0]
    )
    X[:, 2] = 7.0  # a constant feature: std 0
    return [
        Case(
            (X,),
            label=label(
                "50 examples, 4 features of different means and scales, one constant",
                "50 exemples, 4 caractéristiques de moyennes et d'échelles différentes, dont une constante",
            ),
        )
    ]


def apply_cases(rng):
    X = rng.normal(size=(20, 3)) * 2 + 1
    mean, std = X.mean(axis=0), X.std(axis=0)
    X_test = rng.normal(size=(6, 3))
    return [
        Case(
            (X_test, mean, std),
            label=label("6 new examples, default eps", "6 nouveaux exemples, eps par défaut"),
        ),
        Case(
            (X_test, mean, std, 0.1),
            label=label(
                "eps = 0.1: it is added to std, not under a square root",
                "eps = 0,1 : il s'ajoute à std, pas sous une racine",
            ),
        ),
        Case(
            (X_test, np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.0, 0.5])),
            label=label(
                "std = 0 for one feature (constant in the training set)",
                "std = 0 pour une caractéristique (constante dans l'ensemble d'entraînement)",
            ),
        ),
    ]


def early_cases(rng):
    cases = [
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
    ]
    return [Case((losses, p), label=label(en, fr)) for losses, p, en, fr in cases]


# -- dropout: judged by properties ---------------------------------------------------------------


def _nonzero(rng, shape):
    """float32 values of magnitude in [0.5, 2], random signs: a zero in the output is a drop."""
    x = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return x.astype(np.float32)


def dropout_cases(rng):
    x = _nonzero(rng, (100, 60))
    return [
        Case(
            (key(int(rng.integers(2**31))), x, rate),
            label=label(
                f"x of shape (100, 60), rate = {rate}", f"x de forme (100, 60), rate = {rate}"
            ),
        )
        for rate in (0.2, 0.7)
    ]


def identity_and_key_cases(rng):
    x = _nonzero(rng, (40, 25))
    a, b = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        Case(
            (key(a), x, 0.5, False),
            label=label("train=False: no dropout at all", "train=False : aucun dropout"),
        ),
        Case(
            (key(a), x, 0.0),
            label=label("rate = 0: nothing is dropped", "rate = 0 : rien n'est supprimé"),
        ),
        Case((key(a), x, 0.5), label=label(f"rate = 0.5, key {a}", f"rate = 0,5, clé {a}")),
        Case((key(b), x, 0.5), label=label(f"rate = 0.5, key {b}", f"rate = 0,5, clé {b}")),
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
        Case(
            (key(int(rng.integers(2**31))), id_rows(37), 1000 + np.arange(37), 0.2, 0.15),
            label=label(
                "n = 37, val_frac = 0.2 (7.4 → 7), test_frac = 0.15 (5.55 → 6)",
                "n = 37, val_frac = 0,2 (7,4 → 7), test_frac = 0,15 (5,55 → 6)",
            ),
        ),
        Case(
            (key(int(rng.integers(2**31))), id_rows(50, 2), np.arange(50) % 3),
            label=label(
                "n = 50, default fractions (10 and 10), labels 0, 1, 2",
                "n = 50, fractions par défaut (10 et 10), étiquettes 0, 1, 2",
            ),
        ),
    ]


def split_key_cases(rng):
    a, b = (int(s) for s in rng.choice(2**31, size=2, replace=False))
    return [
        Case(
            (key(s), id_rows(60), 1000 + np.arange(60)),
            label=label(f"n = 60, key {s}", f"n = 60, clé {s}"),
        )
        for s in (a, b)
    ]


# -- select_hidden_size: problems with an unambiguous best candidate --------------------------


@dataclass(frozen=True)
class AnswerCase(Case):
    """A case with the candidate that must be chosen (grader side only)."""

    answer: int = 0


def circles(rng, n):
    """Class 1 outside radius 0.6 of the unit disc: no single tanh/sigmoid unit can draw it."""
    r = np.sqrt(rng.uniform(0, 1, n))
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1).astype(np.float32)
    return X, (r > 0.6).astype(np.int64)


def selection_case(rng, data, candidates, answer, n_train, n_val, en, fr, **data_kw):
    X_tr, y_tr = data(rng, n_train, **data_kw)
    X_va, y_va = data(rng, n_val, **data_kw)
    return AnswerCase(
        (key(int(rng.integers(2**31))), X_tr, y_tr, X_va, y_va, list(candidates)),
        label=label(en, fr),
        answer=answer,
    )


def selection_cases(rng):
    return [
        selection_case(
            rng,
            circles,
            [1, 32],
            32,
            200,
            200,
            "a disc inside a ring (200 training points), candidates [1, 32]",
            "un disque dans un anneau (200 points d'entraînement), candidats [1, 32]",
        ),
        selection_case(
            rng,
            circles,
            [32, 1],
            32,
            200,
            200,
            "the same problem, candidates [32, 1]",
            "le même problème, candidats [32, 1]",
        ),
    ]


def make_judge_selection(show_answer: bool):
    def judge(cases, outputs):
        for case, out in zip(cases, outputs, strict=True):
            candidates = list(case.args[5])
            en, fr = case_words(case)
            try:
                value = np.asarray(out)
                got = float(value) if value.shape == () and value.dtype.kind in "iuf" else None
            except (TypeError, ValueError):
                got = None
            if got is None:
                return fail(
                    f"On {en}: select_hidden_size must return one number, the chosen hidden size.",
                    f"Sur {fr} : select_hidden_size doit renvoyer un nombre, la taille cachée choisie.",
                )
            if got == case.answer:
                continue
            if got not in candidates:
                extra_en = extra_fr = ""
                if got == int(got) and 0 <= int(got) < len(candidates):
                    extra_en = " It looks like an index: return candidates[i], the value."
                    extra_fr = " Cela ressemble à un indice : renvoyez candidates[i], la valeur."
                return fail(
                    f"On {en}: {got:g} is not one of the candidates {candidates}.{extra_en}",
                    f"Sur {fr} : {got:g} n'est pas l'un des candidats {candidates}.{extra_fr}",
                )
            if show_answer and got == candidates.index(case.answer) and got != case.answer:
                return fail(
                    f"On {en}: you chose {got:g}, which is the position of the best candidate in the list, not its value: return candidates[i].",
                    f"Sur {fr} : vous avez choisi {got:g}, qui est la position du meilleur candidat dans la liste, pas sa valeur : renvoyez candidates[i].",
                )
            if show_answer:
                return fail(
                    f"On {en}: you chose {got:g}, but {case.answer} has a clearly lower validation loss here (with {got:g} hidden units the network underfits). Train each candidate on the training set, measure its loss on the validation set, and keep the lowest.",
                    f"Sur {fr} : vous avez choisi {got:g}, mais {case.answer} a ici une perte de validation nettement plus basse (avec {got:g} neurones cachés le réseau sous-apprend). Entraînez chaque candidat sur l'ensemble d'entraînement, mesurez sa perte sur l'ensemble de validation, et gardez la plus basse.",
                )
            return fail(
                f"On {en}: you chose {got:g}, which is not the candidate with the lowest validation loss. Train each candidate long enough on the training set only, compare the losses on the validation set (not the training set), and return the value with the lowest (candidates[i], not i).",
                f"Sur {fr} : vous avez choisi {got:g}, qui n'est pas le candidat de plus basse perte de validation. Entraînez chaque candidat assez longtemps sur l'ensemble d'entraînement seulement, comparez les pertes sur l'ensemble de validation (pas d'entraînement), et renvoyez la valeur de la plus basse (candidates[i], pas i).",
            )
        return ok()

    return judge


EXERCISE = Exercise(
    id="ex11_regularization",
    title=Text(
        "Fighting over- and under-fitting", "Lutter contre le sur- et le sous-apprentissage"
    ),
    checks=[
        compare(
            "weight_decay_update",
            "mlp_and_decay_only",
            decay_cases,
            points=1,
            hint=Text(
                "W ← W − η g − λ W for the entries named 'w' only (λ is not multiplied by η); b ← b − η g.",
                "W ← W − η g − λ W pour les entrées nommées 'w' seulement (λ n'est pas multiplié par η) ; b ← b − η g.",
            ),
        ),
        prop(
            "dropout",
            "drop_and_rescale",
            dropout_cases,
            judge_dropout,
            points=1,
            hint=Text(
                "rate is the probability of dropping; the values kept are divided by 1 − rate.",
                "rate est la probabilité de supprimer ; les valeurs gardées sont divisées par 1 − rate.",
            ),
        ),
        prop(
            "dropout",
            "identity_and_keys",
            identity_and_key_cases,
            judge_identity_and_keys,
            driver="call_twice",
            points=1,
            hint=Text(
                "train=False or rate = 0 returns x itself; the mask comes from the key only.",
                "train=False ou rate = 0 renvoie x lui-même ; le masque ne vient que de la clé.",
            ),
        ),
        compare(
            "standardize_fit",
            "per_feature",
            fit_cases,
            points=1,
            hint=Text(
                "Statistics per feature (axis=0); the population std, np.std(X, axis=0) with ddof=0.",
                "Statistiques par caractéristique (axis=0) ; l'écart type de population, np.std(X, axis=0) avec ddof=0.",
            ),
        ),
        compare(
            "standardize_apply",
            "new_examples",
            apply_cases,
            points=1,
            hint=Text(
                "(X − mean) / (std + eps): eps is added to std, which keeps a zero std finite.",
                "(X − mean) / (std + eps) : eps s'ajoute à std, ce qui garde un std nul fini.",
            ),
        ),
        prop(
            "train_val_test_split",
            "sizes_and_pairs",
            split_cases,
            judge_split,
            points=1,
            hint=Text(
                "round(val_frac · n) and round(test_frac · n) of the whole set (Python's round, not int); one permutation indexes both X and y.",
                "round(val_frac · n) et round(test_frac · n) de tout l'ensemble (le round de Python, pas int) ; une seule permutation indexe X et y.",
            ),
        ),
        prop(
            "train_val_test_split",
            "shuffled_by_the_key",
            split_key_cases,
            judge_split_keys,
            driver="call_twice",
            points=1,
            hint=Text(
                "jax.random.permutation(key, n): the same key, the same split; another key, another split.",
                "jax.random.permutation(key, n) : même clé, même séparation ; autre clé, autre séparation.",
            ),
        ),
        compare(
            "early_stopping",
            "curves_and_ties",
            early_cases,
            points=1,
            hint=Text(
                "Keep the best index; count the epochs in a row that are not strictly lower than the best; stop when the count reaches patience.",
                "Gardez l'indice du meilleur ; comptez les époques d'affilée qui ne sont pas strictement plus basses que le meilleur ; arrêtez quand le compte atteint patience.",
            ),
        ),
        prop(
            "select_hidden_size",
            "underfitting",
            selection_cases,
            make_judge_selection(show_answer=True),
            points=2,
            timeout=180,
            hint=Text(
                "Train every candidate on the training set, compare their losses on the validation set, return candidates[best] (the value).",
                "Entraînez chaque candidat sur l'ensemble d'entraînement, comparez leurs pertes sur l'ensemble de validation, renvoyez candidates[meilleur] (la valeur).",
            ),
        ),
    ],
)
