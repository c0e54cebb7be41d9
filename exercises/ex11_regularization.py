"""Exercise 11 — fighting over- and under-fitting (lutter contre le sur- et le sous-apprentissage).
Seeds 000, 002 and 003.

Goal: build the everyday tools that keep a network between underfitting (high error on the
training and validation sets: "biais élevé", seed 000) and overfitting (low training error,
high validation error: "variance élevée"): weight decay (seed 003), dropout (seed 002),
standardised inputs (seed 002's "centrer-réduire"), a train/validation/test split and early
stopping (seed 000), and the choice of a network size on the validation set (seed 000's
"choisir le modèle qui minimise le coût pour le validation set").

What you will have learnt:
- where regularisation enters an update (weights only, not biases);
- inverted dropout, and why the survivors are scaled by ``1/(1 − rate)``;
- standardisation with statistics of the training set, and why ``eps`` goes where it goes;
- how to split data without leaking, and how to stop training at the right epoch;
- how the validation set chooses a hyperparameter (bias–variance trade-off).

Randomness comes only from the ``key`` each function receives (``jax.random``); the same key
gives the same result, never ``np.random``. Run ``grader run -e ex11`` to check your work.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax


def weight_decay_update(params, grads, eta, lam):
    """A gradient step with weight decay (décroissance des poids), seed 003.

    Seed 003, "Batches et régularisation":

        W_n ← W_n − (α/k) Σ_i ΔW_n^i − λ W_n
        B_n ← B_n − (α/k) Σ_i ΔB_n^i

    Here ``α = eta``, and ``grads`` already holds the mean gradient ``(1/k) Σ_i ΔW_n^i``. The
    decay ``− λ W`` applies to every entry named ``"w"`` (at any depth of the pytree: dicts,
    lists and tuples nest freely); every other leaf (biases ``"b"``, a ``"scale"``…) takes the
    plain step ``θ ← θ − η g``. Note that ``λ`` is not multiplied by ``η``. (Seed 003's ``W_n``
    is ``(n_out, n_in)``; our ``"w"`` is ``(n_in, n_out)``, ``w_here == W_seed.T``: the update is
    elementwise, so the layout does not matter.)

    Args:
      params: a pytree of arrays.
      grads: a pytree of arrays shaped like ``params``.
      eta: the learning rate ``η`` (α in seed 003).
      lam: the decay ``λ``.

    Returns:
      The updated pytree, with the structure of ``params``.

    Example:
      >>> new = weight_decay_update({"w": np.array([1.0, -2.0]), "b": np.array([1.0])},
      ...                           {"w": np.array([0.5, 0.5]), "b": np.array([0.5])}, 0.1, 0.01)
      >>> np.round(np.asarray(new["w"]), 4).tolist(), np.round(np.asarray(new["b"]), 4).tolist()
      ([0.94, -2.03], [0.95])
    """
    raise NotImplementedError(
        "weight_decay_update: jax.tree_util.tree_map_with_path, decay where the last key is 'w'"
    )


def dropout(key, x, rate, train=True):
    """Inverted dropout (le dropout), seed 002.

    Seed 002: dropout "consiste à retirer de façon probabiliste certains neurones d'une couche
    durant la propagation avant. On 'retire' un neurone en mettant à zéro son activation", with
    "la probabilité de retirer un neurone" as its parameter: ``rate`` is the probability of
    **dropping** a unit (flax and Haiku's meaning, not Keras's old keep probability).

    During training (``train=True``) each element of ``x`` is set to 0 independently with
    probability ``rate``, and the elements kept are divided by ``1 − rate`` so that the
    expected value of each unit is unchanged (nothing to rescale at test time). With
    ``train=False`` (or ``rate = 0``) return ``x`` unchanged. The mask comes from ``key``
    (``jax.random.bernoulli(key, 1 − rate, x.shape)``); the function should also work under
    ``jax.jit`` with ``rate`` and ``train`` static.

    Args:
      key: a ``jax.random.key``.
      x: activations, any shape.
      rate: the probability of dropping, in ``[0, 1)``.
      train: whether dropout is active.

    Returns:
      An array shaped like ``x``: each element is 0 or ``x / (1 − rate)``.

    Example:
      >>> y = dropout(jax.random.key(0), np.ones((100, 100), np.float32), 0.25)
      >>> sorted({round(float(v), 4) for v in np.asarray(y).ravel()})
      [0.0, 1.3333]
      >>> 0.23 < float(np.mean(np.asarray(y) == 0)) < 0.27
      True
    """
    raise NotImplementedError(
        "dropout: keep with jax.random.bernoulli(key, 1 - rate, x.shape), scale by 1/(1 - rate)"
    )


def standardize_fit(X):
    """The statistics of standardisation (centrer-réduire), seed 002's "Normalisation".

    Seed 002: "il faut centrer-réduire les données. Il faut soustraire la moyenne des
    données, et diviser par l'écart type". This computes, per feature (column ``j``), over the
    ``n`` examples of the training set:

        mean_j = (1/n) Σ_i X_ij        std_j = sqrt((1/n) Σ_i (X_ij − mean_j)²)

    the population standard deviation (``ddof = 0``, ``np.std``'s default, not ``1/(n − 1)``).
    Subtract the mean before squaring (two passes): ``E[x²] − E[x]²`` loses all precision
    when the values are large and close together.

    Args:
      X: the training inputs ``(n, d)``.

    Returns:
      ``(mean, std)``, two arrays of shape ``(d,)``.

    Example:
      >>> mean, std = standardize_fit(np.array([[1.0, 10.0], [3.0, 10.0]]))
      >>> np.asarray(mean).tolist(), np.asarray(std).tolist()
      ([2.0, 10.0], [1.0, 0.0])
    """
    raise NotImplementedError("standardize_fit: X.mean(axis=0) and X.std(axis=0)")


def standardize_apply(X, mean, std, eps=1e-8):
    """Standardise inputs with the training set's statistics (appliquer la normalisation).

        X_std = (X − mean) / (std + eps)

    feature by feature (broadcasting over the rows). ``eps`` is added to ``std``, not put under
    a square root: a feature that was constant in the training set (``std = 0``) gives a finite
    result. Use the *training* statistics for the validation and test sets too.

    Args:
      X: inputs ``(m, d)`` (training, validation or test).
      mean, std: the training set's statistics, each ``(d,)``.
      eps: a small number added to ``std``.

    Returns:
      ``X_std`` of shape ``(m, d)``.

    Example:
      >>> np.asarray(standardize_apply(np.array([[3.0, 10.0]]), np.array([2.0, 10.0]),
      ...                              np.array([1.0, 0.0]))).round(6).tolist()
      [[1.0, 0.0]]
    """
    raise NotImplementedError("standardize_apply: (X - mean) / (std + eps)")


def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    """Split a data set into training, validation and test sets (seed 000's Train/Validation/Test).

    Seed 000: the train set learns the parameters, the validation set guides the choice of
    hyperparameters, the test set only evaluates ("l'optimisation des paramètres ne doit pas se
    baser sur la performance du réseau sur l'ensemble de test").

    Draw one permutation of ``range(n)`` from ``key`` (``jax.random.permutation``) and cut it
    into three disjoint pieces that cover every example: ``round(test_frac · n)`` examples for
    the test set, ``round(val_frac · n)`` for the validation set (both fractions of the whole
    set, Python's ``round``), the rest for training. Index ``X`` and ``y`` with the same
    indices so that every label stays with its example.

    Args:
      key: a ``jax.random.key``.
      X: inputs ``(n, …)`` (rows are examples; images ``(n, H, W)`` work the same).
      y: labels ``(n,)``.
      val_frac, test_frac: the fractions of ``n`` in the validation and test sets.

    Returns:
      ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    Example:
      >>> parts = train_val_test_split(jax.random.key(0), np.arange(20.0)[:, None], np.arange(20))
      >>> [len(p) for p in parts]
      [12, 12, 4, 4, 4, 4]
      >>> sorted(np.concatenate([parts[1], parts[3], parts[5]]).tolist()) == list(range(20))
      True
    """
    raise NotImplementedError(
        "train_val_test_split: perm = jax.random.permutation(key, n), then slice it into three parts"
    )


def early_stopping(val_losses, patience):
    """The epoch early stopping keeps (arrêt précoce).

    Read the validation losses epoch by epoch, as training would. Keep the index of the best
    epoch so far; an epoch improves only if its loss is **strictly lower** than the best (a
    tie does not). Count the epochs in a row that did not improve; after such an epoch, if
    the count has reached ``patience``, training stops there. Return the index of the best
    epoch at that point (the weights you would restore), or at the end of the list if
    training never stops. As in Keras, the count is checked only after an epoch that did not
    improve, so ``patience = 0`` stops at the first such epoch, like ``patience = 1``.

    Args:
      val_losses: the validation loss after each epoch, a list or 1-D array (at least one).
      patience: how many epochs in a row without improvement stop training.

    Returns:
      An ``int``, the index of the best epoch when training stops.

    Example:
      >>> early_stopping([1.0, 0.8, 0.85, 0.9, 0.5], 2)   # stops after epoch 3: 0.5 is never seen
      1
      >>> early_stopping([1.0, 0.8, 0.85, 0.9, 0.5], 3)
      4
      >>> early_stopping([1.0, 0.5, 0.5, 0.5, 0.4], 2)     # 0.5 again is not an improvement
      1
    """
    raise NotImplementedError(
        "early_stopping: loop with the best index and a count of epochs without improvement"
    )


# -- given (not graded): a one-hidden-layer network and its training -----------------------------


def init_one_hidden(key, n_in, hidden, n_out):
    """A network ``x → tanh(x w1 + b1) → logits``, as a list of two ``{"w", "b"}`` dicts."""
    k1, k2 = jax.random.split(key)
    return [
        {"w": jax.random.normal(k1, (n_in, hidden)) / np.sqrt(n_in), "b": jnp.zeros(hidden)},
        {"w": jax.random.normal(k2, (hidden, n_out)) / np.sqrt(hidden), "b": jnp.zeros(n_out)},
    ]


def logits_one_hidden(params, X):
    h = jnp.tanh(X @ params[0]["w"] + params[0]["b"])
    return h @ params[1]["w"] + params[1]["b"]


def cross_entropy(params, X, y):
    """The mean softmax cross-entropy of the network on ``(X, y)``, ``y`` integer labels."""
    logits = logits_one_hidden(params, X)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@partial(jax.jit, static_argnames=("hidden", "n_out", "steps"))
def fit_one_hidden(key, X, y, *, hidden, n_out, steps=500, lr=0.03):
    """Train the network on ``(X, y)`` with full-batch Adam; returns the trained params."""
    params = init_one_hidden(key, X.shape[1], hidden, n_out)
    opt = optax.adam(lr)

    def step(carry, _):
        p, s = carry
        u, s = opt.update(jax.grad(cross_entropy)(p, X, y), s, p)
        return (optax.apply_updates(p, u), s), None

    (params, _), _ = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
    return params


def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    """Choose the number of hidden units on the validation set (seed 000's bias–variance trade-off).

    Seed 000: too few hidden units and the network underfits (high error on the training and
    validation sets, "il faut augmenter sa capacité"), too many and it may overfit (low
    training error, high validation error); "choisir le modèle qui minimise le coût pour le
    validation set". For each candidate size ``h``: train a network with one hidden layer of
    ``h`` units on the training set only (the given ``fit_one_hidden`` does it, with a fresh
    key per candidate), measure its loss on the validation set (``cross_entropy``), and
    return the candidate with the lowest validation loss — its value, not its position in
    ``candidates``.

    Args:
      key: a ``jax.random.key``.
      X_train, y_train: training inputs ``(n, d)`` and integer labels ``(n,)``.
      X_val, y_val: validation inputs and labels.
      candidates: a list of hidden sizes, e.g. ``[1, 32]``.

    Returns:
      One element of ``candidates``.

    Example:
      >>> rng = np.random.default_rng(0)
      >>> X = rng.uniform(-1, 1, (400, 2)).astype(np.float32)
      >>> y = (X[:, 0] * X[:, 1] > 0).astype(np.int32)          # XOR: 1 unit cannot do it
      >>> select_hidden_size(jax.random.key(0), X[:200], y[:200], X[200:], y[200:], [1, 16])
      16
    """
    raise NotImplementedError(
        "select_hidden_size: fit each candidate, validation cross_entropy, return the best value"
    )
