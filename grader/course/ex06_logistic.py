"""Checks for ex06_logistic (public): one sigmoid neuron trained by hand.

* ``logistic_predict`` / ``logistic_loss`` / ``logistic_grads``: compared with the float64
  reference. Where ``h`` saturates and is clipped at ``1 − 1e-7``, a correct float32 answer
  differs by about 1 % on those examples (``1 − 1e-7`` rounds to ``1 − 1.19e-7`` in float32), so
  those checks allow ``rtol = 1e-2`` for float32 results.
* ``logistic_grads`` is also judged against seed 002's formula written out by a trusted judge
  (``1/m Σ (h − y) x_j + λ w_j / m``, bias not regularised; ``_ex06_grads.py``), which names
  the likely mistake, and a static check refuses autodiff.
* ``logistic_fit``: 500 steps of batch gradient descent from zero are deterministic, so the
  result is compared with the reference; in float32 the trajectory drifts by at most ~5e-6
  relative over 500 steps on these data (measured with jax and numpy float32), hence
  ``float32=(2e-4, 1e-5)``; float64 answers get ``(1e-6, 1e-9)``. A property check asks that
  the trained neuron separates separable data (the reference reaches 100 % on them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.compare import Tolerance
from grader.course._ex06_grads import grads_judge, read_wb
from grader.course.common import as_jax, case, forbidden, plain, separable_blobs
from grader.i18n import Text
from grader.judging import case_words, per_case
from grader.spec import Case, Exercise, Verdict, compare, fail, ok, prop, static

CLIPPED = Tolerance(float32=(1e-2, 1e-6))
FIT = Tolerance(float32=(2e-4, 1e-5), float64=(1e-6, 1e-9))

# What logistic_grads may not use (an unfinished stub gets no point either: the runner reports
# it as not implemented before looking for these names).
FORBIDDEN = forbidden(
    "optax.losses",
    "optax.sigmoid_binary_cross_entropy",
    "optax.softmax_cross_entropy",
    "optax.softmax_cross_entropy_with_integer_labels",
    "optax.safe_softmax_cross_entropy",
    "optax.sigmoid_focal_loss",
    "optax.l2_loss",
    "optax.squared_error",
    "jaxnn.losses",
    "jaxnn.train",
    "solutions",
)
WHY = Text(
    "logistic_grads must compute seed 002's gradient by hand, without automatic differentiation or a library's loss",
    "logistic_grads doit calculer à la main le gradient du seed 002, sans différentiation automatique ni fonction de perte d'une bibliothèque",
)


# -- inputs ------------------------------------------------------------------------------------------


def labels(rng, m: int) -> np.ndarray:
    y = rng.integers(0, 2, size=m).astype(np.float64)
    y[:2] = [0.0, 1.0]  # both classes present
    return y


def overlapping_blobs(rng, m: int, n: int = 2):
    """Two Gaussian clouds that overlap: not separable, so gradient descent converges."""
    half = m // 2
    X = np.concatenate([rng.normal(-0.5, 1.0, (half, n)), rng.normal(0.5, 1.0, (m - half, n))])
    y = np.concatenate([np.zeros(half), np.ones(m - half)])
    return X, y


def neuron(rng, m: int, n: int, dtype=np.float64, b=None, scale: float = 1.0, labelled=True):
    """Random inputs for one neuron: params {w, b} (b drawn unless given), X of m examples of n
    features, and labels (unless not ``labelled``); in float64, in float32 (the labels stay
    float64), or, with ``dtype="jax"``, as float32 jax arrays."""
    w = scale * rng.normal(size=n)
    b = rng.normal() if b is None else b
    data = [rng.normal(size=(m, n)), *([labels(rng, m)] if labelled else [])]
    if dtype == "jax":
        return (
            {"w": as_jax(w, "float32"), "b": as_jax(b, "float32")},
            *(as_jax(v, "float32") for v in data),
        )
    if dtype == np.float32:
        return (
            {"w": w.astype(np.float32), "b": np.float32(b)},
            data[0].astype(np.float32),
            *data[1:],
        )
    return ({"w": w, "b": b}, *data)


def predict_cases(rng):
    return [
        case(
            "10 examples with 3 features",
            "10 exemples à 3 caractéristiques",
            *neuron(rng, 10, 3, np.float32, labelled=False),
        ),
        case(
            "one feature, float64",
            "une seule caractéristique, float64",
            {"w": np.array([1.5]), "b": -0.5},
            rng.normal(size=(5, 1)),
        ),
    ]


def loss_cases(rng):
    return [
        case(
            "12 examples, 3 features, λ = 0",
            "12 exemples, 3 caractéristiques, λ = 0",
            *neuron(rng, 12, 3, np.float32),
        ),
        case("7 examples, float64", "7 exemples, float64", *neuron(rng, 7, 2, b=0.3)),
    ]


def loss_l2_cases(rng):
    return [
        case(
            "λ = 0.5, a large bias b = 2.5",
            "λ = 0.5, un grand biais b = 2,5",
            *neuron(rng, 8, 3, np.float32, b=2.5),
            0.5,
        ),
        case(
            "λ = 3 passed by name, m = 20",
            "λ = 3 passé par son nom, m = 20",
            *neuron(rng, 20, 4, b=-1.5),
            lam=3.0,
        ),
    ]


def loss_saturated_cases(rng):
    X = np.array([[50.0, 0.0], [-50.0, 1.0], [45.0, -1.0], [-60.0, 0.5], [1.0, 0.0], [0.5, 2.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    return [
        case(
            "saturated neurons: |z| ≥ 40, h exactly 0 or 1, some on the wrong side",
            "neurones saturés : |z| ≥ 40, h exactement 0 ou 1, certains du mauvais côté",
            {"w": np.array([1.0, 0.5], np.float32), "b": 0.0},
            X.astype(np.float32),
            y,
        ),
        case(
            "the same in float64 with λ = 0.8",
            "la même chose en float64 avec λ = 0,8",
            {"w": np.array([1.0, 0.5]), "b": 0.0},
            X,
            y,
            0.8,
        ),
    ]


def grads_cases(rng):
    return [
        case(
            "12 examples, 3 features, λ = 0",
            "12 exemples, 3 caractéristiques, λ = 0",
            *neuron(rng, 12, 3, np.float32),
        ),
        case(
            "9 examples, 5 features, float64",
            "9 exemples, 5 caractéristiques, float64",
            *neuron(rng, 9, 5, b=0.7),
        ),
    ]


def grads_formula_cases(rng):
    return [
        case(
            "λ = 0.7, bias b = 1.5, 12 examples",
            "λ = 0,7, biais b = 1,5, 12 exemples",
            *neuron(rng, 12, 3, b=1.5),
            0.7,
        ),
        case(
            "λ = 2, bias b = −2, float32",
            "λ = 2, biais b = −2, float32",
            *neuron(rng, 6, 2, np.float32, b=-2.0),
            lam=2.0,
        ),
    ]


def fit_cases(rng):
    X, y = separable_blobs(rng, 60, dim=2, margin=0.5)
    X2, y2 = overlapping_blobs(rng, 80)
    return [
        case(
            "60 separable points in 2-D, float32, default lr and steps",
            "60 points séparables en 2-D, float32, lr et steps par défaut",
            X.astype(np.float32),
            y,
        ),
        case(
            "80 overlapping points, float64, default lr and steps",
            "80 points qui se chevauchent, float64, lr et steps par défaut",
            X2,
            y2,
        ),
    ]


def fit_separable_cases(rng):
    X, y = separable_blobs(rng, 80, dim=3, margin=0.3)
    return [
        case(
            "80 linearly separable points in 3-D", "80 points linéairement séparables en 3-D", X, y
        )
    ]


# -- judging a trained neuron -------------------------------------------------------------------------

DIVERGED = Text(
    "the trained parameters contain NaN or infinite values: the descent diverged (a missing 1/m makes the steps m times too large; a sign error climbs instead of descending).",
    "les paramètres entraînés contiennent des NaN ou des infinis : la descente a divergé (un 1/m oublié rend les pas m fois trop grands ; une erreur de signe fait monter au lieu de descendre).",
)


@per_case
def separation_judge(case: Case, out: Any) -> Verdict:
    """The trained neuron must classify every training point of separable data correctly (the
    message reveals no answer: only the student's own accuracy)."""
    X, y = (np.asarray(plain(a), np.float64) for a in case.args[:2])
    en, fr = case_words(case)
    got = read_wb(out, X.shape[1], "logistic_fit", DIVERGED, exact=False)
    if isinstance(got, Text):
        return fail(f"On {en}: {got.en}", f"Sur {fr} : {got.fr}")
    w, b = got
    acc = float(np.mean((X @ w + b > 0) == (y > 0.5)))
    if acc == 1.0:
        return ok()
    if not np.any(w) and b == 0.0:
        why = Text(
            "The parameters are still zero: update them at every step (w = w - lr * g['w'], and the same for b).",
            "Les paramètres sont encore nuls : mettez-les à jour à chaque pas (w = w - lr * g['w'], et de même pour b).",
        )
    elif acc < 0.5:
        why = Text(
            "Most points are on the wrong side: the update must go against the gradient, θ ← θ − lr·g.",
            "La plupart des points sont du mauvais côté : la mise à jour va dans le sens opposé au gradient, θ ← θ − lr·g.",
        )
    else:
        why = Text(
            "500 steps of batch gradient descent from zero with lr = 0.5 separate these points (the reference reaches 100 %); check the gradient and the update.",
            "500 pas de descente de gradient « batch » depuis zéro avec lr = 0,5 séparent ces points (la référence atteint 100 %) ; vérifiez le gradient et la mise à jour.",
        )
    pct = f"{100 * acc:.1f}"
    return fail(
        f"On {en}: the trained neuron classifies {pct} % of the training points correctly; on linearly separable data it should reach 100 %. {why.en}",
        f"Sur {fr} : le neurone entraîné classe correctement {pct} % des points d'entraînement ; sur des données linéairement séparables il doit atteindre 100 %. {why.fr}",
    )


EXERCISE = Exercise(
    id="ex06_logistic",
    title=Text("One neuron: logistic regression", "Un neurone : la régression logistique"),
    checks=[
        compare(
            "logistic_predict",
            "batch",
            predict_cases,
            hint=Text(
                "h = σ(X @ w + b) = 1 / (1 + exp(−(X @ w + b))), one probability per row of X.",
                "h = σ(X @ w + b) = 1 / (1 + exp(−(X @ w + b))), une probabilité par ligne de X.",
            ),
        ),
        compare(
            "logistic_loss",
            "no_regularisation",
            loss_cases,
            hint=Text(
                "J = −mean(y log h + (1 − y) log(1 − h)) with h = σ(X w + b) clipped to [1e-7, 1 − 1e-7].",
                "J = −moyenne(y log h + (1 − y) log(1 − h)) avec h = σ(X w + b) écrêté dans [1e-7, 1 − 1e-7].",
            ),
        ),
        compare(
            "logistic_loss",
            "with_l2",
            loss_l2_cases,
            hint=Text(
                "Add λ/(2m) Σ w² (m = number of examples): the weights only, never the bias b.",
                "Ajoutez λ/(2m) Σ w² (m = nombre d'exemples) : les poids seulement, jamais le biais b.",
            ),
        ),
        compare(
            "logistic_loss",
            "saturated",
            loss_saturated_cases,
            tol=CLIPPED,
            hint=Text(
                "Clip h to [1e-7, 1 − 1e-7] before the logs (np.clip): σ(50) is exactly 1.0 in floating point.",
                "Écrêtez h dans [1e-7, 1 − 1e-7] avant les logs (np.clip) : σ(50) vaut exactement 1,0 en virgule flottante.",
            ),
        ),
        compare(
            "logistic_grads",
            "no_regularisation",
            grads_cases,
            points=1.5,
            hint=Text(
                "∂J/∂w = Xᵀ(h − y)/m and ∂J/∂b = mean(h − y), with h = σ(X w + b) (not clipped).",
                "∂J/∂w = Xᵀ(h − y)/m et ∂J/∂b = moyenne(h − y), avec h = σ(X w + b) (non écrêté).",
            ),
        ),
        prop("logistic_grads", "seed_002_formula", grads_formula_cases, grads_judge(), points=1.5),
        static("logistic_grads", "no_autodiff", forbid=FORBIDDEN, why=WHY),
        compare(
            "logistic_fit",
            "gradient_descent",
            fit_cases,
            points=1.5,
            tol=FIT,
            hint=Text(
                "Start from w = zeros(n), b = 0; then `steps` times: g = logistic_grads(params, X, y, lam); w ← w − lr·g['w']; b ← b − lr·g['b'].",
                "Partez de w = zeros(n), b = 0 ; puis `steps` fois : g = logistic_grads(params, X, y, lam) ; w ← w − lr·g['w'] ; b ← b − lr·g['b'].",
            ),
        ),
        prop("logistic_fit", "separates", fit_separable_cases, separation_judge),
    ],
)
