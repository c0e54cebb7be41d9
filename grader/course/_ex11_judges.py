"""ex11_regularization's property judges of ``dropout`` and ``train_val_test_split``.

Inverted dropout: zeros where dropped, ``x / (1 − rate)`` where kept, a rate near the asked one,
the identity outside training, masks that follow the key. The split: a partition of the rows
in the asked proportions, shuffled, and reproducible with one key. The checks are in
ex11_regularization.py.
"""

from __future__ import annotations

import math

import numpy as np

from grader.course.common import plain
from grader.judging import case_words
from grader.spec import fail, ok

# -- dropout -------------------------------------------------------------------------------------


def _check_dropout(case, out):
    """None if ``out`` is a correct inverted dropout of the case's x; else a failing Verdict."""
    args = list(case.args) + [case.kwargs.get("train", True)] * (4 - len(case.args))
    _, x, rate, train = args[:4]
    en, fr = case_words(case)
    x = np.asarray(plain(x), np.float64)
    try:
        y = np.asarray(out, np.float64)
    except (TypeError, ValueError):
        return fail(
            f"On {en}: dropout must return an array.",
            f"Sur {fr} : dropout doit renvoyer un tableau.",
        )
    if y.shape != x.shape:
        return fail(
            f"On {en}: the output has shape {y.shape}; it must keep the shape of x, {x.shape}.",
            f"Sur {fr} : la sortie a la forme {y.shape} ; elle doit garder celle de x, {x.shape}.",
        )
    if not np.isfinite(y).all():
        return fail(
            f"On {en}: the output holds NaN or infinite values.",
            f"Sur {fr} : la sortie contient des NaN ou des infinis.",
        )
    if not train or rate == 0:
        if not np.allclose(y, x, rtol=1e-6, atol=0):
            why_en = "with train=False" if not train else "with rate = 0"
            why_fr = "avec train=False" if not train else "avec rate = 0"
            return fail(
                f"On {en}: {why_en} dropout must return x unchanged (no zeros, no scaling).",
                f"Sur {fr} : {why_fr} dropout doit renvoyer x inchangé (ni zéros, ni mise à l'échelle).",
            )
        return None
    dropped = y == 0
    kept = ~dropped
    frac = float(dropped.mean())
    n = x.size
    bound = 5 * math.sqrt(rate * (1 - rate) / n) + 1 / n
    if kept.any():
        ratio = y[kept] / x[kept]
        if np.allclose(ratio, 1.0, rtol=1e-6):
            return fail(
                f"On {en}: the values kept are not rescaled. Inverted dropout divides them by 1 − rate (here × {1 / (1 - rate):.4g}) so that the expected value of each unit is unchanged.",
                f"Sur {fr} : les valeurs gardées ne sont pas remises à l'échelle. Le dropout inversé les divise par 1 − rate (ici × {1 / (1 - rate):.4g}) pour que l'espérance de chaque unité soit inchangée.",
            )
        if np.allclose(ratio, 1 - rate, rtol=1e-5):
            return fail(
                f"On {en}: the values kept are multiplied by 1 − rate; inverted dropout divides them by 1 − rate during training.",
                f"Sur {fr} : les valeurs gardées sont multipliées par 1 − rate ; le dropout inversé les divise par 1 − rate pendant l'entraînement.",
            )
        if not np.allclose(ratio, 1 / (1 - rate), rtol=1e-5):
            return fail(
                f"On {en}: every output must be 0 (dropped) or x / (1 − rate) (kept); some are neither.",
                f"Sur {fr} : chaque sortie doit valoir 0 (supprimée) ou x / (1 − rate) (gardée) ; certaines ne sont ni l'un ni l'autre.",
            )
    if abs(frac - rate) > bound:
        if abs(frac - (1 - rate)) <= bound:
            return fail(
                f"On {en}: {100 * frac:.1f} % of the values are dropped, about 1 − rate: rate is the probability of dropping a unit, not of keeping it (keep with probability 1 − rate).",
                f"Sur {fr} : {100 * frac:.1f} % des valeurs sont supprimées, environ 1 − rate : rate est la probabilité de supprimer une unité, pas de la garder (gardez avec la probabilité 1 − rate).",
            )
        return fail(
            f"On {en}: {100 * frac:.1f} % of the values are dropped; about {100 * rate:.0f} % expected (each unit independently, with probability rate).",
            f"Sur {fr} : {100 * frac:.1f} % des valeurs sont supprimées ; environ {100 * rate:.0f} % attendus (chaque unité indépendamment, avec la probabilité rate).",
        )
    return None


def judge_dropout(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        bad = _check_dropout(case, out)
        if bad is not None:
            return bad
    return ok()


def judge_identity_and_keys(cases, outputs):
    """Driver ``call_twice``: each output is [first call, second call]."""
    masks = []
    for case, out in zip(cases, outputs, strict=True):
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "dropout returned nothing usable.", "dropout n'a rien renvoyé d'utilisable."
            )
        for y in out:
            bad = _check_dropout(case, y)
            if bad is not None:
                return bad
        first, second = (np.asarray(y, np.float64) for y in out)
        if not np.array_equal(first, second):
            return fail(
                "called twice with the same key, dropout dropped different units: draw the mask from the key (jax.random.bernoulli), not from np.random.",
                "appelée deux fois avec la même clé, dropout a supprimé des unités différentes : tirez le masque avec la clé (jax.random.bernoulli), pas avec np.random.",
            )
        train = case.args[3] if len(case.args) > 3 else True
        if train and case.args[2] > 0:
            masks.append(first == 0)
    if len(masks) == 2 and np.array_equal(masks[0], masks[1]):
        return fail(
            "two different keys dropped the same units: the mask must be drawn with the key you are given.",
            "deux clés différentes ont supprimé les mêmes unités : le masque doit être tiré avec la clé reçue.",
        )
    return ok()


# -- train/validation/test split ------------------------------------------------------------


def _split_parts(case, out):
    """The three (ids, X, y) parts, or a failing Verdict."""
    args = list(case.args)
    _, X, y = args[:3]
    val_frac = args[3] if len(args) > 3 else case.kwargs.get("val_frac", 0.2)
    test_frac = args[4] if len(args) > 4 else case.kwargs.get("test_frac", 0.2)
    X, y = np.asarray(plain(X)), np.asarray(plain(y))
    n = len(X)
    en, fr = case_words(case)
    if not isinstance(out, (list, tuple)) or len(out) != 6:
        return fail(
            "train_val_test_split must return six arrays (X_train, y_train, X_val, y_val, X_test, y_test).",
            "train_val_test_split doit renvoyer six tableaux (X_train, y_train, X_val, y_val, X_test, y_test).",
        )
    want = {"val": round(val_frac * n), "test": round(test_frac * n)}
    want["train"] = n - want["val"] - want["test"]
    parts = {}
    for i, name in enumerate(("train", "val", "test")):
        try:
            Xs, ys = np.asarray(out[2 * i], np.float64), np.asarray(out[2 * i + 1])
        except (TypeError, ValueError):
            return fail(
                f"On {en}: the {name} part is not an array.",
                f"Sur {fr} : la partie {name} n'est pas un tableau.",
            )
        if Xs.ndim != X.ndim or Xs.shape[1:] != X.shape[1:] or len(ys) != len(Xs):
            return fail(
                f"On {en}: X_{name} must have rows shaped like X's, {X.shape[1:]}, and y_{name} one label per row; got X_{name} {Xs.shape} and y_{name} {ys.shape}.",
                f"Sur {fr} : X_{name} doit avoir des lignes de la forme de celles de X, {X.shape[1:]}, et y_{name} une étiquette par ligne ; reçu X_{name} {Xs.shape} et y_{name} {ys.shape}.",
            )
        if len(Xs) != want[name]:
            return fail(
                f"On {en}: the {name} set has {len(Xs)} examples; expected {want[name]} (validation round(val_frac·n), test round(test_frac·n), both fractions of the whole set n = {n}; train the rest).",
                f"Sur {fr} : l'ensemble {name} a {len(Xs)} exemples ; attendu {want[name]} (validation round(val_frac·n), test round(test_frac·n), fractions de tout l'ensemble n = {n} ; entraînement le reste).",
            )
        ids = Xs.reshape(len(Xs), -1)[:, 0] if len(Xs) else np.zeros(0)
        if not np.array_equal(ids, np.round(ids)) or (
            len(ids) and (ids.min() < 0 or ids.max() >= n)
        ):
            return fail(
                f"On {en}: the rows of X_{name} are not rows of X.",
                f"Sur {fr} : les lignes de X_{name} ne sont pas des lignes de X.",
            )
        ids = ids.astype(np.int64)
        if not np.array_equal(Xs, X[ids].astype(np.float64)):
            return fail(
                f"On {en}: the rows of X_{name} are not rows of X.",
                f"Sur {fr} : les lignes de X_{name} ne sont pas des lignes de X.",
            )
        if not np.array_equal(ys, y[ids]):
            return fail(
                f"On {en}: the labels in y_{name} no longer match their rows of X_{name}: index X and y with the same permutation.",
                f"Sur {fr} : les étiquettes de y_{name} ne correspondent plus à leurs lignes de X_{name} : indexez X et y avec la même permutation.",
            )
        parts[name] = ids
    every = np.concatenate([parts["train"], parts["val"], parts["test"]])
    if len(np.unique(every)) != n:
        return fail(
            f"On {en}: some examples appear in two sets (or twice) and others in none: cut one permutation of range(n) into three disjoint pieces.",
            f"Sur {fr} : des exemples apparaissent dans deux ensembles (ou deux fois) et d'autres dans aucun : découpez une permutation de range(n) en trois morceaux disjoints.",
        )
    return parts


def judge_split(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        parts = _split_parts(case, out)
        if not isinstance(parts, dict):
            return parts
    return ok()


def judge_split_keys(cases, outputs):
    """Driver ``call_twice``: determinism per key, shuffling, different keys differ."""
    orders = []
    for case, out in zip(cases, outputs, strict=True):
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "train_val_test_split returned nothing usable.",
                "train_val_test_split n'a rien renvoyé d'utilisable.",
            )
        first, second = (_split_parts(case, o) for o in out)
        for p in (first, second):
            if not isinstance(p, dict):
                return p
        if any(not np.array_equal(first[k], second[k]) for k in first):
            return fail(
                "called twice with the same key, the split changed: draw the permutation from the key (jax.random.permutation), not from np.random.",
                "appelée deux fois avec la même clé, la séparation a changé : tirez la permutation avec la clé (jax.random.permutation), pas avec np.random.",
            )
        order = np.concatenate([first["train"], first["val"], first["test"]])
        if all(np.array_equal(np.sort(p), p) for p in first.values()):
            return fail(
                "the examples are not shuffled (each set keeps the original order): shuffle before cutting, or the sets are biased by however the data were sorted.",
                "les exemples ne sont pas mélangés (chaque ensemble garde l'ordre d'origine) : mélangez avant de découper, sinon les ensembles sont biaisés par l'ordre des données.",
            )
        orders.append(order)
    if np.array_equal(orders[0], orders[1]):
        return fail(
            "two different keys gave the same split: the permutation must be drawn with the key you are given.",
            "deux clés différentes ont donné la même séparation : la permutation doit être tirée avec la clé reçue.",
        )
    return ok()
