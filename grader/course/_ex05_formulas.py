"""ex05_counting's formulas and judges (judge side).

Each function of the exercise has its judge in :data:`JUDGES`, built from its trusted formula,
a generic advice, and its known mistakes (a wrong formula and the message that names what is
missing). :func:`counting_check` declares a check judged with them, for the public checks
(grader/course/ex05_counting.py) and the hidden ones alike.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np

from grader.i18n import Text
from grader.judging import Mistake, as_number, describe, formula_judge, reveal, show
from grader.spec import fail, prop

# -- the judges ---------------------------------------------------------------------------------

WHOLE = Text(
    "A count is a whole number, and {got} is not: the division must round down (use // or math.floor).",
    "Un nombre de paramètres ou une taille est un nombre entier, et {got} n'en est pas un : la division doit arrondir vers le bas (utilisez // ou math.floor).",
)


def _read_count(out: Any) -> float | Text:
    """The answer as a float, or what is wrong with it."""
    got = as_number(out)
    if got is None:
        return Text(
            f"expected one whole number (an int), got {describe(out, dtype=True)}.",
            f"attendu un nombre entier (un int), obtenu {describe(out, 'fr', dtype=True)}.",
        )
    if not math.isfinite(got):
        return Text(
            f"got {got}, which is not a whole number.",
            f"obtenu {got}, qui n'est pas un nombre entier.",
        )
    return got


def _read_shape(out: Any) -> list[float] | Text:
    """The answer as 3 floats (a tuple, a list or a 1-d array of numbers), or what is wrong."""
    value = list(out.ravel()) if isinstance(out, np.ndarray) and out.ndim == 1 else out
    nums = [as_number(v) for v in value] if isinstance(value, (list, tuple)) else []
    if len(nums) != 3 or None in nums:
        return Text(
            f"expected a tuple (H, W, C) of 3 ints, got {describe(out, dtype=True)}.",
            f"attendu un tuple (H, W, C) de 3 entiers, obtenu {describe(out, 'fr', dtype=True)}.",
        )
    return nums


def whole_judge(truth, generic: Text, *mistakes: tuple, read=_read_count):
    """A judge for a function returning a whole number (or, with ``read=_read_shape``, a shape
    of 3) that the trusted ``truth`` gives: it names the student's answer, the expected one
    (revealed: public checks only), and the declared mistake that explains the answers (each
    a row (formula, English message, French message); ``generic`` when none does)."""

    def report(words: tuple[str, str], got, exp, advice: Text):
        (en, fr) = words
        text = f"({', '.join(show(g) for g in got)})" if isinstance(got, list) else show(got)
        return fail(
            f"On {en}: got {text}{reveal(f', expected {exp}')}. {advice.en}",
            f"Sur {fr} : obtenu {text}{reveal(f', attendu {exp}')}. {advice.fr}",
        )

    def explain(got) -> Text | None:
        nums = got if isinstance(got, list) else [got]
        if all(float(g).is_integer() for g in nums):
            return None
        return WHOLE.format(got=", ".join(show(g) for g in nums))

    mistakes = [Mistake(formula, Text(en, fr)) for formula, en, fr in mistakes]
    return formula_judge(truth, mistakes, generic, read=read, report=report, explain=explain)


JUDGES = {}  # function name -> its judge


# -- count_dense_params -------------------------------------------------------------------------


def _pairs(sizes) -> list[tuple[int, int]]:
    return list(itertools.pairwise(int(s) for s in np.asarray(sizes).ravel()))


JUDGES["count_dense_params"] = whole_judge(
    lambda sizes: sum(a * b + b for a, b in _pairs(sizes)),
    Text(
        "Between consecutive layers of n_in and n_out neurons there are n_in·n_out weights and n_out biases; add them over all pairs of layers.",
        "Entre deux couches consécutives de n_in et n_out neurones il y a n_in·n_out poids et n_out biais ; additionnez sur toutes les paires de couches.",
    ),
    (
        lambda s: sum(a * b for a, b in _pairs(s)),
        "You counted the weights but forgot the biases: one per neuron of every layer after the input (seed 000: « chaque neurone a un b »).",
        "Vous avez compté les poids mais oublié les biais : un par neurone de chaque couche après l'entrée (seed 000 : « chaque neurone a un b »).",
    ),
    (
        lambda s: sum(a * b for a, b in _pairs(s)) + int(np.sum(s)),
        "The input layer has no bias: count one bias per neuron of the layers after the input only.",
        "La couche d'entrée n'a pas de biais : comptez un biais par neurone des couches après l'entrée seulement.",
    ),
    (
        lambda s: sum(a * b + a for a, b in _pairs(s)),
        "A layer's biases belong to its n_out neurons, not to its n_in inputs: add n_out per layer, not n_in.",
        "Les biais d'une couche appartiennent à ses n_out neurones, pas à ses n_in entrées : ajoutez n_out par couche, pas n_in.",
    ),
    (
        lambda s: sum(a + b + b for a, b in _pairs(s)),
        "Every input is connected to every neuron: a layer has n_in × n_out weights, not n_in + n_out.",
        "Chaque entrée est reliée à chaque neurone : une couche a n_in × n_out poids, pas n_in + n_out.",
    ),
    (
        lambda s: sum(a * b + b for a, b in _pairs(s)[:-1]),
        "The last layer is missing: loop over every pair of consecutive layers, up to the output layer.",
        "Il manque la dernière couche : parcourez chaque paire de couches consécutives, jusqu'à la couche de sortie.",
    ),
    (
        lambda s: sum(b for _, b in _pairs(s)),
        "You counted only the biases (one per neuron); add the n_in × n_out weights of each layer.",
        "Vous n'avez compté que les biais (un par neurone) ; ajoutez les n_in × n_out poids de chaque couche.",
    ),
)


# -- conv_output_size ---------------------------------------------------------------------------
JUDGES["conv_output_size"] = whole_judge(
    lambda h, k, p=0, s=1: (h - k + 2 * p) // s + 1,
    Text(
        "Seed 002's formula: ⌊(H − K + 2P)/S⌋ + 1.",
        "La formule du seed 002 : ⌊(H − K + 2P)/S⌋ + 1.",
    ),
    (
        lambda h, k, p, s: (h - k + p) // s + 1,
        "The padding P is added on both sides of the input: the formula has 2P, not P.",
        "Le padding P est ajouté des deux côtés de l'entrée : la formule contient 2P, pas P.",
    ),
    (
        lambda h, k, p, s: (h - k + 2 * p) // s,
        "You forgot the + 1: the first position of the window counts too (a 5×5 filter on a 5×5 image gives 1 output, not 0).",
        "Vous avez oublié le + 1 : la première position de la fenêtre compte aussi (un filtre 5×5 sur une image 5×5 donne 1 sortie, pas 0).",
    ),
    (
        lambda h, k, p, s: (h - k + 2 * p) / s + 1,
        "The division must round down (⌊(H − K + 2P)/S⌋): use // instead of /; a window that does not fit is not computed.",
        "La division doit arrondir vers le bas (⌊(H − K + 2P)/S⌋) : utilisez // au lieu de / ; une fenêtre qui ne tient pas n'est pas calculée.",
    ),
    (
        lambda h, k, p, s: math.ceil((h - k + 2 * p) / s) + 1,
        "The division rounds down, not up: the last window must fit entirely inside the (padded) input.",
        "La division arrondit vers le bas, pas vers le haut : la dernière fenêtre doit tenir entièrement dans l'entrée (avec padding).",
    ),
    (
        lambda h, k, p, s: round((h - k + 2 * p) / s) + 1,
        "The division rounds down (floor), not to the nearest integer.",
        "La division arrondit vers le bas (partie entière), pas à l'entier le plus proche.",
    ),
    (
        lambda h, k, p, s: h - k + 2 * p + 1,
        "The stride S is missing: the window jumps S pixels at a time, divide (H − K + 2P) by S.",
        "Il manque le pas S : la fenêtre avance de S pixels à la fois, divisez (H − K + 2P) par S.",
    ),
    (
        lambda h, k, p, s: (h - k - 2 * p) // s + 1,
        "Padding makes the input larger: + 2P, not − 2P.",
        "Le padding agrandit l'entrée : + 2P, pas − 2P.",
    ),
    (
        lambda h, k, p, s: (h - k + 2 * p + 1) // s,
        "The + 1 comes after the division: ⌊(H − K + 2P)/S⌋ + 1, not ⌊(H − K + 2P + 1)/S⌋.",
        "Le + 1 vient après la division : ⌊(H − K + 2P)/S⌋ + 1, pas ⌊(H − K + 2P + 1)/S⌋.",
    ),
)


# -- same_padding -------------------------------------------------------------------------------
JUDGES["same_padding"] = whole_judge(
    lambda k: (k - 1) // 2,
    Text(
        "Seed 002: P = (K − 1)/2; check that conv_output_size(h, k, P, 1) == h.",
        "Seed 002 : P = (K − 1)/2 ; vérifiez que conv_output_size(h, k, P, 1) == h.",
    ),
    (
        lambda k: k - 1,
        "K − 1 zeros in total are needed, split between the two sides: P = (K − 1)/2 on each side.",
        "Il faut K − 1 zéros au total, répartis des deux côtés : P = (K − 1)/2 de chaque côté.",
    ),
    (
        lambda k: k,
        "Operator precedence: k - 1 // 2 is k - (1 // 2) = k; write (k - 1) // 2.",
        "Priorité des opérateurs : k - 1 // 2 vaut k - (1 // 2) = k ; écrivez (k - 1) // 2.",
    ),
    (
        lambda k: (k + 1) // 2,
        "One too many: P = (K − 1)/2, so that H − K + 2P + 1 = H.",
        "Un de trop : P = (K − 1)/2, pour que H − K + 2P + 1 = H.",
    ),
    (
        lambda k: k / 2,
        "K/2 is not a whole number for an odd K: use (K − 1)/2, i.e. (k - 1) // 2.",
        "K/2 n'est pas entier pour K impair : utilisez (K − 1)/2, c'est-à-dire (k - 1) // 2.",
    ),
)


# -- count_conv_params --------------------------------------------------------------------------
JUDGES["count_conv_params"] = whole_judge(
    lambda kh, kw, c_in, c_out: kh * kw * c_in * c_out + c_out,
    Text(
        "c_out filters of kh·kw·c_in weights each, plus one bias per filter: kh·kw·c_in·c_out + c_out.",
        "c_out filtres de kh·kw·c_in poids chacun, plus un biais par filtre : kh·kw·c_in·c_out + c_out.",
    ),
    (
        lambda kh, kw, ci, co: kh * kw * ci * co,
        "You forgot the biases: one per filter, i.e. c_out of them.",
        "Vous avez oublié les biais : un par filtre, soit c_out.",
    ),
    (
        lambda kh, kw, ci, co: kh * kw * co + co,
        "Each filter spans all c_in input channels: it has kh·kw·c_in weights, not kh·kw.",
        "Chaque filtre couvre les c_in canaux d'entrée : il a kh·kw·c_in poids, pas kh·kw.",
    ),
    (
        lambda kh, kw, ci, co: kh * kw * co,
        "Each filter spans all c_in input channels (kh·kw·c_in weights), and has one bias.",
        "Chaque filtre couvre les c_in canaux d'entrée (kh·kw·c_in poids), et a un biais.",
    ),
    (
        lambda kh, kw, ci, co: kh * kw * ci * co + ci,
        "There is one bias per filter (output channel), not per input channel: add c_out.",
        "Il y a un biais par filtre (canal de sortie), pas par canal d'entrée : ajoutez c_out.",
    ),
    (
        lambda kh, kw, ci, co: kh * kh * ci * co + co,
        "The kernel is kh × kw, not necessarily square: use both kh and kw.",
        "Le noyau est kh × kw, pas forcément carré : utilisez kh et kw.",
    ),
    (
        lambda kh, kw, ci, co: kh * kw * ci + co,
        "There are c_out filters, each with its own kh·kw·c_in weights: multiply by c_out.",
        "Il y a c_out filtres, chacun avec ses propres kh·kw·c_in poids : multipliez par c_out.",
    ),
    (
        lambda kh, kw, ci, co: 2 * kh * kw * ci * co,
        "One bias per filter, not one per weight.",
        "Un biais par filtre, pas un par poids.",
    ),
)


# -- cnn_output_shape ---------------------------------------------------------------------------


def simulate(input_shape, layers, **wrong) -> tuple:
    """The output shape, or a wrong version of it: ``wrong`` switches one mistake on."""
    h, w, c = (int(v) for v in np.asarray(input_shape).ravel())

    def size(n, k, p, s, pool):
        if pool and wrong.get("pool_stride_is_k"):
            s = k
        if pool and wrong.get("pool_divides"):
            return n // s
        if not pool and wrong.get("conv_no_stride"):
            s = 1
        num = n - k + (p if wrong.get("p_once") else 2 * p)
        if wrong.get("true_div"):
            q = num / s
        elif wrong.get("ceil"):
            q = math.ceil(num / s)
        else:
            q = num // s
        return q if wrong.get("no_plus_one") else q + 1

    for kind, *rest in layers:
        pool = kind == "pool"
        if pool and wrong.get("skip_pool"):
            continue
        if pool:
            (k, s), p = rest, 0
        else:
            k, c_out, p, s = rest
            c = c if wrong.get("keep_channels") else c_out
        h = size(h, k, p, s, pool)
        w = w if wrong.get("only_h") else size(w, k, p, s, pool)
    return (c, h, w) if wrong.get("channels_first") else (h, w, c)


JUDGES["cnn_output_shape"] = whole_judge(
    lambda input_shape, layers: simulate(input_shape, layers),
    Text(
        "Apply the layers in order: a conv sets H, W to ⌊(H − K + 2P)/S⌋ + 1 and C to c_out; a pool sets H, W to ⌊(H − K)/S⌋ + 1 and keeps C.",
        "Appliquez les couches dans l'ordre : une conv donne H, W = ⌊(H − K + 2P)/S⌋ + 1 et C = c_out ; un pool donne H, W = ⌊(H − K)/S⌋ + 1 et garde C.",
    ),
    *(
        (functools.partial(simulate, **{flag: True}), en, fr)
        for flag, en, fr in [
            (
                "p_once",
                "A convolution's padding P is added on both sides: use 2P in ⌊(H − K + 2P)/S⌋ + 1.",
                "Le padding P d'une convolution est ajouté des deux côtés : utilisez 2P dans ⌊(H − K + 2P)/S⌋ + 1.",
            ),
            (
                "no_plus_one",
                "The + 1 of ⌊(H − K + 2P)/S⌋ + 1 is missing.",
                "Il manque le + 1 de ⌊(H − K + 2P)/S⌋ + 1.",
            ),
            (
                "true_div",
                "Sizes are whole numbers: the division rounds down, use //.",
                "Les tailles sont entières : la division arrondit vers le bas, utilisez //.",
            ),
            (
                "ceil",
                "The division rounds down, not up (a window that does not fit is dropped).",
                "La division arrondit vers le bas, pas vers le haut (une fenêtre qui ne tient pas est abandonnée).",
            ),
            (
                "keep_channels",
                "A convolution's output has c_out channels (one per filter): update C.",
                "La sortie d'une convolution a c_out canaux (un par filtre) : mettez C à jour.",
            ),
            (
                "skip_pool",
                "The pooling layers shrink H and W too: ⌊(H − K)/S⌋ + 1 with no padding.",
                "Les couches de pooling réduisent aussi H et W : ⌊(H − K)/S⌋ + 1 sans padding.",
            ),
            (
                "pool_stride_is_k",
                "A pooling layer ('pool', k, s) moves by its own stride s, which is not always k.",
                "Une couche de pooling ('pool', k, s) avance de son propre pas s, qui n'est pas toujours k.",
            ),
            (
                "pool_divides",
                "Pooling follows the same formula as a convolution without padding: ⌊(H − K)/S⌋ + 1, not H // S.",
                "Le pooling suit la même formule qu'une convolution sans padding : ⌊(H − K)/S⌋ + 1, pas H // S.",
            ),
            (
                "conv_no_stride",
                "A convolution's stride s divides (H − K + 2P) too.",
                "Le pas s d'une convolution divise aussi (H − K + 2P).",
            ),
            (
                "only_h",
                "Update both H and W at every layer (the kernels are square, the image may not be).",
                "Mettez à jour H et W à chaque couche (les noyaux sont carrés, l'image pas forcément).",
            ),
            (
                "channels_first",
                "Return (H, W, C), channels last, in that order.",
                "Renvoyez (H, W, C), les canaux en dernier, dans cet ordre.",
            ),
        ]
    ),
    read=_read_shape,
)


def counting_check(function: str, name: str, cases, points: float = 1.0):
    """A property check of ``function`` judged by its trusted formula (:data:`JUDGES`)."""
    return prop(function, name, cases, JUDGES[function], points=points)
