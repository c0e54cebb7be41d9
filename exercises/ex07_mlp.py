"""Exercise 07 — a multi-layer network, forward pass (réseau multi-couches, propagation).
Seeds 000 and 001.

Goal: write the forward pass (propagation avant) of a multi-layer perceptron (perceptron
multi-couches, MLP) as a pure function of its parameters, in the style of seed 001's
``Reseau`` class: create the parameters at random, push a batch of inputs through the
layers, and count how many examples the network classifies correctly.

What you will have learnt:
- how an MLP's parameters are laid out: one ``{"w", "b"}`` dict per layer, ``w`` of shape
  ``(n_in, n_out)`` so that a batch ``x`` of shape ``(N, n_in)`` goes through ``x @ w + b``;
- how to draw random parameters reproducibly with an explicit JAX key, splitting it so
  that no two arrays share random numbers;
- the forward pass with sigmoid neurons (neurones sigmoïdes) after every layer, and the
  modern variant: ReLU on hidden layers and raw scores (logits) at the output;
- how to measure a classifier: the number of correct ``argmax`` predictions.

Notation. Seed 001's ``Reseau`` stores ``poids[l]`` with shape ``(tailles[l], tailles[l+1])``,
that is ``(n_in, n_out)`` like our ``w``, and its ``forward`` computes ``σ(w.T @ x + b)`` on one
column vector ``x`` of shape ``(n_in, 1)``. We put examples in rows instead (batch-first), and
``(w.T @ x).T == x.T @ w``, so for a batch ``x`` of shape ``(N, n_in)`` the same layer is
``σ(x @ w + b)``. Seed 001's ``biais[l]`` is a column ``(n_out, 1)``; our ``b`` is flat, ``(n_out,)``.
Seeds 000 and 003 write the weight matrix with one row per neuron, ``W`` of shape
``(n_out, n_in)`` (``W^{(1)} = [[w_{1,1}, w_{1,2}], [w_{2,1}, w_{2,2}]]``): there
``w_here == W_seed.T``.

Run ``grader run -e ex07`` to check your work. Arrays may be numpy or jax arrays.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


# Given helpers (not graded): you wrote your own in ex02.
def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}), elementwise, without overflow for large |z|."""
    return jax.nn.sigmoid(jnp.asarray(z))


def relu(z):
    """max(z, 0), elementwise."""
    return jnp.maximum(jnp.asarray(z), 0)


def init_mlp(key, sizes):
    """Random parameters of an MLP (initialisation des poids et des biais), seed 001's ``Reseau``.

    Seed 001: "Cette classe a deux attributs qui sont initialisés avec des valeurs
    aléatoires entre -1 et 1", i.e. ``np.random.uniform(-1., 1., size=...)`` for every
    weight and every bias. Here randomness is explicit: draw everything from ``key`` with
    ``jax.random.uniform(subkey, shape, minval=-1.0, maxval=1.0)``.

    A key must never be used twice: split it (``jax.random.split(key, num)``) so that every
    array (every ``w`` and every ``b``) gets its own subkey. Drawing two arrays from the
    same key gives them the same random numbers, so they are not independent. The same
    ``key`` must give the same parameters; another key, other parameters.

    Args:
      key: a JAX PRNG key, e.g. ``jax.random.key(0)``.
      sizes: the layer sizes (tailles) ``[n_0, n_1, …, n_L]``, inputs first, outputs last.

    Returns:
      A list of ``L = len(sizes) − 1`` dicts, layer ``l`` being
      ``{"w": array (sizes[l], sizes[l+1]), "b": array (sizes[l+1],)}``, every value in
      ``[−1, 1]``. Shapes: ``w == poids_seed[l]`` (``(n_in, n_out)``) and
      ``b == biais_seed[l][:, 0]``.

    Example:
      >>> params = init_mlp(jax.random.key(0), [784, 30, 10])
      >>> [(p["w"].shape, p["b"].shape) for p in params]
      [((784, 30), (30,)), ((30, 10), (10,))]
      >>> bool(jnp.all(jnp.abs(params[0]["w"]) <= 1.0))
      True
    """
    raise NotImplementedError(
        "init_mlp: split the key into 2 * (len(sizes) - 1) subkeys, one per w and per b"
    )


def mlp_forward(params, x):
    """The network's output (sortie du réseau) with a sigmoid after every layer, seed 001's ``forward``.

    Seed 001's short solution, for one column vector ``x``::

        for b, w in zip(self.biais, self.poids):
            x = sigmoide(np.matmul(w.T, x) + b)

    With examples in rows (``x`` of shape ``(N, n_in)``) each layer is
    ``a ← σ(a @ w + b)``, starting from ``a = x``; the sigmoid comes after **every** layer,
    the last one included (seed 000: ``ŷ = σ(w_1 A_1 + w_2 A_2)``).

    Args:
      params: a list of ``{"w": (n_in, n_out), "b": (n_out,)}`` dicts, as ``init_mlp`` returns.
      x: inputs, shape ``(N, n_0)``.

    Returns:
      The activations of the last layer, shape ``(N, n_L)``, values in ``(0, 1)``.

    Example:
      >>> params = [{"w": np.array([[1.0], [-1.0]]), "b": np.array([0.0])}]
      >>> mlp_forward(params, np.array([[2.0, 2.0], [1.0, 0.0]]))  # σ(0) and σ(1)
      array([[0.5       ],
             [0.73105858]])
    """
    raise NotImplementedError("mlp_forward: a = sigmoid(a @ w + b) for every layer, from a = x")


def mlp_logits(params, x):
    """The network's scores (logits) with ReLU hidden layers (couches cachées ReLU).

    The same network as ``mlp_forward`` with the activation modern networks use: ReLU
    ``max(z, 0)`` after every **hidden** layer and **nothing** after the last one, whose
    weighted inputs ``z_L = a_{L−1} @ w_L + b_L`` are returned as they are (logits, which a
    softmax or a cross-entropy with logits takes later). A network of one layer is linear:
    ``x @ w + b``.

    Args:
      params: a list of ``{"w": (n_in, n_out), "b": (n_out,)}`` dicts.
      x: inputs, shape ``(N, n_0)``.

    Returns:
      The logits, shape ``(N, n_L)``; they may be negative.

    Example:
      >>> params = [
      ...     {"w": np.array([[1.0, -1.0], [2.0, 0.5]]), "b": np.array([0.0, -1.0])},
      ...     {"w": np.array([[1.0], [-2.0]]), "b": np.array([0.5])},
      ... ]
      >>> mlp_logits(params, np.array([[1.0, 1.0]]))  # hidden z = (3, −1.5) → ReLU (3, 0)
      array([[3.5]])
    """
    raise NotImplementedError(
        "mlp_logits: ReLU after each hidden layer; return the last layer's x @ w + b as it is"
    )


def evaluate(params, X, y):
    """The number of correct predictions (nombre de bonnes réponses), seed 001's ``evaluer``.

    Seed 001: "``evaluer`` … renvoie le nombre de fois où le réseau prédit correctement y à
    partir de x". The network's prediction for an example is the class of its largest
    output: ``argmax`` of ``mlp_forward(params, X)`` over the classes (axis 1, one
    prediction per row). Count the examples whose prediction equals their label.

    Args:
      params: a list of ``{"w", "b"}`` dicts.
      X: inputs, shape ``(N, n_0)``.
      y: integer class labels, shape ``(N,)``.

    Returns:
      An ``int`` between 0 and ``N``: a count, not a fraction (divide by ``N`` yourself to get
      the accuracy).

    Example:
      >>> params = [{"w": np.array([[1.0, -1.0], [-1.0, 1.0]]), "b": np.zeros(2)}]
      >>> X = np.array([[2.0, 0.0], [0.0, 2.0], [3.0, 1.0]])  # predicted classes 0, 1, 0
      >>> evaluate(params, X, np.array([0, 1, 1]))
      2
    """
    raise NotImplementedError("evaluate: argmax over axis 1 of mlp_forward, compare with y, count")
