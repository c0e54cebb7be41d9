"""Exercise 04 — cost functions (fonctions de coût). Seeds 000, 001, 002, 003 and 004.

Goal: write the cost functions (also called loss / perte or objective / objectif) that the
course uses to measure how wrong a network is, so that gradient descent can make it less
wrong. Seed 001 defines the quadratic cost of Nielsen's network, seed 003 the L2 and L1
distances and the cross-entropy, seeds 000 and 002 the binary cross-entropy of logistic
regression and its L2 regularisation term, seed 004 the MSE and the multi-class
cross-entropy.

What you will have learnt:
- what is summed and what is averaged: over the features of one example, over the examples
  of a batch, or over every element (the 1/2, 1/n and 1/(2m) factors matter);
- why the logarithm of a probability needs care: clip ``p`` away from 0 and 1, or better,
  work from the logits with a numerically stable formula that survives ``|z| = 10 000``;
- how an L2 penalty walks a whole parameter pytree and keeps only the weights.

Conventions: a batch is the first axis. ``a``, ``y``, ``y_pred`` and ``p`` have shape ``(n, k)``
(``n`` examples, ``k`` outputs) unless a docstring says otherwise; inputs may be numpy or jax
arrays; each function returns a scalar (a Python, numpy or jax float). The seeds write an
example's outputs as a column vector and the weights as ``W`` of shape ``(n_out, n_in)``; here
rows are examples and ``w_here == W_seed.T``.

Run ``grader run -e ex04`` to check your work.
"""

from __future__ import annotations

import numpy as np


def quadratic_cost(a, y):
    """The quadratic cost (coût quadratique) of seed 001.

    Seed 001, "Comment mesurer la performance de notre réseau ?":

        C(w, b) = 1/(2n) Σ_x ‖y(x) − a‖²

    where ``x`` runs over the ``n`` training inputs, ``a`` is the network's output for ``x``
    and ``y(x)`` the desired output (a one-hot vector for a digit). Here row ``i`` of ``a``
    is the seed's ``a`` for the ``i``-th input and row ``i`` of ``y`` is ``y(x_i)``. The squared
    norm sums over the ``k`` outputs of one example; the ``1/(2n)`` averages over the examples
    (and the ``1/2`` makes the derivative clean: ``∂C_x/∂a = a − y``).

    Args:
      a: the network's outputs (sorties), shape ``(n, k)``.
      y: the desired outputs (sorties désirées), shape ``(n, k)``.

    Returns:
      A scalar.

    Example:
      >>> a = np.array([[0.5, 0.5], [1.0, 0.0]])
      >>> y = np.array([[1.0, 0.0], [1.0, 0.0]])
      >>> quadratic_cost(a, y)  # (0.25 + 0.25 + 0 + 0) / (2 * 2)
      0.125
    """
    raise NotImplementedError(
        "quadratic_cost: sum the squared differences over everything, then divide by 2n "
        "(n = number of rows)"
    )


def mse(y_pred, y):
    """The mean squared error (erreur quadratique moyenne, MSE) of seed 004.

    Seed 004 writes the regression loss of one example as ``ℓ(y, ŷ) = ‖y − ŷ‖₂²``; the MSE is
    its mean **over every element** of the arrays (as ``keras``' ``"mse"`` with one output,
    or ``optax.squared_error(...).mean()``):

        MSE = 1/(n·k) Σ_i Σ_j (ŷ_ij − y_ij)²

    Unlike the quadratic cost there is no 1/2, and the mean runs over the ``n·k`` elements,
    not only over the ``n`` examples.

    Args:
      y_pred: predictions ŷ (prédictions), any shape.
      y: targets (cibles), the same shape.

    Returns:
      A scalar.

    Example:
      >>> mse(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [3.0, 0.0]]))
      5.0
    """
    raise NotImplementedError("mse: the mean of (y_pred - y)**2 over all elements")


def l1_loss(y_pred, y):
    """The L1 loss (distance L1): seed 003's ``h(X, Y) = ‖X − Y‖₁``, averaged over the batch.

    Seed 003, "Distance / Fonction de coût": ``L1 : h(X, Y) = ‖X − Y‖₁``, the sum of the
    absolute differences between two vectors. With one example per row:

        L1 = 1/n Σ_i ‖y_i − ŷ_i‖₁ = 1/n Σ_i Σ_j |y_ij − ŷ_ij|

    i.e. the sum over the ``k`` features of each example, then the mean over the ``n``
    examples (not the mean over all ``n·k`` elements).

    Args:
      y_pred: predictions ŷ, shape ``(n, k)``.
      y: targets, shape ``(n, k)``.

    Returns:
      A scalar.

    Example:
      >>> l1_loss(np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, -1.0]]))
      2.0
    """
    raise NotImplementedError("l1_loss: sum |y - y_pred| over each row, then average the rows")


def binary_cross_entropy(p, y, eps=1e-7):
    """The binary cross-entropy (entropie croisée binaire) of probabilities, seeds 000 and 002.

    Seed 002's "cross entropy cost function", with ``h_θ(x⁽ⁱ⁾)`` the predicted probability
    (here ``p``) and ``y⁽ⁱ⁾ ∈ {0, 1}`` the label (here ``y``):

        J(θ) = 1/m Σ_i [ −y⁽ⁱ⁾ log(h_θ(x⁽ⁱ⁾)) − (1 − y⁽ⁱ⁾) log(1 − h_θ(x⁽ⁱ⁾)) ]

    (seed 000 writes one term as ``L(w) = −y log(ŷ) − (1 − y) log(1 − ŷ)``). Take the mean over
    **every element** of ``p`` (``p`` may be ``(n,)`` or ``(n, k)``).

    ``log(0)`` is ``−∞``: first clip ``p`` to ``[eps, 1 − eps]`` (``np.clip``), so that a
    prediction of exactly 0 or 1 costs a large but finite amount (about ``−log(1e-7) ≈ 16.1``).

    Args:
      p: predicted probabilities in ``[0, 1]``, any shape.
      y: labels in ``{0, 1}``, the same shape.
      eps: the clipping margin.

    Returns:
      A scalar.

    Example:
      >>> round(binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0])), 6)
      0.164252
      >>> round(binary_cross_entropy(np.array([1.0]), np.array([0.0])), 2)  # clipped: finite
      16.12
    """
    raise NotImplementedError(
        "binary_cross_entropy: clip p to [eps, 1 - eps] first, then average the formula"
    )


def binary_cross_entropy_with_logits(z, y):
    """The binary cross-entropy computed from logits (logits, avant la sigmoïde), stably.

    With ``p = σ(z) = 1/(1 + e^{−z})`` the binary cross-entropy above becomes, per element,

        −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^{−|z|})

    (use ``log σ(z) = −log(1 + e^{−z})`` and ``log(1 − σ(z)) = −z − log(1 + e^{−z})``, then
    rewrite with ``|z|`` so that ``exp`` only ever sees a negative number). Return the mean
    over every element. It must be exact and finite for ``|z|`` up to 1e4: computing σ(z)
    first and then its log gives ``log(0) = −∞`` (or ``exp`` overflows) long before that, and
    no clipping is applied here (a logit of 1e4 on the wrong side costs 1e4).
    ``np.log1p`` and ``np.logaddexp`` help.

    Args:
      z: logits (any real numbers), any shape.
      y: labels in ``{0, 1}``, the same shape.

    Returns:
      A scalar.

    Example:
      >>> round(binary_cross_entropy_with_logits(np.array([0.0, 2.0]), np.array([1.0, 0.0])), 6)
      1.410038
      >>> binary_cross_entropy_with_logits(np.array([1e4, -1e4]), np.array([0.0, 0.0]))
      5000.0
    """
    raise NotImplementedError(
        "binary_cross_entropy_with_logits: use max(z, 0) - z*y + log1p(exp(-|z|))"
    )


def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    """The categorical cross-entropy (entropie croisée multi-classe) of seed 004.

    Seed 004, "dans le cas multi-classe": ``CE = −Σ_j y_i^(j) log(p_ij)``, where
    ``y_i^(j) = 1`` if example ``i`` belongs to class ``j`` and 0 otherwise, and ``p_ij`` is the
    predicted probability of class ``j`` for example ``i``. Sum over the classes ``j``, then
    take the mean over the ``n`` examples of the batch:

        CCE = 1/n Σ_i Σ_j −y_ij log(p_ij)

    (the mean over the ``n`` examples, not over the ``n·k`` elements). Clip ``p`` to
    ``[eps, 1 − eps]`` first: ``0 · log(0)`` is ``nan`` in floating point, and a probability of
    exactly 0 on the true class must cost ``−log(eps)``, not infinity.

    Args:
      p: predicted probabilities, shape ``(n, k)`` (rows sum to 1).
      y_onehot: one-hot targets (cibles « one-hot »), shape ``(n, k)``.
      eps: the clipping margin.

    Returns:
      A scalar.

    Example:
      >>> p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
      >>> y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
      >>> round(categorical_cross_entropy(p, y), 6)  # (−log 0.7 − log 0.8) / 2
      0.289909
    """
    raise NotImplementedError(
        "categorical_cross_entropy: clip p, sum -y*log(p) over the classes, mean over the rows"
    )


def softmax_cross_entropy(logits, labels):
    """Softmax followed by cross-entropy (entropie croisée après softmax), from logits.

    The usual output of a classifier (seed 004's ``layer_dense(units = 10, activation =
    "softmax")`` with ``loss = "categorical_crossentropy"``), fused and made stable: with
    ``log softmax(z)_j = z_j − log Σ_c e^{z_c}``, the loss of example ``i`` with integer label
    ``y_i`` is ``−log softmax(z_i)_{y_i}``; return the mean over the batch.

    Compute the log-softmax stably: subtract the row's maximum first,
    ``z − max(z) − log Σ_c e^{z_c − max(z)}`` (``exp`` never overflows and the log never sees 0).
    ``np.log(softmax(z))`` is **not** stable: a probability that underflows to 0 gives ``−∞``.
    The labels are integers, not one-hot rows: pick the label's entry of each row
    (``np.take_along_axis`` or ``z[np.arange(n), labels]``).

    Args:
      logits: shape ``(n, k)``, any real numbers (up to 1e4 in absolute value).
      labels: integer class ids in ``[0, k)``, shape ``(n,)``.

    Returns:
      A scalar.

    Example:
      >>> round(softmax_cross_entropy(np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([0, 1])), 6)
      0.410038
      >>> softmax_cross_entropy(np.array([[1e4, -1e4]]), np.array([1]))
      20000.0
    """
    raise NotImplementedError(
        "softmax_cross_entropy: log_softmax = z - max - log(sum(exp(z - max))), pick the labels"
    )


def l2_penalty(params, lam, m):
    """The L2 regularisation term (terme de régularisation L2) of seed 002.

    Seed 002, "Cross entropy cost function régularisée": ``J(θ) = … + λ/(2m) Σ_j θ_j²``, and for
    a network "on somme le carré de tous les poids de toutes les matrices". Only the weights
    are penalised: sum ``w²`` over **every dict entry named** ``"w"`` at any depth of the
    parameter pytree, and nothing else (not the biases ``"b"``, not ``"gamma"``, …):

        penalty = λ/(2m) Σ_{every "w"} Σ w²

    ``params`` nests dicts and lists freely, e.g. a list of dense layers
    ``[{"w": …, "b": …}, …]`` or ``{"block": [{"conv": {"w": …, "b": …}}], "head": {"w": …}}``:
    walk it recursively (a function that calls itself on every value of a dict and every item
    of a list). ``m`` is the number of training examples.

    Args:
      params: a pytree of dicts and lists whose leaves are arrays.
      lam: λ, the regularisation strength (≥ 0).
      m: the number of examples.

    Returns:
      A scalar.

    Example:
      >>> params = [{"w": np.array([[1.0, 2.0]]), "b": np.array([5.0])},
      ...           {"inner": {"w": np.array([3.0]), "gamma": np.array([9.0])}}]
      >>> l2_penalty(params, lam=0.5, m=2)  # 0.5 / 4 * (1 + 4 + 9)
      1.75
    """
    raise NotImplementedError(
        'l2_penalty: recurse into dicts and lists; add sum(w**2) for each key "w"'
    )
