"""Checks for ex05_counting (public): whole-number answers judged by trusted formulas.

Every check is a property check: its judge recomputes the right count from the seed's formula
and, when the student's answer is wrong, also tries the usual wrong formulas (biases
forgotten, padding counted once, no floor, no ``+ 1``…) to say which term is missing. Public
messages show the expected number; hidden ones never do (the engine cuts it), they only name
the likely mistake. The formulas, right and wrong, and the judges are in ``_ex05_formulas.py``.
"""

from __future__ import annotations

from grader.course._ex05_formulas import counting_check
from grader.course.common import case
from grader.i18n import Text
from grader.spec import Exercise


def dense_seed_cases(rng):
    return [
        case("seed 000's network [2, 2, 1]", "le réseau [2, 2, 1] du seed 000", [2, 2, 1]),
        case("seed 000's network [2, 5, 3]", "le réseau [2, 5, 3] du seed 000", [2, 5, 3]),
        case(
            "seed 000's MNIST network with n = 30 hidden neurons",
            "le réseau MNIST du seed 000 avec n = 30 neurones cachés",
            [784, 30, 10],
        ),
    ]


def dense_deeper_cases(rng):
    return [
        case("the network [3, 4, 4, 2]", "le réseau [3, 4, 4, 2]", [3, 4, 4, 2]),
        case("one layer, [10, 1]", "une seule couche, [10, 1]", [10, 1]),
        case(
            "a deeper network [6, 8, 8, 8, 5]",
            "un réseau plus profond [6, 8, 8, 8, 5]",
            [6, 8, 8, 8, 5],
        ),
    ]


def _size_case(en: str, fr: str, h: int, k: int, **ps: int):
    """A ``conv_output_size`` case, its values (H, K, then the P and S given) in its label."""
    words = ", ".join([f"H = {h}", f"K = {k}", *(f"{n.upper()} = {v}" for n, v in ps.items())])
    return case(f"{en} ({words})", f"{fr} ({words})", h, k, **ps)


def conv_size_seed_cases(rng):
    return [
        _size_case("seed 002: a 5×5 filter on 32×32", "seed 002 : un filtre 5×5 sur 32×32", 32, 5),
        _size_case("seed 002 with padding", "seed 002 avec padding", 32, 5, p=2),
        _size_case("seed 002 with a stride of 2", "seed 002 avec un pas de 2", 7, 3, p=0, s=2),
        _size_case("seed 002's 2×2 pooling", "le pooling 2×2 du seed 002", 4, 2, p=0, s=2),
    ]


def conv_size_rounding_cases(rng):
    return [
        _size_case("padding and stride", "padding et pas", 8, 3, p=1, s=2),
        _size_case(
            "a division that rounds down", "une division qui arrondit vers le bas", 10, 3, p=1, s=3
        ),
        _size_case("an odd size", "une taille impaire", 35, 3, p=1, s=2),
        _size_case("a stride of 3", "un pas de 3", 28, 5, p=0, s=3),
        _size_case("a stride of 4", "un pas de 4", 12, 3, p=0, s=4),
    ]


def same_cases(rng):
    return [case(f"a {k}×{k} kernel", f"un noyau {k}×{k}", k) for k in (1, 3, 5, 7)]


def conv_count_cases(rng):
    return [
        case(
            "seed 004's first CIFAR-10 layer: 32 filters 3×3 on 3 channels",
            "la première couche CIFAR-10 du seed 004 : 32 filtres 3×3 sur 3 canaux",
            *(3, 3, 3, 32),
        ),
        case(
            "LeNet-5's first layer: 6 filters 5×5 on 1 channel",
            "la première couche de LeNet-5 : 6 filtres 5×5 sur 1 canal",
            *(5, 5, 1, 6),
        ),
        case("a 3×5 kernel, 16 → 8 channels", "un noyau 3×5, 16 → 8 canaux", *(3, 5, 16, 8)),
    ]


CIFAR = [
    ("conv", 3, 32, 0, 1),
    ("pool", 2, 2),
    ("conv", 3, 64, 0, 1),
    ("pool", 2, 2),
    ("conv", 3, 64, 0, 1),
]
LENET = [("conv", 5, 6, 2, 1), ("pool", 2, 2), ("conv", 5, 16, 0, 1), ("pool", 2, 2)]


def shape_seed_cases(rng):
    return [
        case(
            "seed 004's CIFAR-10 network (conv 3×3, pool 2×2, ×2, conv 3×3)",
            "le réseau CIFAR-10 du seed 004 (conv 3×3, pool 2×2, ×2, conv 3×3)",
            (32, 32, 3),
            CIFAR,
        ),
        case(
            "LeNet-5 on 28×28 images (padded 5×5 conv, pool, conv, pool)",
            "LeNet-5 sur des images 28×28 (conv 5×5 avec padding, pool, conv, pool)",
            (28, 28, 1),
            LENET,
        ),
    ]


def shape_stride_cases(rng):
    return [
        case(
            "a stride-2 padded conv, an overlapping 3×3 pool with stride 2, a conv",
            "une conv de pas 2 avec padding, un pool 3×3 chevauchant de pas 2, une conv",
            (35, 35, 3),
            [("conv", 3, 8, 1, 2), ("pool", 3, 2), ("conv", 3, 16, 0, 1)],
        ),
        case(
            "stride 3 with padding 1, then a pool and a conv with padding 2",
            "pas 3 avec padding 1, puis un pool et une conv avec padding 2",
            (30, 30, 1),
            [("conv", 4, 4, 1, 3), ("pool", 2, 2), ("conv", 3, 2, 2, 1)],
        ),
    ]


EXERCISE = Exercise(
    id="ex05_counting",
    title=Text("Counting parameters and shapes", "Compter les paramètres et les dimensions"),
    checks=[
        counting_check("count_dense_params", "seed_000_examples", dense_seed_cases),
        counting_check("count_dense_params", "deeper_networks", dense_deeper_cases),
        counting_check("conv_output_size", "seed_002_examples", conv_size_seed_cases),
        counting_check("conv_output_size", "padding_stride_rounding", conv_size_rounding_cases),
        counting_check("same_padding", "odd_kernels", same_cases, points=0.5),
        counting_check("count_conv_params", "layers", conv_count_cases),
        counting_check("cnn_output_shape", "seed_004_networks", shape_seed_cases),
        counting_check("cnn_output_shape", "strides_and_padding", shape_stride_cases, points=1.5),
    ],
)
