"""Hidden checks for ex04_losses: other seeds, harder cases, jax inputs, float64."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label
from grader.course.ex04_losses import CLIPPED, dense, one_hot, softmax_rows
from grader.spec import Case, compare


def quadratic_hidden(rng):
    return [
        Case(
            (
                as_jax(rng.uniform(size=(8, 3)), "float32"),
                as_jax(one_hot(rng.integers(0, 3, size=8), 3)),
            ),
            label=label("jax float32 inputs (8, 3)", "entrées jax float32 (8, 3)"),
        ),
        Case(
            (rng.normal(size=(20, 1)), rng.normal(size=(20, 1))),
            label=label(
                "one output per example, (20, 1) float64", "une sortie par exemple, (20, 1) float64"
            ),
        ),
    ]


def mse_hidden(rng):
    return [
        Case(
            (as_jax(rng.normal(size=7), "float32"), as_jax(rng.normal(size=7), "float32")),
            label=label("jax vectors of shape (7,)", "vecteurs jax de forme (7,)"),
        ),
        Case(
            (rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))),
            label=label("3-D arrays (2, 3, 4), float64", "tableaux 3-D (2, 3, 4), float64"),
        ),
    ]


def l1_hidden(rng):
    return [
        Case(
            (
                as_jax(rng.normal(size=(5, 4)), "float32"),
                as_jax(rng.normal(size=(5, 4)), "float32"),
            ),
            label=label("jax float32 inputs (5, 4)", "entrées jax float32 (5, 4)"),
        ),
        Case(
            (rng.normal(size=(9, 1)), rng.normal(size=(9, 1))),
            label=label(
                "one output per example, (9, 1) float64", "une sortie par exemple, (9, 1) float64"
            ),
        ),
        Case(
            (rng.normal(size=(1, 6)), rng.normal(size=(1, 6))),
            label=label("one example with 6 outputs", "un exemple à 6 sorties"),
        ),
    ]


def bce_hidden(rng):
    p = rng.uniform(0.0, 1.0, size=(3, 4))
    p[0, :2] = [0.0, 1.0]
    p[2, 1:3] = [1.0, 0.0]
    y = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    y[0, :2] = [1.0, 0.0]
    q = rng.uniform(0.0, 1.0, size=9).astype(np.float32)
    q[:3] = [0.0, 1.0, 0.1]
    return [
        Case(
            (p, y),
            label=label(
                "(3, 4) float64 with exact 0 and 1", "(3, 4) float64 avec des 0 et 1 exacts"
            ),
        ),
        Case(
            (as_jax(q), as_jax(rng.integers(0, 2, size=9).astype(np.float32))),
            {"eps": 0.2},
            label=label(
                "jax float32 inputs, eps = 0.2 (p = 0.1 is clipped too)",
                "entrées jax float32, eps = 0.2 (p = 0.1 est écrêté aussi)",
            ),
        ),
    ]


def logits_hidden(rng):
    z = np.array([1e4, -1e4, 800.0, -800.0, 709.0, -40.0, 1.5, -0.25])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    zz = 1e4 * np.sign(rng.normal(size=(3, 4)))
    zz[0, 0] = 0.75
    return [
        Case(
            (z, y),
            label=label(
                "float64 logits up to 1e4 (exp(800) overflows float64)",
                "logits float64 jusqu'à 1e4 (exp(800) déborde en float64)",
            ),
        ),
        Case(
            (as_jax(zz, "float32"), as_jax(rng.integers(0, 2, size=(3, 4)), "float32")),
            label=label(
                "jax float32 logits ±1e4, shape (3, 4)", "logits jax float32 ±1e4, forme (3, 4)"
            ),
        ),
    ]


def cce_hidden(rng):
    p = softmax_rows(3.0 * rng.normal(size=(5, 2))).astype(np.float32)
    p[0] = [0.0, 1.0]
    p[1] = [1.0, 0.0]
    y = one_hot([0, 0, 1, 1, 0], 2)
    return [
        Case(
            (as_jax(p), as_jax(y)),
            label=label(
                "jax float32, 2 classes, probabilities exactly 0 and 1",
                "jax float32, 2 classes, probabilités exactement 0 et 1",
            ),
        ),
        Case(
            (p.astype(np.float64), y.astype(np.float64)),
            {"eps": 0.05},
            label=label(
                "the same in float64 with eps = 0.05", "la même chose en float64 avec eps = 0.05"
            ),
        ),
        Case(
            (
                softmax_rows(rng.normal(size=(5, 10))),
                one_hot(rng.integers(0, 10, 5), 10, np.float64),
            ),
            label=label("5 examples, 10 classes, float64", "5 exemples, 10 classes, float64"),
        ),
    ]


def softmax_ce_hidden(rng):
    square = (3.0 * rng.normal(size=(4, 4))).astype(np.float32)
    big = 1e4 * np.sign(rng.normal(size=(3, 5)))
    big[:, 0] = -1e4
    return [
        Case(
            (square, np.array([1, 0, 1, 2])),
            label=label(
                "4 examples and 4 classes (a square matrix), class 3 absent from the labels",
                "4 exemples et 4 classes (une matrice carrée), classe 3 absente des étiquettes",
            ),
        ),
        Case(
            (as_jax(big, "float32"), as_jax(np.array([0, 0, 2]), "int32")),
            label=label(
                "jax logits ±1e4 and jax int32 labels", "logits jax ±1e4 et étiquettes jax int32"
            ),
        ),
        Case(
            (np.array([[800.0, -800.0, 0.0], [0.0, 0.0, 0.0]]), np.array([1, 2])),
            label=label(
                "float64 logits ±800 (exp(800) overflows float64)",
                "logits float64 ±800 (exp(800) déborde en float64)",
            ),
        ),
    ]


def l2_hidden(rng):
    conv = {
        "w": rng.normal(size=(3, 3, 2, 4)).astype(np.float32),
        "b": (1.0 + rng.normal(size=4)).astype(np.float32),
    }
    params = [
        {
            "stem": conv,
            # Keys that contain a "w" without being "w": not weights.
            "norm": {
                "gamma": np.ones(4, np.float32),
                "beta": np.ones(4, np.float32),
                "w_scale": np.full(4, 3.0, np.float32),
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
        Case(
            (params, 0.7, 13),
            label=label(
                "a conv layer, normalisation, keys such as 'w_scale' that are not 'w', a 'w' at depth 5, jax leaves",
                "une couche conv, une normalisation, des clés comme 'w_scale' qui ne sont pas 'w', un 'w' à la profondeur 5, des feuilles jax",
            ),
        ),
        Case(
            ([{"b": np.ones(3)}, {"gamma": np.ones(2)}], 1.0, 1),
            label=label("no weights at all (only biases)", "aucun poids (seulement des biais)"),
        ),
        Case(
            ([dense(rng, 3, 3)], 0.0, 4),
            label=label("λ = 0", "λ = 0"),
        ),
    ]


CHECKS = [
    compare("quadratic_cost", "hidden_jax_and_float64", quadratic_hidden, points=0.5),
    compare("mse", "hidden_shapes", mse_hidden, points=0.5),
    compare("l1_loss", "hidden_inputs", l1_hidden, points=0.5),
    compare("binary_cross_entropy", "hidden_edges_and_eps", bce_hidden, tol=CLIPPED),
    compare("binary_cross_entropy_with_logits", "hidden_huge_logits", logits_hidden),
    compare("categorical_cross_entropy", "hidden_edges_and_eps", cce_hidden, tol=CLIPPED),
    compare("softmax_cross_entropy", "hidden_labels_and_huge", softmax_ce_hidden),
    compare("l2_penalty", "hidden_deep_pytree", l2_hidden),
]
