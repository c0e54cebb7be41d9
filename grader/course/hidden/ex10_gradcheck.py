"""Hidden checks for ex10_gradcheck: nested pytrees with 0-d leaves, params left intact,
tiny values, jax inputs, an MLP's real gradient, tol at the edge, default arguments."""

from __future__ import annotations

import copy

import numpy as np

from grader.course.common import as_jax, case
from grader.course.ex08_backprop import true_grads
from grader.course.ex10_gradcheck import (
    ERR_TOL,
    GRAD_TOL,
    check_problem,
    cubic,
    dense,
    expect,
    judge_gradient_check,
    mlp_problem,
    signed_values,
)
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import compare, prop


def nested_cases(rng):
    X = rng.normal(size=(10, 4))
    y = (rng.uniform(size=10) < 0.5).astype(np.float64)
    logistic = {"linear": {"w": rng.normal(size=4), "b": np.float64(0.3)}, "scale": np.float64(1.2)}
    tree = {
        "blocks": [signed_values(rng, (3,)), signed_values(rng, (2, 2))],
        "pair": (signed_values(rng, (2,)), signed_values(rng, ())),
    }
    logistic_en = "{'linear': {'w': (4,), 'b': 0-d}, 'scale': 0-d}, a logistic loss, eps = 1e-4"
    logistic_fr = (
        "{'linear': {'w': (4,), 'b': 0-d}, 'scale': 0-d}, une perte logistique, eps = 1e-4"
    )
    tree_en = "a dict of a list and a tuple (one 0-d leaf), a cubic f, eps = 0.05"
    tree_fr = (
        "un dict d'une liste et d'un tuple (une feuille 0-d), une fonction cubique, eps = 0.05"
    )
    return [
        case(logistic_en, logistic_fr, Ref("ex10_f", ("logistic_cost", X, y)), logistic, 1e-4),
        case(tree_en, tree_fr, cubic(rng, tree)[0], tree, 0.05),
    ]


def untouched_cases(rng):
    params = dense(rng, 2, 3)
    en = "the params after the call must be those before"
    fr = "les paramètres après l'appel doivent être ceux d'avant"
    return [case(en, fr, cubic(rng, params)[0], params, 1e-3)]


def tiny_and_jax_cases(rng):
    x, z = rng.normal(size=(3, 4)), rng.normal(size=(2, 3, 2))
    x2 = x * (1 + rng.uniform(0.001, 0.1, size=x.shape))
    tiny = np.array([1e-13, -1e-13, 0.0, 5e-13, 2e-12]), np.array([0.0, 1e-13, 0.0, 7.5e-13, 2e-12])
    en = "values around 1e-13, below the floor 1e-12 of the denominator"
    fr = "des valeurs autour de 1e-13, sous le plancher 1e-12 du dénominateur"
    return [
        case(en, fr, *tiny),
        case(
            "jax float32 arrays",
            "tableaux jax float32",
            as_jax(x, "float32"),
            as_jax(x2, "float32"),
        ),
        case("(2, 3, 2) arrays", "tableaux (2, 3, 2)", z, z + rng.uniform(-0.1, 0.1, size=z.shape)),
        case("identical arrays", "tableaux identiques", np.ones(3), np.ones(3)),
    ]


def mlp_cases(rng):
    params, f, X, Y = mlp_problem(rng, (4, 5, 3))
    exact = [{"w": w, "b": b} for w, b in true_grads(params, X, Y)]
    doubled, summed = copy.deepcopy(exact), copy.deepcopy(exact)
    doubled[1]["w"] = 2 * doubled[1]["w"]  # the classic missing 1/2
    summed[0]["b"] = 6 * summed[0]["b"]  # summed over the 6 examples, not averaged
    exact_en = "an MLP [4, 5, 3] with its exact gradient, default eps and tol"
    exact_fr = "un MLP [4, 5, 3] avec son gradient exact, eps et tol par défaut"
    doubled_en = "the same MLP, one leaf of the gradient twice too large"
    doubled_fr = "le même MLP, une feuille du gradient deux fois trop grande"
    summed_en = "the same MLP, one leaf summed over the 6 examples instead of averaged"
    summed_fr = "le même MLP, une feuille sommée sur les 6 exemples au lieu d'être moyennée"
    return [
        expect(exact_en, exact_fr, f, exact, params, err=(0.0, 1e-6)),
        expect(doubled_en, doubled_fr, f, doubled, params, passes=False, err=(0.333, 0.334)),
        expect(
            summed_en, summed_fr, f, summed, params, 1e-5, 1e-4, passes=False, err=(0.714, 0.715)
        ),
    ]


def tol_edge_cases(rng):
    params, f, exact = check_problem(rng)
    off = copy.deepcopy(exact)
    off["out"][0] *= 1 - 3e-4  # relative error ≈ 1.5e-4
    rows = (
        (
            2e-4,
            "an error of about 1.5e-4 with tol = 2e-4",
            "une erreur d'environ 1,5e-4 avec tol = 2e-4",
        ),
        (1e-4, "the same error with tol = 1e-4", "la même erreur avec tol = 1e-4"),
    )
    return [case(en, fr, f, off, params, 1e-3, tol) for tol, en, fr in rows]


def default_cases(rng):
    params = [dense(rng, 2, 3), dense(rng, 3, 1)]
    f, exact = cubic(rng, params)
    en = "the exact gradient of a cubic, default eps = 1e-5 and tol = 1e-4"
    fr = "le gradient exact d'une fonction cubique, eps = 1e-5 et tol = 1e-4 par défaut"
    return [expect(en, fr, f, exact, params, err=(0.0, 1e-7))]


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
    prop("gradient_check", "default_arguments", default_cases, judge_gradient_check),
]
