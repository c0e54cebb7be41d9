"""Hidden checks for ex03_gradient_descent: other shapes, jax inputs, eps that matters,
float32, and x0 left unchanged."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label
from grader.course.ex03_gradient_descent import (
    DESCENT_HINT,
    NUMGRAD_HINT,
    NUMGRAD_TOL,
    double_well_grad,
    quadratic_grad,
    scalar_fn,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, compare

F32, F64 = np.float32, np.float64


def descent_shapes_and_jax(rng):
    x0_vec = rng.normal(size=4).astype(F64)
    return [
        Case(
            (double_well_grad(1.5), np.array(1.2), 0.05, 8),
            label=label(
                "a scalar x0 (shape ()), a double well, 8 steps",
                "un x0 scalaire (forme ()), un double puits, 8 pas",
            ),
        ),
        Case(
            (
                quadratic_grad(rng.uniform(0.5, 2.0, (2, 3, 2)), rng.normal(size=(2, 3, 2))),
                rng.normal(size=(2, 3, 2)),
                0.3,
                4,
            ),
            label=label("x0 of shape (2, 3, 2), 4 steps", "x0 de forme (2, 3, 2), 4 pas"),
        ),
        Case(
            (
                quadratic_grad(np.full(3, 2.0), np.ones(3)),
                as_jax(rng.normal(size=3), "float32"),
                0.1,
                6,
            ),
            label=label("a jax float32 x0, 6 steps", "un x0 jax float32, 6 pas"),
        ),
        Case(
            (double_well_grad(rng.uniform(0.5, 1.0, 4)), x0_vec + np.sign(x0_vec), 0.1, 12),
            label=label(
                "a float64 vector x0 (the input must stay unchanged), 12 steps",
                "un vecteur x0 float64 (l'entrée doit rester intacte), 12 pas",
            ),
        ),
    ]


def numgrad_harder(rng):
    return [
        Case(
            (scalar_fn(rng, ()), np.array(0.7)),
            label=label("a scalar x (shape ())", "un x scalaire (forme ())"),
        ),
        Case(
            (scalar_fn(rng, (2, 2, 3)), rng.normal(size=(2, 2, 3))),
            label=label("x of shape (2, 2, 3)", "x de forme (2, 2, 3)"),
        ),
        Case(
            (scalar_fn(rng, (3,)), rng.normal(size=3), 0.1),
            label=label(
                "eps=0.1 (the central difference differs from the derivative: use eps)",
                "eps=0.1 (la différence centrée diffère de la dérivée : utilisez eps)",
            ),
        ),
        Case(
            (scalar_fn(rng, (5,)), rng.normal(size=5).astype(F32), 1e-2),
            label=label("a float32 x, eps=1e-2", "un x float32, eps=1e-2"),
        ),
        Case(
            (scalar_fn(rng, (2, 3)), as_jax(rng.normal(size=(2, 3)), "float32")),
            {"eps": 1e-2},
            label=label("a jax float32 x (2, 3), eps=1e-2", "un x jax float32 (2, 3), eps=1e-2"),
        ),
    ]


def f1_more(rng):
    return [
        Case(
            (as_jax(rng.uniform(-3.0, 3.0, size=5), "float32"),),
            label=label("a jax float32 vector", "un vecteur jax float32"),
        ),
        Case(
            (np.array([[-1e3, -10.0], [10.0, 1e3]]),),
            label=label(
                "large float64 values (±10, ±1000)", "de grandes valeurs float64 (±10, ±1000)"
            ),
        ),
        Case((np.float64(-0.25),), label=label("a numpy scalar -0.25", "un scalaire numpy -0,25")),
    ]


def v_more(rng):
    return [
        Case(
            (as_jax(rng.uniform(-2.0, 2.0, size=2), "float32"),),
            label=label("a jax float32 v", "un v jax float32"),
        ),
        Case((np.array([-3.0, -2.0]),), label=label("v = (-3, -2)", "v = (-3, -2)")),
        Case((np.array([0.5, 4.0]),), label=label("v = (0.5, 4)", "v = (0,5, 4)")),
        Case((np.array([10.0, -0.1]),), label=label("v = (10, -0.1)", "v = (10, -0,1)")),
    ]


def seed_more(rng):
    return [
        Case((-0.5,), label=label("x0 = -0.5", "x0 = -0,5")),
        Case((np.float64(0.25),), label=label("x0 = 0.25 (numpy)", "x0 = 0,25 (numpy)")),
        Case((1,), label=label("x0 = 1 (a Python int)", "x0 = 1 (un int Python)")),
    ]


CHECKS = [
    compare(
        "gradient_descent",
        "shapes_jax_and_x0_unchanged",
        descent_shapes_and_jax,
        points=2,
        driver="keeps_input",
        options={"watch_arg": 1, "output_key": "path", "flag_key": "x0_left_unchanged"},
        hint=Text(
            DESCENT_HINT.en + " Do not update x0 in place (x -= … on x0 itself): copy it first.",
            DESCENT_HINT.fr + " Ne modifiez pas x0 sur place (x -= … sur x0 lui-même) : copiez-le.",
        ),
    ),
    compare(
        "numerical_gradient",
        "shapes_eps_and_dtypes",
        numgrad_harder,
        points=2,
        tol=NUMGRAD_TOL,
        hint=NUMGRAD_HINT,
    ),
    compare(
        "grad_f1",
        "more_values",
        f1_more,
        hint=Text(
            "f1'(x) = 4x³ − 3x², elementwise, for numbers, numpy and jax arrays alike.",
            "f1'(x) = 4x³ − 3x², élément par élément, pour des nombres comme pour des tableaux "
            "numpy et jax.",
        ),
    ),
    compare(
        "grad_c2",
        "more_values",
        v_more,
        hint=Text("∇C2 = (−3v₁², 2v₂).", "∇C2 = (−3v₁², 2v₂)."),
    ),
    compare(
        "grad_c3",
        "more_values",
        v_more,
        hint=Text("∇C3 = (2v₁v₂², 2v₁²v₂).", "∇C3 = (2v₁v₂², 2v₁²v₂)."),
    ),
    compare(
        "three_iterations",
        "other_starts",
        seed_more,
        # An int x0 updated in place raises (a float cannot be cast into it): say so then too.
        hint=hint_for(
            Text(
                "Any number may start: negative, a numpy scalar, a Python int (convert it with "
                "float(x0)); three trajectories of 4 points, x0 or (x0, x0) first, eta = 0.1.",
                "Tout nombre peut servir de départ : négatif, scalaire numpy, int Python "
                "(convertissez avec float(x0)) ; trois trajectoires de 4 points, x0 ou (x0, x0) en "
                "premier, eta = 0.1.",
            ),
            "answer",
            "exception",
        ),
    ),
]
