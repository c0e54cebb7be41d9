"""Hidden checks for ex06_logistic: other seeds, jax inputs, float64, λ > 0, short runs."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, case, separable_blobs
from grader.course.ex06_logistic import (
    CLIPPED,
    FIT,
    grads_judge,
    labels,
    neuron,
    overlapping_blobs,
    separation_judge,
)
from grader.spec import compare, prop


def predict_hidden(rng):
    X = rng.normal(size=(6, 2))
    X[:2] = [[60.0, 0.0], [-60.0, 0.0]]
    return [
        case(
            "jax float32 params and inputs",
            "paramètres et entrées jax float32",
            *neuron(rng, 7, 4, "jax", b=0.25, labelled=False),
        ),
        case(
            "logits up to |z| = 1200, float64",
            "logits jusqu'à |z| = 1200, float64",
            {"w": np.array([20.0, 1.0]), "b": -3.0},
            X,
        ),
    ]


def loss_hidden(rng):
    X = rng.normal(size=(10, 3))
    X[0] = [40.0, 0.0, 0.0]
    y = labels(rng, 10)
    y[0] = 0.0
    return [
        case(
            "jax float32 inputs, λ = 1.5",
            "entrées jax float32, λ = 1,5",
            *neuron(rng, 9, 3, "jax", b=-1.0),
            1.5,
        ),
        case(
            "float64, a saturated example on the wrong side, λ = 0.25, large bias",
            "float64, un exemple saturé du mauvais côté, λ = 0,25, grand biais",
            {"w": np.array([1.0, -2.0, 0.5]), "b": 4.0},
            X,
            y,
            lam=0.25,
        ),
        case(
            "a single example (m = 1), λ = 2",
            "un seul exemple (m = 1), λ = 2",
            {"w": np.array([0.5, 0.5]), "b": 1.0},
            np.array([[1.0, 2.0]]),
            np.array([0.0]),
            2.0,
        ),
    ]


def grads_hidden(rng):
    return [
        case(
            "jax float32 inputs, λ = 0.3",
            "entrées jax float32, λ = 0,3",
            *neuron(rng, 11, 3, "jax", b=0.5),
            0.3,
        ),
        case(
            "float64, λ = 5, bias −3",
            "float64, λ = 5, biais −3",
            *neuron(rng, 15, 6, b=-3.0),
            lam=5.0,
        ),
        case(
            "a single example (m = 1), λ = 1",
            "un seul exemple (m = 1), λ = 1",
            {"w": np.array([1.0, -1.0]), "b": 2.0},
            np.array([[0.5, -1.5]]),
            np.array([1.0]),
            1.0,
        ),
    ]


def grads_formula_hidden(rng):
    return [
        case(
            "λ = 1.2, 10 examples, 4 features",
            "λ = 1,2, 10 exemples, 4 caractéristiques",
            *neuron(rng, 10, 4, b=0.9, scale=2.0),
            1.2,
        ),
        case(
            "λ = 0.1, 25 examples, float32",
            "λ = 0,1, 25 exemples, float32",
            *neuron(rng, 25, 2, np.float32, b=1.0),
            lam=0.1,
        ),
    ]


def fit_hidden(rng):
    X, y = overlapping_blobs(rng, 50, 3)
    Xs, ys = separable_blobs(rng, 40, dim=2, margin=0.4)
    return [
        case(
            "5 steps with lr = 0.1 (no more, no less)",
            "5 pas avec lr = 0,1 (ni plus, ni moins)",
            *(X, y, 0.1, 5),
        ),
        case(
            "λ = 2, 300 steps, float32",
            "λ = 2, 300 pas, float32",
            X.astype(np.float32),
            y,
            lam=2.0,
            steps=300,
        ),
        case(
            "jax inputs, lr = 1, 200 steps, λ = 0.5, separable data",
            "entrées jax, lr = 1, 200 pas, λ = 0,5, données séparables",
            *(as_jax(Xs, "float32"), as_jax(ys, "float32"), 1.0, 200, 0.5),
        ),
    ]


def fit_separable_hidden(rng):
    X, y = separable_blobs(rng, 100, dim=4, margin=0.4)
    return [
        case(
            "100 separable points in 4-D, float32",
            "100 points séparables en 4-D, float32",
            X.astype(np.float32),
            y,
        )
    ]


CHECKS = [
    compare("logistic_predict", "hidden_jax_and_large_logits", predict_hidden),
    compare("logistic_loss", "hidden_lambda_and_edges", loss_hidden, tol=CLIPPED),
    compare("logistic_grads", "hidden_lambda", grads_hidden),
    prop("logistic_grads", "hidden_seed_002_formula", grads_formula_hidden, grads_judge()),
    compare("logistic_fit", "hidden_short_and_regularised", fit_hidden, tol=FIT, points=1.5),
    prop("logistic_fit", "hidden_separates", fit_separable_hidden, separation_judge),
]
