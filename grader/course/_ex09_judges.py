"""Judges of ex09_sgd's checks (public and hidden), and the model of the reshuffle check.

``minibatches`` is judged as a shuffled partition of ``range(n)`` that depends on the key
only; ``train_sgd`` by the accuracy of the params it returns, evaluated with the grader's own
forward pass on held-out digits, and, in the reshuffle check, by which of the 36 outcomes of
two epochs its params are.
"""

from __future__ import annotations

import math

import numpy as np

from grader.course.ex07_mlp import forward64
from grader.course.ex08_backprop import true_grads
from grader.i18n import Text
from grader.judging import per_case, reveal
from grader.spec import Verdict, fail, ok

ACCURACY_THRESHOLD = 0.90  # the reference reaches about 98 % (see the report of issue 5)

# Batch order made observable: 3 examples in mini-batches of 2, 2 epochs, a large η. Each
# epoch is one of 6 orders (which example is alone, its batch first or last), so the trained
# params are one of 36 that the grader computes. A fresh permutation puts the same example
# alone in both epochs with probability 1/3 (1/6 if the batch order is shuffled too): that all
# ORDER_KEYS keys do so happens to a correct train_sgd with probability 3^-16 = 2e-8, and
# always when one permutation serves every epoch.
ORDER_KEYS = 16
ORDER_ETA = 8.0
ORDER_SEPARATION = 0.03  # least max-abs distance between two of the 36 trained params
ORDER_ATOL = 1e-3  # float32 rounding moves them by about 1e-6
# Every epoch on 3 examples in batches of 2: (the example alone, [batch, batch]).
EPOCH_ORDERS = [
    (alone, batches)
    for alone, pair in ((a, [i for i in range(3) if i != a]) for a in range(3))
    for batches in ([pair, [alone]], [[alone], pair])
]


def _flat(params) -> np.ndarray:
    return np.concatenate([np.ravel(layer[k]) for layer in params for k in "wb"], dtype=float)


def two_epoch_params(params, X, Y, eta):
    """``{(alone in epoch 1, alone in epoch 2): [flat trained params, ...]}`` for all 36 orders."""

    def run(p, batches):
        for b in batches:
            grads = true_grads(p, X[b], Y[b])
            p = [
                {"w": layer["w"] - eta * gw, "b": layer["b"] - eta * gb}
                for layer, (gw, gb) in zip(p, grads, strict=True)
            ]
        return p

    p0 = [{k: np.asarray(v, np.float64) for k, v in layer.items()} for layer in params]
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    out: dict[tuple[int, int], list[np.ndarray]] = {}
    for a1, b1 in EPOCH_ORDERS:
        p1 = run(p0, b1)
        for a2, b2 in EPOCH_ORDERS:
            out.setdefault((a1, a2), []).append(_flat(run(p1, b2)))
    return out


def batches_of(out, n: int, bs: int):
    """The batches as 1-D integer arrays if they cut a permutation of range(n) into batches of
    ``bs``; else a failing Verdict."""
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
    k = math.ceil(n / bs)
    if len(batches) != k:
        en = f"expected ceil(n / batch_size){reveal(f' = {k}')} batches for n = {n} and batch_size = {bs}, got {len(batches)}."
        fr = f"attendu ceil(n / batch_size){reveal(f' = {k}')} lots pour n = {n} et batch_size = {bs}, reçu {len(batches)}."
        if len(batches) == n // bs and n % bs:
            en += " The last, smaller batch is missing: keep it (it has n mod batch_size examples)."
            fr += (
                " Le dernier lot, plus petit, manque : gardez-le (il a n mod batch_size exemples)."
            )
        return fail(en, fr)
    sizes, want = [len(b) for b in batches], [bs] * (k - 1) + [n - bs * (k - 1)]
    if sizes != want and sorted(sizes) == sorted(want) and _consecutive(batches):
        return fail(
            "only the order of the batches is shuffled: every batch still holds consecutive examples, and the smaller one is not last. Shuffle all of range(n), then cut.",
            "seul l'ordre des lots est mélangé : chaque lot contient encore des exemples consécutifs, et le plus petit n'est pas le dernier. Mélangez tout range(n), puis découpez.",
        )
    if sizes != want and sorted(sizes) == sorted(want):
        return fail(
            f"the batch sizes are {sizes}: the smaller batch must come last. Shuffle the indices, then cut them in order.",
            f"les tailles des lots sont {sizes} : le lot le plus petit doit venir en dernier. Mélangez les indices, puis découpez-les dans l'ordre.",
        )
    if sizes != want:
        return fail(
            f"the batch sizes are {sizes}{reveal(f'; expected {want}')}: every batch has batch_size indices except the last, which has the rest.",
            f"les tailles des lots sont {sizes}{reveal(f' ; attendu {want}')} : chaque lot a batch_size indices sauf le dernier, qui a le reste.",
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
    return batches


def _consecutive(batches) -> bool:
    return all(np.array_equal(b, np.arange(b[0], b[0] + len(b))) for b in batches if len(b))


@per_case
def judge_partition(case, out):
    batches = batches_of(out, *case.args[1:])
    return batches if isinstance(batches, Verdict) else ok()


def _shuffle_problem(batches, bs: int):
    """A Verdict if the batches are not really shuffled, else None."""
    if np.array_equal(np.concatenate(batches), np.arange(sum(map(len, batches)))):
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
    if _consecutive(batches):
        return fail(
            "only the order of the batches is shuffled: every batch still holds consecutive examples. Shuffle all of range(n), then cut.",
            "seul l'ordre des lots est mélangé : chaque lot contient encore des exemples consécutifs. Mélangez tout range(n), puis découpez.",
        )
    return None


def judge_shuffled_and_keyed(cases, outputs):
    """Cases: two keys, same n and batch_size; outputs from the ``call_twice`` driver."""
    orders = []
    for c, out in zip(cases, outputs, strict=True):
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "minibatches returned nothing usable.", "minibatches n'a rien renvoyé d'utilisable."
            )
        first, second = (batches_of(o, *c.args[1:]) for o in out)
        for b in (first, second):
            if isinstance(b, Verdict):
                return b
        if not all(np.array_equal(x, y) for x, y in zip(first, second, strict=True)):
            return fail(
                "called twice with the same key, minibatches gave different batches: draw all randomness from the key (jax.random), never from np.random or random, which keep a hidden global state.",
                "appelée deux fois avec la même clé, minibatches a donné des lots différents : tirez tout le hasard de la clé (jax.random), jamais de np.random ou random, qui ont un état global caché.",
            )
        if (bad := _shuffle_problem(first, c.args[2])) is not None:
            return bad
        orders.append(np.concatenate(first))
    if np.array_equal(orders[0], orders[1]):
        return fail(
            "two different keys gave the same order: the permutation must be drawn with the key you are given.",
            "deux clés différentes ont donné le même ordre : la permutation doit être tirée avec la clé reçue.",
        )
    return ok()


def numbers(values):
    """``values`` as a flat float64 array, or None if they are not numbers."""
    try:
        return np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None


NOT_A_PAIR = fail(
    "train_sgd must return a pair (params, losses).",
    "train_sgd doit renvoyer un couple (params, losses).",
)


def trained_params(out, params0):
    """A failing Verdict unless ``out`` is a pair whose params are a list of {"w", "b"} dicts
    with finite values of ``params0``'s shapes."""
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return NOT_A_PAIR
    params = out[0]
    if not isinstance(params, (list, tuple)) or len(params) != len(params0):
        return fail(
            f"the trained params must be a list of {len(params0)} dicts {{'w', 'b'}}, like the params received.",
            f"les paramètres entraînés doivent être une liste de {len(params0)} dicts {{'w', 'b'}}, comme ceux reçus.",
        )
    for i, (layer, (a, b)) in enumerate(
        zip(params, (np.shape(p["w"]) for p in params0), strict=True)
    ):
        if not isinstance(layer, dict) or set(layer) != {"w", "b"}:
            return fail(
                f"layer {i} of the trained params must be a dict with keys 'w' and 'b'.",
                f"la couche {i} des paramètres entraînés doit être un dict de clés 'w' et 'b'.",
            )
        w, bb = (None if isinstance(layer[k], dict) else np.asarray(layer[k]) for k in ("w", "b"))
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
    (case,), (out,) = cases, outputs
    _, params0, X, Y, epochs, _, _ = case.args
    if (bad := trained_params(out, params0)) is not None:
        return bad
    params, losses = out[0], numbers(out[1])
    if losses is None:
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
    cost = 0.5 * float(np.sum((forward64(params, X) - Y) ** 2)) / len(X)
    if not losses[-1] < losses[0]:
        return fail(
            f"the training loss does not decrease: {losses[0]:.4g} after the first epoch, {losses[-1]:.4g} after the last. Check the sign of the update (θ − η g) and that every mini-batch updates the params.",
            f"la perte d'entraînement ne diminue pas : {losses[0]:.4g} après la première époque, {losses[-1]:.4g} après la dernière. Vérifiez le signe de la mise à jour (θ − η g) et que chaque mini-batch met à jour les paramètres.",
        )
    if abs(losses[-1] - cost) > 0.5 * cost + 1e-4:
        return fail(
            f"the last loss you report, {losses[-1]:.4g}, is not the quadratic cost C = 1/(2n) Σ ‖y − a‖² of your trained params on the training set{reveal(f', which the grader computes as {cost:.4g}')}. Report that cost (mean over the examples, with the 1/2).",
            f"la dernière perte renvoyée, {losses[-1]:.4g}, n'est pas le coût quadratique C = 1/(2n) Σ ‖y − a‖² de vos paramètres entraînés sur l'ensemble d'entraînement{reveal(f', que le correcteur calcule à {cost:.4g}')}. Renvoyez ce coût (moyenne sur les exemples, avec le 1/2).",
        )
    X_te, y_te = case.secret
    acc = float(np.mean(np.argmax(forward64(params, X_te), axis=1) == y_te))
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


def judge_batch_order(cases, outputs):
    """Each key's trained params must be one of the 36 two-epoch orders; not all repeat epoch 1."""
    _, params0, X, Y, _, _, eta = cases[0].args
    truth = two_epoch_params(params0, X, Y, eta)
    repeats = 0
    for out in outputs:
        if (bad := trained_params(out, params0)) is not None:
            return bad
        got = _flat(out[0])
        found = [
            pair
            for pair, vs in truth.items()
            if any(np.abs(got - v).max() <= ORDER_ATOL for v in vs)
        ]
        if not found:
            return fail(
                "on 3 examples in mini-batches of 2, your trained params after 2 epochs are not those of any order that visits every example once per epoch. Each epoch must take one step per mini-batch, the last, smaller one included, on the mini-batch's mean gradient.",
                "sur 3 exemples en mini-batchs de 2, vos paramètres entraînés après 2 époques ne sont ceux d'aucun ordre qui voit chaque exemple une fois par époque. Chaque époque doit faire un pas par mini-batch, le dernier, plus petit, compris, sur le gradient moyen du mini-batch.",
            )
        repeats += found[0][0] == found[0][1]
    if repeats == len(outputs):
        return fail(
            f"with {len(outputs)} different keys, your second epoch always repeats the mini-batches of the first: draw a new permutation at every epoch (split the key, or jax.random.fold_in(key, epoch)).",
            f"avec {len(outputs)} clés différentes, votre deuxième époque répète toujours les mini-batchs de la première : tirez une nouvelle permutation à chaque époque (divisez la clé, ou jax.random.fold_in(key, epoch)).",
        )
    return ok()
