"""Hidden checks for ex13_convolution: many shapes, paddings and strides, edge cases, jax and
float64 inputs."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label
from grader.course.ex13_convolution import (
    BACKWARD_HINT,
    CONV2D_HINT,
    CONVOLVE_HINT,
    CORRELATE_HINT,
    MEDIAN_HINT,
    POOL_HINT,
    SOBEL_HINT,
    SUM_TOL,
    backward_case,
    conv_case,
    image,
    kernel,
    layer_case,
    pool_case,
    salt_and_pepper,
)
from grader.spec import Case, compare


def _jax_case(case: Case, en: str, fr: str) -> Case:
    """The same case with its arrays handed over as jax float32 arrays."""
    args = tuple(as_jax(a, "float32") if isinstance(a, np.ndarray) else a for a in case.args)
    return Case(args, case.kwargs, label=label(f"{case.label.en}, {en}", f"{case.label.fr}, {fr}"))


def _float64_case(case: Case) -> Case:
    args = tuple(a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in case.args)
    return Case(
        args,
        case.kwargs,
        label=label(f"{case.label.en}, float64", f"{case.label.fr}, float64"),
    )


JAX_EN, JAX_FR = "jax float32 inputs", "entrées jax float32"


def many_2d_shapes(rng):
    cases = [
        conv_case(rng, 5, 5, 1, 1, what_en="1×1 kernel", what_fr="noyau 1×1"),
        conv_case(
            rng,
            4,
            6,
            4,
            6,
            what_en="kernel as large as the image",
            what_fr="noyau grand comme l'image",
        ),
        conv_case(
            rng,
            10,
            9,
            2,
            2,
            0,
            3,
            "stride larger than the kernel",
            "stride plus grand que le noyau",
        ),
        conv_case(rng, 5, 8, 3, 2, 2, 2),
        conv_case(rng, 7, 4, 5, 3, 1, 1),
        conv_case(
            rng,
            3,
            3,
            3,
            3,
            3,
            4,
            "padding larger than half the kernel",
            "padding plus grand que la moitié du noyau",
        ),
    ]
    cases.append(_jax_case(conv_case(rng, 6, 9, 3, 4, 1, 2), JAX_EN, JAX_FR))
    cases.append(_float64_case(conv_case(rng, 8, 7, 3, 3, 1, 1)))
    return cases


def sobel_more(rng):
    return [
        Case(
            (np.full((5, 9), 0.5, np.float32),),
            label=label(
                "a constant 5×9 image (only the zero-padded border responds)",
                "une image constante 5×9 (seul le bord complété de zéros répond)",
            ),
        ),
        _jax_case(
            Case((image(rng, 7, 4),), label=label("a random 7×4 image", "une image aléatoire 7×4")),
            JAX_EN,
            JAX_FR,
        ),
        _float64_case(Case((image(rng, 3, 4),), label=label("a 3×4 image", "une image 3×4"))),
    ]


def median_more(rng):
    return [
        Case(
            (salt_and_pepper(rng, 9, 7), 5),
            label=label("a noisy 9×7 image, size 5", "une image bruitée 9×7, size 5"),
        ),
        Case(
            (image(rng, 4, 11), 3),
            label=label("a 4×11 image, size 3", "une image 4×11, size 3"),
        ),
        Case(
            (image(rng, 5, 5), 1),
            label=label("size 1 (the identity)", "size 1 (l'identité)"),
        ),
        _jax_case(
            Case(
                (salt_and_pepper(rng, 6, 8), 3),
                label=label("a 6×8 image, size 3", "une image 6×8, size 3"),
            ),
            JAX_EN,
            JAX_FR,
        ),
    ]


def pools_more(rng):
    negative = pool_case(
        rng,
        (2, 4, 4, 2),
        what_en="all values negative",
        what_fr="toutes les valeurs négatives",
    )
    negative = Case((negative.args[0] - 2.0,), negative.kwargs, label=negative.label)
    return [
        pool_case(rng, (2, 7, 7, 3), 3, 2, "overlapping windows", "fenêtres qui se chevauchent"),
        pool_case(rng, (1, 5, 6, 4), 2, 1),
        pool_case(
            rng, (3, 8, 7, 1), 3, 3, "sizes not divisible by 3", "tailles non divisibles par 3"
        ),
        negative,
        _jax_case(pool_case(rng, (2, 6, 4, 5)), JAX_EN, JAX_FR),
    ]


def conv2d_more(rng):
    return [
        layer_case(rng, 2, 5, 5, 3, 1, 1, 4, what_en="1×1 kernel", what_fr="noyau 1×1"),
        layer_case(rng, 1, 10, 9, 2, 3, 3, 3, stride=3, padding=2),
        layer_case(rng, 3, 6, 7, 2, 3, 1, 2, padding=1, what_en="3×1 kernel", what_fr="noyau 3×1"),
        layer_case(rng, 2, 8, 8, 1, 4, 4, 6, stride=2),
        _jax_case(layer_case(rng, 2, 6, 6, 3, 3, 3, 2, padding=1), JAX_EN, JAX_FR),
    ]


def backward_more(rng):
    return [
        backward_case(rng, 2, 5, 5, 2, 3, 3, 3, 2),
        backward_case(rng, 1, 6, 6, 3, 2, 2, 2, 1, "even kernel", "noyau pair"),
        backward_case(rng, 3, 5, 6, 2, 2, 3, 1, 0, "2×3 kernel", "noyau 2×3"),
        backward_case(rng, 1, 4, 4, 1, 4, 4, 2, 0, "kernel as large as x", "noyau grand comme x"),
        _jax_case(backward_case(rng, 2, 5, 4, 2, 3, 3, 2, 1), JAX_EN, JAX_FR),
    ]


def convolve_many(rng):
    cases = many_2d_shapes(rng)
    # A kernel that is symmetric under transposition but not under a 180° rotation.
    k = kernel(rng, 3, 3)
    k = np.triu(k) + np.triu(k, 1).T
    k[0, 0], k[2, 2] = 1.0, -1.0
    cases.append(
        Case(
            (image(rng, 6, 6), k.astype(np.float32), 1),
            label=label(
                "a kernel equal to its transpose, not to its 180° rotation",
                "un noyau égal à sa transposée, pas à sa rotation de 180°",
            ),
        )
    )
    return cases


CHECKS = [
    compare(
        "correlate2d",
        "many_shapes",
        many_2d_shapes,
        tol=SUM_TOL,
        hint=CORRELATE_HINT,
    ),
    compare("convolve2d", "many_shapes", convolve_many, tol=SUM_TOL, hint=CONVOLVE_HINT),
    compare("sobel_edges", "borders_and_dtypes", sobel_more, tol=SUM_TOL, hint=SOBEL_HINT),
    compare("median_filter", "sizes_and_shapes", median_more, hint=MEDIAN_HINT),
    compare("max_pool2d", "overlap_and_edges", pools_more, hint=POOL_HINT),
    compare("avg_pool2d", "overlap_and_edges", pools_more, hint=POOL_HINT),
    compare("conv2d", "shapes_and_jax", conv2d_more, tol=SUM_TOL, hint=CONV2D_HINT),
    compare(
        "conv2d_backward",
        "paddings_kernels_and_jax",
        backward_more,
        points=2,
        tol=SUM_TOL,
        hint=BACKWARD_HINT,
    ),
]
