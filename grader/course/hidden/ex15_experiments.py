"""Hidden checks for ex15_experiments: jax and list inputs, explicit keys (new and legacy),
other flower sizes, a validation set the training must never touch, and an uneven split."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.course._ex15_judges import judge_flower, judge_xor_labels, keyed
from grader.course.common import as_jax, case
from grader.course.ex15_experiments import (
    CONFUSION_HINT,
    FIT_HINT,
    fit_args,
    fit_case,
    fit_output,
    params_problem,
)
from grader.sandboxed.codec import Ref
from grader.spec import Verdict, compare, fail, key, ok, prop


def confusion_hidden(rng):
    y_true, y_pred = (as_jax(rng.integers(0, 3, size=40), "int32") for _ in range(2))
    perfect = rng.integers(0, 6, size=60)
    en = "jax int32 labels, 4 classes, class 3 never occurs"
    fr = "étiquettes jax int32, 4 classes, la classe 3 n'apparaît jamais"
    lists = ("one example as Python lists, 10 classes", "un exemple en listes Python, 10 classes")
    same = ("perfect predictions, 6 classes", "prédictions parfaites, 6 classes")
    return [
        case(en, fr, y_true, y_pred, 4),
        case(*lists, [7], [2], 10),
        case(*same, perfect, perfect.copy(), 6),
    ]


def xor_key_cases(rng):
    legacy = Ref("legacy_key", (9,))
    return [
        case("key 7, n = 301", "clé 7, n = 301", key(7), 301),
        case("key 7 again", "la clé 7 à nouveau", key(7), 301),
        case("key 8, n = 301", "clé 8, n = 301", key(8), 301),
        case("an old-style PRNGKey(9), n = 64", "une ancienne clé PRNGKey(9), n = 64", legacy, 64),
    ]


def flower_key_cases(rng):
    words = ("keywords n_per_petal=30, petals=4", "mots-clés n_per_petal=30, petals=4")
    return [
        case("key 5, 30 points per petal", "clé 5, 30 points par pétale", key(5), 30),
        case("key 5 again", "la clé 5 à nouveau", key(5), 30),
        case("key 6, 30 points per petal", "clé 6, 30 points par pétale", key(6), 30),
        case(*words, key(11), n_per_petal=30, petals=4),
    ]


def nan_validation_cases(rng):
    en = (
        "333 XOR points, validation_split 0.3 (the last 100 examples, NaN on purpose), batch 50, "
        "an old-style PRNGKey, jax labels"
    )
    fr = (
        "333 points XOR, validation_split 0.3 (les 100 derniers exemples, NaN exprès), lot de 50, "
        "une ancienne clé PRNGKey, étiquettes jax"
    )
    c = fit_case(rng, en, fr, 333, 3, 50, 0.02, 0.3, key_ref=Ref("legacy_key", (4,)))
    X = c.args[3].copy()
    X[int(333 * (1 - 0.3)) :] = np.nan
    y = as_jax(c.args[4], "int32")  # labels as a jax array
    return [replace(c, args=(*c.args[:3], X, y, *c.args[5:]))]


def judge_never_trains_on_validation(cases, outputs):
    case = cases[0]
    got = fit_output(case, outputs[0])
    if isinstance(got, Verdict):
        return got
    args = fit_args(case)
    n_val = len(args["X"]) - int(len(args["X"]) * (1 - args["validation_split"]))
    if params_problem(got[0]) is None and np.isfinite(got[1]["loss"]).all():
        return ok()
    return fail(
        f"{case.label.en}: the returned params or the training loss are NaN, so the validation "
        f"examples (the last {n_val}, NaN in this check) were used for training. Split them off "
        "first, before any shuffling, and train only on the first int(n·(1 − validation_split)) "
        "examples.",
        f"{case.label.fr} : les params renvoyés ou la perte d'entraînement sont NaN, donc les "
        f"exemples de validation (les {n_val} derniers, NaN dans ce test) ont servi à "
        "l'entraînement. Mettez-les de côté d'abord, avant tout mélange, et n'entraînez que sur "
        "les int(n·(1 − validation_split)) premiers exemples.",
    )


CHECKS = [
    compare("confusion_matrix", "jax_lists_perfect", confusion_hidden, hint=CONFUSION_HINT),
    prop(
        "make_xor", "explicit_keys", xor_key_cases, keyed("make_xor", judge_xor_labels), timeout=60
    ),
    prop(
        "make_flower",
        "other_sizes_and_keys",
        flower_key_cases,
        keyed("make_flower", judge_flower),
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
