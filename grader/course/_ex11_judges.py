"""ex11_regularization's property judges (the checks are in ex11_regularization.py).

Inverted dropout: zeros where dropped, ``x / (1 − rate)`` where kept, a rate near the asked one,
the identity outside training, masks that follow the key. The split: a partition of the rows
in the asked proportions, shuffled, and reproducible with one key. The model selection: the
candidate that the case's secret names.
"""

from __future__ import annotations

import math

import numpy as np

from grader.judging import as_number, call_args, case_words, per_case, reveal
from grader.spec import Case, Verdict, fail, ok


def pair(out, function: str) -> Verdict | None:
    """A failing verdict unless ``out`` is driver ``call_twice``'s [first call, second call]."""
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            f"{function} returned nothing usable.", f"{function} n'a rien renvoyé d'utilisable."
        )
    return None


# -- dropout -------------------------------------------------------------------------------------


def dropout_signature(key, x, rate, train=True):
    """dropout's arguments, for :func:`grader.judging.call_args`."""


def check_dropout(case: Case, out) -> Verdict:
    """Whether ``out`` is a correct inverted dropout of the case's x."""
    _, x, rate, train = call_args(dropout_signature, case)
    en, fr = case_words(case)
    x = np.asarray(x, np.float64)
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
        if np.allclose(y, x, rtol=1e-6, atol=0):
            return ok()
        why = "train=False" if not train else "rate = 0"
        return fail(
            f"On {en}: with {why} dropout must return x unchanged (no zeros, no scaling).",
            f"Sur {fr} : avec {why} dropout doit renvoyer x inchangé (ni zéros, ni mise à l'échelle).",
        )
    kept = y != 0
    ratio = y[kept] / x[kept]
    if kept.any() and np.allclose(ratio, 1.0, rtol=1e-6):
        return fail(
            f"On {en}: the values kept are not rescaled. Inverted dropout divides them by 1 − rate (here × {1 / (1 - rate):.4g}) so that the expected value of each unit is unchanged.",
            f"Sur {fr} : les valeurs gardées ne sont pas remises à l'échelle. Le dropout inversé les divise par 1 − rate (ici × {1 / (1 - rate):.4g}) pour que l'espérance de chaque unité soit inchangée.",
        )
    if kept.any() and np.allclose(ratio, 1 - rate, rtol=1e-5):
        return fail(
            f"On {en}: the values kept are multiplied by 1 − rate; inverted dropout divides them by 1 − rate during training.",
            f"Sur {fr} : les valeurs gardées sont multipliées par 1 − rate ; le dropout inversé les divise par 1 − rate pendant l'entraînement.",
        )
    if not np.allclose(ratio, 1 / (1 - rate), rtol=1e-5):  # (true when nothing is kept)
        return fail(
            f"On {en}: every output must be 0 (dropped) or x / (1 − rate) (kept); some are neither.",
            f"Sur {fr} : chaque sortie doit valoir 0 (supprimée) ou x / (1 − rate) (gardée) ; certaines ne sont ni l'un ni l'autre.",
        )
    frac = float((y == 0).mean())
    bound = 5 * math.sqrt(rate * (1 - rate) / x.size) + 1 / x.size
    if abs(frac - rate) <= bound:
        return ok()
    if abs(frac - (1 - rate)) <= bound:
        return fail(
            f"On {en}: {100 * frac:.1f} % of the values are dropped, about 1 − rate: rate is the probability of dropping a unit, not of keeping it (keep with probability 1 − rate).",
            f"Sur {fr} : {100 * frac:.1f} % des valeurs sont supprimées, environ 1 − rate : rate est la probabilité de supprimer une unité, pas de la garder (gardez avec la probabilité 1 − rate).",
        )
    return fail(
        f"On {en}: {100 * frac:.1f} % of the values are dropped; about {100 * rate:.0f} % expected (each unit independently, with probability rate).",
        f"Sur {fr} : {100 * frac:.1f} % des valeurs sont supprimées ; environ {100 * rate:.0f} % attendus (chaque unité indépendamment, avec la probabilité rate).",
    )


judge_dropout = per_case(check_dropout)


def judge_identity_and_keys(cases, outputs):
    """Driver ``call_twice``: each output is [first call, second call]."""
    masks = []
    for case, out in zip(cases, outputs, strict=True):
        if bad := pair(out, "dropout"):
            return bad
        for y in out:
            if not (verdict := check_dropout(case, y)).passed:
                return verdict
        first, second = (np.asarray(y, np.float64) for y in out)
        if not np.array_equal(first, second):
            return fail(
                "called twice with the same key, dropout dropped different units: draw the mask from the key (jax.random.bernoulli), not from np.random.",
                "appelée deux fois avec la même clé, dropout a supprimé des unités différentes : tirez le masque avec la clé (jax.random.bernoulli), pas avec np.random.",
            )
        _, _, rate, train = call_args(dropout_signature, case)
        if train and rate > 0:
            masks.append(first == 0)
    if len(masks) == 2 and np.array_equal(*masks):
        return fail(
            "two different keys dropped the same units: the mask must be drawn with the key you are given.",
            "deux clés différentes ont supprimé les mêmes unités : le masque doit être tiré avec la clé reçue.",
        )
    return ok()


# -- train/validation/test split ------------------------------------------------------------


def split_signature(key, X, y, val_frac=0.2, test_frac=0.2):
    """train_val_test_split's arguments, for :func:`grader.judging.call_args`."""


def split_parts(case: Case, out) -> Verdict | dict:
    """The row ids of the parts, ``{"train": ids, "val": ids, "test": ids}``, or a failing
    Verdict."""
    _, X, y, val_frac, test_frac = call_args(split_signature, case)
    en, fr = case_words(case)
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
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
                f"On {en}: the {name} set has {len(Xs)} examples{reveal(f'; expected {want[name]}')} (validation round(val_frac·n), test round(test_frac·n), both fractions of the whole set n = {n}; train the rest).",
                f"Sur {fr} : l'ensemble {name} a {len(Xs)} exemples{reveal(f' ; attendu {want[name]}')} (validation round(val_frac·n), test round(test_frac·n), fractions de tout l'ensemble n = {n} ; entraînement le reste).",
            )
        ids = Xs.reshape(len(Xs), -1)[:, 0] if len(Xs) else np.zeros(0)
        if not (
            np.array_equal(ids, np.round(ids))
            and ((ids >= 0) & (ids < n)).all()
            and np.array_equal(Xs, X[ids.astype(np.int64)].astype(np.float64))
        ):
            return fail(
                f"On {en}: the rows of X_{name} are not rows of X.",
                f"Sur {fr} : les lignes de X_{name} ne sont pas des lignes de X.",
            )
        parts[name] = ids.astype(np.int64)
        if not np.array_equal(ys, y[parts[name]]):
            return fail(
                f"On {en}: the labels in y_{name} no longer match their rows of X_{name}: index X and y with the same permutation.",
                f"Sur {fr} : les étiquettes de y_{name} ne correspondent plus à leurs lignes de X_{name} : indexez X et y avec la même permutation.",
            )
    if len(np.unique(np.concatenate(list(parts.values())))) != n:
        return fail(
            f"On {en}: some examples appear in two sets (or twice) and others in none: cut one permutation of range(n) into three disjoint pieces.",
            f"Sur {fr} : des exemples apparaissent dans deux ensembles (ou deux fois) et d'autres dans aucun : découpez une permutation de range(n) en trois morceaux disjoints.",
        )
    return parts


def check_split(case: Case, out) -> Verdict:
    parts = split_parts(case, out)
    return parts if isinstance(parts, Verdict) else ok()


judge_split = per_case(check_split)


def judge_split_keys(cases, outputs):
    """Driver ``call_twice``: determinism per key, shuffling, different keys differ."""
    orders = []
    for case, out in zip(cases, outputs, strict=True):
        if bad := pair(out, "train_val_test_split"):
            return bad
        first, second = (split_parts(case, o) for o in out)
        for parts in (first, second):
            if isinstance(parts, Verdict):
                return parts
        if any(not np.array_equal(first[k], second[k]) for k in first):
            return fail(
                "called twice with the same key, the split changed: draw the permutation from the key (jax.random.permutation), not from np.random.",
                "appelée deux fois avec la même clé, la séparation a changé : tirez la permutation avec la clé (jax.random.permutation), pas avec np.random.",
            )
        if all(np.array_equal(np.sort(p), p) for p in first.values()):
            return fail(
                "the examples are not shuffled (each set keeps the original order): shuffle before cutting, or the sets are biased by however the data were sorted.",
                "les exemples ne sont pas mélangés (chaque ensemble garde l'ordre d'origine) : mélangez avant de découper, sinon les ensembles sont biaisés par l'ordre des données.",
            )
        orders.append(np.concatenate(list(first.values())))
    if np.array_equal(*orders):
        return fail(
            "two different keys gave the same split: the permutation must be drawn with the key you are given.",
            "deux clés différentes ont donné la même séparation : la permutation doit être tirée avec la clé reçue.",
        )
    return ok()


# -- select_hidden_size ------------------------------------------------------------------------


def check_selection(case: Case, out) -> Verdict:
    """Whether ``out`` is ``case.secret``, the candidate with an unambiguously lower validation
    loss; which one it is, is revealed by public checks only."""
    candidates, answer = list(case.args[5]), case.secret
    en, fr = case_words(case)
    got = as_number(out)
    if got is None:
        return fail(
            f"On {en}: select_hidden_size must return one number, the chosen hidden size.",
            f"Sur {fr} : select_hidden_size doit renvoyer un nombre, la taille cachée choisie.",
        )
    if got == answer:
        return ok()
    if got not in candidates:
        index_en = index_fr = ""
        if got.is_integer() and 0 <= got < len(candidates):
            index_en = " It looks like an index: return candidates[i], the value."
            index_fr = " Cela ressemble à un indice : renvoyez candidates[i], la valeur."
        return fail(
            f"On {en}: {got:g} is not one of the candidates {candidates}.{index_en}",
            f"Sur {fr} : {got:g} n'est pas l'un des candidats {candidates}.{index_fr}",
        )
    if got == candidates.index(answer):
        why_en = ", which is the position of the best candidate in the list, not its value: return candidates[i]"
        why_fr = ", qui est la position du meilleur candidat dans la liste, pas sa valeur : renvoyez candidates[i]"
    else:
        fit_en, fit_fr = (
            ("underfits", "sous-apprend") if got < answer else ("overfits", "sur-apprend")
        )
        why_en = f", but {answer} has a clearly lower validation loss here (with {got:g} hidden units the network {fit_en})"
        why_fr = f", mais {answer} a ici une perte de validation nettement plus basse (avec {got:g} neurones cachés le réseau {fit_fr})"
    return fail(
        f"On {en}: you chose {got:g}{reveal(why_en)}. It is not the candidate with the lowest validation loss: train each candidate long enough on the training set only, compare the losses on the validation set (not the training set), and return the value with the lowest (candidates[i], not i).",
        f"Sur {fr} : vous avez choisi {got:g}{reveal(why_fr)}. Ce n'est pas le candidat de plus basse perte de validation : entraînez chaque candidat assez longtemps sur l'ensemble d'entraînement seulement, comparez les pertes sur l'ensemble de validation (pas d'entraînement), et renvoyez la valeur de la plus basse (candidates[i], pas i).",
    )


judge_selection = per_case(check_selection)
