"""ex14_cnn's judges: the student's CNN (``init_cnn``, ``cnn_apply``, trained by the grader)
and the residual block's identity argument.

The parameters must be float arrays within the budget and follow the key; the logits must have
the right shape and be finite; the trained network must classify the held-out digits, whose
labels stay with the grader (the case's ``secret``). The checks are in ex14_cnn.py.
"""

from __future__ import annotations

import numpy as np

from grader.course.common import plain
from grader.i18n import Text
from grader.judging import as_array, case_words, per_case, reveal
from grader.spec import fail, ok

MAX_PARAMS = 200_000
# The reference CNN (13,706 parameters) reaches 96–99 % on the held-out digits after
# 10 epochs (6 splits tried); a plain softmax regression reaches about 96 % (digits are
# easy): the bar checks that the grader's loop trains the network, not its architecture.
MIN_ACCURACY = 0.90


def _leaves(value) -> list[np.ndarray] | None:
    """The driver's list of parameter leaves as numeric arrays, or None when it is not one."""
    out = [as_array(v) for v in value] if isinstance(value, (list, tuple)) else [None]
    return None if any(a is None for a in out) else out


def _same(a, b) -> bool:
    """Whether two lists of leaves are equal, leaf by leaf (None: not readable)."""
    return a is not None and b is not None and len(a) == len(b) and all(map(np.array_equal, a, b))


def _over_budget(count: int):
    """A failing verdict when ``count`` parameters exceed the budget, else None."""
    if count <= MAX_PARAMS:
        return None
    return fail(
        f"your CNN has {count:,} parameters, over the budget of {MAX_PARAMS:,}. Pool before the "
        "dense head (each 2x2 max-pool divides the flattened size by 4) and keep the dense "
        "layers small.",
        f"votre CNN a {count:,} paramètres, au-delà du budget de {MAX_PARAMS:,}. Faites un "
        "pooling avant la tête dense (chaque max-pool 2x2 divise la taille aplatie par 4) et "
        "gardez des couches denses petites.",
    )


def _unreadable(out):
    """A failing verdict when the eval/train driver could not run the network, else None."""
    if isinstance(out, dict) and out.get("init_not_implemented"):
        return fail(
            "init_cnn() is not implemented yet: cnn_apply() is checked with the parameters that "
            "init_cnn() makes, so write init_cnn() first.",
            "init_cnn() n'est pas encore écrite (not implemented yet) : cnn_apply() est vérifiée "
            "avec les paramètres que crée init_cnn(), écrivez donc d'abord init_cnn().",
        )
    if not isinstance(out, dict):
        return fail(
            "the grader's driver returned nothing it can read: do not redefine the grader's "
            "functions.",
            "le pilote du correcteur n'a rien renvoyé de lisible : ne redéfinissez pas les "
            "fonctions du correcteur.",
        )
    return None


def _check_logits(logits, n: int, classes: int, what: tuple[str, str]):
    """None when ``logits`` are finite logits of shape (n, classes), else a failing verdict
    on the case ``what`` (English, French)."""
    en, fr = what
    a = as_array(logits)
    if a is None:
        return fail(
            f"{en}: cnn_apply must return an array of logits, got something else.",
            f"{fr} : cnn_apply doit renvoyer un tableau de logits, obtenu autre chose.",
        )
    if a.shape != (n, classes):
        shape = reveal(f" {(n, classes)}")
        return fail(
            f"{en}: expected logits of shape{shape} (batch, num_classes), got {a.shape}. Flatten "
            "each example with x.reshape(x.shape[0], -1), end with a dense layer to num_classes, "
            "and size the layers from input_shape and num_classes rather than fixed numbers.",
            f"{fr} : logits de forme{shape} (lot, num_classes) attendus, obtenu {a.shape}. "
            "Aplatissez chaque exemple avec x.reshape(x.shape[0], -1), terminez par une couche "
            "dense vers num_classes, et dimensionnez les couches d'après input_shape et "
            "num_classes plutôt qu'avec des nombres fixes.",
        )
    if not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        return fail(
            f"{en}: {bad} of {a.size} logits are NaN or infinite. Check the initial weights' "
            "scale (He: normal × sqrt(2 / fan_in)) and that no log or division is applied to 0.",
            f"{fr} : {bad} des {a.size} logits sont NaN ou infinis. Vérifiez l'échelle des "
            "poids initiaux (He : normale × sqrt(2 / fan_in)) et qu'aucun log ni division ne "
            "porte sur 0.",
        )
    rows = a.astype(np.float64)
    in_unit = np.all((rows >= 0) & (rows <= 1)) and np.allclose(rows.sum(axis=1), 1, atol=1e-4)
    if classes > 1 and n > 0 and in_unit:
        return fail(
            f"{en}: every row is in [0, 1] and sums to 1: these are probabilities. cnn_apply "
            "must return logits (the scores before softmax); the training loss applies the "
            "softmax itself.",
            f"{fr} : chaque ligne est dans [0, 1] et somme à 1 : ce sont des probabilités. "
            "cnn_apply doit renvoyer des logits (les scores avant le softmax) ; la perte "
            "d'entraînement applique elle-même le softmax.",
        )
    return None


# -- init_cnn -----------------------------------------------------------------------------------


def _init_leaves(out):
    """(the leaves of the parameters made with key a, None), or (None, a failing verdict)."""
    leaves = _leaves(out.get("a")) if isinstance(out, dict) else None
    if not leaves:
        return None, fail(
            "init_cnn must return the parameters as a pytree (dicts and lists) of arrays.",
            "init_cnn doit renvoyer les paramètres sous forme d'arbre (dicts et listes) de "
            "tableaux.",
        )
    i = next((i for i, a in enumerate(leaves) if a.dtype.kind != "f"), None)
    if i is not None:
        dtype = leaves[i].dtype
        return None, fail(
            f"parameter leaf {i} has dtype {dtype}: every leaf of the parameters must be a float "
            "array (Adam trains them all). Keep hyper-parameters such as strides out of params.",
            f"la feuille de paramètres {i} est de type {dtype} : chaque feuille des paramètres "
            "doit être un tableau de flottants (Adam les entraîne toutes). Gardez les "
            "hyper-paramètres comme les pas hors de params.",
        )
    if not all(np.isfinite(a).all() for a in leaves):
        return None, fail(
            "some initial parameters are NaN or infinite.",
            "certains paramètres initiaux sont NaN ou infinis.",
        )
    return leaves, None


@per_case
def judge_budget(case, out):
    leaves, bad = _init_leaves(out)
    return bad or _over_budget(sum(a.size for a in leaves)) or ok()


@per_case
def judge_keyed(case, out):
    a, bad = _init_leaves(out)
    if bad:
        return bad
    if not _same(a, _leaves(out.get("a_again"))):
        return fail(
            "init_cnn called twice with the same key returned different parameters: draw every "
            "random number from the key you are given (jax.random.split(key, n), one subkey per "
            "layer), never from np.random or global state.",
            "init_cnn appelée deux fois avec la même clé a renvoyé des paramètres différents : "
            "tirez chaque nombre aléatoire de la clé reçue (jax.random.split(key, n), une "
            "sous-clé par couche), jamais de np.random ni d'un état global.",
        )
    if _same(a, _leaves(out.get("b"))):
        return fail(
            "init_cnn returned the same parameters for two different keys: the weights must be "
            "random, drawn from the key (a fixed key, or zeros, leaves every filter identical "
            "and the network cannot break the symmetry).",
            "init_cnn a renvoyé les mêmes paramètres pour deux clés différentes : les poids "
            "doivent être aléatoires, tirés de la clé (une clé fixe, ou des zéros, rend tous "
            "les filtres identiques et le réseau ne peut pas briser la symétrie).",
        )
    return ok()


# -- cnn_apply ----------------------------------------------------------------------------------


@per_case
def judge_eval(case, out):
    en, fr = what = case_words(case)
    n, classes = len(plain(case.args[3])), int(case.args[2])
    bad = _unreadable(out) or _check_logits(out.get("logits"), n, classes, what)
    if bad:
        return bad
    first, second = as_array(out["logits"]), as_array(out.get("again"))
    if second is None or second.shape != first.shape or not np.allclose(second, first, 1e-5, 1e-6):
        return fail(
            f"{en}: cnn_apply(params, x) and cnn_apply(params, x, train=False) gave different "
            "logits. In evaluation mode (train=False, the default) the network must be "
            "deterministic and need no key: apply dropout only when train is True.",
            f"{fr} : cnn_apply(params, x) et cnn_apply(params, x, train=False) ont donné des "
            "logits différents. En mode évaluation (train=False, par défaut) le réseau doit "
            "être déterministe et se passer de clé : n'appliquez le dropout que si train vaut "
            "True.",
        )
    return ok()


def judge_train(cases, outputs):
    case, out = cases[0], outputs[0]
    y_test = np.asarray(case.secret)
    what = (
        "after training, on the held-out digits",
        "après l'entraînement, sur les chiffres réservés",
    )
    bad = (
        _unreadable(out)
        or _over_budget(sum(int(np.prod(s)) for s in out.get("leaves") or []))
        or _check_logits(out.get("logits"), len(y_test), int(case.args[4]), what)
    )
    if bad:
        return bad
    loss = as_array(out.get("loss"))
    if loss is None or not np.isfinite(loss).all():
        return fail(
            "the training loss became NaN or infinite: lower the initial weights' scale.",
            "la perte d'entraînement est devenue NaN ou infinie : réduisez l'échelle des poids "
            "initiaux.",
        )
    acc = float(np.mean(np.argmax(np.asarray(out["logits"]), axis=1) == y_test))
    if acc >= MIN_ACCURACY:
        return ok()
    curve = ", ".join(f"{v:.3f}" for v in loss)
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


# -- residual_block -----------------------------------------------------------------------------


@per_case
def judge_identity(case, out):
    """Seed 002: with w = 0 and b = 0 the block is relu(x + 0) = relu(x)."""
    x = np.asarray(plain(case.args[1]), np.float64)
    got = as_array(out)
    if got is None or got.shape != x.shape:
        shape = None if got is None else got.shape
        return fail(
            f"with zero weights the block must return an array of the input's shape {x.shape}, "
            f"got {shape}: both convolutions are 'SAME'-padded and conv2 brings M back to C.",
            f"avec des poids nuls le bloc doit renvoyer un tableau de la forme de l'entrée "
            f"{x.shape}, obtenu {shape} : les deux convolutions ont un padding 'SAME' et conv2 "
            "ramène M à C.",
        )
    got = got.astype(np.float64)
    if np.allclose(got, np.maximum(x, 0.0), rtol=1e-6, atol=1e-6):
        return ok()
    if np.allclose(got, x, atol=1e-6):
        why = Text(
            "you return x itself: the ReLU must come after the addition, relu(x + F(x)).",
            "vous renvoyez x lui-même : le ReLU doit venir après l'addition, relu(x + F(x)).",
        )
    else:
        why = Text(
            "with zero weights and biases F(x) = 0, so the block must return relu(x + 0).",
            "avec des poids et biais nuls F(x) = 0, donc le bloc doit renvoyer relu(x + 0).",
        )
    return fail(
        "seed 002's identity argument fails: with zero weights and biases the block must return "
        f"relu(x); {why.en}",
        "l'argument d'identité du document 002 échoue : avec des poids et biais nuls le bloc doit "
        f"renvoyer relu(x) ; {why.fr}",
    )
