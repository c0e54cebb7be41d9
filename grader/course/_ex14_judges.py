"""ex14_cnn's judges of the student's CNN (``init_cnn`` and ``cnn_apply``, trained by the grader).

The parameters must be float arrays within the budget and follow the key; the logits must have
the right shape and be finite; the trained network must classify the held-out digits, whose
labels stay with the grader (the case's ``secret``). The checks are in ex14_cnn.py.
"""

from __future__ import annotations

import numpy as np

from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import fail, ok

MAX_PARAMS = 200_000
# The reference CNN (13,706 parameters) reaches 96–99 % on the held-out digits after
# 10 epochs (6 splits tried); a plain softmax regression reaches about 96 % (digits are
# easy): the bar checks that the grader's loop trains the network, not its architecture.
MIN_ACCURACY = 0.90


# -- helpers ------------------------------------------------------------------------------------


def _array(value) -> np.ndarray | None:
    """``value`` as a numeric numpy array, or None when it is not one."""
    try:
        a = np.asarray(value)
    except Exception:
        return None
    return a if a.dtype.kind in "biuf" else None


def _leaves(value) -> list[np.ndarray] | None:
    if not isinstance(value, (list, tuple)):
        return None
    out = [_array(v) for v in value]
    return None if any(a is None for a in out) else out


def _shape(x) -> tuple:
    """The shape of a case's input, also when it travels as a Ref (``as_jax``)."""
    return np.shape(x.args[0]) if isinstance(x, Ref) else np.shape(x)


INIT_NOT_IMPLEMENTED = (
    "init_cnn() is not implemented yet: cnn_apply() is checked with the parameters that "
    "init_cnn() makes, so write init_cnn() first.",
    "init_cnn() n'est pas encore écrite (not implemented yet) : cnn_apply() est vérifiée avec "
    "les paramètres que crée init_cnn(), écrivez donc d'abord init_cnn().",
)


UNREADABLE = (
    "the grader's driver returned nothing it can read: do not redefine the grader's functions.",
    "le pilote du correcteur n'a rien renvoyé de lisible : ne redéfinissez pas les fonctions du "
    "correcteur.",
)


def _init_missing(out) -> bool:
    return isinstance(out, dict) and bool(out.get("init_not_implemented"))


def _count(leaves) -> int:
    return int(sum(a.size for a in leaves))


def _budget_message(count: int) -> Text:
    return Text(
        f"your CNN has {count:,} parameters, over the budget of {MAX_PARAMS:,}. Pool before the "
        "dense head (each 2x2 max-pool divides the flattened size by 4) and keep the dense "
        "layers small.",
        f"votre CNN a {count:,} paramètres, au-delà du budget de {MAX_PARAMS:,}. Faites un "
        "pooling avant la tête dense (chaque max-pool 2x2 divise la taille aplatie par 4) et "
        "gardez des couches denses petites.",
    )


def _check_logits(logits, n: int, classes: int, what: Text, hidden: bool = False):
    """None when ``logits`` are finite logits of shape (n, classes), else a failing Verdict."""
    a = _array(logits)
    if a is None:
        return fail(
            f"{what.en}: cnn_apply must return an array of logits, got something else.",
            f"{what.fr} : cnn_apply doit renvoyer un tableau de logits, obtenu autre chose.",
        )
    if a.shape != (n, classes):
        return fail(
            f"{what.en}: expected logits of shape {(n, classes)} (batch, num_classes), got "
            f"{a.shape}. Flatten each example with x.reshape(x.shape[0], -1), end with a dense "
            "layer to num_classes, and size the layers from input_shape and num_classes rather "
            "than fixed numbers.",
            f"{what.fr} : logits de forme {(n, classes)} (lot, num_classes) attendus, obtenu "
            f"{a.shape}. Aplatissez chaque exemple avec x.reshape(x.shape[0], -1), terminez par "
            "une couche dense vers num_classes, et dimensionnez les couches d'après input_shape "
            "et num_classes plutôt qu'avec des nombres fixes.",
        )
    if not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        return fail(
            f"{what.en}: {bad} of {a.size} logits are NaN or infinite. Check the initial weights' "
            "scale (He: normal × sqrt(2 / fan_in)) and that no log or division is applied to 0.",
            f"{what.fr} : {bad} des {a.size} logits sont NaN ou infinis. Vérifiez l'échelle des "
            "poids initiaux (He : normale × sqrt(2 / fan_in)) et qu'aucun log ni division ne "
            "porte sur 0.",
        )
    if classes > 1 and n > 0:
        rows = a.astype(np.float64)
        if rows.min() >= 0 and rows.max() <= 1 and np.allclose(rows.sum(axis=1), 1.0, atol=1e-4):
            return fail(
                f"{what.en}: every row is in [0, 1] and sums to 1: these are probabilities. "
                "cnn_apply must return logits (the scores before softmax); the training loss "
                "applies the softmax itself.",
                f"{what.fr} : chaque ligne est dans [0, 1] et somme à 1 : ce sont des "
                "probabilités. cnn_apply doit renvoyer des logits (les scores avant le softmax) ; "
                "la perte d'entraînement applique elle-même le softmax.",
            )
    return None


# -- init_cnn -----------------------------------------------------------------------------------


def _init_leaves(case, out, name="a"):
    """(leaves, None) or (None, failing Verdict) for one ex14_init output."""
    leaves = _leaves(out.get(name)) if isinstance(out, dict) else None
    if not leaves:
        return None, fail(
            "init_cnn must return the parameters as a pytree (dicts and lists) of arrays.",
            "init_cnn doit renvoyer les paramètres sous forme d'arbre (dicts et listes) de "
            "tableaux.",
        )
    not_float = [i for i, a in enumerate(leaves) if a.dtype.kind != "f"]
    if not_float:
        a = leaves[not_float[0]]
        return None, fail(
            f"parameter leaf {not_float[0]} has dtype {a.dtype}: every leaf of the parameters "
            "must be a float array (Adam trains them all). Keep hyper-parameters such as "
            "strides out of params.",
            f"la feuille de paramètres {not_float[0]} est de type {a.dtype} : chaque feuille "
            "des paramètres doit être un tableau de flottants (Adam les entraîne toutes). "
            "Gardez les hyper-paramètres comme les pas hors de params.",
        )
    if not all(np.isfinite(a).all() for a in leaves):
        return None, fail(
            "some initial parameters are NaN or infinite.",
            "certains paramètres initiaux sont NaN ou infinis.",
        )
    return leaves, None


def judge_budget(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        leaves, bad = _init_leaves(case, out)
        if bad:
            return bad
        count = _count(leaves)
        if count > MAX_PARAMS:
            b = _budget_message(count)
            return fail(b.en, b.fr)
    return ok()


def judge_keyed(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        a, bad = _init_leaves(case, out, "a")
        if bad:
            return bad
        again, b = _leaves(out.get("a_again")), _leaves(out.get("b"))
        same = (
            again is not None
            and len(again) == len(a)
            and all(
                u.shape == v.shape and np.array_equal(u, v) for u, v in zip(a, again, strict=True)
            )
        )
        if not same:
            return fail(
                "init_cnn called twice with the same key returned different parameters: draw "
                "every random number from the key you are given (jax.random.split(key, n), one "
                "subkey per layer), never from np.random or global state.",
                "init_cnn appelée deux fois avec la même clé a renvoyé des paramètres "
                "différents : tirez chaque nombre aléatoire de la clé reçue "
                "(jax.random.split(key, n), une sous-clé par couche), jamais de np.random ni "
                "d'un état global.",
            )
        differs = (
            b is None
            or len(b) != len(a)
            or any(
                u.shape != v.shape or not np.array_equal(u, v) for u, v in zip(a, b, strict=True)
            )
        )
        if not differs:
            return fail(
                "init_cnn returned the same parameters for two different keys: the weights must "
                "be random, drawn from the key (a fixed key, or zeros, leaves every filter "
                "identical and the network cannot break the symmetry).",
                "init_cnn a renvoyé les mêmes paramètres pour deux clés différentes : les poids "
                "doivent être aléatoires, tirés de la clé (une clé fixe, ou des zéros, rend "
                "tous les filtres identiques et le réseau ne peut pas briser la symétrie).",
            )
    return ok()


# -- cnn_apply ----------------------------------------------------------------------------------


def judge_eval(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        what = case.label if isinstance(case.label, Text) else Text(str(case.label))
        n, classes = _shape(case.args[3])[0], int(case.args[2])
        if _init_missing(out):
            return fail(*INIT_NOT_IMPLEMENTED)
        if not isinstance(out, dict):
            return fail(*UNREADABLE)
        bad = _check_logits(out.get("logits"), n, classes, what)
        if bad:
            return bad
        first, second = _array(out.get("logits")), _array(out.get("again"))
        if (
            second is None
            or second.shape != first.shape
            or not np.allclose(second, first, rtol=1e-5, atol=1e-6)
        ):
            return fail(
                f"{what.en}: cnn_apply(params, x) and cnn_apply(params, x, train=False) gave "
                "different logits. In evaluation mode (train=False, the default) the network "
                "must be deterministic and need no key: apply dropout only when train is True.",
                f"{what.fr} : cnn_apply(params, x) et cnn_apply(params, x, train=False) ont donné "
                "des logits différents. En mode évaluation (train=False, par défaut) le réseau "
                "doit être déterministe et se passer de clé : n'appliquez le dropout que si "
                "train vaut True.",
            )
    return ok()


def judge_train(cases, outputs):
    case, out = cases[0], outputs[0]
    if _init_missing(out):
        return fail(*INIT_NOT_IMPLEMENTED)
    if not isinstance(out, dict):
        return fail(*UNREADABLE)
    shapes = out.get("leaves") or []
    count = int(sum(int(np.prod(s)) for s in shapes))
    if count > MAX_PARAMS:
        b = _budget_message(count)
        return fail(b.en, b.fr)
    y_test = np.asarray(case.secret)
    bad = _check_logits(
        out.get("logits"),
        len(y_test),
        int(case.args[4]),
        Text(
            "after training, on the held-out digits",
            "après l'entraînement, sur les chiffres réservés",
        ),
    )
    if bad:
        return bad
    loss = _array(out.get("loss"))
    if loss is None or not np.isfinite(loss).all():
        return fail(
            "the training loss became NaN or infinite: lower the initial weights' scale.",
            "la perte d'entraînement est devenue NaN ou infinie : réduisez l'échelle des poids "
            "initiaux.",
        )
    acc = float(np.mean(np.argmax(np.asarray(out["logits"]), axis=1) == y_test))
    curve = ", ".join(f"{v:.3f}" for v in loss)
    if acc < MIN_ACCURACY:
        return fail(
            f"after training, your CNN classifies {100 * acc:.1f} % of the held-out digits "
            f"correctly; at least {100 * MIN_ACCURACY:.0f} % is required. Training loss per "
            f"epoch: {curve}. If the loss barely falls: check the weights' initial scale "
            "(He: normal × sqrt(2 / fan_in)), that the logits come from a last dense layer "
            "without ReLU, and that the training path (train=True) is the same network.",
            f"après l'entraînement, votre CNN classe correctement {100 * acc:.1f} % des "
            f"chiffres réservés ; il en faut au moins {100 * MIN_ACCURACY:.0f} %. Perte "
            f"d'entraînement par époque : {curve}. Si la perte baisse à peine : vérifiez "
            "l'échelle des poids initiaux (He : normale × sqrt(2 / fan_in)), que les logits "
            "sortent d'une dernière couche dense sans ReLU, et que le chemin d'entraînement "
            "(train=True) est bien le même réseau.",
        )
    return ok()
