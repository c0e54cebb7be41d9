"""Checks for ex05_counting (public): whole-number answers judged by trusted formulas.

Every check is a property check: its judge recomputes the right count from the seed's formula
and, when the student's answer is wrong, also tries the usual wrong formulas (biases
forgotten, padding counted once, no floor, no ``+ 1``…) to say which term is missing. Public
messages show the expected number; hidden ones (``hidden=True``) never do, they only name the
likely mistake. The formulas, right and wrong, are declared in ``_ex05_formulas.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.course._ex05_formulas import (
    CONV_COUNT_GENERIC,
    CONV_COUNT_VARIANTS,
    CONV_SIZE_GENERIC,
    CONV_SIZE_VARIANTS,
    DENSE_GENERIC,
    DENSE_VARIANTS,
    SAME_GENERIC,
    SAME_VARIANTS,
    SHAPE_GENERIC,
    SHAPE_VARIANTS,
    cnn_shape,
    conv_count,
    conv_size,
    dense_count,
    same_pad,
    simulate,
)
from grader.course.common import label
from grader.i18n import Text
from grader.judging import Mistake, as_number, describe, formula_judge, show
from grader.spec import Case, Exercise, Verdict, fail, prop

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


def count_judge(truth, mistakes: list[Mistake], generic: Text, *, hidden: bool = False):
    """A judge for a function returning one whole number; see the module docstring."""

    def report(words: tuple[str, str], got: float, exp: int, advice: Text) -> Verdict:
        (en, fr), shown = words, show(got)
        if hidden:
            return fail(
                f"On {en}: {shown} is not right. {advice.en}",
                f"Sur {fr} : {shown} n'est pas juste. {advice.fr}",
            )
        return fail(
            f"On {en}: got {shown}, expected {exp}. {advice.en}",
            f"Sur {fr} : obtenu {shown}, attendu {exp}. {advice.fr}",
        )

    def explain(got: float) -> Text | None:
        return None if got.is_integer() else WHOLE.format(got=show(got))

    return formula_judge(truth, mistakes, generic, read=_read_count, report=report, explain=explain)


# -- count_dense_params -------------------------------------------------------------------------


def dense_seed_cases(rng):
    return [
        Case(
            ([2, 2, 1],),
            label=label("seed 000's network [2, 2, 1]", "le réseau [2, 2, 1] du seed 000"),
        ),
        Case(
            ([2, 5, 3],),
            label=label("seed 000's network [2, 5, 3]", "le réseau [2, 5, 3] du seed 000"),
        ),
        Case(
            ([784, 30, 10],),
            label=label(
                "seed 000's MNIST network with n = 30 hidden neurons",
                "le réseau MNIST du seed 000 avec n = 30 neurones cachés",
            ),
        ),
    ]


def dense_deeper_cases(rng):
    return [
        Case(([3, 4, 4, 2],), label=label("the network [3, 4, 4, 2]", "le réseau [3, 4, 4, 2]")),
        Case(([10, 1],), label=label("one layer, [10, 1]", "une seule couche, [10, 1]")),
        Case(
            ([6, 8, 8, 8, 5],),
            label=label(
                "a deeper network [6, 8, 8, 8, 5]", "un réseau plus profond [6, 8, 8, 8, 5]"
            ),
        ),
    ]


# -- conv_output_size ---------------------------------------------------------------------------


def _size_case(h, k, p=None, s=None, en="", fr=""):
    kwargs = {}
    if p is not None:
        kwargs["p"] = p
    if s is not None:
        kwargs["s"] = s
    words = ", ".join(
        f"{n} = {v}" for n, v in (("H", h), ("K", k), ("P", p), ("S", s)) if v is not None
    )
    return Case((h, k), kwargs, label=label(f"{en} ({words})", f"{fr} ({words})"))


def conv_size_seed_cases(rng):
    return [
        _size_case(
            32, 5, en="seed 002: a 5×5 filter on 32×32", fr="seed 002 : un filtre 5×5 sur 32×32"
        ),
        _size_case(32, 5, p=2, en="seed 002 with padding", fr="seed 002 avec padding"),
        _size_case(
            7, 3, p=0, s=2, en="seed 002 with a stride of 2", fr="seed 002 avec un pas de 2"
        ),
        _size_case(4, 2, p=0, s=2, en="seed 002's 2×2 pooling", fr="le pooling 2×2 du seed 002"),
    ]


def conv_size_rounding_cases(rng):
    return [
        _size_case(8, 3, p=1, s=2, en="padding and stride", fr="padding et pas"),
        _size_case(
            10,
            3,
            p=1,
            s=3,
            en="a division that rounds down",
            fr="une division qui arrondit vers le bas",
        ),
        _size_case(35, 3, p=1, s=2, en="an odd size", fr="une taille impaire"),
        _size_case(28, 5, p=0, s=3, en="a stride of 3", fr="un pas de 3"),
        _size_case(12, 3, p=0, s=4, en="a stride of 4", fr="un pas de 4"),
    ]


# -- same_padding -------------------------------------------------------------------------------


def same_cases(rng):
    return [Case((k,), label=label(f"a {k}×{k} kernel", f"un noyau {k}×{k}")) for k in (1, 3, 5, 7)]


# -- count_conv_params --------------------------------------------------------------------------


def conv_count_cases(rng):
    return [
        Case(
            (3, 3, 3, 32),
            label=label(
                "seed 004's first CIFAR-10 layer: 32 filters 3×3 on 3 channels",
                "la première couche CIFAR-10 du seed 004 : 32 filtres 3×3 sur 3 canaux",
            ),
        ),
        Case(
            (5, 5, 1, 6),
            label=label(
                "LeNet-5's first layer: 6 filters 5×5 on 1 channel",
                "la première couche de LeNet-5 : 6 filtres 5×5 sur 1 canal",
            ),
        ),
        Case(
            (3, 5, 16, 8),
            label=label("a 3×5 kernel, 16 → 8 channels", "un noyau 3×5, 16 → 8 canaux"),
        ),
    ]


# -- cnn_output_shape ---------------------------------------------------------------------------


def _as_shape(value: Any) -> list[float] | None:
    if isinstance(value, np.ndarray):
        value = list(value.ravel()) if value.ndim == 1 else None
    if not isinstance(value, (list, tuple)):
        return None
    nums = [as_number(v) for v in value]
    return None if any(n is None for n in nums) else nums


def _read_shape(out: Any) -> list[float] | Text:
    got = _as_shape(out)
    if got is None or len(got) != 3:
        return Text(
            f"expected a tuple (H, W, C) of 3 ints, got {describe(out, dtype=True)}.",
            f"attendu un tuple (H, W, C) de 3 entiers, obtenu {describe(out, 'fr', dtype=True)}.",
        )
    return got


def shape_judge(*, hidden: bool = False):
    def report(words: tuple[str, str], got: list[float], exp: tuple, advice: Text) -> Verdict:
        (en, fr), text = words, "(" + ", ".join(show(g) for g in got) + ")"
        if hidden:
            return fail(
                f"On {en}: {text} is not the right shape. {advice.en}",
                f"Sur {fr} : {text} n'est pas la bonne forme. {advice.fr}",
            )
        return fail(
            f"On {en}: got {text}, expected {exp}. {advice.en}",
            f"Sur {fr} : obtenu {text}, attendu {exp}. {advice.fr}",
        )

    def explain(got: list[float]) -> Text | None:
        if all(float(g).is_integer() for g in got):
            return None
        return WHOLE.format(got=", ".join(show(g) for g in got))

    return formula_judge(
        cnn_shape, SHAPE_VARIANTS, SHAPE_GENERIC, read=_read_shape, report=report, explain=explain
    )


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
        Case(
            ((32, 32, 3), CIFAR),
            label=label(
                "seed 004's CIFAR-10 network (conv 3×3, pool 2×2, ×2, conv 3×3)",
                "le réseau CIFAR-10 du seed 004 (conv 3×3, pool 2×2, ×2, conv 3×3)",
            ),
        ),
        Case(
            ((28, 28, 1), LENET),
            label=label(
                "LeNet-5 on 28×28 images (padded 5×5 conv, pool, conv, pool)",
                "LeNet-5 sur des images 28×28 (conv 5×5 avec padding, pool, conv, pool)",
            ),
        ),
    ]


def shape_stride_cases(rng):
    return [
        Case(
            ((35, 35, 3), [("conv", 3, 8, 1, 2), ("pool", 3, 2), ("conv", 3, 16, 0, 1)]),
            label=label(
                "a stride-2 padded conv, an overlapping 3×3 pool with stride 2, a conv",
                "une conv de pas 2 avec padding, un pool 3×3 chevauchant de pas 2, une conv",
            ),
        ),
        Case(
            ((30, 30, 1), [("conv", 4, 4, 1, 3), ("pool", 2, 2), ("conv", 3, 2, 2, 1)]),
            label=label(
                "stride 3 with padding 1, then a pool and a conv with padding 2",
                "pas 3 avec padding 1, puis un pool et une conv avec padding 2",
            ),
        ),
    ]


EXERCISE = Exercise(
    id="ex05_counting",
    title=Text("Counting parameters and shapes", "Compter les paramètres et les dimensions"),
    checks=[
        prop(
            "count_dense_params",
            "seed_000_examples",
            dense_seed_cases,
            count_judge(dense_count, DENSE_VARIANTS, DENSE_GENERIC),
        ),
        prop(
            "count_dense_params",
            "deeper_networks",
            dense_deeper_cases,
            count_judge(dense_count, DENSE_VARIANTS, DENSE_GENERIC),
        ),
        prop(
            "conv_output_size",
            "seed_002_examples",
            conv_size_seed_cases,
            count_judge(conv_size, CONV_SIZE_VARIANTS, CONV_SIZE_GENERIC),
        ),
        prop(
            "conv_output_size",
            "padding_stride_rounding",
            conv_size_rounding_cases,
            count_judge(conv_size, CONV_SIZE_VARIANTS, CONV_SIZE_GENERIC),
        ),
        prop(
            "same_padding",
            "odd_kernels",
            same_cases,
            count_judge(same_pad, SAME_VARIANTS, SAME_GENERIC),
            points=0.5,
        ),
        prop(
            "count_conv_params",
            "layers",
            conv_count_cases,
            count_judge(conv_count, CONV_COUNT_VARIANTS, CONV_COUNT_GENERIC),
        ),
        prop("cnn_output_shape", "seed_004_networks", shape_seed_cases, shape_judge()),
        prop(
            "cnn_output_shape",
            "strides_and_padding",
            shape_stride_cases,
            shape_judge(),
            points=1.5,
        ),
    ],
)

__all__ = [
    "CONV_COUNT_GENERIC",
    "CONV_COUNT_VARIANTS",
    "CONV_SIZE_GENERIC",
    "CONV_SIZE_VARIANTS",
    "DENSE_GENERIC",
    "DENSE_VARIANTS",
    "EXERCISE",
    "SAME_GENERIC",
    "SAME_VARIANTS",
    "conv_count",
    "conv_size",
    "count_judge",
    "dense_count",
    "same_pad",
    "shape_judge",
    "simulate",
]
