"""Checks for ex10_gradcheck (public).

The scalar functions ``f`` are built inside the sandbox by ``grader/sandboxed/drivers/ex10.py`` from
data sent here, in float64 numpy. Most cases use a cubic whose central difference is known
exactly, ``f'(v) + a·eps²``: with ``eps = 1e-3`` that truncation error is a million times the
rounding error, so the relative errors a correct ``gradient_check`` finds are reproducible
to many digits and can be compared, while exact (autodiff) or one-sided derivatives show.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from grader.compare import Tolerance
from grader.course.common import label
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import Case, Exercise, compare, fail, ok

# Two central differences of the same float64 function agree to rounding (~1e-11 here).
GRAD_TOL = Tolerance(float64=(1e-6, 1e-8))
ERR_TOL = Tolerance(float64=(1e-4, 1e-12))


# -- pytrees without importing jax in the grader (jax's leaf order: dict keys sorted) -------------


def tree_leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in tree_leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in tree_leaves(t)]
    return [tree]


def tree_unflatten_like(tree, leaves: list):
    """``tree``'s structure with ``leaves`` (in :func:`tree_leaves` order) in place of its own."""
    it = iter(leaves)

    def build(t):
        if isinstance(t, dict):
            return {k: build(t[k]) for k in sorted(t)}
        if isinstance(t, (list, tuple)):
            return type(t)(build(x) for x in t)
        return next(it)

    return build(tree)


def tree_copy(tree):
    return tree_unflatten_like(tree, [np.array(leaf, copy=True) for leaf in tree_leaves(tree)])


# -- the functions and their exact gradients (grader side) ---------------------------------------


def signed_values(rng, shape, low=0.3, high=1.5):
    """Values of magnitude in [low, high] with random signs (no gradient near zero)."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def cubic(rng, params):
    """``(f, exact_grads)`` for ``f(v) = Σ a v³ + c v + ½ (b·v)²`` over the leaves of ``params``.

    The gradient ``3 a v² + c + b (b·v)`` stays above 0.5 in magnitude (``c ≥ 1``, small ``b``),
    so relative errors are well defined; the central difference is exactly ``gradient + a·eps²``.
    """
    leaves = tree_leaves(params)
    v = np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in leaves])
    n = v.size
    a = rng.uniform(0.5, 2.0, n)
    c = rng.uniform(1.0, 2.0, n)
    b = rng.uniform(-0.5, 0.5, n) / n
    g = 3 * a * v**2 + c + b * np.dot(b, v)
    pieces, start = [], 0
    for leaf in leaves:
        size = np.asarray(leaf).size
        pieces.append(g[start : start + size].reshape(np.shape(leaf)))
        start += size
    return Ref("ex10_f", ("cubic", a, b, c)), tree_unflatten_like(params, pieces)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def mlp_problem(rng, sizes, n=6):
    """A sigmoid MLP, its quadratic cost ``f`` on random data, and the exact gradient (backprop)."""
    params = [
        {"w": rng.normal(size=(i, o)) * 0.8, "b": rng.normal(size=o) * 0.5}
        for i, o in itertools.pairwise(sizes)
    ]
    X = rng.normal(size=(n, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    acts = [X]
    for layer in params:
        acts.append(_sigmoid(acts[-1] @ layer["w"] + layer["b"]))
    delta = (acts[-1] - Y) * acts[-1] * (1 - acts[-1]) / n
    grads = [None] * len(params)
    for k in range(len(params) - 1, -1, -1):
        grads[k] = {"w": acts[k].T @ delta, "b": delta.sum(axis=0)}
        if k:
            delta = (delta @ params[k]["w"].T) * acts[k] * (1 - acts[k])
    return params, Ref("ex10_f", ("mlp_cost", X, Y)), grads


def dense(rng, n_in, n_out):
    return {"w": signed_values(rng, (n_in, n_out)), "b": signed_values(rng, (n_out,))}


# -- cases ---------------------------------------------------------------------------------------


def tree_cases(rng):
    params = dense(rng, 3, 2)
    f, _ = cubic(rng, params)
    mlp, mlp_f, _ = mlp_problem(rng, (3, 4, 2))
    return [
        Case(
            (f, params),
            label=label(
                "params {'w': (3, 2), 'b': (2,)}, a cubic f, default eps",
                "params {'w': (3, 2), 'b': (2,)}, une fonction cubique f, eps par défaut",
            ),
        ),
        Case(
            (mlp_f, mlp),
            label=label(
                "an MLP [3, 4, 2] (a list of two dicts), f its quadratic cost on 6 examples",
                "un MLP [3, 4, 2] (une liste de deux dicts), f son coût quadratique sur 6 exemples",
            ),
        ),
    ]


def large_eps_cases(rng):
    params = [dense(rng, 2, 2), dense(rng, 2, 1)]
    f, _ = cubic(rng, params)
    return [
        Case(
            (f, params, 0.1),
            label=label(
                "eps = 0.1: for a v³ the central difference is the derivative plus a·eps², not the derivative",
                "eps = 0.1 : pour a v³ la différence centrée vaut la dérivée plus a·eps², pas la dérivée",
            ),
        )
    ]


def _rel_cases(rng):
    a = rng.normal(size=(5, 4))
    b = a * (1 + rng.uniform(-0.05, 0.05, size=a.shape))
    a[0, 0] = b[0, 0] = 0.0  # both zero: counts 0
    a[3, 2] = b[3, 2] = 0.0
    c = rng.normal(size=6)
    d = c.copy()
    d[2] = 0.0  # zero against non-zero: ratio 1
    return [
        Case(
            (a, b),
            label=label(
                "(5, 4) arrays up to 5 % apart, two positions where both are 0",
                "tableaux (5, 4) écartés d'au plus 5 %, deux positions où les deux valent 0",
            ),
        ),
        Case(
            (c, d),
            label=label(
                "one element is 0 in b only (its ratio is 1)",
                "un élément vaut 0 dans b seulement (son rapport vaut 1)",
            ),
        ),
        Case((3.0, 3.3), label=label("two scalars 3.0 and 3.3", "deux scalaires 3,0 et 3,3")),
    ]


def both_zero_cases(rng):
    return [
        Case(
            (np.zeros(4), np.zeros(4)),
            label=label("a and b both all zeros", "a et b entièrement nuls"),
        )
    ]


def _check_problem(rng):
    params = {"layer": dense(rng, 3, 2), "out": signed_values(rng, (2,))}
    f, exact = cubic(rng, params)
    return params, f, exact


def verdict_cases(rng):
    params, f, exact = _check_problem(rng)
    off = tree_copy(exact)
    off["layer"]["w"][1, 0] *= 1 + 3e-4  # one element 3e-4 off: relative error ≈ 1.5e-4
    flipped = tree_copy(exact)
    flipped["out"] = -flipped["out"]
    return [
        Case(
            (f, exact, params, 1e-3, 1e-4),
            label=label(
                "the exact gradient, eps = 1e-3, tol = 1e-4 (a correct check finds errors about 1e-7)",
                "le gradient exact, eps = 1e-3, tol = 1e-4 (une vérification correcte trouve des erreurs d'environ 1e-7)",
            ),
        ),
        Case(
            (f, off, params, 1e-3, 1e-4),
            label=label(
                "the exact gradient with one element of one leaf 0.03 % too large, tol = 1e-4",
                "le gradient exact avec un élément d'une feuille trop grand de 0,03 %, tol = 1e-4",
            ),
        ),
        Case(
            (f, flipped, params, 1e-3, 1e-4),
            label=label(
                "one leaf of the gradient with the wrong sign",
                "une feuille du gradient avec le mauvais signe",
            ),
        ),
    ]


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
            hint=Text(
                "For every element i of every leaf: (f(θ + eps·e_i) − f(θ − eps·e_i)) / (2 eps), in float64 numpy, on copies of the leaves.",
                "Pour chaque élément i de chaque feuille : (f(θ + eps·e_i) − f(θ − eps·e_i)) / (2 eps), en float64 numpy, sur des copies des feuilles.",
            ),
        ),
        compare(
            "numerical_gradient_tree",
            "large_eps",
            large_eps_cases,
            points=1,
            tol=GRAD_TOL,
            keep_float64=True,
            hint=Text(
                "Return the central difference quotient itself: not an exact derivative (no jax.grad), not the one-sided (f(θ + eps) − f(θ)) / eps.",
                "Renvoyez le quotient de la différence centrée lui-même : pas une dérivée exacte (pas de jax.grad), pas la différence à droite (f(θ + eps) − f(θ)) / eps.",
            ),
        ),
        compare(
            "relative_error",
            "elementwise_max",
            _rel_cases,
            points=2,
            hint=Text(
                "The largest, over the elements, of |a_i − b_i| / max(|a_i| + |b_i|, 1e-12): np.max, not np.mean, and no norms.",
                "Le plus grand, sur les éléments, de |a_i − b_i| / max(|a_i| + |b_i|, 1e-12) : np.max, pas np.mean, et pas de normes.",
            ),
        ),
        compare(
            "relative_error",
            "both_zero",
            both_zero_cases,
            points=1,
            hint=Text(
                "Where a_i = b_i = 0 the ratio is 0 / 1e-12 = 0: the floor max(…, 1e-12) avoids 0 / 0.",
                "Là où a_i = b_i = 0 le rapport vaut 0 / 1e-12 = 0 : le plancher max(…, 1e-12) évite 0 / 0.",
            ),
        ),
        compare(
            "gradient_check",
            "verdicts",
            verdict_cases,
            points=3,
            tol=ERR_TOL,
            keep_float64=True,
            hint=Text(
                "max_rel_error is the largest relative_error over the leaves (numerical gradient with central differences at the given eps); ok is max_rel_error < tol.",
                "max_rel_error est la plus grande relative_error sur les feuilles (gradient numérique par différences centrées avec l'eps donné) ; ok vaut max_rel_error < tol.",
            ),
        ),
    ],
)


# -- shared with the hidden checks ---------------------------------------------------------------


@dataclass(frozen=True)
class ExpectCase(Case):
    """A case with what a correct ``gradient_check`` must return (grader side only)."""

    expect_ok: bool = True
    err_low: float = 0.0
    err_high: float = 1.0


def judge_gradient_check(cases, outputs):
    """``(ok, err)`` with ``ok`` as expected and ``err`` in the case's range (never shown)."""
    for case, out in zip(cases, outputs, strict=True):
        what = case.label("en") if isinstance(case.label, Text) else str(case.label)
        what_fr = case.label("fr") if isinstance(case.label, Text) else str(case.label)
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                "gradient_check must return a pair (ok, max_rel_error).",
                "gradient_check doit renvoyer un couple (ok, max_rel_error).",
            )
        try:
            flag = np.asarray(out[0])
            err = np.asarray(out[1], dtype=np.float64)
        except (TypeError, ValueError):
            flag = err = np.asarray([])
        if flag.shape != () or flag.dtype.kind not in "biu" or err.shape != ():
            return fail(
                f"On {what}: expected a bool ok and a number max_rel_error.",
                f"Sur {what_fr} : attendu un booléen ok et un nombre max_rel_error.",
            )
        if not np.isfinite(err) or not case.err_low <= float(err) <= case.err_high:
            return fail(
                f"On {what}: max_rel_error = {float(err):.3g} is not what central differences give here. Compute the numerical gradient with (f(θ + eps) − f(θ − eps)) / (2 eps) in float64 and take the largest relative_error over the leaves.",
                f"Sur {what_fr} : max_rel_error = {float(err):.3g} n'est pas ce que donnent les différences centrées ici. Calculez le gradient numérique par (f(θ + eps) − f(θ − eps)) / (2 eps) en float64 et prenez la plus grande relative_error sur les feuilles.",
            )
        if bool(flag) != case.expect_ok:
            return fail(
                f"On {what}: ok = {bool(flag)} does not match max_rel_error = {float(err):.3g} and tol: ok is max_rel_error < tol.",
                f"Sur {what_fr} : ok = {bool(flag)} ne correspond pas à max_rel_error = {float(err):.3g} et tol : ok vaut max_rel_error < tol.",
            )
    return ok()


__all__ = [
    "ERR_TOL",
    "EXERCISE",
    "GRAD_TOL",
    "ExpectCase",
    "cubic",
    "dense",
    "judge_gradient_check",
    "mlp_problem",
    "signed_values",
    "tree_copy",
]
