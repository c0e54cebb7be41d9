"""Hidden checks for ex01_perceptron: other seeds, harder cases, jax inputs."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, case, separable_blobs, xor_data
from grader.course.ex01_perceptron import BITS, judge_nand, read_pair
from grader.spec import Case, compare, fail, ok, prop


def perceptron_mixed(rng):
    X = rng.integers(-2, 3, size=(50, 3)).astype(np.float64)  # many exact zeros of w·x + b
    w = rng.integers(-2, 3, size=3).astype(np.float64)
    X32, w32 = as_jax(rng.normal(size=(8, 5)), "float32"), as_jax(rng.normal(size=5), "float32")
    return [
        case(
            "integer inputs, many points on the boundary",
            "entrées entières, beaucoup de points sur la frontière",
            X,
            w,
            1.0,
        ),
        case("jax float32 inputs", "entrées jax float32", X32, w32, 0.25),
    ]


def judge_nand_margin(cases, outputs):
    verdict = judge_nand(cases, outputs)
    if not verdict.passed:
        return verdict
    w, b = outputs[0]
    if min(abs(float(np.dot(w, p) + b)) for p in BITS) < 1e-9:
        return fail(
            "a point of {0,1}² lies exactly on the boundary w·x + b = 0: move it away (a margin).",
            "un point de {0,1}² est exactement sur la frontière w·x + b = 0 : éloignez-l'en (une marge).",
        )
    return ok()


def adder_numpy_and_jax(rng):
    return [
        case(
            f"numpy/jax bits ({a}, {b})",
            f"bits numpy/jax ({a}, {b})",
            np.int64(a),
            as_jax(b, "int32"),
        )
        for a, b in BITS
    ]


def fit_random(rng):
    X, y = separable_blobs(rng, 40, dim=4, margin=0.3)
    X2, y2 = xor_data(rng, 30)
    return [
        case(
            "separable points, 7 epochs, lr 0.5",
            "points séparables, 7 époques, lr 0.5",
            X,
            y,
            7,
            0.5,
        ),
        case("XOR data, 3 epochs, lr 0.1", "données XOR, 3 époques, lr 0.1", X2, y2, 3, 0.1),
    ]


def judge_no_training_no_change(cases, outputs):
    pair = read_pair(outputs[0], "perceptron_fit", 3)
    if isinstance(pair, tuple) and np.all(pair[0] == 0) and float(pair[1]) == 0.0:
        return ok()
    return fail(
        "with epochs=0 the weights and bias must stay at zero.",
        "avec epochs=0 les poids et le biais doivent rester à zéro.",
    )


CHECKS = [
    compare("perceptron", "hidden_boundary_and_jax", perceptron_mixed),
    prop("nand_parameters", "margin", lambda rng: [Case()], judge_nand_margin),
    compare("half_adder", "numpy_and_jax_bits", adder_numpy_and_jax),
    compare("perceptron_fit", "random_data", fit_random, points=2),
    prop(
        "perceptron_fit",
        "zero_epochs",
        lambda rng: [Case((rng.normal(size=(5, 3)), np.ones(5), 0, 1.0))],
        judge_no_training_no_change,
    ),
]
