"""Hidden checks for ex02_activations: other seeds, harder cases, jax inputs, 3-D shapes."""

from __future__ import annotations

import numpy as np

from grader.compare import Tolerance
from grader.course.common import as_jax, case
from grader.course.ex02_activations import (
    AXIS_HINT,
    F32,
    F64,
    LOG_SOFTMAX_HINT,
    LOGIT_SPREAD,
    MAX_TRICK,
    OVERFLOW_SIGMOID,
    OVERFLOW_TANH,
)
from grader.hints import hint_for, hints
from grader.i18n import Text
from grader.spec import compare


def huge_mixed(rng, shape, scale=1e4):
    """Uniform in [-scale, scale] with exact ±scale and 0 planted."""
    z = rng.uniform(-scale, scale, size=shape)
    z.reshape(-1)[:3] = [scale, -scale, 0.0]
    return z


def extremes_and_jax(rng):
    a = as_jax(huge_mixed(rng, (2, 3, 4)), "float32")
    b = huge_mixed(rng, (5, 5)).astype(F64)
    c = np.array([-745.0, -710.0, -89.0, 89.0, 710.0, 745.0], F64)
    return [
        case(
            "a jax float32 array (2, 3, 4) with |z| up to 1e4",
            "un tableau jax float32 (2, 3, 4) avec |z| jusqu'à 1e4",
            a,
        ),
        case("float64 (5, 5) with |z| up to 1e4", "float64 (5, 5) avec |z| jusqu'à 1e4", b),
        case(
            "float64 values around exp's overflow thresholds",
            "des valeurs float64 autour des seuils de débordement d'exp",
            c,
        ),
    ]


def left_tail(rng):
    z = -np.linspace(15.0, 80.0, 14)
    return [
        case(
            "float64 z from -80 to -15 (σ(z) is tiny but must be exact)",
            "float64 z de -80 à -15 (σ(z) est minuscule mais doit être exact)",
            z.astype(F64),
        ),
        case("float32 z from -80 to -15", "float32 z de -80 à -15", z.astype(F32).reshape(2, 7)),
    ]


def prime_extremes(rng):
    z = np.array([-1e4, -800.0, -50.0, -3.0, 0.0, 3.0, 50.0, 800.0, 1e4])
    jz = as_jax(z.reshape(3, 3), "float32")
    return [
        case("float64 values from -1e4 to 1e4", "des valeurs float64 de -1e4 à 1e4", z.astype(F64)),
        case(
            "a jax float32 (3, 3) from -1e4 to 1e4",
            "un tableau jax float32 (3, 3) de -1e4 à 1e4",
            jz,
        ),
    ]


def relu_keeps_input(rng):
    z = rng.normal(size=(4, 3)).astype(F64)
    z[0, 0] = 0.0
    j = as_jax(rng.normal(size=(2, 5)), "float32")
    return [
        case(
            "float64 (4, 3): the result, and the input left unchanged",
            "float64 (4, 3) : le résultat, et l'entrée laissée intacte",
            z,
        ),
        case("a jax float32 (2, 5)", "un tableau jax float32 (2, 5)", j),
    ]


def relu_prime_edges(rng):
    # Tiny values stay float32-normal (1e-30): float32 code flushes subnormals to 0.
    z = np.array([[-0.0, 0.0, 1e-30, -1e-30], [1e30, -1e30, 1e-6, -1e-6]], F64)
    j = rng.normal(size=(3, 4))
    j[1, :2] = 0.0
    return [
        case(
            "float64 0, -0.0, tiny and huge values",
            "float64 : 0, -0.0, valeurs minuscules et énormes",
            z,
        ),
        case(
            "a jax float32 (3, 4) with zeros",
            "un tableau jax float32 (3, 4) avec des zéros",
            as_jax(j, "float32"),
        ),
    ]


def tanh_extremes(rng):
    z = huge_mixed(rng, (3, 4), scale=1e4).astype(F64)
    z[2, :3] = [1e-9, -1e-9, 0.5]
    j = as_jax(huge_mixed(rng, (2, 2, 3)), "float32")
    v = np.array([-400.0, -356.0, -20.0, 20.0, 356.0, 400.0], F32)
    return [
        case(
            "a jax float32 (2, 2, 3) with |z| up to 1e4",
            "un tableau jax float32 (2, 2, 3) avec |z| jusqu'à 1e4",
            j,
        ),
        case(
            "float64 (3, 4) mixing ±1e4 and tiny values",
            "float64 (3, 4) mêlant ±1e4 et des valeurs minuscules",
            z,
        ),
        case("float32 values where exp(2z) overflows", "des valeurs float32 où exp(2z) déborde", v),
    ]


def leaky_jax_and_alpha(rng):
    z = rng.normal(size=(3, 4))
    z[0, 0] = 0.0
    v = np.array([-1e4, -2.0, 0.0, 2.0, 1e4], F64)
    return [
        case(
            "a jax float32 (3, 4), alpha=0.05",
            "un tableau jax float32 (3, 4), alpha=0.05",
            as_jax(z, "float32"),
            alpha=0.05,
        ),
        case("float64, alpha=0 (plain ReLU)", "float64, alpha=0 (ReLU simple)", v, 0.0),
        case("float64 (5, 1), alpha=0.5", "float64 (5, 1), alpha=0.5", v.reshape(5, 1), 0.5),
    ]


def softmax_harder(rng):
    # Columns far apart; offsets in quarters, so that float32 holds these inputs exactly
    # (code computing in float32 must not be blamed for rounding 1e4 + noise).
    big = np.round(4 * rng.normal(size=(5, 2))) / 4 + np.array([1e4, -1e4])
    a = rng.normal(size=(2, 3, 4)).astype(F32)
    b = rng.normal(size=(3, 2, 5)).astype(F64)
    j = as_jax(3 * rng.normal(size=(4, 7)), "float32")
    return [
        case("(2, 3, 4) with axis=0", "(2, 3, 4) avec axis=0", a, 0),
        case("(3, 2, 5) with axis=-2", "(3, 2, 5) avec axis=-2", b, axis=-2),
        case("a jax float32 batch (4, 7)", "un lot jax float32 (4, 7)", j),
        case(
            "float64 (5, 2), axis=0, one column near 1e4, the other near -1e4",
            "float64 (5, 2), axis=0, une colonne vers 1e4, l'autre vers -1e4",
            big.astype(F64),
            0,
        ),
    ]


def log_softmax_harder(rng):
    big = rng.normal(size=(2, 6)) * 5e3
    big[0, 0] = 1e4
    a = rng.normal(size=(2, 4, 3)).astype(F64)
    return [
        case("(2, 4, 3) with axis=1", "(2, 4, 3) avec axis=1", a, 1),
        case(
            "a jax float32 (2, 6) with logits up to 1e4",
            "un tableau jax float32 (2, 6) avec des logits jusqu'à 1e4",
            as_jax(big, "float32"),
        ),
        case(
            "float64 (6, 2), axis=0, logits up to 1e4",
            "float64 (6, 2), axis=0, logits jusqu'à 1e4",
            big.T.astype(F64),
            axis=0,
        ),
    ]


LEFT_TAIL_HINT = Text(
    "For z < 0, σ(z) ≈ e^z is tiny: compute it as e^z/(1 + e^z), never as 1 − σ(−z) or 1 − (a number close to 1), which rounds it to 0.",
    "Pour z < 0, σ(z) ≈ e^z est minuscule : calculez-le comme e^z/(1 + e^z), jamais comme 1 − σ(−z) ou 1 − (un nombre proche de 1), qui l'arrondit à 0.",
)
# Overflow advice only: a doubled σ' has finite, wrong values (no overflow to fix).
PRIME_OVERFLOW = hint_for(
    Text(
        "e^{-z}/(1 + e^{-z})² is inf/inf = NaN for z = -1e4: use σ(z)·(1 − σ(z)) with a stable σ.",
        "e^{-z}/(1 + e^{-z})² vaut inf/inf = NaN pour z = -1e4 : utilisez σ(z)·(1 − σ(z)) avec une σ stable.",
    ),
    "nonfinite",
)
RELU_COPY_HINT = Text(
    "Return a new array (np.maximum(z, 0)); do not write into z (z[z < 0] = 0 changes the caller's array).",
    "Renvoyez un nouveau tableau (np.maximum(z, 0)) ; n'écrivez pas dans z (z[z < 0] = 0 modifie le tableau de l'appelant).",
)
RELU_PRIME_HINT = Text(
    "1.0 where z > 0 strictly (even tiny z), 0.0 where z <= 0 (0 and -0.0 included).",
    "1.0 si z > 0 strictement (même minuscule), 0.0 si z <= 0 (0 et -0.0 compris).",
)
ALPHA_HINT = Text(
    "Use the alpha you are given, also alpha=0.", "Utilisez l'alpha reçu, même alpha=0."
)
AXES = {"values": AXIS_HINT, "shape": AXIS_HINT, "broadcast": AXIS_HINT}

CHECKS = [
    compare("sigmoid", "extremes_and_jax", extremes_and_jax, hint=OVERFLOW_SIGMOID),
    compare(
        "sigmoid",
        "left_tail_precision",
        left_tail,
        points=0.5,
        # Relative precision only: σ(-80) ≈ 1.8e-35 must not be rounded to 0.
        tol=Tolerance(float32=(1e-4, 0.0), float64=(1e-10, 0.0)),
        hint=LEFT_TAIL_HINT,
    ),
    compare("sigmoid_prime", "large_inputs", prime_extremes, hint=PRIME_OVERFLOW),
    compare(
        "relu",
        "jax_and_input_unchanged",
        relu_keeps_input,
        points=0.5,
        driver="keeps_input",
        hint=RELU_COPY_HINT,
    ),
    compare("relu_prime", "edge_values", relu_prime_edges, points=0.5, hint=RELU_PRIME_HINT),
    compare("tanh", "extremes_and_jax", tanh_extremes, hint=OVERFLOW_TANH),
    compare("leaky_relu", "jax_and_alpha", leaky_jax_and_alpha, points=0.5, hint=ALPHA_HINT),
    compare(
        "softmax",
        "axes_jax_and_large",
        softmax_harder,
        spread=LOGIT_SPREAD,
        hint=hints(**AXES, nonfinite=MAX_TRICK),
    ),
    compare(
        "log_softmax",
        "axes_jax_and_large",
        log_softmax_harder,
        hint=hints(**AXES, nonfinite=LOG_SOFTMAX_HINT),
    ),
]
