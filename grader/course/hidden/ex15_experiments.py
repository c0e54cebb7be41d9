"""Hidden checks for ex15_experiments: jax and list inputs, explicit keys (new and legacy),
other flower sizes, a validation set the training must never touch, and an uneven split."""

from __future__ import annotations

from functools import partial

import numpy as np

from grader.course._ex15_judges import _pair
from grader.course.common import as_jax, label
from grader.course.ex15_experiments import (
    CONFUSION_HINT,
    FIT_HINT,
    _history,
    _params_problem,
    fit_case,
    judge_flower,
    judge_xor_labels,
    validation_split_of,
)
from grader.sandboxed.codec import Ref
from grader.spec import Case, compare, fail, key, ok, prop


def confusion_hidden(rng):
    y_true = rng.integers(0, 3, size=40)
    y_pred = rng.integers(0, 3, size=40)
    perfect = rng.integers(0, 6, size=60)
    return [
        Case(
            (as_jax(y_true, "int32"), as_jax(y_pred, "int32"), 4),
            label=label(
                "jax int32 labels, 4 classes, class 3 never occurs",
                "étiquettes jax int32, 4 classes, la classe 3 n'apparaît jamais",
            ),
        ),
        Case(
            ([7], [2], 10),
            label=label(
                "one example as Python lists, 10 classes", "un exemple en listes Python, 10 classes"
            ),
        ),
        Case(
            (perfect, perfect.copy(), 6),
            label=label("perfect predictions, 6 classes", "prédictions parfaites, 6 classes"),
        ),
    ]


def xor_key_cases(rng):
    return [
        Case((key(7), 301), label=label("key 7, n = 301", "clé 7, n = 301")),
        Case((key(7), 301), label=label("key 7 again", "la clé 7 à nouveau")),
        Case((key(8), 301), label=label("key 8, n = 301", "clé 8, n = 301")),
        Case(
            (Ref("legacy_key", (9,)), 64),
            label=label("an old-style PRNGKey(9), n = 64", "une ancienne clé PRNGKey(9), n = 64"),
        ),
    ]


def _same(a, b) -> bool:
    return all(
        np.shape(u) == np.shape(v) and np.array_equal(u, v) for u, v in zip(a, b, strict=True)
    )


def judge_keys(cases, outputs, what: str, check):
    verdict = check(cases, outputs)
    if not verdict.passed:
        return verdict
    pairs = []
    for out in outputs[:3]:
        X, y, _ = _pair(out, what)
        pairs.append((X, y))
    if not _same(pairs[0], pairs[1]):
        return fail(
            f"{what} called twice with the same key returned different data: draw every random "
            "number from the key you are given (split it for several draws), never from "
            "np.random or another global state.",
            f"{what} appelée deux fois avec la même clé a renvoyé des données différentes : "
            "tirez chaque nombre aléatoire de la clé reçue (découpez-la pour plusieurs tirages), "
            "jamais de np.random ni d'un autre état global.",
        )
    if _same(pairs[0], pairs[2]):
        return fail(
            f"{what} returned the same data for two different keys: use the key you are given, "
            "not a fixed one.",
            f"{what} a renvoyé les mêmes données pour deux clés différentes : utilisez la clé "
            "reçue, pas une clé fixe.",
        )
    return ok()


def flower_key_cases(rng):
    return [
        Case(
            (key(5), 30), label=label("key 5, 30 points per petal", "clé 5, 30 points par pétale")
        ),
        Case((key(5), 30), label=label("key 5 again", "la clé 5 à nouveau")),
        Case(
            (key(6), 30), label=label("key 6, 30 points per petal", "clé 6, 30 points par pétale")
        ),
        Case(
            (key(11),),
            {"n_per_petal": 30, "petals": 4},
            label=label("keywords n_per_petal=30, petals=4", "mots-clés n_per_petal=30, petals=4"),
        ),
    ]


def nan_validation_cases(rng):
    case = fit_case(
        rng,
        333,
        3,
        50,
        0.02,
        validation_split=0.3,
        key_ref=Ref("legacy_key", (4,)),
        en="333 XOR points, validation_split 0.3 (the last 100 examples, NaN on purpose), "
        "batch 50, an old-style PRNGKey, jax labels",
        fr="333 points XOR, validation_split 0.3 (les 100 derniers exemples, NaN exprès), lot "
        "de 50, une ancienne clé PRNGKey, étiquettes jax",
    )
    X = case.args[3].copy()
    X[int(333 * (1 - 0.3)) :] = np.nan
    y = as_jax(case.args[4], "int32")  # labels as a jax array
    return [Case((*case.args[:3], X, y, *case.args[5:]), label=case.label)]


def judge_never_trains_on_validation(cases, outputs):
    case = cases[0]
    params, history, bad = _history(case, outputs[0])
    if bad:
        return bad
    n_val = len(case.args[3]) - int(len(case.args[3]) * (1 - validation_split_of(case)))
    if _params_problem(params) is not None or not np.isfinite(history["loss"]).all():
        return fail(
            f"{case.label.en}: the returned params or the training loss are NaN, so the "
            f"validation examples (the last {n_val}, NaN in this check) were used for training. "
            "Split them off first, before any shuffling, and train only on the first "
            "int(n·(1 − validation_split)) examples.",
            f"{case.label.fr} : les params renvoyés ou la perte d'entraînement sont NaN, donc "
            f"les exemples de validation (les {n_val} derniers, NaN dans ce test) ont servi à "
            "l'entraînement. Mettez-les de côté d'abord, avant tout mélange, et n'entraînez que "
            "sur les int(n·(1 − validation_split)) premiers exemples.",
        )
    return ok()


CHECKS = [
    compare("confusion_matrix", "jax_lists_perfect", confusion_hidden, hint=CONFUSION_HINT),
    prop(
        "make_xor",
        "explicit_keys",
        xor_key_cases,
        partial(judge_keys, what="make_xor", check=judge_xor_labels),
        timeout=60,
    ),
    prop(
        "make_flower",
        "other_sizes_and_keys",
        flower_key_cases,
        partial(judge_keys, what="make_flower", check=judge_flower),
        timeout=60,
    ),
    prop(
        "fit",
        "never_trains_on_validation",
        nan_validation_cases,
        judge_never_trains_on_validation,
        timeout=90,
        hint=FIT_HINT,
    ),
]
