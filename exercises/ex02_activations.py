"""Exercise 02 — activation functions (fonctions d'activation). Seeds 001, 002 and 004.

Goal: write the activation functions a neural network applies after each weighted sum
``z = w·x + b``, so that they are exact, **numerically stable** and usable inside JAX's
transformations. Seed 001 replaces the perceptron's step by the sigmoid neuron ("neurone
sigmoïde"); seed 002 names sigmoid and ReLU as today's two most used activations (sigmoid
for outputs that look like probabilities, ReLU for hidden layers); seed 004's networks end
with a softmax over the 10 classes; seed 000 cites tanh as another non-linearity.

The textbook formulas break on real inputs: ``e^{1e4}`` is ``inf`` in float32 *and* in
float64, and ``inf / inf`` is NaN. The grader feeds your functions ``|z|`` up to 1e4.

What you will have learnt:
- the formulas of sigmoid, tanh, ReLU, leaky ReLU, softmax and log-softmax and of the
  derivatives σ' and ReLU' that backpropagation needs (ex08);
- the two stability tricks every library uses: evaluate ``e^{-|z|}`` only (never ``e^{+large}``),
  and subtract the maximum before a softmax (``softmax(z) = softmax(z − max z)``);
- to work along one ``axis`` of a batch, with ``keepdims=True``;
- to write array code that works under ``jax.jit`` and ``jax.vmap`` (use ``jax.numpy``;
  plain ``numpy`` functions cannot trace, and Python ``if`` on array values cannot either).

Run ``grader run -e ex02`` to check your work. Inputs may be numpy or jax arrays of any
shape (float32 or float64) or Python numbers; return an array of the same shape.
"""

from __future__ import annotations

import jax.numpy as jnp  # jnp.exp, jnp.where… work on numpy and jax inputs, and under jit
import numpy as np


def sigmoid(z):
    """The logistic sigmoid (fonction sigmoïde) σ, elementwise.

    Seed 001, "les neurones sigmoïdes": a sigmoid neuron outputs ``σ(w·x + b)`` with

        σ(z) = 1 / (1 + e^{-z})

    (seed's ``z`` is ours). Written like this, ``e^{-z}`` overflows to ``inf`` for
    ``z ≤ -89`` in float32 (the result 0 is still right), and the equivalent
    ``e^{z} / (1 + e^{z})`` gives ``inf / inf = NaN`` for ``z = 1e4``. Never evaluate the
    exponential of a large positive number: with ``e = e^{-|z|}`` (always in ``(0, 1]``),

        σ(z) = 1 / (1 + e)   where z ≥ 0,        σ(z) = e / (1 + e)   where z < 0.

    The second form is also *exact* in the left tail (σ(−50) ≈ 1.9e-22; computing it as
    ``1 − σ(50)`` would give 0).

    Args:
      z: weighted inputs (entrées pondérées), any shape.

    Returns:
      σ(z), same shape, values in ``[0, 1]``; finite for ``|z|`` up to 1e4.

    Example:
      >>> sigmoid(np.array([-1e4, 0.0, 2.0, 1e4]))
      array([0.        , 0.5       , 0.88079708, 1.        ])
    """
    raise NotImplementedError(
        "sigmoid: use e = exp(-|z|) and choose the form with where(z >= 0, …)"
    )


def sigmoid_prime(z):
    """The derivative of the sigmoid (dérivée de la sigmoïde), σ'(z), elementwise.

    Derive ``σ(z) = (1 + e^{-z})^{-1}``:  ``σ'(z) = e^{-z} / (1 + e^{-z})² = σ(z) (1 − σ(z))``.
    Backpropagation (seed 003, ex08) multiplies by it at every sigmoid layer. Use the second
    form with your stable ``sigmoid``: the first one overflows into ``inf / inf`` for
    ``z = -1e4``. σ' is largest at 0 (1/4) and tends to 0 on both sides.

    Args:
      z: any shape.

    Returns:
      σ'(z), same shape, values in ``[0, 1/4]``; finite (0, not NaN) for ``|z|`` up to 1e4.

    Example:
      >>> sigmoid_prime(np.array([0.0, 2.0, -1e4]))
      array([0.25      , 0.10499359, 0.        ])
    """
    raise NotImplementedError("sigmoid_prime: s = sigmoid(z), then s * (1 - s)")


def relu(z):
    """The rectified linear unit (unité linéaire rectifiée, ReLU), elementwise.

    Seed 002: ReLU is used by the hidden layers ("couches cachées"):

        relu(z) = max(z, 0)

    Mind ``np.max(z, 0)``: that is the maximum *along axis 0*, not an elementwise maximum
    (use ``np.maximum`` / ``jnp.maximum``). Do not modify ``z`` in place (``z[z < 0] = 0``
    changes the caller's array): return a new array.

    Args:
      z: any shape.

    Returns:
      ``max(z, 0)``, same shape.

    Example:
      >>> relu(np.array([-2.0, 0.0, 3.0]))
      array([0., 0., 3.])
    """
    raise NotImplementedError("relu: an elementwise maximum with 0 (np.maximum, not np.max)")


def relu_prime(z):
    """The derivative of ReLU (dérivée de ReLU), elementwise.

    ``relu'(z) = 1`` for ``z > 0`` and ``0`` for ``z < 0``. ReLU has no derivative at 0;
    the convention (JAX's, PyTorch's, and ours) is **0 at z = 0**: ``relu'(z) = 0`` for
    ``z <= 0``.

    Args:
      z: any shape.

    Returns:
      0.0/1.0 floats, same shape.

    Example:
      >>> relu_prime(np.array([-1.0, 0.0, 2.0]))
      array([0., 0., 1.])
    """
    raise NotImplementedError("relu_prime: 1.0 where z > 0 (strictly), else 0.0")


def tanh(z):
    """The hyperbolic tangent (tangente hyperbolique), elementwise.

    Seed 000 cites ``tanh`` as a non-linearity ``f(.)`` next to σ:

        tanh(z) = (e^{z} − e^{-z}) / (e^{z} + e^{-z}) = 2σ(2z) − 1

    The first form is ``inf / inf = NaN`` at ``z = 1e4``. Use ``np.tanh`` / ``jnp.tanh``,
    or write it with ``e^{-2|z|}`` only: ``tanh(z) = sign(z) (1 − e^{-2|z|}) / (1 + e^{-2|z|})``.

    Args:
      z: any shape.

    Returns:
      tanh(z), same shape, values in ``[-1, 1]``; ±1 (not NaN) for ``|z|`` up to 1e4.

    Example:
      >>> tanh(np.array([-1e4, 0.0, 0.5]))
      array([-1.        ,  0.        ,  0.46211716])
    """
    raise NotImplementedError("tanh: np.tanh/jnp.tanh, or a form using exp(-2|z|) only")


def leaky_relu(z, alpha=0.01):
    """The leaky ReLU (ReLU « qui fuit »), elementwise.

    Not in the seeds; the common fix for ReLU's "dead" units (a gradient of 0 for all
    ``z < 0``): a small slope ``alpha`` on the negative side,

        leaky_relu(z) = z  if z > 0,   alpha · z  otherwise.

    Use the ``alpha`` you are given (the grader also calls it with ``alpha=0.2``).

    Args:
      z: any shape.
      alpha: the slope for ``z <= 0`` (pente négative), a float in ``[0, 1)``.

    Returns:
      same shape as ``z``.

    Example:
      >>> leaky_relu(np.array([-2.0, 0.0, 3.0]), alpha=0.1)
      array([-0.2,  0. ,  3. ])
    """
    raise NotImplementedError("leaky_relu: where(z > 0, z, alpha * z)")


def softmax(z, axis=-1):
    """The softmax (fonction softmax, « exponentielle normalisée ») along ``axis``.

    Seed 004's networks end with ``layer_dense(units = 10, activation = "softmax")``: it
    turns the 10 scores (logits) of an example into probabilities,

        softmax(z)_j = e^{z_j} / Σ_k e^{z_k}      (the sum runs along ``axis`` only).

    ``e^{1e4}`` is ``inf`` and ``inf / inf`` is NaN. Since ``softmax(z) = softmax(z − c)``
    for any constant ``c``, subtract ``m = max_k z_k`` **along the same axis**
    (``keepdims=True``, so that it broadcasts): every exponent is then ``<= 0``. A batch of
    logits has shape ``(N, K)``: ``axis=-1`` normalises each example's ``K`` scores;
    ``axis=0`` normalises each column.

    Args:
      z: logits, any shape with at least one dimension.
      axis: the axis along which the probabilities sum to 1.

    Returns:
      same shape as ``z``, values in ``[0, 1]``, summing to 1 along ``axis``.

    Example:
      >>> softmax(np.array([[1.0, 2.0, 3.0], [1e4, 1e4, 0.0]]))
      array([[0.09003057, 0.24472847, 0.66524096],
             [0.5       , 0.5       , 0.        ]])
      >>> softmax(np.array([[1.0, 2.0], [1.0, 4.0]]), axis=0)
      array([[0.5       , 0.11920292],
             [0.5       , 0.88079708]])
    """
    raise NotImplementedError(
        "softmax: subtract max(z, axis, keepdims=True) before exp, sum along axis"
    )


def log_softmax(z, axis=-1):
    """The logarithm of the softmax (log-softmax) along ``axis``.

    ``log softmax(z)_j = z_j − log Σ_k e^{z_k}`` (the sum along ``axis``). The cross-entropy
    of ex04 needs it. ``np.log(softmax(z))`` is wrong where a probability underflows to 0:
    for ``z = [0, 1e4]`` the exact answer is ``[-1e4, 0]`` but ``log(0) = -inf``. With
    ``m = max_k z_k`` (along ``axis``, ``keepdims=True``), compute

        log_softmax(z) = (z − m) − log Σ_k e^{z_k − m}

    (the sum is between 1 and K, so its log is harmless).

    Args:
      z: logits, any shape with at least one dimension.
      axis: the axis of the classes.

    Returns:
      same shape as ``z``, values ``<= 0``, finite for logits as large as 1e4.

    Example:
      >>> log_softmax(np.array([0.0, 1e4]))
      array([-10000.,      0.])
    """
    raise NotImplementedError(
        "log_softmax: (z - m) - log(sum(exp(z - m))), with m the max along axis"
    )
