"""Hidden checks for ex12_optimizers: longer runs, nested pytrees, jit without params, tiny
gradients for Adam, and init from the params' structure only."""

from __future__ import annotations

from grader.course.ex12_optimizers import (
    ADAM_HINT,
    ADAM_TOL,
    INIT_HINT,
    MOMENTUM_HINT,
    RMSPROP_EPS_HINT,
    SGD_HINT,
    WHAT,
    cases_of,
    init_cases,
    jit_hint,
    judge_init_structure,
    quadratic_case,
    quadratic_check,
    sequence_case,
    sequence_check,
)
from grader.spec import prop

sgd_jit = cases_of(
    sequence_case,
    ("nested", 60, {"learning_rate": 0.5}),
    ("list", 30, [1e-3], 1e3, "large gradients", "grands gradients"),
)
momentum_jit = cases_of(
    sequence_case,
    ("nested", 150, {"learning_rate": 0.02, "beta": 0.99}),
    (
        "dict",
        50,
        {"learning_rate": 0.1, "beta": 0.0},
        1.0,
        "beta = 0 (plain SGD)",
        "beta = 0 (SGD simple)",
    ),
)
momentum_quadratic = cases_of(quadratic_case, ("list", 120, {"learning_rate": 0.2, "beta": 0.8}))
rmsprop_jit = cases_of(
    sequence_case,
    ("nested", 150, {"learning_rate": 0.001, "decay": 0.99}),
    (
        "list",
        50,
        {"learning_rate": 0.01, "decay": 0.9, "eps": 1e-8},
        1e-10,
        "gradients of about 1e-10",
        "gradients de l'ordre de 1e-10",
    ),
)
adam_tiny = cases_of(
    sequence_case,
    ("list", 60, {"learning_rate": 0.01}, 1e-9, *WHAT["tiny"]),
    ("dict", 150, {"learning_rate": 0.003, "b1": 0.5, "b2": 0.9, "eps": 1e-3}),
)


def init_check(function, hparams, tree):
    return prop(
        function,
        "init_from_structure",
        init_cases(hparams, tree),
        judge_init_structure,
        driver="ex12_init_twice",
        hint=INIT_HINT,
    )


CHECKS = [
    sequence_check("sgd", "jit_without_params", sgd_jit, jit=True, hint=jit_hint(SGD_HINT)),
    sequence_check(
        "momentum", "jit_without_params", momentum_jit, jit=True, hint=jit_hint(MOMENTUM_HINT)
    ),
    quadratic_check("momentum", "quadratic", momentum_quadratic, hint=MOMENTUM_HINT),
    init_check("momentum", {"learning_rate": 0.1}, "nested"),
    sequence_check(
        "rmsprop", "jit_without_params", rmsprop_jit, jit=True, hint=jit_hint(RMSPROP_EPS_HINT)
    ),
    init_check("rmsprop", {"learning_rate": 0.01}, "dict"),
    sequence_check(
        "adam", "tiny_and_other_hyperparameters", adam_tiny, tol=ADAM_TOL, hint=ADAM_HINT
    ),
    init_check("adam", {"learning_rate": 0.01}, "list"),
]
