"""Checks for ex15_experiments (public): confusion matrix, seed 004's datasets, a Keras-style fit.

``make_xor`` and ``make_flower`` are random: trusted judges check their properties (shapes,
the label rule, the geometry, uniformity, explicit keys), never our random stream. ``fit``
trains a trusted model (``grader/sandboxed/drivers/ex15.py``); the judges recompute the last epoch's
validation metrics from the returned parameters and measure the accuracy on fresh data.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.course.common import label, xor_data
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.sandboxed.drivers.ex15 import mlp_logits_numpy
from grader.spec import Case, Exercise, compare, fail, key, ok, prop

# -- helpers ------------------------------------------------------------------------------------


def _array(value) -> np.ndarray | None:
    try:
        a = np.asarray(value)
    except Exception:
        return None
    return a if a.dtype.kind in "biuf" else None


def _pair(out, what: str):
    """(X, y, None) for a ``(X, y)`` output, else (None, None, failing Verdict)."""
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return (
            None,
            None,
            fail(
                f"{what} must return a pair (X, y).",
                f"{what} doit renvoyer un couple (X, y).",
            ),
        )
    X, y = _array(out[0]), _array(out[1])
    if X is None or y is None:
        return (
            None,
            None,
            fail(
                f"{what} must return two numeric arrays (X, y).",
                f"{what} doit renvoyer deux tableaux numériques (X, y).",
            ),
        )
    return X, y, None


def _check_xy(X, y, n: int, what: str):
    """A failing Verdict unless X is finite (n, 2) and y is (n,) of 0/1 values."""
    if X.shape != (n, 2) or y.shape != (n,):
        return fail(
            f"{what}: expected X of shape {(n, 2)} and y of shape {(n,)}, got {X.shape} and "
            f"{y.shape}.",
            f"{what} : X de forme {(n, 2)} et y de forme {(n,)} attendus, obtenu {X.shape} et "
            f"{y.shape}.",
        )
    if not np.isfinite(X).all():
        return fail(
            f"{what}: X contains NaN or infinite values.",
            f"{what} : X contient des NaN ou des infinis.",
        )
    if not np.isin(y, (0, 1)).all():
        bad = sorted({float(v) for v in np.unique(y)} - {0.0, 1.0})[:5]
        return fail(
            f"{what}: the labels must be 0 or 1, found also {bad}.",
            f"{what} : les étiquettes doivent valoir 0 ou 1, trouvé aussi {bad}.",
        )
    return None


def _n(case) -> int:
    return int(case.args[1])


# -- confusion_matrix -----------------------------------------------------------------------------


def confusion_small(rng):
    return [
        Case(
            (np.array([0, 1, 2, 2, 1, 0, 2]), np.array([0, 2, 2, 1, 1, 0, 0]), 3),
            label=label("7 labels, 3 classes", "7 étiquettes, 3 classes"),
        )
    ]


def confusion_random(rng):
    y_true = rng.integers(0, 4, size=200)  # class 4 never occurs: its row is zero
    noisy = rng.uniform(size=200) < 0.3
    y_pred = np.where(noisy, rng.integers(0, 5, size=200), y_true)
    return [
        Case(
            (y_true, y_pred, 5),
            label=label(
                "200 labels, 5 classes, class 4 never true",
                "200 étiquettes, 5 classes, la classe 4 jamais vraie",
            ),
        )
    ]


CONFUSION_HINT = Text(
    "C[i, j] counts the examples whose true class is i (row) and predicted class is j (column); "
    "the matrix is num_classes × num_classes even for classes that never occur.",
    "C[i, j] compte les exemples de vraie classe i (ligne) et de classe prédite j (colonne) ; la "
    "matrice est num_classes × num_classes même pour les classes absentes.",
)

# -- make_xor -------------------------------------------------------------------------------------


def xor_labels_cases(rng):
    return [
        Case((key(1), 500), label=label("n = 500", "n = 500")),
        Case((key(2), 1), label=label("a single point (n = 1)", "un seul point (n = 1)")),
    ]


def judge_xor_labels(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        n = _n(case)
        X, y, bad = _pair(out, "make_xor")
        if bad:
            return bad
        bad = _check_xy(X, y, n, f"make_xor(key, {n})")
        if bad:
            return bad
        if X.min() < -1 or X.max() > 1:
            return fail(
                f"make_xor(key, {n}): the points must lie in [-1, 1]², found coordinates from "
                f"{X.min():.3g} to {X.max():.3g}. Use jax.random.uniform(key, (n, 2), "
                "minval=-1.0, maxval=1.0).",
                f"make_xor(key, {n}) : les points doivent être dans [-1, 1]², trouvé des "
                f"coordonnées de {X.min():.3g} à {X.max():.3g}. Utilisez "
                "jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0).",
            )
        want = (X[:, 0].astype(np.float64) * X[:, 1] > 0).astype(np.int64)
        wrong = np.flatnonzero(want != y)
        if wrong.size:
            i = int(wrong[0])
            return fail(
                f"make_xor(key, {n}): {wrong.size} of {n} labels break the rule y = 1 where "
                f"x1·x2 > 0, else 0; e.g. the point {X[i].tolist()} has label {y[i]:g}. "
                "(Seed 004 labels ±1; here the labels are 1 and 0.)",
                f"make_xor(key, {n}) : {wrong.size} des {n} étiquettes ne suivent pas la règle "
                f"y = 1 si x1·x2 > 0, sinon 0 ; par exemple le point {X[i].tolist()} a "
                f"l'étiquette {y[i]:g}. (Le document 004 étiquette ±1 ; ici les étiquettes "
                "sont 1 et 0.)",
            )
    return ok()


def xor_uniform_cases(rng):
    return [Case((key(int(rng.integers(2**31))), 4000), label=label("n = 4000", "n = 4000"))]


def uniformity_problem(X: np.ndarray) -> Text | None:
    """Why ``X`` does not look uniform on [-1, 1]² (Kolmogorov–Smirnov, independence), or None."""
    n = len(X)
    for j in range(2):
        u = np.sort((X[:, j].astype(np.float64) + 1.0) / 2.0)
        ecdf = np.arange(1, n + 1) / n
        ks = max(np.max(ecdf - u), np.max(u - (ecdf - 1.0 / n)))
        if ks > 2.5 / np.sqrt(n):  # p < 1e-5 under the uniform law
            return Text(
                f"coordinate x{j + 1} is not uniform on [-1, 1] (Kolmogorov–Smirnov distance "
                f"{ks:.3f} for {n} points); draw with jax.random.uniform, not normal.",
                f"la coordonnée x{j + 1} n'est pas uniforme sur [-1, 1] (distance de "
                f"Kolmogorov–Smirnov {ks:.3f} pour {n} points) ; tirez avec jax.random.uniform, "
                "pas normal.",
            )
    r = float(np.corrcoef(X[:, 0].astype(np.float64), X[:, 1].astype(np.float64))[0, 1])
    if not abs(r) < 5.0 / np.sqrt(n):
        return Text(
            f"x1 and x2 are correlated (r = {r:.3f}): draw both coordinates at once, "
            "uniform(key, (n, 2)), or from two different subkeys; reusing one key gives x1 == x2.",
            f"x1 et x2 sont corrélées (r = {r:.3f}) : tirez les deux coordonnées d'un coup, "
            "uniform(key, (n, 2)), ou avec deux sous-clés différentes ; réutiliser une clé donne "
            "x1 == x2.",
        )
    return None


def judge_xor_uniform(cases, outputs):
    n = _n(cases[0])
    X, y, bad = _pair(outputs[0], "make_xor")
    if bad:
        return bad
    bad = _check_xy(X, y, n, f"make_xor(key, {n})")
    if bad:
        return bad
    why = uniformity_problem(X)
    if why:
        return fail(f"make_xor(key, {n}): {why.en}", f"make_xor(key, {n}) : {why.fr}")
    return ok()


# -- make_flower ------------------------------------------------------------------------------------


def expected_ones(n_per_petal: int, petals: int) -> list[int]:
    """Label-1 counts per petal, i = 1..petals: odd round(43/50·n), even round(7/50·n)."""
    n = int(n_per_petal)
    return [round(7 * n / 50) if i % 2 == 0 else round(43 * n / 50) for i in range(1, petals + 1)]


@cache
def _petal_curves(petals: int) -> np.ndarray:
    """Points of every petal's noise-free ellipse, ``(petals, 720, 2)``."""
    t = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    base = np.stack([3.5 * np.cos(t) - 3.5, 0.7 * np.sin(t)], axis=1)
    out = []
    for i in range(1, petals + 1):
        a = i * np.pi / 4
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        out.append(base @ rot.T)
    return np.stack(out)


def flower_problem(X, y, n_per_petal: int, petals: int) -> Text | None:
    """Why ``(X, y)`` is not seed 004's flower, or None. Order of the points does not matter."""
    n, total = int(n_per_petal), int(n_per_petal) * int(petals)
    X = X.astype(np.float64)
    ones = int(np.sum(y == 1))
    want = sum(expected_ones(n, petals))
    if ones != want:
        return Text(
            f"{ones} points are labelled 1, expected {want}: on each petal of {n} points, "
            f"round(43/50·{n}) = {round(43 * n / 50)} points are labelled 1 on odd petals "
            f"(i = 1, 3, …) and round(7/50·{n}) = {round(7 * n / 50)} on even petals.",
            f"{ones} points ont l'étiquette 1, attendu {want} : sur chaque pétale de {n} points, "
            f"round(43/50·{n}) = {round(43 * n / 50)} points ont l'étiquette 1 sur les pétales "
            f"impairs (i = 1, 3, …) et round(7/50·{n}) = {round(7 * n / 50)} sur les pairs.",
        )
    radius = np.linalg.norm(X, axis=1)
    if radius.max() > 8.0 or radius.max() < 6.0:
        return Text(
            f"the points reach a distance {radius.max():.2f} from the origin; each petal is the "
            "ellipse x1 = 3.5·cos(t) − 3.5, x2 = 0.7·sin(t) (rotated), whose tip is 7 from the "
            "origin, plus a little noise.",
            f"les points s'éloignent jusqu'à {radius.max():.2f} de l'origine ; chaque pétale est "
            "l'ellipse x1 = 3.5·cos(t) − 3.5, x2 = 0.7·sin(t) (tournée), dont la pointe est à 7 "
            "de l'origine, plus un peu de bruit.",
        )
    curves = _petal_curves(petals).reshape(-1, 2)
    d = np.sqrt(((X[:, None, :] - curves[None, :, :]) ** 2).sum(-1)).min(axis=1)
    if np.quantile(d, 0.95) > 0.5:
        return Text(
            f"{int(np.sum(d > 0.5))} of {total} points lie far from every petal's ellipse "
            f"(5 % of them farther than {np.quantile(d, 0.95):.2f}); petal i is the base "
            "ellipse rotated by 45°·i counter-clockwise, cumulatively (x_s = x_s @ rot.T at each "
            "petal), plus Gaussian noise of standard deviation 0.1.",
            f"{int(np.sum(d > 0.5))} des {total} points sont loin de toutes les ellipses des "
            f"pétales (5 % d'entre eux à plus de {np.quantile(d, 0.95):.2f}) ; le pétale i est "
            "l'ellipse de base tournée de 45°·i dans le sens direct, cumulativement "
            "(x_s = x_s @ rot.T à chaque pétale), plus un bruit gaussien d'écart type 0.1.",
        )
    if d.mean() < 0.025:
        return Text(
            "the points lie exactly on the ellipses: seed 004 adds Gaussian noise "
            "(standard deviation 0.1) to the base ellipse and again to every petal.",
            "les points sont exactement sur les ellipses : le document 004 ajoute un bruit "
            "gaussien (écart type 0.1) à l'ellipse de base, puis à chaque pétale.",
        )
    # Each point far enough from the centre belongs to the petal whose axis is nearest.
    far = radius > 2.5
    axes = np.array([np.pi + i * np.pi / 4 for i in range(1, petals + 1)])
    angle = np.arctan2(X[far, 1], X[far, 0])
    gap = np.abs(np.angle(np.exp(1j * (angle[:, None] - axes[None, :]))))
    petal = np.argmin(gap, axis=1)
    y_far = y[far]
    for p in range(petals):
        mine = petal == p
        count = int(mine.sum())
        if count < 0.4 * n or count > n:
            deg = round(np.degrees(axes[p]) % 360)
            return Text(
                f"petal {p + 1} (its axis at {deg}° from the x1 axis) holds {count} points away "
                f"from the centre, expected about {int(0.59 * n)}: each of the {petals} petals "
                f"has {n} points, petal i rotated by 45°·i from the base ellipse (which points "
                "to 180°).",
                f"le pétale {p + 1} (d'axe à {deg}° de l'axe x1) contient {count} points loin du "
                f"centre, attendu environ {int(0.59 * n)} : chacun des {petals} pétales a {n} "
                "points, le pétale i tourné de 45°·i par rapport à l'ellipse de base (orientée "
                "vers 180°).",
            )
        share = float(np.mean(y_far[mine] == 1))
        odd = (p + 1) % 2 == 1
        if (odd and share < 0.6) or (not odd and share > 0.4):
            deg = round(np.degrees(axes[p]) % 360)
            return Text(
                f"on petal {p + 1} (axis at {deg}°) {100 * share:.0f} % of the points are "
                f"labelled 1; odd petals have 43 of 50 points labelled 1, even ones 7 of 50. "
                "Rotate before adding each petal, as the seed's loop does (petal i is rotated "
                "i times).",
                f"sur le pétale {p + 1} (axe à {deg}°) {100 * share:.0f} % des points ont "
                "l'étiquette 1 ; les pétales impairs ont 43 points sur 50 étiquetés 1, les "
                "pairs 7 sur 50. Tournez avant d'ajouter chaque pétale, comme la boucle du "
                "document (le pétale i est tourné i fois).",
            )
    return None


def flower_default(rng):
    return [
        Case(
            (key(int(rng.integers(2**31))),),
            label=label(
                "make_flower(key): 8 petals of 50 points",
                "make_flower(key) : 8 pétales de 50 points",
            ),
        )
    ]


def _flower_args(case) -> tuple[int, int]:
    """(n_per_petal, petals) of a make_flower case, defaults included."""
    out = []
    for i, (name, default) in enumerate((("n_per_petal", 50), ("petals", 8)), start=1):
        out.append(int(case.args[i]) if len(case.args) > i else int(case.kwargs.get(name, default)))
    return out[0], out[1]


def judge_flower(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        n, petals = _flower_args(case)
        what = f"make_flower(key, {n}, {petals})"
        X, y, bad = _pair(out, "make_flower")
        if bad:
            return bad
        bad = _check_xy(X, y, n * petals, what)
        if bad:
            return bad
        why = flower_problem(X, y, n, petals)
        if why:
            return fail(f"{what}: {why.en}", f"{what} : {why.fr}")
    return ok()


# -- fit --------------------------------------------------------------------------------------------

HISTORY_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy")
MLP = [2, 16, 16, 2]
# The reference reaches 96–98 % on fresh XOR points after 20 epochs (4 seeds tried).
MIN_XOR_ACCURACY = 0.90


def mlp_refs(sizes=MLP):
    return Ref("ex15_mlp_init", (list(sizes),)), Ref("ex15_mlp_apply", ())


def fit_case(rng, n, epochs, batch_size, lr, validation_split=None, key_ref=None, en="", fr=""):
    X, y = xor_data(rng, n)
    init_fn, apply_fn = mlp_refs()
    args = (key_ref or key(int(rng.integers(2**31))), init_fn, apply_fn)
    args += (X.astype(np.float32), y.astype(np.int32), epochs, batch_size, lr)
    if validation_split is not None:
        args += (validation_split,)
    return Case(args, label=label(en, fr))


def validation_split_of(case) -> float:
    return (
        float(case.args[8])
        if len(case.args) > 8
        else float(case.kwargs.get("validation_split", 0.2))
    )


def _history(case, out):
    """(params, history, None) or (None, None, failing Verdict)."""
    epochs = int(case.args[5])
    if not isinstance(out, (list, tuple)) or len(out) != 2 or not isinstance(out[1], dict):
        return (
            None,
            None,
            fail(
                "fit must return a pair (params, history) with history a dict.",
                "fit doit renvoyer un couple (params, history) où history est un dict.",
            ),
        )
    params, history = out
    missing = [k for k in HISTORY_KEYS if k not in history]
    if missing:
        return (
            None,
            None,
            fail(
                f"history lacks the keys {missing}: it needs {list(HISTORY_KEYS)}, as Keras's.",
                f"il manque à history les clés {missing} : il faut {list(HISTORY_KEYS)}, comme "
                "chez Keras.",
            ),
        )
    for k in HISTORY_KEYS:
        values = _array(history[k])
        if values is None or values.shape != (epochs,):
            shape = None if values is None else values.shape
            return (
                None,
                None,
                fail(
                    f"history['{k}'] must hold one number per epoch ({epochs}), got shape {shape}.",
                    f"history['{k}'] doit contenir un nombre par époque ({epochs}), obtenu la "
                    f"forme {shape}.",
                ),
            )
    return params, {k: np.asarray(history[k], np.float64) for k in HISTORY_KEYS}, None


def _val_metrics(params, X, y):
    """(mean softmax cross-entropy, accuracy) of the trusted MLP on (X, y), in float64."""
    z = mlp_logits_numpy(params, X)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    y = np.asarray(y, np.int64)
    return float(-logp[np.arange(len(y)), y].mean()), float(np.mean(z.argmax(axis=1) == y))


def _params_problem(params):
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


def judge_validation(cases, outputs):
    """The last epoch's val_loss/val_accuracy are those of the returned params on the last
    ``n − int(n·(1 − validation_split))`` examples."""
    for case, out in zip(cases, outputs, strict=True):
        params, history, bad = _history(case, out)
        if bad:
            return bad
        bad = _params_problem(params)
        if bad:
            return bad
        X, y = case.args[3], case.args[4]
        n, split = len(X), validation_split_of(case)
        n_train = int(n * (1 - split))
        n_val = n - n_train
        for k in HISTORY_KEYS:
            if not np.isfinite(history[k]).all():
                return fail(
                    f"history['{k}'] contains NaN or infinite values.",
                    f"history['{k}'] contient des NaN ou des infinis.",
                )
        loss, acc = _val_metrics(params, X[n_train:], y[n_train:])
        got_loss, got_acc = float(history["val_loss"][-1]), float(history["val_accuracy"][-1])
        loss_ok = abs(got_loss - loss) <= 1e-4 * abs(loss) + 1e-6
        acc_ok = abs(got_acc - acc) <= 1.0 / n_val + 1e-9
        if loss_ok and acc_ok:
            continue
        # Say which classic mistake it looks like.
        first_loss, _ = _val_metrics(params, X[:n_val], y[:n_val])
        off = n - int(n * split)
        off_loss = _val_metrics(params, X[n - off :], y[n - off :])[0] if off != n_val else None
        if abs(got_loss - first_loss) <= 1e-4 * abs(first_loss) + 1e-6:
            why = Text(
                "it is the loss on the first examples: the validation set is the LAST ones.",
                "c'est la perte sur les premiers exemples : l'ensemble de validation est fait "
                "des DERNIERS.",
            )
        elif off_loss is not None and abs(got_loss - off_loss) <= 1e-4 * abs(off_loss) + 1e-6:
            why = Text(
                f"it is the loss on the last {off} examples: Keras keeps the first "
                f"int(n·(1 − validation_split)) = {n_train} for training, so the last {n_val}.",
                f"c'est la perte sur les {off} derniers exemples : Keras garde les "
                f"int(n·(1 − validation_split)) = {n_train} premiers pour l'entraînement, donc "
                f"les {n_val} derniers.",
            )
        else:
            why = Text(
                "compute val_loss and val_accuracy after the epoch's updates, with the params "
                "you return, on the examples split off before any shuffling.",
                "calculez val_loss et val_accuracy après les mises à jour de l'époque, avec les "
                "params renvoyés, sur les exemples mis de côté avant tout mélange.",
            )
        label_ = case.label
        return fail(
            f"{label_.en}: the last epoch's history says val_loss = {got_loss:.6g}, "
            f"val_accuracy = {got_acc:.4g}, but the returned params give val_loss = {loss:.6g}, "
            f"val_accuracy = {acc:.4g} on the validation set (the last {n_val} of the {n} "
            f"examples); {why.en}",
            f"{label_.fr} : l'historique de la dernière époque indique val_loss = "
            f"{got_loss:.6g}, val_accuracy = {got_acc:.4g}, mais les params renvoyés donnent "
            f"val_loss = {loss:.6g}, val_accuracy = {acc:.4g} sur l'ensemble de validation "
            f"(les {n_val} derniers des {n} exemples) ; {why.fr}",
        )
    return ok()


def fit_validation_cases(rng):
    return [
        fit_case(
            rng,
            400,
            4,
            32,
            0.01,
            en="400 XOR points, 4 epochs, batch 32, validation_split 0.2 (default)",
            fr="400 points XOR, 4 époques, lot de 32, validation_split 0.2 (par défaut)",
        )
    ]


@cache
def xor_test_set():
    """Fresh XOR points the judge keeps to itself (a fixed seed: not the cases' stream)."""
    X, y = xor_data(np.random.default_rng(20240515), 4000)
    return X, y.astype(np.int64)


def judge_learns(cases, outputs):
    case, out = cases[0], outputs[0]
    params, history, bad = _history(case, out)
    if bad:
        return bad
    bad = _params_problem(params)
    if bad:
        return bad
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
    if acc < MIN_XOR_ACCURACY:
        return fail(
            f"with the returned params the MLP classifies {100 * acc:.1f} % of fresh XOR points "
            f"correctly; at least {100 * MIN_XOR_ACCURACY:.0f} % is expected. Training loss "
            f"per epoch: {np.round(loss, 3).tolist()}.",
            f"avec les params renvoyés le MLP classe correctement {100 * acc:.1f} % de "
            f"nouveaux points XOR ; au moins {100 * MIN_XOR_ACCURACY:.0f} % sont attendus. "
            f"Perte d'entraînement par époque : {np.round(loss, 3).tolist()}.",
        )
    return ok()


def fit_learns_cases(rng):
    return [
        fit_case(
            rng,
            500,
            20,
            32,
            0.01,
            en="500 XOR points, MLP 2-16-16-2, 20 epochs, batch 32, lr 0.01",
            fr="500 points XOR, MLP 2-16-16-2, 20 époques, lot de 32, lr 0.01",
        )
    ]


FIT_HINT = Text(
    "Split first (train = first int(n·(1 − validation_split)) examples, validation = the rest), "
    "then each epoch: shuffle the training part, Adam step per mini-batch, then evaluate on the "
    "validation part with the updated params.",
    "Séparez d'abord (entraînement = les int(n·(1 − validation_split)) premiers exemples, "
    "validation = le reste), puis à chaque époque : mélangez la partie d'entraînement, un pas "
    "d'Adam par mini-lot, puis évaluez sur la validation avec les params mis à jour.",
)

EXERCISE = Exercise(
    id="ex15_experiments",
    title=Text("The training workflow", "La démarche d'entraînement"),
    checks=[
        compare("confusion_matrix", "small_example", confusion_small, hint=CONFUSION_HINT),
        compare("confusion_matrix", "absent_class", confusion_random, hint=CONFUSION_HINT),
        prop("make_xor", "labels_and_range", xor_labels_cases, judge_xor_labels, timeout=60),
        prop("make_xor", "uniform", xor_uniform_cases, judge_xor_uniform, timeout=60),
        prop("make_flower", "seed_004_flower", flower_default, judge_flower, points=2, timeout=60),
        prop(
            "fit",
            "keras_validation_split",
            fit_validation_cases,
            judge_validation,
            points=2,
            timeout=90,
            hint=FIT_HINT,
        ),
        prop(
            "fit",
            "learns_xor",
            fit_learns_cases,
            judge_learns,
            points=2,
            timeout=120,
            hint=FIT_HINT,
        ),
    ],
)
