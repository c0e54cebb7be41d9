"""Hidden checks for ex05_counting: other networks, numpy inputs, edge cases.

The judges are the public ones: a wrong answer is named and, when a known wrong formula
reproduces it, the missing term is named too; the engine cuts the expected number.
"""

from __future__ import annotations

import numpy as np

from grader.course._ex05_formulas import counting_check
from grader.course.common import case


def dense_hidden(rng):
    return [
        case(
            "seed 000's MNIST network as a tuple, n = 100",
            "le réseau MNIST du seed 000 en tuple, n = 100",
            (784, 100, 10),
        ),
        case(
            "a numpy array of sizes [13, 7, 7, 7, 3]",
            "un tableau numpy de tailles [13, 7, 7, 7, 3]",
            np.array([13, 7, 7, 7, 3]),
        ),
        case("the smallest network [1, 1]", "le plus petit réseau [1, 1]", [1, 1]),
        case("an input layer alone, [5]", "une couche d'entrée seule, [5]", [5]),
    ]


def conv_size_hidden(rng):
    return [
        case("a 7×7 conv, stride 2 on 224", "une conv 7×7 de pas 2 sur 224", 224, 7, 3, 2),
        case(
            "AlexNet's first layer (227, 11, s = 4)",
            "la première couche d'AlexNet (227, 11, s = 4)",
            227,
            11,
            s=4,
        ),
        case("a kernel as large as the input", "un noyau aussi grand que l'entrée", 5, 5),
        case(
            "numpy integers, stride 3",
            "des entiers numpy, pas de 3",
            *(np.int64(v) for v in (100, 4, 1, 3)),
        ),
        case("a size that does not divide", "une taille qui ne tombe pas juste", 13, 3, 0, 2),
        case("a third left over", "un reste d'un tiers", 22, 3, 0, 3),
    ]


def same_hidden(rng):
    return [
        case("a 9×9 kernel", "un noyau 9×9", 9),
        case("a 101×101 kernel", "un noyau 101×101", 101),
        case("a numpy integer 11", "un entier numpy 11", np.int64(11)),
    ]


def conv_count_hidden(rng):
    return [
        case(
            "a 1×1 convolution, 64 → 32 channels",
            "une convolution 1×1, 64 → 32 canaux",
            1,
            1,
            64,
            32,
        ),
        case("a 7×7 conv on RGB, 64 filters", "une conv 7×7 sur RGB, 64 filtres", 7, 7, 3, 64),
        case("a large 3×3 conv, 512 → 512", "une grande conv 3×3, 512 → 512", 3, 3, 512, 512),
        case("a 1×7 kernel, 4 → 4 channels", "un noyau 1×7, 4 → 4 canaux", 1, 7, 4, 4),
    ]


def shape_hidden(rng):
    stem = [
        ("conv", 7, 16, 3, 2),
        ("pool", 3, 2),
        ("conv", 3, 32, 1, 2),
        ("pool", 2, 2),
        ("conv", 4, 10, 0, 1),
    ]
    return [
        case(
            "a non-square 28×20 image",
            "une image non carrée 28×20",
            (28, 20, 1),
            [("conv", 3, 4, 1, 1), ("pool", 2, 2), ("conv", 3, 8, 0, 2)],
        ),
        case(
            "a stem conv, overlapping pools, down to 1×1",
            "une conv d'entrée, des pools chevauchants, jusqu'à 1×1",
            (64, 64, 3),
            stem,
        ),
        case("no layers at all", "aucune couche", (17, 17, 5), []),
        case(
            "numpy input shape, two pools and a 1×1 conv",
            "forme d'entrée numpy, deux pools et une conv 1×1",
            np.array([33, 33, 2]),
            [("pool", 2, 2), ("pool", 2, 1), ("conv", 1, 3, 0, 1)],
        ),
    ]


CHECKS = [
    counting_check("count_dense_params", "hidden_networks", dense_hidden),
    counting_check("conv_output_size", "hidden_layers", conv_size_hidden),
    counting_check("same_padding", "hidden_large_kernels", same_hidden, points=0.5),
    counting_check("count_conv_params", "hidden_layers", conv_count_hidden),
    counting_check("cnn_output_shape", "hidden_stacks", shape_hidden, points=1.5),
]
