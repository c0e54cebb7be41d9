"""Hidden checks for ex10_gradcheck: nested pytrees with 0-d leaves, params left intact,
tiny values, jax inputs, an MLP's real gradient, tol at the edge, default arguments."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label
from grader.course.ex10_gradcheck import (
    ERR_TOL,
    GRAD_TOL,
    ExpectCase,
    cubic,
    dense,
    judge_gradient_check,
    mlp_problem,
    signed_values,
    tree_copy,
)
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import Case, compare, prop


def nested_cases(rng):
    X = rng.normal(size=(10, 4))
    y = (rng.uniform(size=10) < 0.5).astype(np.float64)
    logistic = {"linear": {"w": rng.normal(size=4), "b": np.float64(0.3)}, "scale": np.float64(1.2)}
    tree = {
        "blocks": [signed_values(rng, (3,)), signed_values(rng, (2, 2))],
        "pair": (signed_values(rng, (2,)), signed_values(rng, ())),
    }
    f, _ = cubic(rng, tree)
    return [
        Case(
            (Ref("ex10_f", ("logistic_cost", X, y)), logistic, 1e-4),
            label=label(
                "{'linear': {'w': (4,), 'b': 0-d}, 'scale': 0-d}, a logistic loss, eps = 1e-4",
                "{'linear': {'w': (4,), 'b': 0-d}, 'scale': 0-d}, une perte logistique, eps = 1e-4",
            ),
        ),
        Case(
            (f, tree, 0.05),
            label=label(
                "a dict of a list and a tuple (one 0-d leaf), a cubic f, eps = 0.05",
                "un dict d'une liste et d'un tuple (une feuille 0-d), une fonction cubique, eps = 0.05",
            ),
        ),
    ]


def untouched_cases(rng):
    params = dense(rng, 2, 3)
    f, _ = cubic(rng, params)
    return [
        Case(
            (f, params, 1e-3),
            label=label(
                "the params after the call must be those before",
                "les paramètres après l'appel doivent être ceux d'avant",
            ),
        )
    ]


def tiny_and_jax_cases(rng):
    a = np.array([1e-13, -1e-13, 0.0, 5e-13, 2e-12])
    b = np.array([0.0, 1e-13, 0.0, 7.5e-13, 2e-12])
    x = rng.normal(size=(3, 4))
    z = rng.normal(size=(2, 3, 2))
    return [
        Case(
            (a, b),
            label=label(
                "values around 1e-13, below the floor 1e-12 of the denominator",
                "des valeurs autour de 1e-13, sous le plancher 1e-12 du dénominateur",
            ),
        ),
        Case(
            (
                as_jax(x, "float32"),
                as_jax(x * (1 + rng.uniform(0.001, 0.1, size=x.shape)), "float32"),
            ),
            label=label("jax float32 arrays", "tableaux jax float32"),
        ),
        Case(
            (z, z + rng.uniform(-0.1, 0.1, size=z.shape)),
            label=label("(2, 3, 2) arrays", "tableaux (2, 3, 2)"),
        ),
        Case((np.ones(3), np.ones(3)), label=label("identical arrays", "tableaux identiques")),
    ]


def mlp_cases(rng):
    params, f, exact = mlp_problem(rng, (4, 5, 3))
    doubled = tree_copy(exact)
    doubled[1]["w"] = 2 * doubled[1]["w"]  # the classic missing 1/2
    summed = tree_copy(exact)
    summed[0]["b"] = 6 * summed[0]["b"]  # summed over the 6 examples, not averaged
    return [
        ExpectCase(
            (f, exact, params),
            label=label(
                "an MLP [4, 5, 3] with its exact gradient, default eps and tol",
                "un MLP [4, 5, 3] avec son gradient exact, eps et tol par défaut",
            ),
            expect_ok=True,
            err_low=0.0,
            err_high=1e-6,
        ),
        ExpectCase(
            (f, doubled, params),
            label=label(
                "the same MLP, one leaf of the gradient twice too large",
                "le même MLP, une feuille du gradient deux fois trop grande",
            ),
            expect_ok=False,
            err_low=0.333,
            err_high=0.334,
        ),
        ExpectCase(
            (f, summed, params, 1e-5, 1e-4),
            label=label(
                "the same MLP, one leaf summed over the 6 examples instead of averaged",
                "le même MLP, une feuille sommée sur les 6 exemples au lieu d'être moyennée",
            ),
            expect_ok=False,
            err_low=0.714,
            err_high=0.715,
        ),
    ]


def tol_edge_cases(rng):
    params = {"layer": dense(rng, 3, 2), "out": signed_values(rng, (2,))}
    f, exact = cubic(rng, params)
    off = tree_copy(exact)
    off["out"][0] *= 1 - 3e-4  # relative error ≈ 1.5e-4
    return [
        Case(
            (f, off, params, 1e-3, 2e-4),
            label=label(
                "an error of about 1.5e-4 with tol = 2e-4",
                "une erreur d'environ 1,5e-4 avec tol = 2e-4",
            ),
        ),
        Case(
            (f, off, params, 1e-3, 1e-4),
            label=label("the same error with tol = 1e-4", "la même erreur avec tol = 1e-4"),
        ),
    ]


def default_cases(rng):
    params = [dense(rng, 2, 3), dense(rng, 3, 1)]
    f, exact = cubic(rng, params)
    return [
        ExpectCase(
            (f, exact, params),
            label=label(
                "the exact gradient of a cubic, default eps = 1e-5 and tol = 1e-4",
                "le gradient exact d'une fonction cubique, eps = 1e-5 et tol = 1e-4 par défaut",
            ),
            expect_ok=True,
            err_low=0.0,
            err_high=1e-7,
        )
    ]


CHECKS = [
    compare(
        "numerical_gradient_tree",
        "nested_and_0d_leaves",
        nested_cases,
        tol=GRAD_TOL,
        keep_float64=True,
    ),
    compare(
        "numerical_gradient_tree",
        "params_left_intact",
        untouched_cases,
        driver="ex10_keeps_params",
        tol=GRAD_TOL,
        keep_float64=True,
        hint=Text(
            "Perturb copies of the leaves (np.array(leaf, dtype=np.float64)), never the caller's arrays.",
            "Perturbez des copies des feuilles (np.array(leaf, dtype=np.float64)), jamais les tableaux de l'appelant.",
        ),
    ),
    compare(
        "relative_error",
        "tiny_jax_and_3d",
        tiny_and_jax_cases,
        hint=Text(
            "The denominator is max(|a_i| + |b_i|, 1e-12), not |a_i| + |b_i| + 1e-12.",
            "Le dénominateur est max(|a_i| + |b_i|, 1e-12), pas |a_i| + |b_i| + 1e-12.",
        ),
    ),
    prop(
        "gradient_check",
        "mlp_gradients",
        mlp_cases,
        judge_gradient_check,
        points=2,
        hint=Text(
            "The largest relative_error over all the leaves (not their mean), numerical gradient by central differences.",
            "La plus grande relative_error sur toutes les feuilles (pas leur moyenne), gradient numérique par différences centrées.",
        ),
    ),
    compare(
        "gradient_check",
        "tol_edges",
        tol_edge_cases,
        tol=ERR_TOL,
        keep_float64=True,
        hint=Text("ok is max_rel_error < tol.", "ok vaut max_rel_error < tol."),
    ),
    prop("gradient_check", "default_arguments", default_cases, judge_gradient_check, hidden=True),
]
