"""Hidden checks for ex04_losses: other seeds, harder cases, jax inputs, float64."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, case
from grader.course.ex04_losses import (
    BCE,
    CCE,
    CLIPPED,
    F32,
    F64,
    LOGITS,
    SOFTMAX_CE,
    dense,
    one_hot,
    pair,
    pairs,
    softmax_rows,
)
from grader.spec import compare


def quadratic_hidden(rng):
    a = as_jax(rng.uniform(size=(8, 3)), "float32")
    y = as_jax(one_hot(rng.integers(0, 3, size=8), 3))
    return [
        case("jax float32 inputs (8, 3)", "entrées jax float32 (8, 3)", a, y),
        case(
            "one output per example, (20, 1) float64",
            "une sortie par exemple, (20, 1) float64",
            *pair(rng, (20, 1)),
        ),
    ]


mse_hidden = pairs(
    (7, "jax", "jax vectors of shape (7,)", "vecteurs jax de forme (7,)"),
    ((2, 3, 4), F64, "3-D arrays (2, 3, 4), float64", "tableaux 3-D (2, 3, 4), float64"),
)
l1_hidden = pairs(
    ((5, 4), "jax", "jax float32 inputs (5, 4)", "entrées jax float32 (5, 4)"),
    (
        (9, 1),
        F64,
        "one output per example, (9, 1) float64",
        "une sortie par exemple, (9, 1) float64",
    ),
    ((1, 6), F64, "one example with 6 outputs", "un exemple à 6 sorties"),
)


def bce_hidden(rng):
    p = rng.uniform(0.0, 1.0, size=(3, 4))
    p[0, :2] = [0.0, 1.0]
    p[2, 1:3] = [1.0, 0.0]
    y = rng.integers(0, 2, size=(3, 4)).astype(F64)
    y[0, :2] = [1.0, 0.0]
    q = rng.uniform(0.0, 1.0, size=9).astype(F32)
    q[:3] = [0.0, 1.0, 0.1]
    return [
        case("(3, 4) float64 with exact 0 and 1", "(3, 4) float64 avec des 0 et 1 exacts", p, y),
        case(
            "jax float32 inputs, eps = 0.2 (p = 0.1 is clipped too)",
            "entrées jax float32, eps = 0.2 (p = 0.1 est écrêté aussi)",
            as_jax(q),
            as_jax(rng.integers(0, 2, size=9).astype(F32)),
            eps=0.2,
        ),
    ]


def logits_hidden(rng):
    z = np.array([1e4, -1e4, 800.0, -800.0, 709.0, -40.0, 1.5, -0.25])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    zz = 1e4 * np.sign(rng.normal(size=(3, 4)))
    zz[0, 0] = 0.75
    return [
        case(
            "float64 logits up to 1e4 (exp(800) overflows float64)",
            "logits float64 jusqu'à 1e4 (exp(800) déborde en float64)",
            z,
            y,
        ),
        case(
            "jax float32 logits ±1e4, shape (3, 4)",
            "logits jax float32 ±1e4, forme (3, 4)",
            as_jax(zz, "float32"),
            as_jax(rng.integers(0, 2, size=(3, 4)), "float32"),
        ),
    ]


def cce_hidden(rng):
    p = softmax_rows(3.0 * rng.normal(size=(5, 2))).astype(F32)
    p[0] = [0.0, 1.0]
    p[1] = [1.0, 0.0]
    y = one_hot([0, 0, 1, 1, 0], 2)
    p10, y10 = softmax_rows(rng.normal(size=(5, 10))), one_hot(rng.integers(0, 10, 5), 10, F64)
    return [
        case(
            "jax float32, 2 classes, probabilities exactly 0 and 1",
            "jax float32, 2 classes, probabilités exactement 0 et 1",
            as_jax(p),
            as_jax(y),
        ),
        case(
            "the same in float64 with eps = 0.05",
            "la même chose en float64 avec eps = 0.05",
            p.astype(F64),
            y.astype(F64),
            eps=0.05,
        ),
        case("5 examples, 10 classes, float64", "5 exemples, 10 classes, float64", p10, y10),
    ]


def softmax_ce_hidden(rng):
    square = (3.0 * rng.normal(size=(4, 4))).astype(F32)
    big = 1e4 * np.sign(rng.normal(size=(3, 5)))
    big[:, 0] = -1e4
    return [
        case(
            "4 examples and 4 classes (a square matrix), class 3 absent from the labels",
            "4 exemples et 4 classes (une matrice carrée), classe 3 absente des étiquettes",
            square,
            np.array([1, 0, 1, 2]),
        ),
        case(
            "jax logits ±1e4 and jax int32 labels",
            "logits jax ±1e4 et étiquettes jax int32",
            as_jax(big, "float32"),
            as_jax(np.array([0, 0, 2]), "int32"),
        ),
        case(
            "float64 logits ±800 (exp(800) overflows float64)",
            "logits float64 ±800 (exp(800) déborde en float64)",
            np.array([[800.0, -800.0, 0.0], [0.0, 0.0, 0.0]]),
            np.array([1, 2]),
        ),
    ]


def l2_hidden(rng):
    conv = {
        "w": rng.normal(size=(3, 3, 2, 4)).astype(F32),
        "b": (1.0 + rng.normal(size=4)).astype(F32),
    }
    params = [
        {
            "stem": conv,
            # Keys that contain a "w" without being "w": not weights.
            "norm": {
                "gamma": np.ones(4, F32),
                "beta": np.ones(4, F32),
                "w_scale": np.full(4, 3.0, F32),
            },
            "window": np.full(3, 2.0),
        },
        {
            "blocks": [
                [{"w": as_jax(rng.normal(size=(4, 4)), "float32"), "bias": np.ones(4)}],
                {"inner": {"deeper": {"w": rng.normal(size=(2, 2)), "b": np.full(2, 5.0)}}},
            ]
        },
        dense(rng, 4, 2),
    ]
    return [
        case(
            "a conv layer, normalisation, keys such as 'w_scale' that are not 'w', a 'w' at depth 5, jax leaves",
            "une couche conv, une normalisation, des clés comme 'w_scale' qui ne sont pas 'w', un 'w' à la profondeur 5, des feuilles jax",
            params,
            0.7,
            13,
        ),
        case(
            "no weights at all (only biases)",
            "aucun poids (seulement des biais)",
            [{"b": np.ones(3)}, {"gamma": np.ones(2)}],
            1.0,
            1,
        ),
        case("λ = 0", "λ = 0", [dense(rng, 3, 3)], 0.0, 4),
    ]


CHECKS = [
    compare("quadratic_cost", "hidden_jax_and_float64", quadratic_hidden, points=0.5),
    compare("mse", "hidden_shapes", mse_hidden, points=0.5),
    compare("l1_loss", "hidden_inputs", l1_hidden, points=0.5),
    compare(BCE, "hidden_edges_and_eps", bce_hidden, tol=CLIPPED),
    compare(LOGITS, "hidden_huge_logits", logits_hidden),
    compare(CCE, "hidden_edges_and_eps", cce_hidden, tol=CLIPPED),
    compare(SOFTMAX_CE, "hidden_labels_and_huge", softmax_ce_hidden),
    compare("l2_penalty", "hidden_deep_pytree", l2_hidden),
]
