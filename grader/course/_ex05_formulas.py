"""ex05_counting's formulas: the trusted ones, and the wrong ones students write (judge side).

Each function of the exercise has its truth (``dense_count``, ``conv_size``, ``same_pad``,
``conv_count``, ``cnn_shape``), its known mistakes as :class:`~grader.judging.Mistake` s (a
wrong formula and the message that names what is missing) and a generic advice for answers no
mistake explains. The checks (grader/course/ex05_counting.py) judge with them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from grader.i18n import Text
from grader.judging import Mistake

# -- count_dense_params -------------------------------------------------------------------------


def _pairs(sizes):
    sizes = [int(s) for s in np.asarray(sizes).ravel()]
    return list(itertools.pairwise(sizes)), sizes


def dense_count(sizes) -> int:
    pairs, _ = _pairs(sizes)
    return sum(a * b + b for a, b in pairs)


DENSE_VARIANTS: list[Mistake] = [
    Mistake(
        lambda s: sum(a * b for a, b in _pairs(s)[0]),
        Text(
            "You counted the weights but forgot the biases: one per neuron of every layer after the input (seed 000: « chaque neurone a un b »).",
            "Vous avez compté les poids mais oublié les biais : un par neurone de chaque couche après l'entrée (seed 000 : « chaque neurone a un b »).",
        ),
    ),
    Mistake(
        lambda s: sum(a * b for a, b in _pairs(s)[0]) + sum(_pairs(s)[1]),
        Text(
            "The input layer has no bias: count one bias per neuron of the layers after the input only.",
            "La couche d'entrée n'a pas de biais : comptez un biais par neurone des couches après l'entrée seulement.",
        ),
    ),
    Mistake(
        lambda s: sum(a * b + a for a, b in _pairs(s)[0]),
        Text(
            "A layer's biases belong to its n_out neurons, not to its n_in inputs: add n_out per layer, not n_in.",
            "Les biais d'une couche appartiennent à ses n_out neurones, pas à ses n_in entrées : ajoutez n_out par couche, pas n_in.",
        ),
    ),
    Mistake(
        lambda s: sum(a + b + b for a, b in _pairs(s)[0]),
        Text(
            "Every input is connected to every neuron: a layer has n_in × n_out weights, not n_in + n_out.",
            "Chaque entrée est reliée à chaque neurone : une couche a n_in × n_out poids, pas n_in + n_out.",
        ),
    ),
    Mistake(
        lambda s: sum(a * b + b for a, b in _pairs(s)[0][:-1]),
        Text(
            "The last layer is missing: loop over every pair of consecutive layers, up to the output layer.",
            "Il manque la dernière couche : parcourez chaque paire de couches consécutives, jusqu'à la couche de sortie.",
        ),
    ),
    Mistake(
        lambda s: sum(b for _, b in _pairs(s)[0]),
        Text(
            "You counted only the biases (one per neuron); add the n_in × n_out weights of each layer.",
            "Vous n'avez compté que les biais (un par neurone) ; ajoutez les n_in × n_out poids de chaque couche.",
        ),
    ),
]

DENSE_GENERIC = Text(
    "Between consecutive layers of n_in and n_out neurons there are n_in·n_out weights and n_out biases; add them over all pairs of layers.",
    "Entre deux couches consécutives de n_in et n_out neurones il y a n_in·n_out poids et n_out biais ; additionnez sur toutes les paires de couches.",
)


# -- conv_output_size ---------------------------------------------------------------------------


def conv_size(h, k, p=0, s=1) -> int:
    return (int(h) - int(k) + 2 * int(p)) // int(s) + 1


def _i(*xs):
    return [int(x) for x in xs]


CONV_SIZE_VARIANTS: list[Mistake] = [
    Mistake(
        lambda h, k, p, s: (int(h) - int(k) + int(p)) // int(s) + 1,
        Text(
            "The padding P is added on both sides of the input: the formula has 2P, not P.",
            "Le padding P est ajouté des deux côtés de l'entrée : la formule contient 2P, pas P.",
        ),
    ),
    Mistake(
        lambda h, k, p, s: (int(h) - int(k) + 2 * int(p)) // int(s),
        Text(
            "You forgot the + 1: the first position of the window counts too (a 5×5 filter on a 5×5 image gives 1 output, not 0).",
            "Vous avez oublié le + 1 : la première position de la fenêtre compte aussi (un filtre 5×5 sur une image 5×5 donne 1 sortie, pas 0).",
        ),
    ),
    Mistake(
        lambda h, k, p, s: (int(h) - int(k) + 2 * int(p)) / int(s) + 1,
        Text(
            "The division must round down (⌊(H − K + 2P)/S⌋): use // instead of /; a window that does not fit is not computed.",
            "La division doit arrondir vers le bas (⌊(H − K + 2P)/S⌋) : utilisez // au lieu de / ; une fenêtre qui ne tient pas n'est pas calculée.",
        ),
    ),
    Mistake(
        lambda h, k, p, s: math.ceil((int(h) - int(k) + 2 * int(p)) / int(s)) + 1,
        Text(
            "The division rounds down, not up: the last window must fit entirely inside the (padded) input.",
            "La division arrondit vers le bas, pas vers le haut : la dernière fenêtre doit tenir entièrement dans l'entrée (avec padding).",
        ),
    ),
    Mistake(
        lambda h, k, p, s: round((int(h) - int(k) + 2 * int(p)) / int(s)) + 1,
        Text(
            "The division rounds down (floor), not to the nearest integer.",
            "La division arrondit vers le bas (partie entière), pas à l'entier le plus proche.",
        ),
    ),
    Mistake(
        lambda h, k, p, s: int(h) - int(k) + 2 * int(p) + 1,
        Text(
            "The stride S is missing: the window jumps S pixels at a time, divide (H − K + 2P) by S.",
            "Il manque le pas S : la fenêtre avance de S pixels à la fois, divisez (H − K + 2P) par S.",
        ),
    ),
    Mistake(
        lambda h, k, p, s: (int(h) - int(k) - 2 * int(p)) // int(s) + 1,
        Text(
            "Padding makes the input larger: + 2P, not − 2P.",
            "Le padding agrandit l'entrée : + 2P, pas − 2P.",
        ),
    ),
    Mistake(
        lambda h, k, p, s: (int(h) - int(k) + 2 * int(p) + 1) // int(s),
        Text(
            "The + 1 comes after the division: ⌊(H − K + 2P)/S⌋ + 1, not ⌊(H − K + 2P + 1)/S⌋.",
            "Le + 1 vient après la division : ⌊(H − K + 2P)/S⌋ + 1, pas ⌊(H − K + 2P + 1)/S⌋.",
        ),
    ),
]

CONV_SIZE_GENERIC = Text(
    "Seed 002's formula: ⌊(H − K + 2P)/S⌋ + 1.",
    "La formule du seed 002 : ⌊(H − K + 2P)/S⌋ + 1.",
)


# -- same_padding -------------------------------------------------------------------------------


def same_pad(k) -> int:
    return (int(k) - 1) // 2


SAME_VARIANTS: list[Mistake] = [
    Mistake(
        lambda k: int(k) - 1,
        Text(
            "K − 1 zeros in total are needed, split between the two sides: P = (K − 1)/2 on each side.",
            "Il faut K − 1 zéros au total, répartis des deux côtés : P = (K − 1)/2 de chaque côté.",
        ),
    ),
    Mistake(
        lambda k: int(k),
        Text(
            "Operator precedence: k - 1 // 2 is k - (1 // 2) = k; write (k - 1) // 2.",
            "Priorité des opérateurs : k - 1 // 2 vaut k - (1 // 2) = k ; écrivez (k - 1) // 2.",
        ),
    ),
    Mistake(
        lambda k: (int(k) + 1) // 2,
        Text(
            "One too many: P = (K − 1)/2, so that H − K + 2P + 1 = H.",
            "Un de trop : P = (K − 1)/2, pour que H − K + 2P + 1 = H.",
        ),
    ),
    Mistake(
        lambda k: int(k) / 2,
        Text(
            "K/2 is not a whole number for an odd K: use (K − 1)/2, i.e. (k - 1) // 2.",
            "K/2 n'est pas entier pour K impair : utilisez (K − 1)/2, c'est-à-dire (k - 1) // 2.",
        ),
    ),
]

SAME_GENERIC = Text(
    "Seed 002: P = (K − 1)/2; check that conv_output_size(h, k, P, 1) == h.",
    "Seed 002 : P = (K − 1)/2 ; vérifiez que conv_output_size(h, k, P, 1) == h.",
)


# -- count_conv_params --------------------------------------------------------------------------


def conv_count(kh, kw, c_in, c_out) -> int:
    kh, kw, c_in, c_out = _i(kh, kw, c_in, c_out)
    return kh * kw * c_in * c_out + c_out


CONV_COUNT_VARIANTS: list[Mistake] = [
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kw) * int(ci) * int(co),
        Text(
            "You forgot the biases: one per filter, i.e. c_out of them.",
            "Vous avez oublié les biais : un par filtre, soit c_out.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kw) * int(co) + int(co),
        Text(
            "Each filter spans all c_in input channels: it has kh·kw·c_in weights, not kh·kw.",
            "Chaque filtre couvre les c_in canaux d'entrée : il a kh·kw·c_in poids, pas kh·kw.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kw) * int(co),
        Text(
            "Each filter spans all c_in input channels (kh·kw·c_in weights), and has one bias.",
            "Chaque filtre couvre les c_in canaux d'entrée (kh·kw·c_in poids), et a un biais.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kw) * int(ci) * int(co) + int(ci),
        Text(
            "There is one bias per filter (output channel), not per input channel: add c_out.",
            "Il y a un biais par filtre (canal de sortie), pas par canal d'entrée : ajoutez c_out.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kh) * int(ci) * int(co) + int(co),
        Text(
            "The kernel is kh × kw, not necessarily square: use both kh and kw.",
            "Le noyau est kh × kw, pas forcément carré : utilisez kh et kw.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: int(kh) * int(kw) * int(ci) + int(co),
        Text(
            "There are c_out filters, each with its own kh·kw·c_in weights: multiply by c_out.",
            "Il y a c_out filtres, chacun avec ses propres kh·kw·c_in poids : multipliez par c_out.",
        ),
    ),
    Mistake(
        lambda kh, kw, ci, co: 2 * int(kh) * int(kw) * int(ci) * int(co),
        Text(
            "One bias per filter, not one per weight.",
            "Un biais par filtre, pas un par poids.",
        ),
    ),
]

CONV_COUNT_GENERIC = Text(
    "c_out filters of kh·kw·c_in weights each, plus one bias per filter: kh·kw·c_in·c_out + c_out.",
    "c_out filtres de kh·kw·c_in poids chacun, plus un biais par filtre : kh·kw·c_in·c_out + c_out.",
)


# -- cnn_output_shape ---------------------------------------------------------------------------


def simulate(input_shape, layers, **wrong) -> tuple:
    """The output shape, or a wrong version of it: ``wrong`` switches one mistake on."""
    h, w, c = (int(v) for v in np.asarray(input_shape).ravel())

    def size(n, k, p, s, pool):
        k, p, s = int(k), int(p), int(s)
        if pool and wrong.get("pool_stride_is_k"):
            s = k
        if pool and wrong.get("pool_divides"):
            return n // s
        if not pool and wrong.get("conv_no_stride"):
            s = 1
        pad = p if wrong.get("p_once") else 2 * p
        num = n - k + pad
        if wrong.get("true_div"):
            q = num / s
        elif wrong.get("ceil"):
            q = math.ceil(num / s)
        else:
            q = num // s
        return q if wrong.get("no_plus_one") else q + 1

    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, k, c_out, p, s = layer
            h = size(h, k, p, s, False)
            w = w if wrong.get("only_h") else size(w, k, p, s, False)
            c = c if wrong.get("keep_channels") else int(c_out)
        elif kind == "pool":
            if wrong.get("skip_pool"):
                continue
            _, k, s = layer
            h = size(h, k, 0, s, True)
            w = w if wrong.get("only_h") else size(w, k, 0, s, True)
        else:
            raise ValueError(kind)
    if wrong.get("channels_first"):
        return (c, h, w)
    return (h, w, c)


def _shape_variant(**flag):
    return lambda input_shape, layers: simulate(input_shape, layers, **flag)


SHAPE_VARIANTS: list[Mistake] = [
    Mistake(
        _shape_variant(p_once=True),
        Text(
            "A convolution's padding P is added on both sides: use 2P in ⌊(H − K + 2P)/S⌋ + 1.",
            "Le padding P d'une convolution est ajouté des deux côtés : utilisez 2P dans ⌊(H − K + 2P)/S⌋ + 1.",
        ),
    ),
    Mistake(
        _shape_variant(no_plus_one=True),
        Text(
            "The + 1 of ⌊(H − K + 2P)/S⌋ + 1 is missing.",
            "Il manque le + 1 de ⌊(H − K + 2P)/S⌋ + 1.",
        ),
    ),
    Mistake(
        _shape_variant(true_div=True),
        Text(
            "Sizes are whole numbers: the division rounds down, use //.",
            "Les tailles sont entières : la division arrondit vers le bas, utilisez //.",
        ),
    ),
    Mistake(
        _shape_variant(ceil=True),
        Text(
            "The division rounds down, not up (a window that does not fit is dropped).",
            "La division arrondit vers le bas, pas vers le haut (une fenêtre qui ne tient pas est abandonnée).",
        ),
    ),
    Mistake(
        _shape_variant(keep_channels=True),
        Text(
            "A convolution's output has c_out channels (one per filter): update C.",
            "La sortie d'une convolution a c_out canaux (un par filtre) : mettez C à jour.",
        ),
    ),
    Mistake(
        _shape_variant(skip_pool=True),
        Text(
            "The pooling layers shrink H and W too: ⌊(H − K)/S⌋ + 1 with no padding.",
            "Les couches de pooling réduisent aussi H et W : ⌊(H − K)/S⌋ + 1 sans padding.",
        ),
    ),
    Mistake(
        _shape_variant(pool_stride_is_k=True),
        Text(
            "A pooling layer ('pool', k, s) moves by its own stride s, which is not always k.",
            "Une couche de pooling ('pool', k, s) avance de son propre pas s, qui n'est pas toujours k.",
        ),
    ),
    Mistake(
        _shape_variant(pool_divides=True),
        Text(
            "Pooling follows the same formula as a convolution without padding: ⌊(H − K)/S⌋ + 1, not H // S.",
            "Le pooling suit la même formule qu'une convolution sans padding : ⌊(H − K)/S⌋ + 1, pas H // S.",
        ),
    ),
    Mistake(
        _shape_variant(conv_no_stride=True),
        Text(
            "A convolution's stride s divides (H − K + 2P) too.",
            "Le pas s d'une convolution divise aussi (H − K + 2P).",
        ),
    ),
    Mistake(
        _shape_variant(only_h=True),
        Text(
            "Update both H and W at every layer (the kernels are square, the image may not be).",
            "Mettez à jour H et W à chaque couche (les noyaux sont carrés, l'image pas forcément).",
        ),
    ),
    Mistake(
        _shape_variant(channels_first=True),
        Text(
            "Return (H, W, C), channels last, in that order.",
            "Renvoyez (H, W, C), les canaux en dernier, dans cet ordre.",
        ),
    ),
]

SHAPE_GENERIC = Text(
    "Apply the layers in order: a conv sets H, W to ⌊(H − K + 2P)/S⌋ + 1 and C to c_out; a pool sets H, W to ⌊(H − K)/S⌋ + 1 and keeps C.",
    "Appliquez les couches dans l'ordre : une conv donne H, W = ⌊(H − K + 2P)/S⌋ + 1 et C = c_out ; un pool donne H, W = ⌊(H − K)/S⌋ + 1 et garde C.",
)


def cnn_shape(input_shape, layers) -> tuple:
    """The right output shape (the truth of ``cnn_output_shape``)."""
    return simulate(input_shape, layers)
