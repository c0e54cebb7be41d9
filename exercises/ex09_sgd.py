"""Exercise 09 — stochastic gradient descent (descente de gradient stochastique). Seeds 001, 002.

Goal: train the sigmoid network of ex07 on real data (scikit-learn's 8x8 digits) with seed
001's ``DGS`` method: shuffle the training set, cut it into mini-batches, and take one
gradient step per mini-batch on the mean gradient of the quadratic cost. Then make it fast:
the grader gives your training a time budget, which a Python loop over the examples cannot
meet, but a jit-compiled ``lax.scan`` over the mini-batches meets easily.

What you will have learnt:
- why a mini-batch gradient ``1/m Σ_x ∇C_x`` estimates the full gradient (seed 001) and why
  the randomness must come from an explicit key (``jax.random``), never from global state;
- how to update any pytree of parameters (``jax.tree_util.tree_map``);
- how to let ``jax.grad`` differentiate the cost (autodiff is allowed here: ex08 did it by hand);
- how to compile a whole epoch with ``jax.jit`` and ``jax.lax.scan``, and what it buys.

Notation. Seed 001 stores an example as a column ``x`` of shape ``(n_in, 1)`` and the weights of a
layer as ``poids[l]`` of shape ``(tailles[l], tailles[l+1]) = (n_in, n_out)`` with
``a = σ(poidsᵀ x + biais)``. Here examples are the rows of ``X`` ``(N, n_in)`` and an MLP is a
list of ``{"w": (n_in, n_out), "b": (n_out,)}`` with ``a = σ(X @ w + b)``:
``w_here == poids_seed[l]``, ``b_here == biais_seed[l][:, 0]``, ``X[i] == x_seed[:, 0]``.

Run ``grader run -e ex09`` to check your work. Arrays may be numpy or jax arrays.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

# -- given (not graded): ex07's forward pass and ex04's quadratic cost ---------------------------


def mlp_forward(params, x):
    """ex07's forward pass: sigmoid after every layer (seed 001's ``forward``); ``x`` ``(N, n_in)``."""
    a = x
    for layer in params:
        a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
    return a


def quadratic_cost(a, y):
    """Seed 001's cost ``C = 1/(2n) Σ_x ‖y(x) − a(x)‖²`` for ``a, y`` of shape ``(n, k)``."""
    return 0.5 * jnp.sum((y - a) ** 2) / a.shape[0]


# -- your work ------------------------------------------------------------------------------------


def minibatches(key, n, batch_size):
    """Shuffle ``range(n)`` and cut it into mini-batches of indices (mini-batchs).

    Seed 001's ``DGS`` shuffles the data (``random.shuffle(training_data)``) then cuts
    ``[training_data[k:k+taille_mini_batch] for k in range(0, n, taille_mini_batch)]``.
    Here you shuffle *indices* instead of the data, with a permutation drawn from ``key``
    (``jax.random.permutation``): the same key must give the same batches, another key another
    order, and nothing may come from ``np.random`` or ``random`` (hidden global state).

    Args:
      key: a ``jax.random.key``.
      n: the number of examples.
      batch_size: the size ``m`` of a mini-batch.

    Returns:
      A list of ``ceil(n / batch_size)`` integer arrays: a random permutation of
      ``range(n)`` cut into pieces of ``batch_size``; the last piece has the remaining
      ``n − (k − 1)·batch_size`` indices (it may be smaller: keep it).

    Example:
      >>> batches = minibatches(jax.random.key(0), 7, 3)
      >>> [len(b) for b in batches]
      [3, 3, 1]
      >>> sorted(np.concatenate(batches).tolist())
      [0, 1, 2, 3, 4, 5, 6]
    """
    raise NotImplementedError(
        "minibatches: draw jax.random.permutation(key, n), then slice it every batch_size"
    )


def sgd_update(params, grads, eta):
    """One gradient-descent step on any pytree (mise à jour des paramètres).

    Seed 001: ``v → v − η ∇C``, i.e. ``w_k → w_k − η ∂C/∂w_k`` and ``b_l → b_l − η ∂C/∂b_l``
    for every weight and bias. ``params`` and ``grads`` have the same structure (dicts, lists,
    tuples, nested freely); the result has that structure too.

    Args:
      params: a pytree of arrays ``θ``.
      grads: a pytree of arrays ``g`` shaped like ``params``.
      eta: the learning rate ``η`` (le pas).

    Returns:
      The pytree ``θ − η g``.

    Example:
      >>> params = {"w": np.array([1.0, 2.0]), "b": np.array(0.5)}
      >>> grads = {"w": np.array([10.0, -10.0]), "b": np.array(1.0)}
      >>> new = sgd_update(params, grads, 0.1)
      >>> np.round(np.asarray(new["w"]), 6).tolist(), round(float(new["b"]), 6)
      ([0.0, 3.0], 0.4)
    """
    raise NotImplementedError(
        "sgd_update: jax.tree_util.tree_map over params and grads, p - eta * g"
    )


def update_mini_batch(params, X_batch, Y_batch, eta):
    """One step on a mini-batch (mise à jour sur un mini-batch), seed 001's ``update_mini_batch``.

    Seed 001 sums the per-example gradients ``nabla_w = Σ_x ∇_w C_x`` over the mini-batch and
    updates ``w ← w − (η/m) nabla_w`` (``self.poids = [w-(eta/len(mini_batch))*nw ...]``), the
    same for the biases. That is one step on the *mean* gradient, i.e. on the gradient of the
    mini-batch's mean quadratic cost ``C = 1/(2m) Σ_x ‖y(x) − a(x)‖²`` with
    ``a = mlp_forward(params, X_batch)``. Autodiff is allowed: ``jax.grad`` of that cost with
    respect to ``params`` gives ``1/m Σ_x ∇C_x`` in one vectorised call.

    Args:
      params: an MLP, a list of ``{"w": (n_in, n_out), "b": (n_out,)}``.
      X_batch: inputs ``(m, n_in)``.
      Y_batch: one-hot targets ``(m, n_out)``.
      eta: the learning rate ``η``.

    Returns:
      The updated params (same structure and shapes).

    Example:
      >>> params = [{"w": np.zeros((2, 1), np.float32), "b": np.zeros(1, np.float32)}]
      >>> new = update_mini_batch(params, np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), 1.0)
      >>> np.round(np.asarray(new[0]["w"]), 4).tolist()   # a = σ(0) = 0.5: ∂C/∂w = −(1 − 0.5)·0.25·1
      [[0.125], [0.125]]
    """
    raise NotImplementedError(
        "update_mini_batch: jax.grad of the batch's quadratic cost, then sgd_update"
    )


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    """Train the sigmoid MLP by stochastic gradient descent (descente de gradient stochastique,
    seed 001's ``DGS``).

    For each of the ``epochs`` epochs (époques): shuffle the training set with a fresh key,
    cut it into mini-batches of ``batch_size`` (the last one may be smaller, keep it), take one
    ``update_mini_batch`` step per mini-batch, then record the training loss: the quadratic
    cost ``C = 1/(2n) Σ_x ‖y(x) − a(x)‖²`` of the current params on the whole training set.

    It must be vectorised and jit-compiled. The grader trains your network on 1,300 digits for
    100 epochs in mini-batches of 200 and times it against the reference solution on the same
    inputs, at the same moment: after a first call (compilation is not counted), your CPU time
    may be at most 25 times the reference's. Seed 001's loop over the examples needs about 50
    times the reference's time; a Python loop calling a jitted step per mini-batch about 13
    times (it passes); a jitted ``lax.scan`` over each epoch 1 to 2 times. A way that works:
      - per epoch, ``perm = jax.random.permutation(k, n)``; the first ``(n // m)·m`` indices
        reshaped to ``(n // m, m)`` are the full mini-batches, the rest is the last one;
      - ``jax.lax.scan`` a step function over the full mini-batches, then one more step on the
        last one (its size is known in advance, so shapes stay static);
      - ``jax.lax.scan`` the epoch function over ``jax.random.split(key, epochs)``;
      - wrap it all in ``jax.jit`` with ``epochs`` and ``batch_size`` static
        (``functools.partial(jax.jit, static_argnames=("epochs", "batch_size"))``).
    The grader then evaluates your trained params with its own forward pass on held-out digits
    you never see, and expects at least 90 % accuracy (the reference reaches about 97 %).

    Args:
      key: a ``jax.random.key`` for the shuffling.
      params: the initial MLP, a list of ``{"w", "b"}`` (e.g. sizes ``[64, 30, 10]``).
      X: training inputs ``(n, n_in)``.
      Y: one-hot training targets ``(n, n_out)``.
      epochs: number of epochs.
      batch_size: the mini-batch size ``m``.
      eta: the learning rate ``η``.

    Returns:
      ``(params, losses)``: the trained params and the ``epochs`` training losses (a list or
      a 1-D array), the loss after each epoch.

    Example:
      >>> from sklearn.datasets import load_digits
      >>> d = load_digits()
      >>> X, Y = (d.data / 16).astype(np.float32), np.eye(10, dtype=np.float32)[d.target]
      >>> rng = np.random.default_rng(0)
      >>> init = [{"w": rng.uniform(-1, 1, (a, b)).astype(np.float32),
      ...          "b": rng.uniform(-1, 1, b).astype(np.float32)} for a, b in [(64, 30), (30, 10)]]
      >>> params, losses = train_sgd(jax.random.key(0), init, X, Y, 10, 10, 3.0)
      >>> len(losses), bool(losses[-1] < losses[0])
      (10, True)
    """
    raise NotImplementedError(
        "train_sgd: per epoch, shuffle, scan the steps over the batches, record the loss; jit it"
    )
