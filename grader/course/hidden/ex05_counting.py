"""Hidden checks for ex05_counting: other networks, numpy inputs, edge cases.

The judges run in hidden mode: a wrong answer is named and, when a known wrong formula
reproduces it, the missing term is named too, but the expected number never appears.
"""

from __future__ import annotations

import numpy as np

from grader.course.common import label
from grader.course.ex05_counting import (
    CONV_COUNT_GENERIC,
    CONV_COUNT_VARIANTS,
    CONV_SIZE_GENERIC,
    CONV_SIZE_VARIANTS,
    DENSE_GENERIC,
    DENSE_VARIANTS,
    SAME_GENERIC,
    SAME_VARIANTS,
    conv_count,
    conv_size,
    count_judge,
    dense_count,
    same_pad,
    shape_judge,
)
from grader.spec import Case, prop


def dense_hidden(rng):
    return [
        Case(
            ((784, 100, 10),),
            label=label(
                "seed 000's MNIST network as a tuple, n = 100",
                "le réseau MNIST du seed 000 en tuple, n = 100",
            ),
        ),
        Case(
            (np.array([13, 7, 7, 7, 3]),),
            label=label(
                "a numpy array of sizes [13, 7, 7, 7, 3]",
                "un tableau numpy de tailles [13, 7, 7, 7, 3]",
            ),
        ),
        Case(([1, 1],), label=label("the smallest network [1, 1]", "le plus petit réseau [1, 1]")),
        Case(([5],), label=label("an input layer alone, [5]", "une couche d'entrée seule, [5]")),
    ]


def conv_size_hidden(rng):
    return [
        Case(
            (224, 7, 3, 2),
            label=label("a 7×7 conv, stride 2 on 224", "une conv 7×7 de pas 2 sur 224"),
        ),
        Case(
            (227, 11),
            {"s": 4},
            label=label(
                "AlexNet's first layer (227, 11, s = 4)",
                "la première couche d'AlexNet (227, 11, s = 4)",
            ),
        ),
        Case(
            (5, 5),
            label=label("a kernel as large as the input", "un noyau aussi grand que l'entrée"),
        ),
        Case(
            (np.int64(100), np.int64(4), np.int64(1), np.int64(3)),
            label=label("numpy integers, stride 3", "des entiers numpy, pas de 3"),
        ),
        Case(
            (13, 3, 0, 2),
            label=label("a size that does not divide", "une taille qui ne tombe pas juste"),
        ),
        Case((22, 3, 0, 3), label=label("a third left over", "un reste d'un tiers")),
    ]


def same_hidden(rng):
    return [
        Case((9,), label=label("a 9×9 kernel", "un noyau 9×9")),
        Case((101,), label=label("a 101×101 kernel", "un noyau 101×101")),
        Case((np.int64(11),), label=label("a numpy integer 11", "un entier numpy 11")),
    ]


def conv_count_hidden(rng):
    return [
        Case(
            (1, 1, 64, 32),
            label=label(
                "a 1×1 convolution, 64 → 32 channels", "une convolution 1×1, 64 → 32 canaux"
            ),
        ),
        Case(
            (7, 7, 3, 64),
            label=label("a 7×7 conv on RGB, 64 filters", "une conv 7×7 sur RGB, 64 filtres"),
        ),
        Case(
            (3, 3, 512, 512),
            label=label("a large 3×3 conv, 512 → 512", "une grande conv 3×3, 512 → 512"),
        ),
        Case(
            (1, 7, 4, 4), label=label("a 1×7 kernel, 4 → 4 channels", "un noyau 1×7, 4 → 4 canaux")
        ),
    ]


def shape_hidden(rng):
    return [
        Case(
            ((28, 20, 1), [("conv", 3, 4, 1, 1), ("pool", 2, 2), ("conv", 3, 8, 0, 2)]),
            label=label("a non-square 28×20 image", "une image non carrée 28×20"),
        ),
        Case(
            (
                (64, 64, 3),
                [
                    ("conv", 7, 16, 3, 2),
                    ("pool", 3, 2),
                    ("conv", 3, 32, 1, 2),
                    ("pool", 2, 2),
                    ("conv", 4, 10, 0, 1),
                ],
            ),
            label=label(
                "a stem conv, overlapping pools, down to 1×1",
                "une conv d'entrée, des pools chevauchants, jusqu'à 1×1",
            ),
        ),
        Case(((17, 17, 5), []), label=label("no layers at all", "aucune couche")),
        Case(
            (np.array([33, 33, 2]), [("pool", 2, 2), ("pool", 2, 1), ("conv", 1, 3, 0, 1)]),
            label=label(
                "numpy input shape, two pools and a 1×1 conv",
                "forme d'entrée numpy, deux pools et une conv 1×1",
            ),
        ),
    ]


CHECKS = [
    prop(
        "count_dense_params",
        "hidden_networks",
        dense_hidden,
        count_judge(dense_count, DENSE_VARIANTS, DENSE_GENERIC, hidden=True),
    ),
    prop(
        "conv_output_size",
        "hidden_layers",
        conv_size_hidden,
        count_judge(conv_size, CONV_SIZE_VARIANTS, CONV_SIZE_GENERIC, hidden=True),
    ),
    prop(
        "same_padding",
        "hidden_large_kernels",
        same_hidden,
        count_judge(same_pad, SAME_VARIANTS, SAME_GENERIC, hidden=True),
        points=0.5,
    ),
    prop(
        "count_conv_params",
        "hidden_layers",
        conv_count_hidden,
        count_judge(conv_count, CONV_COUNT_VARIANTS, CONV_COUNT_GENERIC, hidden=True),
    ),
    prop(
        "cnn_output_shape",
        "hidden_stacks",
        shape_hidden,
        shape_judge(hidden=True),
        points=1.5,
    ),
]
