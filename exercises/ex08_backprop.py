"""Exercise 08 — backpropagation by hand (rétropropagation du gradient). Seeds 000, 001, 003.

Goal: compute the gradients of a network's cost with respect to every weight and bias
yourself, with the chain rule (dérivation des fonctions composées), first on seed 000's
tiny 2-2-1 network, then on a multi-layer perceptron of any depth with the delta
recursion of seed 003. No automatic differentiation here: ``jax.grad``, ``jax.vjp``,
``jax.jvp``, ``jax.jacfwd``, ``jax.jacrev``, ``jax.linearize``, ``jax.value_and_grad``,
``jax.hessian``, optax, flax, torch, ``jaxnn``'s gradients, losses and training loops are
all refused by the grader. Plain numpy or ``jax.numpy`` array operations only.

What you will have learnt:
- how the error at the output ``(ŷ − y)`` is propagated back to a hidden neuron (seed 000:
  "l'erreur se propage d'une couche à une autre");
- which values of the forward pass backpropagation needs, and why we keep them (a cache);
- the delta recursion ``δ_L = (a_L − y) ⊙ σ'(z_L)``, ``δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ σ'(z_l)``, and
  how gradients of a whole batch are summed and divided by ``n``.

Notation. Our dense layers are ``{"w": (n_in, n_out), "b": (n_out,)}`` and a batch ``x`` of shape
``(N, n_in)`` goes through ``z = x @ w + b``, ``a = σ(z)`` (examples in rows). Seed 003 writes
one example as a column, ``W_N`` with one row per neuron ``(n_out, n_in)``, so
``w_here == W_seed.T``; it also swaps the letters: its "Sums" ``A_n`` are our weighted inputs
``z`` and its "Acts" ``Z_n`` our activations ``a``.

Run ``grader run -e ex08`` to check your work.
"""

from __future__ import annotations

import numpy as np


# Given helpers (not graded).
def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}), elementwise, without overflow for large |z| (numpy)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z) (1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def quadratic_cost(a, y):
    """Seed 001's cost C = 1/(2n) Σ_x ‖y(x) − a(x)‖², for ``a, y`` of shape ``(n, k)``.

    Handy to test your gradients with finite differences (ex10 does it properly).
    """
    a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
    return float(np.sum((y - a) ** 2) / (2 * a.shape[0]))


def tiny_net_grads(w_hidden, w_out, x, y):
    """Gradients of seed 000's tiny network (petit réseau à une couche cachée), by hand.

    Seed 000's network: two inputs ``x = (X_1, X_2)``, two sigmoid hidden neurons, one
    sigmoid output, no biases, binary cross-entropy (entropie croisée binaire)::

        A_i = σ(w_{i,1} X_1 + w_{i,2} X_2)          hidden neuron i  → A = σ(w_hidden @ x)
        ŷ   = σ(w_1 A_1 + w_2 A_2)                   output           → ŷ = σ(w_out · A)
        L   = −y log(ŷ) − (1 − y) log(1 − ŷ)

    and its two gradient formulas ("Rétropropagation (Backward pass)"):

        ∂L/∂w_i     = (ŷ − y) A_i
        ∂L/∂w_{i,j} = w_i X_j A_i (1 − A_i) (ŷ − y)

    Mapping: ``w_out[i] == w_i`` and ``w_hidden[i, j] == w_{i,j}``: row ``i`` of ``w_hidden``
    holds the weights of hidden neuron ``i`` (seed 000's matrix ``W^{(1)}`` as it is), so
    ``A_i = σ(w_hidden[i] · x)``.

    Args:
      w_hidden: shape ``(2, 2)``, the hidden layer's weights.
      w_out: shape ``(2,)``, the output neuron's weights.
      x: shape ``(2,)``, one example.
      y: its label, 0 or 1.

    Returns:
      ``(dL/dw_out, dL/dw_hidden)`` of shapes ``(2,)`` and ``(2, 2)``,
      ``dL/dw_hidden[i, j] = ∂L/∂w_{i,j}``.

    Example:
      >>> d_out, d_hidden = tiny_net_grads(np.zeros((2, 2)), np.array([1.0, -1.0]),
      ...                                  np.array([1.0, 2.0]), 1)
      >>> d_out       # A = (0.5, 0.5), ŷ = σ(0) = 0.5: (0.5 − 1) · 0.5
      array([-0.25, -0.25])
      >>> d_hidden    # w_i · x_j · 0.25 · (−0.5)
      array([[-0.125, -0.25 ],
             [ 0.125,  0.25 ]])
    """
    raise NotImplementedError(
        "tiny_net_grads: forward pass first (A, then ŷ), then the seed's two formulas"
    )


def forward_with_cache(params, x):
    """The forward pass that keeps what backpropagation needs (propagation avec mémorisation).

    Seed 003, "Finalité", step 2: "On effectue un feed-forward en conservant des valeurs":
    the weighted inputs (its Sums ``A_0 … A_{k−1}``, our ``z_1 … z_L``) and the activations
    (its Acts ``Z_{−1} = A, Z_0 = f_0(A_0), …``, our ``a_0 = x, a_1 = σ(z_1), …, a_L``). With a
    batch in rows: ``z_l = a_{l−1} @ w_l + b_l`` and ``a_l = σ(z_l)``, the sigmoid after every
    layer as in ``mlp_forward`` (ex07).

    Args:
      params: a list of ``L`` dicts ``{"w": (n_in, n_out), "b": (n_out,)}``.
      x: inputs, shape ``(n, n_0)``.

    Returns:
      ``(zs, activations)``: ``zs`` a list of ``L`` arrays ``z_l`` of shape ``(n, n_l)``
      (before the sigmoid), ``activations`` a list of ``L + 1`` arrays
      ``[x, σ(z_1), …, σ(z_L)]`` (the input itself first, of shape ``(n, n_0)``).

    Example:
      >>> params = [{"w": np.array([[1.0], [-1.0]]), "b": np.array([0.0])}]
      >>> zs, activations = forward_with_cache(params, np.array([[2.0, 1.0]]))
      >>> zs
      [array([[1.]])]
      >>> activations
      [array([[2., 1.]]), array([[0.73105858]])]
    """
    raise NotImplementedError(
        "forward_with_cache: keep every z and every activation, starting with x itself"
    )


def backprop(params, x, y):
    """The gradients of the quadratic cost (gradients du coût quadratique) by backpropagation.

    The cost is seed 001's ``C = 1/(2n) Σ_x ‖y(x) − a_L(x)‖²`` of the sigmoid network
    (``a_L = mlp_forward(params, x)``, sigmoid after every layer). Seed 003, "Finalité",
    step 3, for one example (column vectors, ``W_seed`` of shape ``(n_out, n_in)``)::

        δ_{k−1} = ∇h(Z_{k−1}) · J(f_{k−1})(A_{k−1})           the output layer
        δ_n     = δ_{n+1} · W_{n+1} · J(f_n)(A_n)            every other layer
        ΔW_n    = δ_nᵗ Z_{n−1}ᵗ,     ΔB_n = δ_nᵗ

    and the update uses the mean over the ``k`` examples of a batch,
    ``W_n ← W_n − (α/k) Σ_i ΔW_n^i`` (seed 001's ``update_mini_batch``: ``eta/len(mini_batch)``).

    With our layout (examples in rows, ``w = W_seed.T``), for the whole batch at once:

        δ_L  = (a_L − y) ⊙ σ'(z_L)                       shape (n, n_L): ∇h of ½‖a − y‖² is a − y
        δ_l  = (δ_{l+1} @ w_{l+1}.T) ⊙ σ'(z_l)            shape (n, n_l), for l = L−1, …, 1
        dW_l = a_{l−1}.T @ δ_l / n                        shape (n_in, n_out), like w_l
        db_l = Σ over the batch of δ_l, / n               shape (n_out,), like b_l

    ``a_{l−1}.T @ δ_l`` already sums the examples' gradients; divide by ``n`` once.
    Use your ``forward_with_cache`` for the ``z_l`` and ``a_l``.

    Args:
      params: a list of ``L`` dicts ``{"w": (n_in, n_out), "b": (n_out,)}``.
      x: inputs, shape ``(n, n_0)``.
      y: one-hot targets, shape ``(n, n_L)``.

    Returns:
      A list of ``L`` dicts ``{"w": dC/dw_l, "b": dC/db_l}`` in the order of ``params`` (first
      layer first), each gradient of the same shape as its parameter.

    Example:
      >>> params = [{"w": np.zeros((2, 1)), "b": np.zeros(1)}]
      >>> grads = backprop(params, np.array([[1.0, 2.0]]), np.array([[1.0]]))
      >>> grads[0]["w"]   # a = σ(0) = 0.5, δ = (0.5 − 1) · 0.25 = −0.125, dW = xᵀ δ
      array([[-0.125],
             [-0.25 ]])
      >>> grads[0]["b"]
      array([-0.125])
    """
    raise NotImplementedError(
        "backprop: δ_L at the output, then δ_l = (δ_{l+1} @ w_{l+1}.T) * σ'(z_l) going back"
    )
