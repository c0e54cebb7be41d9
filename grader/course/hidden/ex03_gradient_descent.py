"""Hidden checks for ex03_gradient_descent: other shapes, jax inputs, eps that matters,
float32, and x0 left unchanged."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, case
from grader.course.ex03_gradient_descent import (
    DESCENT_HINT,
    NUMGRAD_HINT,
    NUMGRAD_TOL,
    at_points,
    double_well_grad,
    quadratic_grad,
    scalar_fn,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import compare

F32, F64 = np.float32, np.float64


def descent_shapes_and_jax(rng):
    x0 = rng.normal(size=4).astype(F64)
    cube = quadratic_grad(rng.uniform(0.5, 2.0, (2, 3, 2)), rng.normal(size=(2, 3, 2)))
    cube_x0 = rng.normal(size=(2, 3, 2))
    bowl, jax_x0 = (
        quadratic_grad(np.full(3, 2.0), np.ones(3)),
        as_jax(rng.normal(size=3), "float32"),
    )
    well = double_well_grad(rng.uniform(0.5, 1.0, 4))
    return [
        case(
            "a scalar x0 (shape ()), a double well, 8 steps",
            "un x0 scalaire (forme ()), un double puits, 8 pas",
            double_well_grad(1.5),
            np.array(1.2),
            0.05,
            8,
        ),
        case(
            "x0 of shape (2, 3, 2), 4 steps", "x0 de forme (2, 3, 2), 4 pas", cube, cube_x0, 0.3, 4
        ),
        case("a jax float32 x0, 6 steps", "un x0 jax float32, 6 pas", bowl, jax_x0, 0.1, 6),
        case(
            "a float64 vector x0 (the input must stay unchanged), 12 steps",
            "un vecteur x0 float64 (l'entrée doit rester intacte), 12 pas",
            well,
            x0 + np.sign(x0),
            0.1,
            12,
        ),
    ]


def numgrad_harder(rng):
    scalar, cube = scalar_fn(rng, ()), scalar_fn(rng, (2, 2, 3))
    cube_x = rng.normal(size=(2, 2, 3))
    wide, wide_x = scalar_fn(rng, (3,)), rng.normal(size=3)
    f32, x32 = scalar_fn(rng, (5,)), rng.normal(size=5).astype(F32)
    fj, xj = scalar_fn(rng, (2, 3)), as_jax(rng.normal(size=(2, 3)), "float32")
    return [
        case("a scalar x (shape ())", "un x scalaire (forme ())", scalar, np.array(0.7)),
        case("x of shape (2, 2, 3)", "x de forme (2, 2, 3)", cube, cube_x),
        case(
            "eps=0.1 (the central difference differs from the derivative: use eps)",
            "eps=0.1 (la différence centrée diffère de la dérivée : utilisez eps)",
            wide,
            wide_x,
            0.1,
        ),
        case("a float32 x, eps=1e-2", "un x float32, eps=1e-2", f32, x32, 1e-2),
        case(
            "a jax float32 x (2, 3), eps=1e-2",
            "un x jax float32 (2, 3), eps=1e-2",
            fj,
            xj,
            eps=1e-2,
        ),
    ]


def f1_more(rng):
    x = as_jax(rng.uniform(-3.0, 3.0, size=5), "float32")
    big = np.array([[-1e3, -10.0], [10.0, 1e3]])
    return [
        case("a jax float32 vector", "un vecteur jax float32", x),
        case("large float64 values (±10, ±1000)", "de grandes valeurs float64 (±10, ±1000)", big),
        case("a numpy scalar -0.25", "un scalaire numpy -0,25", np.float64(-0.25)),
    ]


def v_more(rng):
    v = as_jax(rng.uniform(-2.0, 2.0, size=2), "float32")
    return [
        case("a jax float32 v", "un v jax float32", v),
        *at_points((-3.0, -2.0), (0.5, 4.0), (10.0, -0.1)),
    ]


def seed_more(rng):
    return [
        case("x0 = -0.5", "x0 = -0,5", -0.5),
        case("x0 = 0.25 (numpy)", "x0 = 0,25 (numpy)", np.float64(0.25)),
        case("x0 = 1 (a Python int)", "x0 = 1 (un int Python)", 1),
    ]


DESCENT_COPY_HINT = Text(
    DESCENT_HINT.en + " Do not update x0 in place (x -= … on x0 itself): copy it first.",
    DESCENT_HINT.fr + " Ne modifiez pas x0 sur place (x -= … sur x0 lui-même) : copiez-le.",
)
F1_HINT = Text(
    "f1'(x) = 4x³ − 3x², elementwise, for numbers, numpy and jax arrays alike.",
    "f1'(x) = 4x³ − 3x², élément par élément, pour des nombres comme pour des tableaux numpy et jax.",
)
# An int x0 updated in place raises (a float cannot be cast into it): say so then too.
SEED_HINT = hint_for(
    Text(
        "Any number may start: negative, a numpy scalar, a Python int (convert it with float(x0)); three trajectories of 4 points, x0 or (x0, x0) first, eta = 0.1.",
        "Tout nombre peut servir de départ : négatif, scalaire numpy, int Python (convertissez avec float(x0)) ; trois trajectoires de 4 points, x0 ou (x0, x0) en premier, eta = 0.1.",
    ),
    "answer",
    "exception",
)

CHECKS = [
    compare(
        "gradient_descent",
        "shapes_jax_and_x0_unchanged",
        descent_shapes_and_jax,
        points=2,
        driver="keeps_input",
        options={"watch_arg": 1, "output_key": "path", "flag_key": "x0_left_unchanged"},
        hint=DESCENT_COPY_HINT,
    ),
    compare(
        "numerical_gradient",
        "shapes_eps_and_dtypes",
        numgrad_harder,
        points=2,
        tol=NUMGRAD_TOL,
        hint=NUMGRAD_HINT,
    ),
    compare("grad_f1", "more_values", f1_more, hint=F1_HINT),
    compare(
        "grad_c2", "more_values", v_more, hint=Text("∇C2 = (−3v₁², 2v₂).", "∇C2 = (−3v₁², 2v₂).")
    ),
    compare(
        "grad_c3",
        "more_values",
        v_more,
        hint=Text("∇C3 = (2v₁v₂², 2v₁²v₂).", "∇C3 = (2v₁v₂², 2v₁²v₂)."),
    ),
    compare("three_iterations", "other_starts", seed_more, hint=SEED_HINT),
]
