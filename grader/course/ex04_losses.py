"""Checks for ex04_losses (public): cost functions, compared with the reference.

Every loss is a scalar compared with the float64 reference. Tolerances are the defaults
(float32 results judged with float32 tolerances) except where probabilities are clipped at
``1 − eps``: in float32, ``1 − 1e-7`` rounds to ``1 − 1.19e-7``, so a correct float32 answer
differs from the float64 one by about 1 % on each element clipped there; those checks allow
``rtol = 1e-2`` for float32 results, still far tighter than any mistake they catch (a missing
clip gives inf/nan, a wrong ``eps`` changes ``−log(eps)`` by a factor).
"""

from __future__ import annotations

import numpy as np

from grader.compare import Tolerance
from grader.course.common import as_jax, case
from grader.i18n import Text
from grader.spec import Exercise, compare

F32, F64 = np.float32, np.float64

# A float32 answer on inputs that hit the clip at 1 − eps (see the module docstring).
CLIPPED = Tolerance(float32=(1e-2, 1e-6))


def one_hot(labels, k: int, dtype=F32) -> np.ndarray:
    return np.eye(k, dtype=dtype)[np.asarray(labels)]


def softmax_rows(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def pair(rng, shape, dtype=F64):
    """Two normal arrays of ``shape`` in ``dtype``, or jax float32 arrays for ``dtype="jax"``."""
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    if dtype == "jax":
        return as_jax(a, "float32"), as_jax(b, "float32")
    return a.astype(dtype), b.astype(dtype)


def pairs(*rows):
    """A case generator: per row ``(shape, dtype, en, fr)``, the two arrays of :func:`pair`."""
    return lambda rng: [case(en, fr, *pair(rng, shape, dtype)) for shape, dtype, en, fr in rows]


def dense(rng, n_in: int, n_out: int) -> dict:
    return {
        "w": rng.normal(size=(n_in, n_out)).astype(F32),
        "b": (2.0 + rng.normal(size=n_out)).astype(F32),
    }


def quadratic_cases(rng):
    a, y = rng.uniform(0.0, 1.0, size=(6, 4)).astype(F32), one_hot(rng.integers(0, 4, size=6), 4)
    a1 = rng.uniform(0.0, 1.0, size=(1, 10)).astype(F32)
    return [
        case(
            "6 examples, 4 sigmoid outputs, one-hot targets",
            "6 exemples, 4 sorties sigmoïdes, cibles one-hot",
            a,
            y,
        ),
        case(
            "one example (n = 1), 10 outputs",
            "un seul exemple (n = 1), 10 sorties",
            a1,
            one_hot([3], 10),
        ),
        case("real-valued targets, float64", "cibles réelles, float64", *pair(rng, (5, 3))),
    ]


mse_cases = pairs(
    ((6, 4), F32, "6 examples with 4 outputs", "6 exemples à 4 sorties"),
    (8, F64, "8 scalar predictions, shape (8,)", "8 prédictions scalaires, forme (8,)"),
)
l1_cases = pairs(
    ((6, 4), F32, "6 examples with 4 outputs", "6 exemples à 4 sorties"),
    ((3, 7), F64, "3 examples with 7 outputs, float64", "3 exemples à 7 sorties, float64"),
)


def probabilities(rng, shape):
    """Probabilities in (0.05, 0.95) and 0/1 targets, float32."""
    p = rng.uniform(0.05, 0.95, size=shape).astype(F32)
    return p, rng.integers(0, 2, size=shape).astype(F32)


def bce_cases(rng):
    return [
        case("10 probabilities in (0, 1)", "10 probabilités dans (0, 1)", *probabilities(rng, 10)),
        case(
            "p of shape (4, 3): the mean runs over all 12 elements",
            "p de forme (4, 3) : la moyenne porte sur les 12 éléments",
            *probabilities(rng, (4, 3)),
        ),
    ]


def edge_cases(en, fr, p, y, eps: str):
    """The case ``(p, y)``, then the same inputs in float64 with ``eps`` (written as labelled)."""
    again_en, again_fr = f"the same with eps = {eps}", f"la même chose avec eps = {eps}"
    return [
        case(en, fr, p, y),
        case(again_en, again_fr, p.astype(F64), y.astype(F64), eps=float(eps)),
    ]


def bce_edge_cases(rng):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 0.3], F32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], F32)
    en = "p exactly 0 and 1, right and wrong (default eps = 1e-7)"
    return edge_cases(
        en, "p exactement 0 et 1, juste et faux (eps = 1e-7 par défaut)", p, y, "1e-3"
    )


def logits_cases(rng):
    z, y = (3.0 * rng.normal(size=12)).astype(F32), rng.integers(0, 2, size=12).astype(F32)
    z2, y2 = rng.normal(size=(3, 4)), rng.integers(0, 2, size=(3, 4)).astype(F64)
    return [
        case("12 moderate logits", "12 logits modérés", z, y),
        case("logits of shape (3, 4), float64", "logits de forme (3, 4), float64", z2, y2),
    ]


def huge_logits_cases(rng):
    z = np.array([1e4, -1e4, 1e4, -1e4, 100.0, -100.0, 30.0, 0.5, 0.0], F32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0], F32)
    en = "logits up to |z| = 1e4, on the right and on the wrong side"
    return [case(en, "logits jusqu'à |z| = 1e4, du bon et du mauvais côté", z, y)]


def cce_cases(rng):
    p, y = softmax_rows(rng.normal(size=(6, 5))).astype(F32), one_hot(rng.integers(0, 5, size=6), 5)
    p2, y2 = softmax_rows(2.0 * rng.normal(size=(4, 3))), one_hot([0, 2, 1, 2], 3, F64)
    return [
        case("6 examples, 5 classes", "6 exemples, 5 classes", p, y),
        case("4 examples, 3 classes, float64", "4 exemples, 3 classes, float64", p2, y2),
    ]


def cce_edge_cases(rng):
    p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]], F32)
    en = "probabilities exactly 0 and 1, one of them 0 on the true class"
    fr = "probabilités exactement 0 et 1, dont 0 sur la vraie classe"
    return edge_cases(en, fr, p, one_hot([0, 0, 2, 2], 3), "1e-2")


def softmax_ce_cases(rng):
    z = (2.0 * rng.normal(size=(6, 5))).astype(F32)
    return [
        case("6 examples, 5 classes", "6 exemples, 5 classes", z, rng.integers(0, 5, size=6)),
        case(
            "one example, 3 classes, float64",
            "un exemple, 3 classes, float64",
            rng.normal(size=(1, 3)),
            np.array([2]),
        ),
    ]


def softmax_ce_huge_cases(rng):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [3.0, 2.0, 1.0], [1e4, 1e4, -1e4]], F32)
    return [
        case(
            "logits up to |z| = 1e4 (class 2 never appears among the labels)",
            "logits jusqu'à |z| = 1e4 (la classe 2 n'apparaît dans aucune étiquette)",
            z,
            np.array([1, 1, 0, 0]),
        )
    ]


def l2_mlp_cases(rng):
    mlp, layer = [dense(rng, 4, 3), dense(rng, 3, 2)], dense(rng, 5, 1)
    return [
        case(
            "an MLP: a list of two {'w', 'b'} layers, λ = 0.1, m = 50",
            "un MLP : une liste de deux couches {'w', 'b'}, λ = 0.1, m = 50",
            mlp,
            0.1,
            50,
        ),
        case(
            "one {'w', 'b'} dict, λ = 2, m = 10",
            "un seul dict {'w', 'b'}, λ = 2, m = 10",
            layer,
            2.0,
            10,
        ),
    ]


def l2_nested_cases(rng):
    norm = {"gamma": (1.0 + rng.uniform(size=2)).astype(F32)}
    params = {
        "encoder": [dense(rng, 3, 3), {**dense(rng, 3, 2), **norm}],
        "head": {"dense": dense(rng, 2, 1), "gamma": np.float32([1.5])},
        "scale": np.float32([3.0]),
    }
    return [
        case(
            "nested dicts and lists with 'w', 'b' and 'gamma' entries, a 'w' at depth 3",
            "dicts et listes imbriqués avec des entrées 'w', 'b' et 'gamma', un 'w' à la profondeur 3",
            params,
            0.3,
            7,
        )
    ]


QUADRATIC_HINT = Text(
    "C = 1/(2n) Σ ‖y − a‖²: sum the squares over the k outputs and the n examples, then divide by 2n (n = number of rows, not n·k; and keep the 1/2).",
    "C = 1/(2n) Σ ‖y − a‖² : sommez les carrés sur les k sorties et les n exemples, puis divisez par 2n (n = nombre de lignes, pas n·k ; et gardez le 1/2).",
)
MSE_HINT = Text(
    "The MSE is the mean over all n·k elements, with no 1/2: np.mean((y_pred - y)**2).",
    "La MSE est la moyenne sur les n·k éléments, sans 1/2 : np.mean((y_pred - y)**2).",
)
L1_HINT = Text(
    "Sum |y − ŷ| over the features of each example (the L1 norm), then average over the examples: divide by n, not by n·k.",
    "Sommez |y − ŷ| sur les composantes de chaque exemple (la norme L1), puis faites la moyenne sur les exemples : divisez par n, pas par n·k.",
)
BCE_HINT = Text(
    "The mean over every element of −[y log p + (1 − y) log(1 − p)]; mind the minus sign.",
    "La moyenne sur tous les éléments de −[y log p + (1 − y) log(1 − p)] ; attention au signe moins.",
)
BCE_CLIP_HINT = Text(
    "Clip first, with the eps you are given: p = np.clip(p, eps, 1 - eps); then log(0) never happens and 0·log(0) never gives nan.",
    "Écrêtez d'abord, avec l'eps reçu : p = np.clip(p, eps, 1 - eps) ; ainsi log(0) n'arrive jamais et 0·log(0) ne donne jamais nan.",
)
LOGITS_HINT = Text(
    "Per element: max(z, 0) − z·y + log(1 + e^{−|z|}); then the mean over all elements.",
    "Par élément : max(z, 0) − z·y + log(1 + e^{−|z|}) ; puis la moyenne sur tous les éléments.",
)
HUGE_LOGITS_HINT = Text(
    "Never compute σ(z) and then its log (log(0) = −inf, exp overflows), and do not clip: a logit of 1e4 on the wrong side costs 1e4. Use max(z, 0) − z·y + log1p(exp(−|z|)).",
    "Ne calculez jamais σ(z) puis son log (log(0) = −inf, exp déborde), et n'écrêtez pas : un logit de 1e4 du mauvais côté coûte 1e4. Utilisez max(z, 0) − z·y + log1p(exp(−|z|)).",
)
CCE_HINT = Text(
    "Sum −y·log(p) over the classes, then average over the n examples (divide by n, not n·k).",
    "Sommez −y·log(p) sur les classes, puis moyennez sur les n exemples (divisez par n, pas n·k).",
)
CCE_CLIP_HINT = Text(
    "Clip p to [eps, 1 − eps] with the eps you are given before the log: 0·log(0) is nan.",
    "Écrêtez p dans [eps, 1 − eps] avec l'eps reçu avant le log : 0·log(0) vaut nan.",
)
SOFTMAX_CE_HINT = Text(
    "The labels are class ids, not one-hot rows: the loss of row i is −log_softmax(z_i)[labels[i]]; average over the rows.",
    "Les étiquettes sont des numéros de classe, pas des lignes one-hot : la perte de la ligne i est −log_softmax(z_i)[labels[i]] ; moyennez sur les lignes.",
)
SOFTMAX_CE_HUGE_HINT = Text(
    "log(softmax(z)) is not stable: a probability that underflows to 0 gives −inf. Use z − max(z) − log Σ exp(z − max(z)), and take the number of classes from logits.shape[-1], not from the labels.",
    "log(softmax(z)) n'est pas stable : une probabilité qui tombe à 0 donne −inf. Utilisez z − max(z) − log Σ exp(z − max(z)), et prenez le nombre de classes dans logits.shape[-1], pas dans les étiquettes.",
)
L2_HINT = Text(
    "λ/(2m) Σ w²: only the entries named 'w' (the biases are not penalised), and the factor is λ/(2m), not λ/m.",
    "λ/(2m) Σ w² : seulement les entrées nommées 'w' (les biais ne sont pas pénalisés), et le facteur est λ/(2m), pas λ/m.",
)
L2_NESTED_HINT = Text(
    "Walk the whole pytree recursively: call your helper on every value of a dict and every item of a list, and add Σ w² only for the key 'w' ('b', 'gamma'… are not weights).",
    "Parcourez tout le pytree récursivement : appelez votre fonction auxiliaire sur chaque valeur d'un dict et chaque élément d'une liste, et n'ajoutez Σ w² que pour la clé 'w' ('b', 'gamma'… ne sont pas des poids).",
)

BCE, LOGITS, CCE, SOFTMAX_CE = (
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "softmax_cross_entropy",
)
EXERCISE = Exercise(
    id="ex04_losses",
    title=Text("Cost functions", "Fonctions de coût"),
    checks=[
        compare("quadratic_cost", "batch", quadratic_cases, hint=QUADRATIC_HINT),
        compare("mse", "all_elements", mse_cases, hint=MSE_HINT),
        compare("l1_loss", "batch", l1_cases, hint=L1_HINT),
        compare(BCE, "probabilities", bce_cases, hint=BCE_HINT),
        compare(BCE, "p_exactly_0_and_1", bce_edge_cases, tol=CLIPPED, hint=BCE_CLIP_HINT),
        compare(LOGITS, "moderate_logits", logits_cases, hint=LOGITS_HINT),
        compare(LOGITS, "huge_logits", huge_logits_cases, hint=HUGE_LOGITS_HINT),
        compare(CCE, "batch", cce_cases, hint=CCE_HINT),
        compare(CCE, "zeros_and_ones", cce_edge_cases, tol=CLIPPED, hint=CCE_CLIP_HINT),
        compare(SOFTMAX_CE, "batch", softmax_ce_cases, hint=SOFTMAX_CE_HINT),
        compare(SOFTMAX_CE, "huge_logits", softmax_ce_huge_cases, hint=SOFTMAX_CE_HUGE_HINT),
        compare("l2_penalty", "mlp_params", l2_mlp_cases, hint=L2_HINT),
        compare("l2_penalty", "nested_pytree", l2_nested_cases, hint=L2_NESTED_HINT),
    ],
)
