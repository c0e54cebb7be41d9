"""Checks for ex03_gradient_descent (public).

``gradient_descent`` and ``numerical_gradient`` take callables: the worker builds them from
``Ref("ex03_…", arrays)`` (see ``grader/sandboxed/drivers/ex03.py``). The hand-derived gradients are
compared on points where a sign error or a wrong power changes the value, and a static check
refuses automatic or numerical differentiation in them.
"""

from __future__ import annotations

import numpy as np

from grader.compare import Tolerance
from grader.course.common import case, forbidden
from grader.i18n import Text
from grader.judging import show
from grader.sandboxed.codec import Ref
from grader.spec import Exercise, compare, static

F32, F64 = np.float32, np.float64


def quadratic_grad(a, b) -> Ref:
    """The gradient ``x ↦ a·x − b`` of ``Σ (a·x²/2 − b·x)``, built by the worker."""
    return Ref("ex03_quadratic_grad", (np.asarray(a, F64), np.asarray(b, F64)))


def linear_grad(A, b) -> Ref:
    """The gradient ``x ↦ A x − b`` of ``x·A·x/2 − b·x``, built by the worker."""
    return Ref("ex03_linear_grad", (np.asarray(A, F64), np.asarray(b, F64)))


def double_well_grad(c) -> Ref:
    """The gradient ``x ↦ c·x³ − x`` of ``Σ (c·x⁴/4 − x²/2)``, built by the worker."""
    return Ref("ex03_double_well_grad", (np.asarray(c, F64),))


def scalar_fn(rng, shape) -> Ref:
    """``f(x) = Σ c·x³ + Σ sin(d·x) + (Σ w·x)²`` with random ``c, d, w`` of ``shape``."""
    c = rng.uniform(0.5, 1.5, size=shape)
    d = rng.uniform(0.5, 2.0, size=shape)
    w = rng.uniform(-1.0, 1.0, size=shape)
    return Ref("ex03_scalar_fn", (c, d, w))


def descent_cases(rng):
    a, b = rng.uniform(0.5, 2.0, size=3), rng.normal(size=3)
    # A: symmetric positive-definite, with eigenvalues in [1, 3].
    q, _ = np.linalg.qr(rng.normal(size=(2, 2)))
    A = q @ np.diag(rng.uniform(1.0, 3.0, size=2)) @ q.T
    bowl, x1 = quadratic_grad(a, b), rng.normal(size=3)
    linear, x2 = linear_grad(A, rng.normal(size=2)), rng.normal(size=2)
    ones, x3 = quadratic_grad(np.ones((2, 2)), np.zeros((2, 2))), rng.normal(size=(2, 2))
    return [
        case(
            "a quadratic bowl in 3-D, eta=0.1, 10 steps",
            "un bol quadratique en 3-D, eta=0.1, 10 pas",
            bowl,
            x1,
            0.1,
            10,
        ),
        case(
            "∇f(x) = A x − b in 2-D, eta=0.2, 5 steps",
            "∇f(x) = A x − b en 2-D, eta=0.2, 5 pas",
            linear,
            x2,
            0.2,
            5,
        ),
        case(
            "x0 a (2, 2) matrix, a single step",
            "x0 une matrice (2, 2), un seul pas",
            ones,
            x3,
            0.5,
            1,
        ),
        case("steps=0: only x0", "steps=0 : seulement x0", bowl, rng.normal(size=3), 0.1, 0),
    ]


def numgrad_cases(rng):
    # eps=1e-2 first: there a forward difference is off by about 1e-2 relative, unevenly
    # across elements, so the message shows the errors (not a near-1 "constant factor").
    f1, x1 = scalar_fn(rng, (2, 3)), rng.normal(size=(2, 3))
    f2, x2 = scalar_fn(rng, (4,)), rng.normal(size=4)
    f3, x3 = scalar_fn(rng, (3, 2)), rng.normal(size=(3, 2))
    return [
        case(
            "x of shape (2, 3) in float64, eps=1e-2",
            "x de forme (2, 3) en float64, eps=1e-2",
            f1,
            x1,
            1e-2,
        ),
        case(
            "x of shape (4,) in float64, default eps",
            "x de forme (4,) en float64, eps par défaut",
            f2,
            x2,
        ),
        case(
            "x of shape (3, 2), eps=1e-6 by keyword",
            "x de forme (3, 2), eps=1e-6 nommé",
            f3,
            x3,
            eps=1e-6,
        ),
    ]


def f1_cases(rng):
    # The vector first: with several values a wrong formula is not mistaken for a factor.
    x = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 0.75, 1.0, 1.5])
    m = rng.uniform(-2.0, 2.0, size=(2, 3)).astype(F32)
    return [
        case("float64 values from -2 to 1.5", "des valeurs float64 de -2 à 1,5", x),
        case("x = 2.0", "x = 2,0", 2.0),
        case("a float32 (2, 3) array", "un tableau float32 (2, 3)", m),
    ]


def at_points(*points):
    """A case per point v, labelled ``v = (v₁, v₂)`` (decimal commas in French)."""
    cases = []
    for v in points:
        en = f"v = ({show(v[0])}, {show(v[1])})"
        cases.append(case(en, en.replace(".", ","), np.array(v)))
    return cases


def v_cases(rng):
    """Points with v₁ ≠ 0 and v₂ ≠ 0 of both signs: a sign error changes the value."""
    v = np.round(rng.uniform(-2.0, 2.0, size=2), 3).astype(F32)
    points = at_points((1.0, 1.0), (2.0, -3.0), (-1.5, 0.5))
    return [*points, case("a random float32 v", "un v float32 aléatoire", v)]


def seed_cases(rng):
    return [case(f"x0 = {x}", f"x0 = {x}".replace(".", ","), x) for x in (1.0, 2.0)]


# Automatic and numerical differentiation, however imported. NotImplementedError is listed so
# that a stub (which only raises it) gets no points here; see the exercise's report.
AUTODIFF = forbidden(
    "numpy.gradient",
    "jax.numpy.gradient",
    "scipy.optimize.approx_fprime",
    "scipy.optimize.check_grad",
    "scipy.differentiate",
    "scipy.misc.derivative",
    "numdifftools",
    "sympy",
)
STUB = ("NotImplementedError",)
NUMGRAD_FORBID = (*AUTODIFF, *STUB)
BY_HAND_FORBID = (*AUTODIFF, "numerical_gradient", *STUB)

BY_HAND = Text(
    "derive the gradient by hand: no automatic differentiation (jax.grad, jax.vjp, jax.jacfwd…), no numerical differentiation (numerical_gradient, jaxnn.gradcheck…); and a function that still raises NotImplementedError is not implemented yet",
    "dérivez le gradient à la main : pas de différentiation automatique (jax.grad, jax.vjp, jax.jacfwd…), pas de différentiation numérique (numerical_gradient, jaxnn.gradcheck…) ; et une fonction qui lève encore NotImplementedError n'est pas encore écrite (not implemented yet)",
)
NUMERICAL = Text(
    "compute the differences yourself: no automatic differentiation (jax.grad, jax.vjp…) and no library helper (jaxnn.gradcheck, scipy's approx_fprime…); and a function that still raises NotImplementedError is not implemented yet",
    "calculez les différences vous-même : pas de différentiation automatique (jax.grad, jax.vjp…) ni d'outil de bibliothèque (jaxnn.gradcheck, approx_fprime de scipy…) ; et une fonction qui lève encore NotImplementedError n'est pas encore écrite (not implemented yet)",
)
SEED_BY_HAND = Text(
    "iterate with your hand-derived grad_f1, grad_c2, grad_c3 and your gradient_descent: no automatic or numerical differentiation; and a function that still raises NotImplementedError is not implemented yet",
    "itérez avec vos grad_f1, grad_c2, grad_c3 dérivés à la main et votre gradient_descent : pas de différentiation automatique ni numérique ; et une fonction qui lève encore NotImplementedError n'est pas encore écrite (not implemented yet)",
)

DESCENT_HINT = Text(
    "Return every point, x0 first: steps + 1 rows, row k+1 = row k − eta·grad_fn(row k). Minus, not plus: the gradient points uphill.",
    "Renvoyez tous les points, x0 en premier : steps + 1 lignes, ligne k+1 = ligne k − eta·grad_fn(ligne k). Moins, pas plus : le gradient monte.",
)
NUMGRAD_HINT = Text(
    "For every element i (np.ndindex(x.shape)), perturb only x[i], both ways: (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps), in float64, with the eps you are given; the result has x's shape.",
    "Pour chaque élément i (np.ndindex(x.shape)), perturbez seulement x[i], dans les deux sens : (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps), en float64, avec l'eps reçu ; le résultat a la forme de x.",
)
# Numerical differentiation at eps = 1e-5 needs float64 arithmetic, but the catalogue does not
# ask to keep float64 here: a float64 computation returned as float32 is judged at float32
# (grader.compare's policy). Forward differences are off by about eps·f''/2: 1e-5 relative at
# the default eps (the float64 tolerance catches it) and 1e-2 at eps = 1e-2 (the float32 one
# does), so the eps = 1e-2 case catches them in either dtype.
NUMGRAD_TOL = Tolerance(float32=(1e-3, 1e-4), float64=(1e-6, 1e-9))

F1_HINT = Text(
    "f1(x) = x⁴ − x³, so f1'(x) = 4x³ − 3x² (elementwise).",
    "f1(x) = x⁴ − x³, donc f1'(x) = 4x³ − 3x² (élément par élément).",
)
C2_HINT = Text(
    "Mind the minus sign: ∂(−v₁³)/∂v₁ = −3v₁², ∂(v₂²)/∂v₂ = 2v₂. Return (∂C/∂v₁, ∂C/∂v₂).",
    "Attention au signe moins : ∂(−v₁³)/∂v₁ = −3v₁², ∂(v₂²)/∂v₂ = 2v₂. Renvoyez (∂C/∂v₁, ∂C/∂v₂).",
)
C3_HINT = Text(
    "Differentiate v₁²v₂² with respect to each variable, the other held constant: (2v₁v₂², 2v₁²v₂).",
    "Dérivez v₁²v₂² par rapport à chaque variable, l'autre fixée : (2v₁v₂², 2v₁²v₂).",
)
SEED_HINT = Text(
    "gradient_descent(grad_f1, x0, 0.1, 3), then grad_c2 and grad_c3 from the point (x0, x0): three arrays of 4 points each, x0 first.",
    "gradient_descent(grad_f1, x0, 0.1, 3), puis grad_c2 et grad_c3 depuis le point (x0, x0) : trois tableaux de 4 points chacun, x0 en premier.",
)

EXERCISE = Exercise(
    id="ex03_gradient_descent",
    title=Text("Gradient descent", "Descente de gradient"),
    checks=[
        compare("gradient_descent", "quadratic_bowls", descent_cases, points=2, hint=DESCENT_HINT),
        compare(
            "numerical_gradient",
            "central_differences",
            numgrad_cases,
            points=2,
            tol=NUMGRAD_TOL,
            hint=NUMGRAD_HINT,
        ),
        static("numerical_gradient", "no_autodiff", NUMGRAD_FORBID, NUMERICAL, points=0.5),
        compare("grad_f1", "values", f1_cases, hint=F1_HINT),
        static("grad_f1", "no_autodiff", BY_HAND_FORBID, BY_HAND, points=0.5),
        compare("grad_c2", "values", v_cases, hint=C2_HINT),
        static("grad_c2", "no_autodiff", BY_HAND_FORBID, BY_HAND, points=0.5),
        compare("grad_c3", "values", v_cases, hint=C3_HINT),
        static("grad_c3", "no_autodiff", BY_HAND_FORBID, BY_HAND, points=0.5),
        compare("three_iterations", "seed_exercise", seed_cases, points=2, hint=SEED_HINT),
        static("three_iterations", "no_autodiff", BY_HAND_FORBID, SEED_BY_HAND, points=0.5),
    ],
)
