"""Checks for ex01_perceptron (public)."""

from __future__ import annotations

import numpy as np

from grader.course.common import as_jax, label, separable_blobs
from grader.i18n import Text
from grader.spec import Case, Exercise, compare, fail, ok, prop

BITS = [(1, 1), (1, 0), (0, 1), (0, 0)]
NAND = {(1, 1): 0.0, (1, 0): 1.0, (0, 1): 1.0, (0, 0): 1.0}


def single_examples(rng):
    return [
        Case(
            (rng.normal(size=n), rng.normal(size=n), float(rng.normal())),
            label=label(f"one example with {n} inputs", f"un exemple à {n} entrées"),
        )
        for n in (2, 3, 7)
    ]


def batch_examples(rng):
    X = rng.normal(size=(20, 4))
    return [
        Case(
            (X, rng.normal(size=4), 0.5),
            label=label("a batch of 20 examples", "un lot de 20 exemples"),
        )
    ]


def boundary_examples(rng):
    # Integer inputs with w·x + b exactly 0 for some rows: a strict ">" must give 0 there.
    X = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [2.0, 1.0]])
    return [
        Case(
            (X, np.array([1.0, -1.0]), 0.0),
            label=label(
                "points exactly on the boundary (w·x + b = 0)",
                "des points exactement sur la frontière (w·x + b = 0)",
            ),
        ),
        Case(
            (np.array([1.0, 1.0]), np.array([1.0, 1.0]), -2.0),
            label=label("one point on the boundary", "un point sur la frontière"),
        ),
    ]


def judge_nand(cases, outputs):
    out = outputs[0]
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            "nand_parameters() must return a pair (w, b).",
            "nand_parameters() doit renvoyer un couple (w, b).",
        )
    w, b = np.asarray(out[0], dtype=np.float64), np.asarray(out[1], dtype=np.float64)
    if w.shape != (2,) or b.shape != ():
        return fail(
            f"expected w of shape (2,) and a scalar b, got w of shape {w.shape} and b of shape {b.shape}.",
            f"attendu w de forme (2,) et b scalaire, obtenu w de forme {w.shape} et b de forme {b.shape}.",
        )
    if not (np.isfinite(w).all() and np.isfinite(b)):
        return fail("w and b must be finite numbers.", "w et b doivent être des nombres finis.")
    wrong = [p for p in BITS if (1.0 if np.dot(w, p) + b > 0 else 0.0) != NAND[p]]
    if wrong:
        return fail(
            f"with these parameters the perceptron is wrong on {wrong}: NAND is 0 only for (1, 1).",
            f"avec ces paramètres le perceptron se trompe sur {wrong} : NAND vaut 0 seulement pour (1, 1).",
        )
    return ok()


def adder_cases(rng):
    return [Case((a, b), label=label(f"bits ({a}, {b})", f"les bits ({a}, {b})")) for a, b in BITS]


def judge_uses_perceptron(cases, outputs):
    """The half adder must be made of the student's NAND perceptrons, not of logic operators."""
    calls = 0
    for out in outputs:
        if not isinstance(out, dict) or type(out.get("perceptron_calls")) is not int:
            return fail(
                "the check's driver got no answer.", "le pilote du test n'a pas eu de réponse."
            )
        calls += out["perceptron_calls"]
    if calls == 0:
        return fail(
            "half_adder never called your perceptron on any of the four bit pairs: build it "
            "from NAND gates that are perceptrons (perceptron(x, w, b) with nand_parameters()), "
            "as in seed 001; logic operators such as ^, & or == are not perceptrons.",
            "half_adder n'a jamais appelé votre perceptron sur aucun des quatre couples de bits : "
            "construisez-le avec des portes NAND qui sont des perceptrons (perceptron(x, w, b) "
            "avec nand_parameters()), comme dans le document de cours 001 ; les opérateurs logiques comme "
            "^, & ou == ne sont pas des perceptrons.",
        )
    return ok()


def fit_and_gate(rng):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return [
        Case(
            (X, np.array([0.0, 0.0, 0.0, 1.0])),
            label=label(
                "the AND gate, default epochs and lr", "la porte ET, époques et lr par défaut"
            ),
        ),
        Case(
            (X, np.array([1.0, 1.0, 1.0, 0.0]), 3, 0.5),
            label=label("the NAND gate, 3 epochs, lr 0.5", "la porte NAND, 3 époques, lr 0.5"),
        ),
    ]


def fit_separable(rng):
    X, y = separable_blobs(rng, 60, dim=3, margin=0.5)
    return [
        Case(
            (X, y, 100, 1.0),
            label=label(
                "60 separable points in 3-D, 100 epochs", "60 points séparables en 3-D, 100 époques"
            ),
        )
    ]


def judge_separable(cases, outputs):
    X, y = cases[0].args[0], cases[0].args[1]
    out = outputs[0]
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return fail(
            "perceptron_fit must return a pair (w, b).",
            "perceptron_fit doit renvoyer un couple (w, b).",
        )
    w, b = np.asarray(out[0], np.float64), np.asarray(out[1], np.float64)
    if w.shape != (X.shape[1],) or b.shape != ():
        return fail(
            f"expected w of shape {(X.shape[1],)} and a scalar b, got {w.shape} and {b.shape}.",
            f"attendu w de forme {(X.shape[1],)} et b scalaire, obtenu {w.shape} et {b.shape}.",
        )
    acc = float(np.mean(np.where(X @ w + b > 0, 1.0, 0.0) == y))
    if acc < 1.0:
        return fail(
            f"on linearly separable data the perceptron should reach 100 % training accuracy; yours reaches {100 * acc:.1f} %.",
            f"sur des données linéairement séparables le perceptron doit atteindre 100 % de bonnes réponses à l'entraînement ; le vôtre atteint {100 * acc:.1f} %.",
        )
    return ok()


EXERCISE = Exercise(
    id="ex01_perceptron",
    title=Text("The perceptron", "Le perceptron"),
    checks=[
        compare("perceptron", "single_example", single_examples, points=1),
        compare("perceptron", "batch", batch_examples, points=1),
        compare(
            "perceptron",
            "strict_boundary",
            boundary_examples,
            points=1,
            hint=Text(
                "The rule is w·x + b > 0 (strict): a point on the boundary gives 0.",
                "La règle est w·x + b > 0 (strict) : un point sur la frontière donne 0.",
            ),
        ),
        prop("nand_parameters", "truth_table", lambda rng: [Case()], judge_nand, points=2),
        compare(
            "half_adder",
            "truth_table",
            adder_cases,
            points=2,
            hint=Text(
                "sum = NAND(NAND(x1, n), NAND(x2, n)), carry = NAND(n, n), with n = NAND(x1, x2).",
                "somme = NAND(NAND(x1, n), NAND(x2, n)), retenue = NAND(n, n), avec n = NAND(x1, x2).",
            ),
        ),
        prop(
            "half_adder",
            "built_from_perceptrons",
            adder_cases,
            judge_uses_perceptron,
            driver="ex01_perceptron_calls",
            points=1,
        ),
        compare(
            "perceptron_fit",
            "logic_gates",
            fit_and_gate,
            points=1,
            hint=Text(
                "Start from zeros and visit the examples in order, updating after each one.",
                "Partez de zéros et parcourez les exemples dans l'ordre, en mettant à jour après chacun.",
            ),
        ),
        prop("perceptron_fit", "separable_data", fit_separable, judge_separable, points=1),
    ],
)

# Used by the hidden checks too.
__all__ = ["EXERCISE", "as_jax", "judge_nand", "judge_separable"]
