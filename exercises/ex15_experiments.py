"""Exercise 15 — the training workflow (la démarche d'entraînement). Seeds 000 and 004.

Goal: run a machine-learning experiment from end to end, the way seed 004's lab does with R
and Keras: generate a dataset, train a model with a held-out validation set, follow the
learning curves, and read a confusion matrix. You write the tools: the confusion matrix,
seed 004's two synthetic datasets (XOR and the flower), and a Keras-style ``fit``.

What you will have learnt:
- to read a confusion matrix (matrice de confusion): which classes the model mixes up;
- to generate reproducible random data with explicit keys (``jax.random``): the same key
  gives the same data, nothing depends on a hidden global state;
- what ``model.fit(x, y, epochs, batch_size, validation_split)`` does inside: the split
  (the *last* examples are held out, before any shuffling), epochs (époques), mini-batches
  (mini-lots), Adam, and the history (historique) of loss and accuracy that ``plot(history)``
  draws, including the validation curves that reveal over-fitting (sur-apprentissage).

Conventions: labels are integer class ids ``(N,)``; ``X`` is ``(N, features)``; randomness
comes only from the ``key`` you are given (``jax.random.split`` it for several draws).

Run ``grader run -e ex15`` to check your work.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax


def confusion_matrix(y_true, y_pred, num_classes):
    """The confusion matrix (matrice de confusion) of a classifier's predictions.

    ``C[i, j]`` is the number of examples whose true class is ``i`` and predicted class is
    ``j``: rows are the true classes, columns the predictions, so the diagonal counts the
    right answers and ``C.sum() == N``. Seed 004 asks for it after each model ("donnez la
    matrice de confusion"); R's ``table(y, prediction)`` has the same layout. Every class
    ``0 … num_classes − 1`` gets a row and a column, even one that never occurs.

    Args:
      y_true: true labels, integers ``(N,)``.
      y_pred: predicted labels, integers ``(N,)``.
      num_classes: the number of classes ``K``.

    Returns:
      An integer array ``(K, K)``.

    Example:
      >>> confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
      array([[1, 0, 0],
             [0, 1, 1],
             [0, 0, 1]])
    """
    raise NotImplementedError(
        "confusion_matrix: start from zeros((K, K), int) and add 1 at [true, predicted]"
    )


def make_xor(key, n):
    """Seed 004's XOR dataset (le « XOR »): ``n`` points uniform in ``[−1, 1]²``.

    Seed 004's R code::

        X <- matrix(runif(800, -1, 1), ncol=2)
        y <- rep(-1, 400)
        y[(X[,1] > 0) & (X[,2] > 0) == 1] = 1
        y[(X[,1] < 0) & (X[,2] < 0) == 1] = 1

    that is ``y = 1`` where ``x₁ x₂ > 0`` (both coordinates of the same sign). Here the labels
    are ``1`` and ``0`` (instead of ``1`` and ``−1``), integer class ids.

    Draw the points from ``key`` only (``jax.random.uniform(key, (n, 2), minval=-1.0,
    maxval=1.0)``): the same key gives the same data, another key other data. Careful: two
    draws with the same key give the same numbers (split the key for several draws).

    Args:
      key: a ``jax.random.key`` (or an old-style ``jax.random.PRNGKey``).
      n: number of points.

    Returns:
      ``(X, y)``: ``X`` float ``(n, 2)`` in ``[−1, 1]``, ``y`` integers ``(n,)`` in ``{0, 1}``.

    Example:
      >>> X, y = make_xor(jax.random.key(0), 4)
      >>> X.shape, y.shape
      ((4, 2), (4,))
      >>> bool(((X[:, 0] * X[:, 1] > 0) == (y == 1)).all())
      True
    """
    raise NotImplementedError("make_xor: jax.random.uniform(key, (n, 2), minval=-1, maxval=1)")


def make_flower(key, n_per_petal=50, petals=8):
    """Seed 004's flower dataset (la fleur): ``petals`` noisy elliptic petals.

    Seed 004's R code, with ``n = n_per_petal`` (50 in the seed) and ``rot`` the rotation by
    45° counter-clockwise::

        t = seq(0, 2*pi, length=n)                      # np.linspace(0, 2π, n)
        x1 = 3.5*cos(t); x2 = 0.7*sin(t); x1 = x1 - max(x1)
        x_s = cbind(x1 + rnorm(n, 0, 0.1), x2 + rnorm(n, 0, 0.1))
        for (i in 1:8) {
          y = rep(0, n); s = ifelse(i %% 2 == 0, 7, 43); y[sample(n, s)] = 1
          x_s <- t(rot %*% t(x_s))                      # x_s = x_s @ rot.T
          X <- rbind(X, x_s + rnorm(2*n, 0, 0.1)); Y <- c(Y, y)
        }

    So the base ellipse has its centre at ``(−3.5, 0)`` and touches the origin; petal ``i``
    (from 1) is the base rotated ``i`` times, by ``45°·i`` in all (the rotation accumulates
    because ``x_s`` is overwritten), plus fresh noise of standard deviation 0.1. In petal
    ``i``, ``s`` points chosen at random are labelled 1 and the others 0, with
    ``s = round(43/50 · n)`` for odd ``i`` and ``s = round(7/50 · n)`` for even ``i``.

    Use ``key`` for every random draw (split it: one subkey for the base noise, and for each
    petal one for the labels, ``jax.random.permutation``, and one for its noise).

    Args:
      key: a ``jax.random.key``.
      n_per_petal: points per petal (seed: 50).
      petals: number of petals (seed: 8).

    Returns:
      ``(X, y)``: ``X`` float ``(petals · n_per_petal, 2)``, ``y`` integers in ``{0, 1}``.
      With the defaults, 400 points of which ``4·43 + 4·7 = 200`` are labelled 1.

    Example:
      >>> X, y = make_flower(jax.random.key(0))
      >>> X.shape, int(y.sum())
      ((400, 2), 200)
    """
    raise NotImplementedError(
        "make_flower: build the base ellipse, then rotate it and add noise once per petal"
    )


def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    """Train a model the way Keras's ``model.fit`` does (entraînement avec validation).

    Seed 004::

        model %>% compile(loss = "categorical_crossentropy", optimizer = adam(), metrics = "accuracy")
        history <- model %>% fit(x_train, y_train, epochs = 30, batch_size = 128,
                                 validation_split = 0.2)

    Steps:
    1. Split before anything else, as Keras does: the first
       ``n_train = int(n · (1 − validation_split))`` examples train the model, the **last**
       ``n − n_train`` are the validation set (ensemble de validation), never trained on.
    2. ``params = init_fn(k)`` with a subkey ``k`` of ``key``; ``optimizer = optax.adam(lr)``.
    3. For each epoch (époque): shuffle the training examples (a fresh subkey each epoch),
       then for each mini-batch of ``batch_size`` examples (the last one may be smaller) take
       one Adam step on the mean softmax cross-entropy of ``apply_fn(params, xb)`` and the
       integer labels ``yb`` (seed 004's ``CE = −Σ_j y^(j) log p_j``, ``p = softmax(logits)``;
       ``optax.softmax_cross_entropy_with_integer_labels``).
    4. At the end of each epoch append to ``history``: ``"loss"`` and ``"accuracy"``, the
       averages over the epoch's mini-batches (weighted by their sizes), and ``"val_loss"``,
       ``"val_accuracy"``, the loss and accuracy on the validation set computed with the
       params **after** this epoch's updates.

    Jit-compile the step (``jax.jit``) or it will be slow.

    Args:
      key: a ``jax.random.key`` (or an old-style ``PRNGKey``).
      init_fn: ``init_fn(key) -> params`` (a pytree).
      apply_fn: ``apply_fn(params, x) -> logits (batch, num_classes)``; pure, jit-compatible.
      X: inputs ``(n, features)``.
      y: integer labels ``(n,)``.
      epochs: number of passes over the training examples.
      batch_size: mini-batch size.
      lr: Adam's learning rate.
      validation_split: the fraction of examples held out at the end.

    Returns:
      ``(params, history)``: the trained params (the structure ``init_fn`` made) and a dict
      with the keys ``"loss"``, ``"val_loss"``, ``"accuracy"``, ``"val_accuracy"``, each a
      list of ``epochs`` numbers.

    Example (a linear model, which cannot learn XOR: see its val_accuracy stay near 50 %):
      >>> def init_fn(key):
      ...     return {"w": 0.1 * jax.random.normal(key, (2, 2)), "b": jnp.zeros(2)}
      >>> def apply_fn(params, x):
      ...     return x @ params["w"] + params["b"]
      >>> X, y = make_xor(jax.random.key(0), 500)
      >>> params, history = fit(jax.random.key(1), init_fn, apply_fn, X, y, 20, 32, 0.01)
      >>> sorted(history), len(history["val_loss"])
      (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 20)
    """
    raise NotImplementedError(
        "fit: split off the last examples first, then epochs of shuffled Adam mini-batch steps"
    )
