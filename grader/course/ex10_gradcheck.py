"""Checks for ex10_gradcheck (public).

The scalar functions ``f`` are built inside the sandbox by ``grader/sandboxed/drivers/ex10.py`` from
data sent here, in float64 numpy. Most cases use a cubic whose central difference is known
exactly, ``f'(v) + a·eps²``: with ``eps = 1e-3`` that truncation error is a million times the
rounding error, so the relative errors a correct ``gradient_check`` finds are reproducible
to many digits and can be compared, while exact (autodiff) or one-sided derivatives show.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np

from grader.compare import Tolerance
from grader.course.common import case
from grader.i18n import Text
from grader.judging import case_words, per_case
from grader.sandboxed.codec import Ref
from grader.spec import Case, Exercise, compare, fail, ok

# Two central differences of the same float64 function agree to rounding (~1e-11 here).
GRAD_TOL = Tolerance(float64=(1e-6, 1e-8))
ERR_TOL = Tolerance(float64=(1e-4, 1e-12))

# -- the functions and their exact gradients (grader side) -----------------------------------------


def tree_map(f, tree):
    """``f`` of every leaf of a pytree, in jax's leaf order (dict keys sorted), without jax."""
    if isinstance(tree, dict):
        return {k: tree_map(f, tree[k]) for k in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(f, t) for t in tree)
    return f(tree)


def signed_values(rng, shape, low=0.3, high=1.5):
    """Values of magnitude in [low, high] with random signs (no gradient near zero)."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def dense(rng, n_in, n_out):
    return {"w": signed_values(rng, (n_in, n_out)), "b": signed_values(rng, (n_out,))}


def cubic(rng, params):
    """``(f, exact_grads)`` for ``f(v) = Σ a v³ + c v + ½ (b·v)²`` over the leaves of ``params``.

    The gradient ``3 a v² + c + b (b·v)`` stays above 0.5 in magnitude (``c ≥ 1``, small ``b``),
    so relative errors are well defined; the central difference is exactly ``gradient + a·eps²``.
    """
    leaves = []
    tree_map(leaves.append, params)
    v = np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in leaves])
    n = v.size
    a, c, b = rng.uniform(0.5, 2.0, n), rng.uniform(1.0, 2.0, n), rng.uniform(-0.5, 0.5, n) / n
    g = 3 * a * v**2 + c + b * np.dot(b, v)
    pieces = iter(np.split(g, np.cumsum([np.size(leaf) for leaf in leaves])[:-1]))
    return Ref("ex10_f", ("cubic", a, b, c)), tree_map(
        lambda x: next(pieces).reshape(np.shape(x)), params
    )


def mlp_problem(rng, sizes, n=6):
    """A sigmoid MLP, its quadratic cost ``f`` on random data (the data ``X, Y``)."""
    params = [
        {"w": rng.normal(size=(i, o)) * 0.8, "b": rng.normal(size=o) * 0.5}
        for i, o in itertools.pairwise(sizes)
    ]
    X = rng.normal(size=(n, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    return params, Ref("ex10_f", ("mlp_cost", X, Y)), X, Y


def check_problem(rng):
    """A dict of a dense layer and a vector, a cubic ``f`` and its exact gradient."""
    params = {"layer": dense(rng, 3, 2), "out": signed_values(rng, (2,))}
    return params, *cubic(rng, params)


def expect(en, fr, *args, passes=True, err=(0.0, 1.0)):
    """A gradient_check case and what a correct answer is: ``ok == passes`` and max_rel_error in
    ``err`` (the judge's secret)."""
    return Case(args, label=Text(en, fr), secret=(passes, *err))


# -- cases -----------------------------------------------------------------------------------------


def tree_cases(rng):
    params = dense(rng, 3, 2)
    f, _ = cubic(rng, params)
    mlp, mlp_f, _, _ = mlp_problem(rng, (3, 4, 2))
    dict_en = "params {'w': (3, 2), 'b': (2,)}, a cubic f, default eps"
    dict_fr = "params {'w': (3, 2), 'b': (2,)}, une fonction cubique f, eps par défaut"
    mlp_en = "an MLP [3, 4, 2] (a list of two dicts), f its quadratic cost on 6 examples"
    mlp_fr = "un MLP [3, 4, 2] (une liste de deux dicts), f son coût quadratique sur 6 exemples"
    return [case(dict_en, dict_fr, f, params), case(mlp_en, mlp_fr, mlp_f, mlp)]


def large_eps_cases(rng):
    params = [dense(rng, 2, 2), dense(rng, 2, 1)]
    en = "eps = 0.1: for a v³ the central difference is the derivative plus a·eps², not the derivative"
    fr = "eps = 0.1 : pour a v³ la différence centrée vaut la dérivée plus a·eps², pas la dérivée"
    return [case(en, fr, cubic(rng, params)[0], params, 0.1)]


def rel_cases(rng):
    a = rng.normal(size=(5, 4))
    b = a * (1 + rng.uniform(-0.05, 0.05, size=a.shape))
    a[0, 0] = b[0, 0] = a[3, 2] = b[3, 2] = 0.0  # both zero: counts 0
    c = rng.normal(size=6)
    d = c.copy()
    d[2] = 0.0  # zero against non-zero: ratio 1
    en = "(5, 4) arrays up to 5 % apart, two positions where both are 0"
    fr = "tableaux (5, 4) écartés d'au plus 5 %, deux positions où les deux valent 0"
    one_en = "one element is 0 in b only (its ratio is 1)"
    one_fr = "un élément vaut 0 dans b seulement (son rapport vaut 1)"
    return [
        case(en, fr, a, b),
        case(one_en, one_fr, c, d),
        case("two scalars 3.0 and 3.3", "deux scalaires 3,0 et 3,3", 3.0, 3.3),
    ]


def verdict_cases(rng):
    params, f, exact = check_problem(rng)
    off, flipped = copy.deepcopy(exact), copy.deepcopy(exact)
    off["layer"]["w"][1, 0] *= 1 + 3e-4  # one element 3e-4 off: relative error ≈ 1.5e-4
    flipped["out"] = -flipped["out"]
    exact_en = (
        "the exact gradient, eps = 1e-3, tol = 1e-4 (a correct check finds errors about 1e-7)"
    )
    exact_fr = "le gradient exact, eps = 1e-3, tol = 1e-4 (une vérification correcte trouve des erreurs d'environ 1e-7)"
    off_en = "the exact gradient with one element of one leaf 0.03 % too large, tol = 1e-4"
    off_fr = "le gradient exact avec un élément d'une feuille trop grand de 0,03 %, tol = 1e-4"
    sign_en = "one leaf of the gradient with the wrong sign"
    sign_fr = "une feuille du gradient avec le mauvais signe"
    return [
        case(exact_en, exact_fr, f, exact, params, 1e-3, 1e-4),
        case(off_en, off_fr, f, off, params, 1e-3, 1e-4),
        case(sign_en, sign_fr, f, flipped, params, 1e-3, 1e-4),
    ]


@per_case
def judge_gradient_check(case, out):
    """``(ok, err)`` with ``ok`` as expected and ``err`` in the case's range (never shown)."""
    passes, low, high = case.secret
    what, what_fr = case_words(case)
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            "gradient_check must return a pair (ok, max_rel_error).",
            "gradient_check doit renvoyer un couple (ok, max_rel_error).",
        )
    try:
        flag, err = np.asarray(out[0]), np.asarray(out[1], dtype=np.float64)
    except (TypeError, ValueError):
        flag = err = np.asarray([])
    if flag.shape != () or flag.dtype.kind not in "biu" or err.shape != ():
        return fail(
            f"On {what}: expected a bool ok and a number max_rel_error.",
            f"Sur {what_fr} : attendu un booléen ok et un nombre max_rel_error.",
        )
    if not np.isfinite(err) or not low <= float(err) <= high:
        return fail(
            f"On {what}: max_rel_error = {float(err):.3g} is not what central differences give here. Compute the numerical gradient with (f(θ + eps) − f(θ − eps)) / (2 eps) in float64 and take the largest relative_error over the leaves.",
            f"Sur {what_fr} : max_rel_error = {float(err):.3g} n'est pas ce que donnent les différences centrées ici. Calculez le gradient numérique par (f(θ + eps) − f(θ − eps)) / (2 eps) en float64 et prenez la plus grande relative_error sur les feuilles.",
        )
    if bool(flag) != passes:
        return fail(
            f"On {what}: ok = {bool(flag)} does not match max_rel_error = {float(err):.3g} and tol: ok is max_rel_error < tol.",
            f"Sur {what_fr} : ok = {bool(flag)} ne correspond pas à max_rel_error = {float(err):.3g} et tol : ok vaut max_rel_error < tol.",
        )
    return ok()


HINTS = {
    "dict_and_mlp": Text(
        "For every element i of every leaf: (f(θ + eps·e_i) − f(θ − eps·e_i)) / (2 eps), in float64 numpy, on copies of the leaves.",
        "Pour chaque élément i de chaque feuille : (f(θ + eps·e_i) − f(θ − eps·e_i)) / (2 eps), en float64 numpy, sur des copies des feuilles.",
    ),
    "large_eps": Text(
        "Return the central difference quotient itself: not an exact derivative (no jax.grad), not the one-sided (f(θ + eps) − f(θ)) / eps.",
        "Renvoyez le quotient de la différence centrée lui-même : pas une dérivée exacte (pas de jax.grad), pas la différence à droite (f(θ + eps) − f(θ)) / eps.",
    ),
    "elementwise_max": Text(
        "The largest, over the elements, of |a_i − b_i| / max(|a_i| + |b_i|, 1e-12): np.max, not np.mean, and no norms.",
        "Le plus grand, sur les éléments, de |a_i − b_i| / max(|a_i| + |b_i|, 1e-12) : np.max, pas np.mean, et pas de normes.",
    ),
    "both_zero": Text(
        "Where a_i = b_i = 0 the ratio is 0 / 1e-12 = 0: the floor max(…, 1e-12) avoids 0 / 0.",
        "Là où a_i = b_i = 0 le rapport vaut 0 / 1e-12 = 0 : le plancher max(…, 1e-12) évite 0 / 0.",
    ),
    "verdicts": Text(
        "max_rel_error is the largest relative_error over the leaves (numerical gradient with central differences at the given eps); ok is max_rel_error < tol.",
        "max_rel_error est la plus grande relative_error sur les feuilles (gradient numérique par différences centrées avec l'eps donné) ; ok vaut max_rel_error < tol.",
    ),
}

EXERCISE = Exercise(
    id="ex10_gradcheck",
    title=Text("Gradient checking", "Vérification du gradient"),
    checks=[
        compare(
            "numerical_gradient_tree",
            "dict_and_mlp",
            tree_cases,
            points=2,
            tol=GRAD_TOL,
            keep_float64=True,
            hint=HINTS["dict_and_mlp"],
        ),
        compare(
            "numerical_gradient_tree",
            "large_eps",
            large_eps_cases,
            tol=GRAD_TOL,
            keep_float64=True,
            hint=HINTS["large_eps"],
        ),
        compare(
            "relative_error", "elementwise_max", rel_cases, points=2, hint=HINTS["elementwise_max"]
        ),
        compare(
            "relative_error",
            "both_zero",
            lambda rng: [
                case("a and b both all zeros", "a et b entièrement nuls", np.zeros(4), np.zeros(4))
            ],
            hint=HINTS["both_zero"],
        ),
        compare(
            "gradient_check",
            "verdicts",
            verdict_cases,
            points=3,
            tol=ERR_TOL,
            keep_float64=True,
            hint=HINTS["verdicts"],
        ),
    ],
)
