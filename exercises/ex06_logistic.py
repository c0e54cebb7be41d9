"""Exercise 06 — one neuron: logistic regression (régression logistique). Seeds 000 and 002.

Goal: train the simplest network there is, a single sigmoid neuron, entirely by hand. Seed 000
calls it "un réseau à une seule couche (régression logistique)", ``ŷ = σ(W₁X₁ + W₂X₂ + b)``;
seed 002 gives its cost (the cross-entropy, regularised with an L2 term), the gradient of that
cost, and the gradient-descent update that trains it.

What you will have learnt:
- the forward pass of one neuron, ``h = σ(X w + b)``, on a whole batch at once;
- the regularised cross-entropy cost and why the bias is not regularised;
- the gradient of that cost derived by hand, ``Xᵀ(h − y)/m + λw/m`` (no autodiff here: you
  will use ``jax.grad`` later, once you know what it computes);
- batch gradient descent from zero, and that a single neuron separates linearly separable data.

Notation. Seed 002 writes the parameters as one vector ``θ`` with the bias folded in as ``θ₀``
(and ``x₀ = 1``), so ``h_θ(x) = σ(θᵀx)``. Here they are a dict ``params = {"w": (n,), "b": ()}``:
``w == θ[1:]`` and ``b == θ₀``. Examples are rows: ``X`` has shape ``(m, n)`` (``m`` examples,
``n`` features, seed 002's ``x⁽ⁱ⁾ == X[i]``), labels ``y ∈ {0, 1}`` have shape ``(m,)``.
Inputs may be numpy or jax arrays; results may be either.

Run ``grader run -e ex06`` to check your work.
"""

from __future__ import annotations

import numpy as np


def logistic_predict(params, X):
    """The neuron's output (sortie du neurone), a probability: ``h = σ(X w + b)``.

    Seed 000: ``ŷ = σ(W₁ · X₁ + W₂ · X₂ + b)``; seed 002: ``h_θ(x⁽ⁱ⁾)``, "l'activation calculée
    pour la i-ème image", with ``σ(z) = 1/(1 + e^{−z})``. For the whole batch at once:

        h = σ(X @ w + b)        (shape (m,))

    Args:
      params: ``{"w": (n,), "b": ()}``.
      X: examples, shape ``(m, n)``.

    Returns:
      ``h``, shape ``(m,)``, each entry in ``[0, 1]``.

    Example:
      >>> params = {"w": np.array([1.0, -1.0]), "b": 0.0}
      >>> logistic_predict(params, np.array([[0.0, 0.0], [2.0, 0.0]])).round(4)
      array([0.5   , 0.8808])
    """
    raise NotImplementedError("logistic_predict: 1 / (1 + exp(-(X @ w + b)))")


def logistic_loss(params, X, y, lam=0.0):
    """The regularised cross-entropy cost (fonction de coût « cross-entropy » régularisée).

    Seed 002, "Cross entropy cost function régularisée":

        J(θ) = 1/m Σ_i [ −y⁽ⁱ⁾ log(h_θ(x⁽ⁱ⁾)) − (1 − y⁽ⁱ⁾) log(1 − h_θ(x⁽ⁱ⁾)) ] + λ/(2m) Σ_{j=1}^{n} θ_j²

    The sum of squares starts at ``j = 1``: it covers the weights ``w`` only, **not the bias**
    ``b = θ₀``. Before taking logs, clip ``h`` to ``[1e-7, 1 − 1e-7]`` so that a saturated
    neuron (``h`` exactly 0 or 1 in floating point) costs a large but finite amount.

    Args:
      params: ``{"w": (n,), "b": ()}``.
      X: examples, shape ``(m, n)``.
      y: labels in ``{0, 1}``, shape ``(m,)``.
      lam: λ, the L2 regularisation strength.

    Returns:
      The cost ``J``, a scalar.

    Example:
      >>> params = {"w": np.array([2.0, 0.0]), "b": 0.0}
      >>> X = np.array([[0.0, 1.0], [1.0, 0.0]])
      >>> round(logistic_loss(params, X, np.array([1.0, 1.0])), 6)  # (log 2 + log(1 + e⁻²)) / 2
      0.410038
      >>> round(logistic_loss(params, X, np.array([1.0, 1.0]), lam=1.0), 6)  # + 1/4 · 4
      1.410038
    """
    raise NotImplementedError(
        "logistic_loss: clip h, average the cross-entropy, add lam / (2 m) * sum(w ** 2)"
    )


def logistic_grads(params, X, y, lam=0.0):
    """The gradient of ``logistic_loss`` (gradient de la fonction de coût), derived by hand.

    Seed 002, "Gradient de la cost function": ``∂J(θ)/∂θ_j = 1/m Σ_i (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾) x_j⁽ⁱ⁾``.
    With the regularisation term, each weight also gets ``∂/∂θ_j [λ/(2m) Σ θ_j²] = λ θ_j / m``
    (the 2 cancels), and the bias (``θ₀``, with ``x₀ = 1``) gets no such term. In matrix form,
    with ``h = σ(X w + b)`` (not clipped):

        ∂J/∂w = Xᵀ (h − y) / m + λ w / m        (shape (n,))
        ∂J/∂b = mean(h − y)                     (a scalar)

    No automatic differentiation here: ``jax.grad``, ``jax.vjp``, ``jax.value_and_grad``… are
    refused by the grader for this function. Write the formula.

    Args:
      params: ``{"w": (n,), "b": ()}``.
      X: examples, shape ``(m, n)``.
      y: labels in ``{0, 1}``, shape ``(m,)``.
      lam: λ.

    Returns:
      ``{"w": (n,), "b": ()}``, the same structure as ``params``.

    Example:
      >>> params = {"w": np.array([2.0, 0.0]), "b": 0.0}
      >>> X = np.array([[0.0, 1.0], [1.0, 0.0]])
      >>> g = logistic_grads(params, X, np.array([1.0, 1.0]), lam=1.0)
      >>> g["w"].round(6), round(float(g["b"]), 6)  # h = [0.5, 0.880797]
      (array([ 0.940399, -0.25    ]), -0.309601)
    """
    raise NotImplementedError(
        "logistic_grads: r = h - y; w: X.T @ r / m + lam * w / m; b: mean(r) (no lam)"
    )


def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    """Train the neuron by batch gradient descent (descente de gradient « batch »).

    Seed 002: "θ_j := θ_j − α ∂J(θ)/∂θ_j", on the whole training set at every step ("en batch,
    c'est-à-dire que toutes les données d'entraînement passent dans le réseau à chaque
    itération"). Start from ``w = 0`` (shape ``(n,)``) and ``b = 0``, then repeat ``steps``
    times, with ``g = logistic_grads(params, X, y, lam)``:

        w ← w − lr · g["w"]
        b ← b − lr · g["b"]

    Args:
      X: examples, shape ``(m, n)``.
      y: labels in ``{0, 1}``, shape ``(m,)``.
      lr: the learning rate α (taux d'apprentissage).
      steps: the number of gradient steps.
      lam: λ.

    Returns:
      The trained ``{"w": (n,), "b": ()}``.

    Example:
      >>> X = np.array([[0.0], [1.0], [3.0], [4.0]])
      >>> params = logistic_fit(X, np.array([0.0, 0.0, 1.0, 1.0]))
      >>> (logistic_predict(params, X) > 0.5).astype(int)
      array([0, 0, 1, 1])
    """
    raise NotImplementedError(
        "logistic_fit: start from zeros and take `steps` steps of w -= lr * grads['w'], ..."
    )
