"""Hidden checks for ex13_convolution: many shapes, paddings and strides, edge cases, jax and
float64 inputs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.course.common import as_jax, case, label
from grader.course.ex13_convolution import (
    BACKWARD_HINT,
    CONV2D_HINT,
    CONVOLVE_HINT,
    CORRELATE_HINT,
    MEDIAN_HINT,
    POOL_HINT,
    SOBEL_HINT,
    backward_case,
    cases_of,
    conv_case,
    image,
    kernel,
    layer_case,
    pool_case,
    salt_and_pepper,
    summed,
)
from grader.spec import Case, compare


def retyped(c: Case, dtype: str = "jax") -> Case:
    """The same case with its arrays handed over as jax float32 arrays, or cast to ``dtype``."""
    if dtype == "jax":
        cast, en, fr = (lambda a: as_jax(a, "float32")), "jax float32 inputs", "entrées jax float32"
    else:
        cast, en, fr = (lambda a: a.astype(dtype)), dtype, dtype
    args = tuple(cast(a) if isinstance(a, np.ndarray) else a for a in c.args)
    return replace(c, args=args, label=label(f"{c.label.en}, {en}", f"{c.label.fr}, {fr}"))


shapes_2d = cases_of(
    conv_case,
    (5, 5, 1, 1, None, None, "1×1 kernel", "noyau 1×1"),
    (4, 6, 4, 6, None, None, "kernel as large as the image", "noyau grand comme l'image"),
    (10, 9, 2, 2, 0, 3, "stride larger than the kernel", "stride plus grand que le noyau"),
    (5, 8, 3, 2, 2, 2),
    (7, 4, 5, 3, 1, 1),
    (
        3,
        3,
        3,
        3,
        3,
        4,
        "padding larger than half the kernel",
        "padding plus grand que la moitié du noyau",
    ),
)


def many_2d_shapes(rng):
    return [
        *shapes_2d(rng),
        retyped(conv_case(rng, 6, 9, 3, 4, 1, 2)),
        retyped(conv_case(rng, 8, 7, 3, 3, 1, 1), "float64"),
    ]


def convolve_many(rng):
    cases = many_2d_shapes(rng)
    # A kernel that is symmetric under transposition but not under a 180° rotation.
    k = kernel(rng, 3, 3)
    k = np.triu(k) + np.triu(k, 1).T
    k[0, 0], k[2, 2] = 1.0, -1.0
    symmetric = case(
        "a kernel equal to its transpose, not to its 180° rotation",
        "un noyau égal à sa transposée, pas à sa rotation de 180°",
        *(image(rng, 6, 6), k.astype(np.float32), 1),
    )
    return [*cases, symmetric]


def sobel_more(rng):
    return [
        case(
            "a constant 5×9 image (only the zero-padded border responds)",
            "une image constante 5×9 (seul le bord complété de zéros répond)",
            np.full((5, 9), 0.5, np.float32),
        ),
        retyped(case("a random 7×4 image", "une image aléatoire 7×4", image(rng, 7, 4))),
        retyped(case("a 3×4 image", "une image 3×4", image(rng, 3, 4)), "float64"),
    ]


def median_more(rng):
    return [
        case(
            "a noisy 9×7 image, size 5",
            "une image bruitée 9×7, size 5",
            salt_and_pepper(rng, 9, 7),
            5,
        ),
        case("a 4×11 image, size 3", "une image 4×11, size 3", image(rng, 4, 11), 3),
        case("size 1 (the identity)", "size 1 (l'identité)", image(rng, 5, 5), 1),
        retyped(
            case("a 6×8 image, size 3", "une image 6×8, size 3", salt_and_pepper(rng, 6, 8), 3)
        ),
    ]


def pools_more(rng):
    negative = pool_case(
        rng, (2, 4, 4, 2), None, None, "all values negative", "toutes les valeurs négatives"
    )
    return [
        pool_case(rng, (2, 7, 7, 3), 3, 2, "overlapping windows", "fenêtres qui se chevauchent"),
        pool_case(rng, (1, 5, 6, 4), 2, 1),
        pool_case(
            rng, (3, 8, 7, 1), 3, 3, "sizes not divisible by 3", "tailles non divisibles par 3"
        ),
        replace(negative, args=(negative.args[0] - 2.0,)),
        retyped(pool_case(rng, (2, 6, 4, 5))),
    ]


layers_more = cases_of(
    layer_case,
    (2, 5, 5, 3, 1, 1, 4, 1, 0, "1×1 kernel", "noyau 1×1"),
    (1, 10, 9, 2, 3, 3, 3, 3, 2),
    (3, 6, 7, 2, 3, 1, 2, 1, 1, "3×1 kernel", "noyau 3×1"),
    (2, 8, 8, 1, 4, 4, 6, 2, 0),
)
backwards_more = cases_of(
    backward_case,
    (2, 5, 5, 2, 3, 3, 3, 2),
    (1, 6, 6, 3, 2, 2, 2, 1, "even kernel", "noyau pair"),
    (3, 5, 6, 2, 2, 3, 1, 0, "2×3 kernel", "noyau 2×3"),
    (1, 4, 4, 1, 4, 4, 2, 0, "kernel as large as x", "noyau grand comme x"),
)


def conv2d_more(rng):
    return [*layers_more(rng), retyped(layer_case(rng, 2, 6, 6, 3, 3, 3, 2, 1, 1))]


def backward_more(rng):
    return [*backwards_more(rng), retyped(backward_case(rng, 2, 5, 4, 2, 3, 3, 2, 1))]


CHECKS = [
    summed("correlate2d", "many_shapes", many_2d_shapes, hint=CORRELATE_HINT),
    summed("convolve2d", "many_shapes", convolve_many, hint=CONVOLVE_HINT),
    summed("sobel_edges", "borders_and_dtypes", sobel_more, hint=SOBEL_HINT),
    compare("median_filter", "sizes_and_shapes", median_more, hint=MEDIAN_HINT),
    compare("max_pool2d", "overlap_and_edges", pools_more, hint=POOL_HINT),
    compare("avg_pool2d", "overlap_and_edges", pools_more, hint=POOL_HINT),
    summed("conv2d", "shapes_and_jax", conv2d_more, hint=CONV2D_HINT),
    summed(
        "conv2d_backward", "paddings_kernels_and_jax", backward_more, points=2, hint=BACKWARD_HINT
    ),
]
