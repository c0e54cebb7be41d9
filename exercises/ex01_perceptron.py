"""Exercise 01 — the perceptron (le perceptron). Seeds 001 and 004.

Goal: build Rosenblatt's perceptron, the first artificial neuron, and see both its power
and its limit. Seed 001 shows that a perceptron can compute NAND, and that NAND gates are
universal: any logic circuit (here a half adder) can be built from them. Seed 004 trains
a perceptron on linearly separable data and watches it fail on XOR.

What you will have learnt:
- the perceptron's decision rule ``w·x + b > 0`` (weights / poids, bias / biais);
- how to choose weights by hand (NAND) and compose neurons into a circuit;
- Rosenblatt's learning rule, and why a single neuron cannot learn XOR.

Run ``grader run -e ex01`` to check your work. Arrays may be numpy or jax arrays.
"""

from __future__ import annotations

import numpy as np


def perceptron(x, w, b):
    """The perceptron's output (sortie du perceptron): 1.0 if ``w·x + b > 0``, else 0.0.

    Seed 001: "Renvoie « oui » si w1·x1 + w2·x2 + w3·x3 + b > 0, renvoie « non » sinon."
    The inequality is strict: a point exactly on the boundary (``w·x + b == 0``) gives 0.0.

    Args:
      x: inputs (entrées), shape ``(n,)`` for one example or ``(N, n)`` for a batch.
      w: weights (poids), shape ``(n,)``.
      b: bias (biais), a scalar.

    Returns:
      A float 0.0/1.0 of shape ``()`` for one example, or an array of shape ``(N,)``.

    Example:
      >>> perceptron(np.array([1.0, 0.0]), np.array([2.0, -1.0]), -1.0)  # 2 - 1 = 1 > 0
      1.0
      >>> perceptron(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([1.0, -1.0]), 0.0)
      array([0., 0.])
    """
    raise NotImplementedError("perceptron: compute w·x + b and compare it with 0")


def nand_parameters():
    """Weights and bias of a perceptron computing NAND (la fonction NAND), seed 001's exercise.

    Truth table: NAND(1, 1) = 0, NAND(1, 0) = NAND(0, 1) = NAND(0, 0) = 1.

    Returns:
      ``(w, b)`` with ``w`` of shape ``(2,)`` and ``b`` a scalar, such that
      ``perceptron(x, w, b)`` equals NAND on the four points of ``{0, 1}²``. Choose them so
      that no point lies exactly on the boundary.

    Example:
      >>> w, b = nand_parameters()
      >>> [perceptron(np.array(p, float), w, b) for p in [(1, 1), (1, 0), (0, 1), (0, 0)]]
      [0.0, 1.0, 1.0, 1.0]
    """
    raise NotImplementedError(
        "nand_parameters: find w (2 weights) and b so that only (1, 1) gives 0"
    )


def half_adder(x1, x2):
    """A half adder (additionneur de deux bits) built only from NAND perceptrons (seed 001).

    Seed 001, "L'universalité des portes NAND": any logic gate can be built from NAND gates.
    With ``n = NAND(x1, x2)``:  ``sum = NAND(NAND(x1, n), NAND(x2, n))`` (that is XOR) and
    ``carry = NAND(n, n)`` (that is AND). Use your ``perceptron`` and ``nand_parameters``.

    Args:
      x1, x2: bits, 0 or 1 (Python numbers, numpy or jax scalars).

    Returns:
      ``(sum_bit, carry_bit)``: floats 0.0/1.0 with ``x1 + x2 == sum_bit + 2 * carry_bit``.

    Example:
      >>> half_adder(1, 1)
      (0.0, 1.0)
    """
    raise NotImplementedError("half_adder: combine NAND perceptrons as seed 001's diagram does")


def perceptron_fit(X, y, epochs=10, lr=1.0):
    """Train a perceptron with Rosenblatt's rule (règle d'apprentissage du perceptron).

    Start from ``w = 0`` (shape ``(n,)``) and ``b = 0``. For each epoch (époque), visit the
    examples **in order** (no shuffling) and, for each example ``(x, y)``, with
    ``ŷ = perceptron(x, w, b)``:

        w ← w + lr · (y − ŷ) · x
        b ← b + lr · (y − ŷ)

    (Nothing changes when the prediction is right: ``y − ŷ = 0``.) On linearly separable
    data this reaches 100 % training accuracy; on XOR it cannot (seed 004).

    Args:
      X: examples, shape ``(m, n)``.
      y: labels in ``{0, 1}``, shape ``(m,)``.
      epochs: number of passes over the data.
      lr: learning rate (taux d'apprentissage).

    Returns:
      ``(w, b)``: weights of shape ``(n,)`` and a scalar bias.

    Example:
      >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
      >>> w, b = perceptron_fit(X, np.array([0.0, 0.0, 0.0, 1.0]))  # AND
      >>> perceptron(X, w, b)
      array([0., 0., 0., 1.])
    """
    raise NotImplementedError("perceptron_fit: loop over epochs, then over the examples in order")
