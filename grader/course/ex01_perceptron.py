"""Checks for ex01_perceptron (public)."""

from __future__ import annotations

import numpy as np

from grader.course.common import case, separable_blobs
from grader.i18n import Text
from grader.spec import Case, Exercise, compare, fail, ok, prop

BITS = [(1, 1), (1, 0), (0, 1), (0, 0)]
NAND = {(1, 1): 0.0, (1, 0): 1.0, (0, 1): 1.0, (0, 0): 1.0}
AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def single_examples(rng):
    cases = []
    for n in (2, 3, 7):
        x, w, b = rng.normal(size=n), rng.normal(size=n), float(rng.normal())
        cases.append(case(f"one example with {n} inputs", f"un exemple à {n} entrées", x, w, b))
    return cases


def batch_examples(rng):
    X, w = rng.normal(size=(20, 4)), rng.normal(size=4)
    return [case("a batch of 20 examples", "un lot de 20 exemples", X, w, 0.5)]


def boundary_examples(rng):
    # Integer inputs with w·x + b exactly 0 for some rows: a strict ">" must give 0 there.
    X = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [2.0, 1.0]])
    return [
        case(
            "points exactly on the boundary (w·x + b = 0)",
            "des points exactement sur la frontière (w·x + b = 0)",
            X,
            np.array([1.0, -1.0]),
            0.0,
        ),
        case(
            "one point on the boundary", "un point sur la frontière", np.ones(2), np.ones(2), -2.0
        ),
    ]


def read_pair(out, function: str, n: int):
    """``out`` as ``(w, b)`` in float64 with ``w`` of shape ``(n,)``, or the failing verdict."""
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            f"{function} must return a pair (w, b).", f"{function} doit renvoyer un couple (w, b)."
        )
    w, b = np.asarray(out[0], np.float64), np.asarray(out[1], np.float64)
    if w.shape != (n,) or b.shape != ():
        return fail(
            f"expected w of shape {(n,)} and a scalar b, got w of shape {w.shape} and b of shape {b.shape}.",
            f"attendu w de forme {(n,)} et b scalaire, obtenu w de forme {w.shape} et b de forme {b.shape}.",
        )
    if not (np.isfinite(w).all() and np.isfinite(b)):
        return fail("w and b must be finite numbers.", "w et b doivent être des nombres finis.")
    return w, b


def judge_nand(cases, outputs):
    pair = read_pair(outputs[0], "nand_parameters()", 2)
    if not isinstance(pair, tuple):
        return pair
    wrong = [p for p in BITS if (1.0 if np.dot(pair[0], p) + pair[1] > 0 else 0.0) != NAND[p]]
    if wrong:
        return fail(
            f"with these parameters the perceptron is wrong on {wrong}: NAND is 0 only for (1, 1).",
            f"avec ces paramètres le perceptron se trompe sur {wrong} : NAND vaut 0 seulement pour (1, 1).",
        )
    return ok()


def adder_cases(rng):
    return [case(f"bits ({a}, {b})", f"les bits ({a}, {b})", a, b) for a, b in BITS]


def judge_uses_perceptron(cases, outputs):
    """The half adder must be made of the student's NAND perceptrons, not of logic operators."""
    calls = [out.get("perceptron_calls") if isinstance(out, dict) else None for out in outputs]
    if any(type(c) is not int for c in calls):
        return fail("the check's driver got no answer.", "le pilote du test n'a pas eu de réponse.")
    if sum(calls) == 0:
        return fail(
            "half_adder never called your perceptron on any of the four bit pairs: build it from NAND gates that are perceptrons (perceptron(x, w, b) with nand_parameters()), as in seed 001; logic operators such as ^, & or == are not perceptrons.",
            "half_adder n'a jamais appelé votre perceptron sur aucun des quatre couples de bits : construisez-le avec des portes NAND qui sont des perceptrons (perceptron(x, w, b) avec nand_parameters()), comme dans le document de cours 001 ; les opérateurs logiques comme ^, & ou == ne sont pas des perceptrons.",
        )
    return ok()


def fit_and_gate(rng):
    return [
        case(
            "the AND gate, default epochs and lr",
            "la porte ET, époques et lr par défaut",
            AND_X,
            np.array([0.0, 0.0, 0.0, 1.0]),
        ),
        case(
            "the NAND gate, 3 epochs, lr 0.5",
            "la porte NAND, 3 époques, lr 0.5",
            AND_X,
            np.array([1.0, 1.0, 1.0, 0.0]),
            3,
            0.5,
        ),
    ]


def fit_separable(rng):
    X, y = separable_blobs(rng, 60, dim=3, margin=0.5)
    en, fr = "60 separable points in 3-D, 100 epochs", "60 points séparables en 3-D, 100 époques"
    return [case(en, fr, X, y, 100, 1.0)]


def judge_separable(cases, outputs):
    X, y = cases[0].args[:2]
    pair = read_pair(outputs[0], "perceptron_fit", X.shape[1])
    if not isinstance(pair, tuple):
        return pair
    acc = float(np.mean(np.where(X @ pair[0] + pair[1] > 0, 1.0, 0.0) == y))
    if acc < 1.0:
        return fail(
            f"on linearly separable data the perceptron should reach 100 % training accuracy; yours reaches {100 * acc:.1f} %.",
            f"sur des données linéairement séparables le perceptron doit atteindre 100 % de bonnes réponses à l'entraînement ; le vôtre atteint {100 * acc:.1f} %.",
        )
    return ok()


BOUNDARY_HINT = Text(
    "The rule is w·x + b > 0 (strict): a point on the boundary gives 0.",
    "La règle est w·x + b > 0 (strict) : un point sur la frontière donne 0.",
)
ADDER_HINT = Text(
    "sum = NAND(NAND(x1, n), NAND(x2, n)), carry = NAND(n, n), with n = NAND(x1, x2).",
    "somme = NAND(NAND(x1, n), NAND(x2, n)), retenue = NAND(n, n), avec n = NAND(x1, x2).",
)
FIT_HINT = Text(
    "Start from zeros and visit the examples in order, updating after each one.",
    "Partez de zéros et parcourez les exemples dans l'ordre, en mettant à jour après chacun.",
)

EXERCISE = Exercise(
    id="ex01_perceptron",
    title=Text("The perceptron", "Le perceptron"),
    checks=[
        compare("perceptron", "single_example", single_examples),
        compare("perceptron", "batch", batch_examples),
        compare("perceptron", "strict_boundary", boundary_examples, hint=BOUNDARY_HINT),
        prop("nand_parameters", "truth_table", lambda rng: [Case()], judge_nand, points=2),
        compare("half_adder", "truth_table", adder_cases, points=2, hint=ADDER_HINT),
        prop(
            "half_adder",
            "built_from_perceptrons",
            adder_cases,
            judge_uses_perceptron,
            driver="ex01_perceptron_calls",
        ),
        compare("perceptron_fit", "logic_gates", fit_and_gate, hint=FIT_HINT),
        prop("perceptron_fit", "separable_data", fit_separable, judge_separable),
    ],
)
