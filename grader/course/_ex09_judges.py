"""ex09_sgd's judges of ``minibatches`` and of a trained ``train_sgd`` (by properties).

``minibatches`` must return a shuffled partition of ``range(n)`` that depends on the key only;
``train_sgd``'s params are evaluated with the grader's own sigmoid forward pass on held-out
digits. The checks and their inputs are in ex09_sgd.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from grader.i18n import Text
from grader.spec import fail, ok

ACCURACY_THRESHOLD = 0.90  # the reference reaches about 98 % (see the report of issue 5)


def _as_batches(out):
    """The batches as 1-D integer arrays, or a failing Verdict."""
    if isinstance(out, np.ndarray) and out.ndim == 2:
        out = list(out)  # equal batches stacked in one array: fine
    if not isinstance(out, (list, tuple)):
        return fail(
            "minibatches must return a list of index arrays (one array per mini-batch).",
            "minibatches doit renvoyer une liste de tableaux d'indices (un tableau par mini-batch).",
        )
    batches = []
    for i, b in enumerate(out):
        try:
            a = np.asarray(b)
        except Exception:
            a = np.asarray([], dtype=object)
        if a.dtype.kind not in "iuf" or a.ndim != 1:
            return fail(
                f"batch {i} is not a 1-D array of indices (got {a.ndim} dimensions, dtype {a.dtype}).",
                f"le lot {i} n'est pas un tableau 1-D d'indices (reçu {a.ndim} dimensions, dtype {a.dtype}).",
            )
        if a.dtype.kind == "f":
            return fail(
                f"batch {i} holds floats: indices must be integers so that X[batch] works.",
                f"le lot {i} contient des flottants : les indices doivent être entiers pour que X[batch] fonctionne.",
            )
        batches.append(a.astype(np.int64))
    return batches


def _check_partition(batches, n: int, bs: int):
    """None if ``batches`` cut a permutation of range(n) into batches of ``bs``; else a Verdict."""
    k = math.ceil(n / bs)
    if len(batches) != k:
        extra_en = extra_fr = ""
        if len(batches) == n // bs and n % bs:
            extra_en = (
                " The last, smaller batch is missing: keep it (it has n mod batch_size examples)."
            )
            extra_fr = (
                " Le dernier lot, plus petit, manque : gardez-le (il a n mod batch_size exemples)."
            )
        return fail(
            f"expected ceil(n / batch_size) = {k} batches for n = {n} and batch_size = {bs}, got {len(batches)}.{extra_en}",
            f"attendu ceil(n / batch_size) = {k} lots pour n = {n} et batch_size = {bs}, reçu {len(batches)}.{extra_fr}",
        )
    sizes = [len(b) for b in batches]
    want = [bs] * (k - 1) + [n - bs * (k - 1)]
    if sizes != want and sorted(sizes) == sorted(want):
        consecutive = all(
            np.array_equal(b, np.arange(b[0], b[0] + len(b))) for b in batches if len(b)
        )
        if consecutive:
            return fail(
                "only the order of the batches is shuffled: every batch still holds consecutive examples, and the smaller one is not last. Shuffle all of range(n), then cut.",
                "seul l'ordre des lots est mélangé : chaque lot contient encore des exemples consécutifs, et le plus petit n'est pas le dernier. Mélangez tout range(n), puis découpez.",
            )
        return fail(
            f"the batch sizes are {sizes}: the smaller batch must come last. Shuffle the indices, then cut them in order.",
            f"les tailles des lots sont {sizes} : le lot le plus petit doit venir en dernier. Mélangez les indices, puis découpez-les dans l'ordre.",
        )
    if sizes != want:
        return fail(
            f"the batch sizes are {sizes}; expected {want}: every batch has batch_size indices except the last, which has the rest.",
            f"les tailles des lots sont {sizes} ; attendu {want} : chaque lot a batch_size indices sauf le dernier, qui a le reste.",
        )
    flat = np.concatenate(batches) if batches else np.zeros(0, np.int64)
    if flat.min(initial=0) < 0 or flat.max(initial=0) >= n:
        return fail(
            f"indices must lie in range({n}); got values from {flat.min()} to {flat.max()}.",
            f"les indices doivent être dans range({n}) ; reçu des valeurs de {flat.min()} à {flat.max()}.",
        )
    counts = np.bincount(flat, minlength=n)
    if (counts != 1).any():
        dup = int(np.flatnonzero(counts > 1)[0]) if (counts > 1).any() else None
        miss = int(np.flatnonzero(counts == 0)[0])
        what_en = f"index {dup} appears {counts[dup]} times and " if dup is not None else ""
        what_fr = f"l'indice {dup} apparaît {counts[dup]} fois et " if dup is not None else ""
        return fail(
            f"the batches are not a partition of range({n}): {what_en}index {miss} never appears. Draw a permutation (without replacement), then cut it.",
            f"les lots ne forment pas une partition de range({n}) : {what_fr}l'indice {miss} n'apparaît jamais. Tirez une permutation (sans remise), puis découpez-la.",
        )
    return None


def judge_partition(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        _, n, bs = case.args
        batches = _as_batches(out)
        if not isinstance(batches, list):
            return batches
        bad = _check_partition(batches, n, bs)
        if bad is not None:
            return bad
    return ok()


def _shuffle_problem(batches, bs: int):
    """A Verdict if the batches are not really shuffled, else None."""
    flat = np.concatenate(batches)
    n = len(flat)
    if np.array_equal(flat, np.arange(n)):
        return fail(
            "the batches are in order 0, 1, 2, …: shuffle first (a permutation drawn from the key, e.g. jax.random.permutation(key, n)), then cut.",
            "les lots sont dans l'ordre 0, 1, 2, … : mélangez d'abord (une permutation tirée avec la clé, p. ex. jax.random.permutation(key, n)), puis découpez.",
        )
    if all(
        np.array_equal(np.sort(b), np.arange(i * bs, i * bs + len(b)))
        for i, b in enumerate(batches)
    ):
        return fail(
            "the examples are only shuffled inside each batch: every batch still holds consecutive examples. Shuffle all of range(n), then cut.",
            "les exemples ne sont mélangés qu'à l'intérieur de chaque lot : chaque lot contient encore des exemples consécutifs. Mélangez tout range(n), puis découpez.",
        )
    if all(np.array_equal(b, np.arange(b[0], b[0] + len(b))) for b in batches if len(b)):
        return fail(
            "only the order of the batches is shuffled: every batch still holds consecutive examples. Shuffle all of range(n), then cut.",
            "seul l'ordre des lots est mélangé : chaque lot contient encore des exemples consécutifs. Mélangez tout range(n), puis découpez.",
        )
    return None


def judge_shuffled_and_keyed(cases, outputs):
    """Cases: two keys, same n and batch_size; outputs from the ``call_twice`` driver."""
    orders = []
    for case, out in zip(cases, outputs, strict=True):
        _, n, bs = case.args
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "minibatches returned nothing usable.", "minibatches n'a rien renvoyé d'utilisable."
            )
        first, second = _as_batches(out[0]), _as_batches(out[1])
        for b in (first, second):
            if not isinstance(b, list):
                return b
            bad = _check_partition(b, n, bs)
            if bad is not None:
                return bad
        if not all(np.array_equal(x, y) for x, y in zip(first, second, strict=True)):
            return fail(
                "called twice with the same key, minibatches gave different batches: draw all randomness from the key (jax.random), never from np.random or random, which keep a hidden global state.",
                "appelée deux fois avec la même clé, minibatches a donné des lots différents : tirez tout le hasard de la clé (jax.random), jamais de np.random ou random, qui ont un état global caché.",
            )
        bad = _shuffle_problem(first, bs)
        if bad is not None:
            return bad
        orders.append(np.concatenate(first))
    if np.array_equal(orders[0], orders[1]):
        return fail(
            "two different keys gave the same order: the permutation must be drawn with the key you are given.",
            "deux clés différentes ont donné le même ordre : la permutation doit être tirée avec la clé reçue.",
        )
    return ok()


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # exact and overflow-free


def trusted_forward(params, X):
    """The grader's own forward pass (float64): sigmoid after every layer."""
    a = np.asarray(X, np.float64)
    for layer in params:
        a = _sigmoid(a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64))
    return a


def check_params(params, sizes):
    """None if ``params`` is a list of {"w", "b"} dicts with finite values of the MLP's shapes."""
    n_layers = len(sizes) - 1
    if not isinstance(params, (list, tuple)) or len(params) != n_layers:
        return fail(
            f"the trained params must be a list of {n_layers} dicts {{'w', 'b'}}, like the params received.",
            f"les paramètres entraînés doivent être une liste de {n_layers} dicts {{'w', 'b'}}, comme ceux reçus.",
        )
    for i, (layer, (a, b)) in enumerate(zip(params, itertools.pairwise(sizes), strict=True)):
        if not isinstance(layer, dict) or set(layer) != {"w", "b"}:
            return fail(
                f"layer {i} of the trained params must be a dict with keys 'w' and 'b'.",
                f"la couche {i} des paramètres entraînés doit être un dict de clés 'w' et 'b'.",
            )
        w = np.asarray(layer["w"]) if not isinstance(layer["w"], dict) else None
        bb = np.asarray(layer["b"]) if not isinstance(layer["b"], dict) else None
        if w is None or bb is None or w.shape != (a, b) or bb.shape != (b,):
            return fail(
                f"layer {i}: expected w of shape {(a, b)} and b of shape {(b,)}.",
                f"couche {i} : attendu w de forme {(a, b)} et b de forme {(b,)}.",
            )
        if (
            w.dtype.kind not in "iuf"
            or bb.dtype.kind not in "iuf"
            or not (np.isfinite(w).all() and np.isfinite(bb).all())
        ):
            return fail(
                f"layer {i} of the trained params holds NaN or infinite values: the training diverged (is η applied to the mean gradient, not the sum?).",
                f"la couche {i} des paramètres entraînés contient des NaN ou des infinis : l'entraînement a divergé (η s'applique-t-il au gradient moyen, pas à la somme ?).",
            )
    return None


def judge_training(cases, outputs):
    """train_sgd on the digits: shapes, losses, and accuracy on the held-out digits."""
    case, out = cases[0], outputs[0]
    _, params0, X, Y, epochs, _, _ = case.args
    X_te, y_te = case.secret
    sizes = [params0[0]["w"].shape[0]] + [layer["w"].shape[1] for layer in params0]
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            "train_sgd must return a pair (params, losses).",
            "train_sgd doit renvoyer un couple (params, losses).",
        )
    params, losses = out
    bad = check_params(params, sizes)
    if bad is not None:
        return bad
    try:
        losses = np.asarray(losses, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return fail(
            "losses must be a list or 1-D array of numbers, one per epoch.",
            "losses doit être une liste ou un tableau 1-D de nombres, un par époque.",
        )
    if len(losses) != epochs:
        return fail(
            f"expected one training loss per epoch, {epochs} values; got {len(losses)}.",
            f"attendu une perte d'entraînement par époque, {epochs} valeurs ; reçu {len(losses)}.",
        )
    if not np.isfinite(losses).all():
        return fail(
            "some losses are NaN or infinite: the training diverged.",
            "certaines pertes sont NaN ou infinies : l'entraînement a divergé.",
        )
    cost = 0.5 * float(np.sum((trusted_forward(params, X) - Y) ** 2)) / len(X)
    if not losses[-1] < losses[0]:
        return fail(
            f"the training loss does not decrease: {losses[0]:.4g} after the first epoch, {losses[-1]:.4g} after the last. Check the sign of the update (θ − η g) and that every mini-batch updates the params.",
            f"la perte d'entraînement ne diminue pas : {losses[0]:.4g} après la première époque, {losses[-1]:.4g} après la dernière. Vérifiez le signe de la mise à jour (θ − η g) et que chaque mini-batch met à jour les paramètres.",
        )
    if abs(losses[-1] - cost) > 0.5 * cost + 1e-4:
        return fail(
            f"the last loss you report, {losses[-1]:.4g}, is not the quadratic cost C = 1/(2n) Σ ‖y − a‖² of your trained params on the training set, which the grader computes as {cost:.4g}. Report that cost (mean over the examples, with the 1/2).",
            f"la dernière perte renvoyée, {losses[-1]:.4g}, n'est pas le coût quadratique C = 1/(2n) Σ ‖y − a‖² de vos paramètres entraînés sur l'ensemble d'entraînement, que le correcteur calcule à {cost:.4g}. Renvoyez ce coût (moyenne sur les exemples, avec le 1/2).",
        )
    acc = float(np.mean(np.argmax(trusted_forward(params, X_te), axis=1) == y_te))
    if acc < ACCURACY_THRESHOLD:
        return fail(
            f"your trained network classifies {100 * acc:.1f} % of {len(y_te)} held-out digits correctly; at least {100 * ACCURACY_THRESHOLD:.0f} % is expected. Check that each mini-batch step uses the mean gradient (η/m Σ ∇C_x), that every mini-batch (the last, smaller one too) is used each epoch, and that you return the trained params.",
            f"votre réseau entraîné classe correctement {100 * acc:.1f} % de {len(y_te)} chiffres mis de côté ; au moins {100 * ACCURACY_THRESHOLD:.0f} % sont attendus. Vérifiez que chaque pas utilise le gradient moyen (η/m Σ ∇C_x), que chaque mini-batch (le dernier, plus petit, aussi) sert à chaque époque, et que vous renvoyez les paramètres entraînés.",
        )
    return ok(
        Text(
            f"{100 * acc:.1f} % of the held-out digits classified correctly.",
            f"{100 * acc:.1f} % des chiffres mis de côté bien classés.",
        )
    )
