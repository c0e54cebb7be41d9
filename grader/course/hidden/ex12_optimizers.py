"""Hidden checks for ex12_optimizers: longer runs, nested pytrees, jit without params, tiny
gradients for Adam, and init from the params' structure only."""

from __future__ import annotations

from grader.course._ex12_judges import judge_init_structure
from grader.course.ex12_optimizers import (
    ADAM_HINT,
    ADAM_TOL,
    INIT_HINT,
    MOMENTUM_HINT,
    RMSPROP_EPS_HINT,
    SGD_HINT,
    TOL,
    init_cases,
    jit_hint,
    quadratic_case,
    quadratic_check,
    sequence_case,
    sequence_check,
)
from grader.spec import prop


def sgd_jit(rng):
    return [
        sequence_case(rng, "nested", 60, {"learning_rate": 0.5}),
        sequence_case(
            rng,
            "list",
            30,
            [1e-3],
            scale=1e3,
            what_en="large gradients",
            what_fr="grands gradients",
        ),
    ]


def momentum_jit(rng):
    return [
        sequence_case(rng, "nested", 150, {"learning_rate": 0.02, "beta": 0.99}),
        sequence_case(
            rng,
            "dict",
            50,
            {"learning_rate": 0.1, "beta": 0.0},
            what_en="beta = 0 (plain SGD)",
            what_fr="beta = 0 (SGD simple)",
        ),
    ]


def momentum_quadratic(rng):
    return [quadratic_case(rng, "list", 120, {"learning_rate": 0.2, "beta": 0.8})]


def rmsprop_jit(rng):
    return [
        sequence_case(rng, "nested", 150, {"learning_rate": 0.001, "decay": 0.99}),
        sequence_case(
            rng,
            "list",
            50,
            {"learning_rate": 0.01, "decay": 0.9, "eps": 1e-8},
            scale=1e-10,
            what_en="gradients of about 1e-10",
            what_fr="gradients de l'ordre de 1e-10",
        ),
    ]


def adam_tiny(rng):
    return [
        sequence_case(
            rng,
            "list",
            60,
            {"learning_rate": 0.01},
            scale=1e-9,
            what_en="gradients of about 1e-9, eps = 1e-8",
            what_fr="gradients de l'ordre de 1e-9, eps = 1e-8",
        ),
        sequence_case(
            rng, "dict", 150, {"learning_rate": 0.003, "b1": 0.5, "b2": 0.9, "eps": 1e-3}
        ),
    ]


CHECKS = [
    sequence_check(
        "sgd",
        "jit_without_params",
        sgd_jit,
        jit=True,
        hidden=True,
        tol=TOL,
        hint=jit_hint(SGD_HINT),
    ),
    sequence_check(
        "momentum",
        "jit_without_params",
        momentum_jit,
        jit=True,
        hidden=True,
        tol=TOL,
        hint=jit_hint(MOMENTUM_HINT),
    ),
    quadratic_check(
        "momentum", "quadratic", momentum_quadratic, hidden=True, tol=TOL, hint=MOMENTUM_HINT
    ),
    prop(
        "momentum",
        "init_from_structure",
        init_cases({"learning_rate": 0.1}, "nested"),
        judge_init_structure,
        driver="ex12_init_twice",
        hint=INIT_HINT,
    ),
    sequence_check(
        "rmsprop",
        "jit_without_params",
        rmsprop_jit,
        jit=True,
        hidden=True,
        tol=TOL,
        hint=jit_hint(RMSPROP_EPS_HINT),
    ),
    prop(
        "rmsprop",
        "init_from_structure",
        init_cases({"learning_rate": 0.01}, "dict"),
        judge_init_structure,
        driver="ex12_init_twice",
        hint=INIT_HINT,
    ),
    sequence_check(
        "adam",
        "tiny_and_other_hyperparameters",
        adam_tiny,
        hidden=True,
        tol=ADAM_TOL,
        hint=ADAM_HINT,
    ),
    prop(
        "adam",
        "init_from_structure",
        init_cases({"learning_rate": 0.01}, "list"),
        judge_init_structure,
        driver="ex12_init_twice",
        hint=INIT_HINT,
    ),
]
