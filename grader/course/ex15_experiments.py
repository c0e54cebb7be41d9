"""Checks for ex15_experiments (public): confusion matrix, seed 004's datasets, a Keras-style fit.

``make_xor`` and ``make_flower`` are random: trusted judges check their properties (shapes,
the label rule, the geometry, uniformity, explicit keys), never our random stream. ``fit``
trains a trusted model (``grader/sandboxed/drivers/ex15.py``); the judges recompute the last epoch's
validation metrics from the returned parameters and measure the accuracy on fresh data.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.course._ex15_judges import judge_flower, judge_xor_labels, judge_xor_uniform
from grader.course.common import case, xor_data
from grader.i18n import Text
from grader.judging import as_array, call_args, case_words, per_case
from grader.sandboxed.codec import Ref
from grader.sandboxed.drivers.ex15 import mlp_logits_numpy
from grader.spec import Exercise, Verdict, compare, fail, key, ok, prop

# -- confusion_matrix -----------------------------------------------------------------------------


def confusion_small(rng):
    y_true, y_pred = np.array([0, 1, 2, 2, 1, 0, 2]), np.array([0, 2, 2, 1, 1, 0, 0])
    return [case("7 labels, 3 classes", "7 étiquettes, 3 classes", y_true, y_pred, 3)]


def confusion_random(rng):
    y_true = rng.integers(0, 4, size=200)  # class 4 never occurs: its row is zero
    noisy = rng.uniform(size=200) < 0.3
    y_pred = np.where(noisy, rng.integers(0, 5, size=200), y_true)
    en = "200 labels, 5 classes, class 4 never true"
    fr = "200 étiquettes, 5 classes, la classe 4 jamais vraie"
    return [case(en, fr, y_true, y_pred, 5)]


CONFUSION_HINT = Text(
    "C[i, j] counts the examples whose true class is i (row) and predicted class is j (column); "
    "the matrix is num_classes × num_classes even for classes that never occur.",
    "C[i, j] compte les exemples de vraie classe i (ligne) et de classe prédite j (colonne) ; la "
    "matrice est num_classes × num_classes même pour les classes absentes.",
)

# -- make_xor, make_flower --------------------------------------------------------------------------


def xor_labels_cases(rng):
    return [
        case("n = 500", "n = 500", key(1), 500),
        case("a single point (n = 1)", "un seul point (n = 1)", key(2), 1),
    ]


def xor_uniform_cases(rng):
    return [case("n = 4000", "n = 4000", key(int(rng.integers(2**31))), 4000)]


def flower_default(rng):
    en, fr = "make_flower(key): 8 petals of 50 points", "make_flower(key) : 8 pétales de 50 points"
    return [case(en, fr, key(int(rng.integers(2**31))))]


# -- fit --------------------------------------------------------------------------------------------

HISTORY_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy")
MLP = [2, 16, 16, 2]
# The reference reaches 96–98 % on fresh XOR points after 20 epochs (4 seeds tried).
MIN_XOR_ACCURACY = 0.90


def fit_args(case) -> dict:
    """A fit case's arguments by name, defaults filled in (validation_split=0.2)."""

    def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
        return locals()

    return fit(*call_args(fit, case))


def fit_case(rng, en, fr, n, epochs, batch_size, lr, *split, key_ref=None):
    """``n`` XOR points and the trusted MLP's init_fn and apply_fn; ``split``: validation_split,
    if given."""
    X, y = xor_data(rng, n)
    init_fn, apply_fn = Ref("ex15_mlp_init", (MLP,)), Ref("ex15_mlp_apply", ())
    X, y, k = X.astype(np.float32), y.astype(np.int32), key_ref or key(int(rng.integers(2**31)))
    return case(en, fr, k, init_fn, apply_fn, X, y, epochs, batch_size, lr, *split)


def fit_output(case, out):
    """``(params, history as float64 arrays)`` of a fit's output, or a failing verdict."""
    epochs = int(fit_args(case)["epochs"])
    if not isinstance(out, (list, tuple)) or len(out) != 2 or not isinstance(out[1], dict):
        return fail(
            "fit must return a pair (params, history) with history a dict.",
            "fit doit renvoyer un couple (params, history) où history est un dict.",
        )
    params, history = out
    missing = [k for k in HISTORY_KEYS if k not in history]
    if missing:
        return fail(
            f"history lacks the keys {missing}: it needs {list(HISTORY_KEYS)}, as Keras's.",
            f"il manque à history les clés {missing} : il faut {list(HISTORY_KEYS)}, comme chez "
            "Keras.",
        )
    for k in HISTORY_KEYS:
        values = as_array(history[k])
        if values is None or values.shape != (epochs,):
            shape = None if values is None else values.shape
            return fail(
                f"history['{k}'] must hold one number per epoch ({epochs}), got shape {shape}.",
                f"history['{k}'] doit contenir un nombre par époque ({epochs}), obtenu la forme "
                f"{shape}.",
            )
    return params, {k: np.asarray(history[k], np.float64) for k in HISTORY_KEYS}


def params_problem(params):
    """A failing verdict unless ``params`` are the trusted MLP's, finite, else None."""
    try:
        z = mlp_logits_numpy(params, np.zeros((1, MLP[0])))
    except Exception:
        return fail(
            "fit must return the trained params, in the structure init_fn made them (here a "
            "list of {'w', 'b'} dicts).",
            "fit doit renvoyer les params entraînés, dans la structure que init_fn leur a "
            "donnée (ici une liste de dicts {'w', 'b'}).",
        )
    if not np.isfinite(z).all() or not all(
        np.isfinite(np.asarray(layer[k], np.float64)).all() for layer in params for k in ("w", "b")
    ):
        return fail(
            "the returned params contain NaN or infinite values.",
            "les params renvoyés contiennent des NaN ou des infinis.",
        )
    return None


def trained(case, out):
    """``(params, history)`` of a fit's output with readable, finite params, or a failing
    verdict."""
    got = fit_output(case, out)
    if isinstance(got, Verdict):
        return got
    return params_problem(got[0]) or got


def val_metrics(params, X, y):
    """(mean softmax cross-entropy, accuracy) of the trusted MLP on (X, y), in float64."""
    z = mlp_logits_numpy(params, X)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    y = np.asarray(y, np.int64)
    return float(-logp[np.arange(len(y)), y].mean()), float(np.mean(z.argmax(axis=1) == y))


def _near(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-4 * abs(want) + 1e-6


@per_case
def judge_validation(case, out):
    """The last epoch's val_loss/val_accuracy are those of the returned params on the last
    ``n − int(n·(1 − validation_split))`` examples."""
    got = trained(case, out)
    if isinstance(got, Verdict):
        return got
    (params, history), args = got, fit_args(case)
    X, y, split, n = args["X"], args["y"], args["validation_split"], len(args["X"])
    n_train = int(n * (1 - split))
    n_val, off = n - n_train, n - int(n * split)
    for k in HISTORY_KEYS:
        if not np.isfinite(history[k]).all():
            return fail(
                f"history['{k}'] contains NaN or infinite values.",
                f"history['{k}'] contient des NaN ou des infinis.",
            )
    loss, acc = val_metrics(params, X[n_train:], y[n_train:])
    got_loss, got_acc = float(history["val_loss"][-1]), float(history["val_accuracy"][-1])
    if _near(got_loss, loss) and abs(got_acc - acc) <= 1.0 / n_val + 1e-9:
        return ok()
    # Which classic mistake it looks like: the loss on the first examples, or on the last ``off``.
    if _near(got_loss, val_metrics(params, X[:n_val], y[:n_val])[0]):
        why = Text(
            "it is the loss on the first examples: the validation set is the LAST ones.",
            "c'est la perte sur les premiers exemples : l'ensemble de validation est fait des "
            "DERNIERS.",
        )
    elif off != n_val and _near(got_loss, val_metrics(params, X[n - off :], y[n - off :])[0]):
        why = Text(
            f"it is the loss on the last {off} examples: Keras keeps the first "
            f"int(n·(1 − validation_split)) = {n_train} for training, so the last {n_val}.",
            f"c'est la perte sur les {off} derniers exemples : Keras garde les "
            f"int(n·(1 − validation_split)) = {n_train} premiers pour l'entraînement, donc les "
            f"{n_val} derniers.",
        )
    else:
        why = Text(
            "compute val_loss and val_accuracy after the epoch's updates, with the params you "
            "return, on the examples split off before any shuffling.",
            "calculez val_loss et val_accuracy après les mises à jour de l'époque, avec les "
            "params renvoyés, sur les exemples mis de côté avant tout mélange.",
        )
    en, fr = case_words(case)
    return fail(
        f"{en}: the last epoch's history says val_loss = {got_loss:.6g}, val_accuracy = "
        f"{got_acc:.4g}, but the returned params give val_loss = {loss:.6g}, val_accuracy = "
        f"{acc:.4g} on the validation set (the last {n_val} of the {n} examples); {why.en}",
        f"{fr} : l'historique de la dernière époque indique val_loss = {got_loss:.6g}, "
        f"val_accuracy = {got_acc:.4g}, mais les params renvoyés donnent val_loss = {loss:.6g}, "
        f"val_accuracy = {acc:.4g} sur l'ensemble de validation (les {n_val} derniers des {n} "
        f"exemples) ; {why.fr}",
    )


def split_cases(rng):
    en = "400 XOR points, 4 epochs, batch 32, validation_split 0.2 (default)"
    fr = "400 points XOR, 4 époques, lot de 32, validation_split 0.2 (par défaut)"
    return [fit_case(rng, en, fr, 400, 4, 32, 0.01)]


@cache
def xor_test_set():
    """Fresh XOR points the judge keeps to itself (a fixed seed: not the cases' stream)."""
    X, y = xor_data(np.random.default_rng(20240515), 4000)
    return X, y.astype(np.int64)


def judge_learns(cases, outputs):
    got = trained(cases[0], outputs[0])
    if isinstance(got, Verdict):
        return got
    params, history = got
    loss = history["loss"]
    if not np.isfinite(loss).all() or not loss[-1] < loss[0]:
        return fail(
            f"the training loss did not decrease: {np.round(loss, 4).tolist()}. Update the params "
            "with Adam's updates after every mini-batch (optax.adam(lr), optimizer.update, "
            "optax.apply_updates) and keep them from one epoch to the next.",
            f"la perte d'entraînement n'a pas baissé : {np.round(loss, 4).tolist()}. Mettez à "
            "jour les params avec Adam après chaque mini-lot (optax.adam(lr), optimizer.update, "
            "optax.apply_updates) et gardez-les d'une époque à l'autre.",
        )
    for k in ("accuracy", "val_accuracy"):
        values = history[k]
        if not (np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1):
            return fail(
                f"history['{k}'] must hold fractions between 0 and 1 (the share of correct "
                "predictions).",
                f"history['{k}'] doit contenir des fractions entre 0 et 1 (la part de bonnes "
                "prédictions).",
            )
    X_test, y_test = xor_test_set()
    acc = float(np.mean(mlp_logits_numpy(params, X_test).argmax(axis=1) == y_test))
    if acc >= MIN_XOR_ACCURACY:
        return ok()
    return fail(
        f"with the returned params the MLP classifies {100 * acc:.1f} % of fresh XOR points "
        f"correctly; at least {100 * MIN_XOR_ACCURACY:.0f} % is expected. Training loss per "
        f"epoch: {np.round(loss, 3).tolist()}.",
        f"avec les params renvoyés le MLP classe correctement {100 * acc:.1f} % de nouveaux "
        f"points XOR ; au moins {100 * MIN_XOR_ACCURACY:.0f} % sont attendus. Perte "
        f"d'entraînement par époque : {np.round(loss, 3).tolist()}.",
    )


def learns_cases(rng):
    en = "500 XOR points, MLP 2-16-16-2, 20 epochs, batch 32, lr 0.01"
    fr = "500 points XOR, MLP 2-16-16-2, 20 époques, lot de 32, lr 0.01"
    return [fit_case(rng, en, fr, 500, 20, 32, 0.01)]


FIT_HINT = Text(
    "Split first (train = first int(n·(1 − validation_split)) examples, validation = the rest), "
    "then each epoch: shuffle the training part, Adam step per mini-batch, then evaluate on the "
    "validation part with the updated params.",
    "Séparez d'abord (entraînement = les int(n·(1 − validation_split)) premiers exemples, "
    "validation = le reste), puis à chaque époque : mélangez la partie d'entraînement, un pas "
    "d'Adam par mini-lot, puis évaluez sur la validation avec les params mis à jour.",
)
FIT = {"points": 2, "hint": FIT_HINT}

EXERCISE = Exercise(
    id="ex15_experiments",
    title=Text("The training workflow", "La démarche d'entraînement"),
    checks=[
        compare("confusion_matrix", "small_example", confusion_small, hint=CONFUSION_HINT),
        compare("confusion_matrix", "absent_class", confusion_random, hint=CONFUSION_HINT),
        prop("make_xor", "labels_and_range", xor_labels_cases, judge_xor_labels, timeout=60),
        prop("make_xor", "uniform", xor_uniform_cases, judge_xor_uniform, timeout=60),
        prop("make_flower", "seed_004_flower", flower_default, judge_flower, points=2, timeout=60),
        prop("fit", "keras_validation_split", split_cases, judge_validation, timeout=90, **FIT),
        prop("fit", "learns_xor", learns_cases, judge_learns, timeout=120, **FIT),
    ],
)
