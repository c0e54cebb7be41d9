"""Cost functions ("fonctions de coût"), the reference for the course's ex04.

Every loss returns a scalar: the **mean over the batch** (the leading axis) unless its
name says otherwise. Predictions come first, targets second, as in optax. Shapes are
checked when the function is traced (they are static under ``jit``), and a mismatch
raises a ``ValueError`` that says what was expected, what came and how to fix it:
silently broadcasting ``(N, 1)`` against ``(N,)`` into ``(N, N)`` is the classic bug
these checks exist for.

=================================  ===============================================
function                           formula (``n`` = batch size)
=================================  ===============================================
``quadratic_cost(a, y)``           ``1/(2n) Σ_x ‖y(x) − a(x)‖²`` (seed 001)
``mse(y_pred, y)``                 mean of ``(y_pred − y)²`` over all elements
``l1_loss(y_pred, y)``             ``1/n Σ_x ‖y(x) − ŷ(x)‖₁`` (seed 003's L1)
``binary_cross_entropy(p, y)``     mean of ``−[y log p + (1−y) log(1−p)]`` (seed 000)
``binary_cross_entropy_with_logits`` the same from logits ``z``, with ``p = σ(z)``
``categorical_cross_entropy(p, y)`` ``1/n Σ_x −Σ_j y_j log p_j`` (one-hot ``y``)
``softmax_cross_entropy(z, labels)`` ``1/n Σ_x −log softmax(z)[label]`` (integer labels)
``l2_penalty(params, lam, m)``     ``λ/(2m) Σ w²`` over the entries named ``"w"``
=================================  ===============================================

Example:
    >>> import jax.numpy as jnp
    >>> from jaxnn import losses
    >>> logits = jnp.array([[1e4, 0.0], [0.0, 1e4]])
    >>> print(losses.softmax_cross_entropy(logits, jnp.array([0, 0])))
    5000.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "l1_loss",
    "l2_penalty",
    "mse",
    "quadratic_cost",
    "softmax_cross_entropy",
    "weight_mask",
]

# Error messages: what was expected, what came, how to fix it.
SHAPE_MISMATCH = (
    "{fn}: {a_name} and {b_name} must have the same shape, got {a_name}.shape={a_shape} "
    "and {b_name}.shape={b_shape}. {hint}"
)
SHAPE_HINT = (
    "Reshape one of them, e.g. y.reshape(y_pred.shape); a column (N, 1) against a "
    "vector (N,) would otherwise broadcast to (N, N)."
)
NEEDS_BATCH = (
    "{fn}: expected {name} with a leading batch axis (at least 1-D, e.g. (n, k)), got a "
    "scalar. Wrap a single example as x[None]."
)
LABELS_ONE_HOT = (
    "softmax_cross_entropy: expected integer class labels of shape {expected} for logits "
    "of shape {logits_shape}, got labels of shape {labels_shape} (same rank as the "
    "logits: they look one-hot). Pass labels.argmax(-1), or use "
    "categorical_cross_entropy(softmax(logits), y_onehot)."
)
LABELS_SHAPE = (
    "softmax_cross_entropy: expected labels of shape {expected} (logits.shape[:-1]) for "
    "logits of shape {logits_shape}, got {labels_shape}."
)
LABELS_DTYPE = (
    "softmax_cross_entropy: expected integer class labels, got dtype {dtype}. "
    "Convert them with labels.astype(jnp.int32) (class ids 0..K-1, not one-hot, "
    "not probabilities)."
)
LABELS_RANGE = (
    "softmax_cross_entropy: labels must be class ids in [0, {k}), got values in "
    "[{lo}, {hi}]. Check the number of output units (logits.shape[-1] = {k})."
)
BAD_M = (
    "l2_penalty: m is the number of training examples and must be positive, got {m!r}. "
    "Pass m = X_train.shape[0]."
)


def _as_float(x: ArrayLike) -> jax.Array:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return x


def _pair(fn: str, a: ArrayLike, b: ArrayLike, a_name: str, b_name: str, batch: bool):
    """Converts to float arrays and checks that the shapes agree."""
    a, b = _as_float(a), _as_float(b)
    if a.shape != b.shape:
        raise ValueError(
            SHAPE_MISMATCH.format(
                fn=fn,
                a_name=a_name,
                b_name=b_name,
                a_shape=a.shape,
                b_shape=b.shape,
                hint=SHAPE_HINT,
            )
        )
    if batch and a.ndim == 0:
        raise ValueError(NEEDS_BATCH.format(fn=fn, name=a_name))
    return a, b


def _concrete(x: Any) -> np.ndarray | None:
    """The value of ``x`` as numpy, or None under a jax transformation (a tracer)."""
    if isinstance(x, jax.core.Tracer):
        return None
    return np.asarray(x)


def quadratic_cost(a: ArrayLike, y: ArrayLike) -> jax.Array:
    """Quadratic cost ``C = 1/(2n) Σ_x ‖y(x) − a(x)‖²`` (seed 001).

    The ``1/2`` makes the gradient simply ``(a − y)/n``, which is what the backprop
    recursion ``δ_L = (a_L − y) ⊙ σ'(z_L)`` starts from.

    Args:
        a: network outputs, shape ``(n, k)`` (or ``(n,)`` for one output).
        y: targets (one-hot for classification), same shape as ``a``.

    Returns:
        scalar cost.

    Example:
        >>> print(quadratic_cost(jnp.array([[1.0, 0.0]]), jnp.array([[0.0, 0.0]])))
        0.5
    """
    a, y = _pair("quadratic_cost", a, y, "a", "y", batch=True)
    return 0.5 * jnp.sum((y - a) ** 2) / a.shape[0]


def mse(y_pred: ArrayLike, y: ArrayLike) -> jax.Array:
    """Mean squared error: the mean of ``(y_pred − y)²`` over **all** elements.

    Note the difference with :func:`quadratic_cost`: no ``1/2``, and the mean also runs
    over the ``k`` outputs, so ``mse = 2 · quadratic_cost / k``.

    Args:
        y_pred: predictions, any shape.
        y: targets, same shape as ``y_pred``.

    Returns:
        scalar.

    Example:
        >>> print(mse(jnp.array([1.0, 3.0]), jnp.array([0.0, 0.0])))
        5.0
    """
    y_pred, y = _pair("mse", y_pred, y, "y_pred", "y", batch=False)
    return jnp.mean((y_pred - y) ** 2)


def l1_loss(y_pred: ArrayLike, y: ArrayLike) -> jax.Array:
    """L1 loss: mean over the batch of ``‖y − ŷ‖₁`` (summed over the features).

    Seed 003's ``h(X, Y) = ‖X − Y‖₁``, averaged over the examples.

    Args:
        y_pred: predictions, shape ``(n, ...)``.
        y: targets, same shape as ``y_pred``.

    Returns:
        scalar.

    Example:
        >>> print(l1_loss(jnp.array([[1.0, -2.0], [0.0, 0.0]]), jnp.zeros((2, 2))))
        1.5
    """
    y_pred, y = _pair("l1_loss", y_pred, y, "y_pred", "y", batch=True)
    return jnp.sum(jnp.abs(y - y_pred)) / y_pred.shape[0]


def binary_cross_entropy(p: ArrayLike, y: ArrayLike, eps: float = 1e-7) -> jax.Array:
    """Binary cross-entropy of probabilities, ``−[y log p + (1−y) log(1−p)]`` (seed 000).

    ``p`` is clipped to ``[eps, 1 − eps]`` first so that a confident wrong answer costs
    ``−log(eps) ≈ 16`` instead of ``inf``. Prefer
    :func:`binary_cross_entropy_with_logits` when you have the logits: it needs no
    clipping and its gradient does not vanish.

    Args:
        p: predicted probabilities of class 1, any shape, e.g. ``(n,)``.
        y: targets in ``{0, 1}`` (or soft targets in ``[0, 1]``), same shape as ``p``.
        eps: clipping margin.

    Returns:
        scalar, the mean over all elements.

    Example:
        >>> print(round(float(binary_cross_entropy(jnp.array([0.5]), jnp.array([1.0]))), 4))
        0.6931
    """
    p, y = _pair("binary_cross_entropy", p, y, "p", "y", batch=False)
    p = jnp.clip(p, eps, 1 - eps)
    return jnp.mean(-(y * jnp.log(p) + (1 - y) * jnp.log1p(-p)))


def binary_cross_entropy_with_logits(z: ArrayLike, y: ArrayLike) -> jax.Array:
    """Binary cross-entropy from logits ``z`` (``p = σ(z)``), stable for ``|z|`` of 1e4.

    Uses ``softplus(z) − z·y`` (``softplus(z) = log(1 + e^z)``, computed stably), which equals
    ``−[y log σ(z) + (1−y) log(1−σ(z))]`` but never exponentiates a large positive number,
    and whose gradient is exactly ``(σ(z) − y)/n`` everywhere, ``z = 0`` included (the
    ``max(z, 0) + log(1 + e^{−|z|})`` form has kinks there that autodiff gets wrong).
    Same value as ``optax.sigmoid_binary_cross_entropy(z, y).mean()``.

    Args:
        z: logits, any shape, e.g. ``(n,)``.
        y: targets in ``[0, 1]``, same shape as ``z``.

    Returns:
        scalar, the mean over all elements.

    Example:
        >>> print(binary_cross_entropy_with_logits(jnp.array([-1e4]), jnp.array([1.0])))
        10000.0
    """
    z, y = _pair("binary_cross_entropy_with_logits", z, y, "z", "y", batch=False)
    return jnp.mean(jax.nn.softplus(z) - z * y)


def categorical_cross_entropy(p: ArrayLike, y_onehot: ArrayLike, eps: float = 1e-7) -> jax.Array:
    """Categorical cross-entropy of probabilities: mean over the batch of ``−Σ_j y_j log p_j``.

    ``p`` is clipped to ``[eps, 1 − eps]`` first (a probability of exactly 0 for the
    true class would give ``inf``). From logits, use :func:`softmax_cross_entropy`.

    Args:
        p: predicted probabilities, shape ``(n, k)``, rows summing to 1.
        y_onehot: one-hot (or soft) targets, same shape as ``p``;
            ``jaxnn.data.one_hot(labels, k)`` makes them.

    Returns:
        scalar.

    Example:
        >>> p = jnp.array([[0.25, 0.75], [0.5, 0.5]])
        >>> print(round(float(categorical_cross_entropy(p, jnp.eye(2))), 4))
        1.0397
    """
    p, y = _pair("categorical_cross_entropy", p, y_onehot, "p", "y_onehot", batch=True)
    p = jnp.clip(p, eps, 1 - eps)
    return jnp.mean(-jnp.sum(y * jnp.log(p), axis=-1))


def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> jax.Array:
    """Softmax cross-entropy with integer labels: mean of ``−log softmax(z)[label]``.

    Computed with a stable log-softmax (``z − logsumexp(z)``), so logits of 1e4 give a
    finite loss. Same value as
    ``optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()``.

    Args:
        logits: shape ``(n, k)`` (more leading axes are allowed: ``(..., k)``).
        labels: integer class ids in ``[0, k)``, shape ``logits.shape[:-1]``, e.g.
            ``(n,)``. Not one-hot: that raises a ``ValueError`` saying so.

    Returns:
        scalar, the mean over all examples.

    Example:
        >>> print(round(float(softmax_cross_entropy(jnp.zeros((3, 4)), jnp.array([0, 1, 3]))), 4))
        1.3863
    """
    logits = _as_float(logits)
    labels = jnp.asarray(labels)
    if logits.ndim == 0:
        raise ValueError(NEEDS_BATCH.format(fn="softmax_cross_entropy", name="logits"))
    expected = logits.shape[:-1]
    if labels.ndim == logits.ndim:
        raise ValueError(
            LABELS_ONE_HOT.format(
                expected=expected, logits_shape=logits.shape, labels_shape=labels.shape
            )
        )
    if labels.shape != expected:
        raise ValueError(
            LABELS_SHAPE.format(
                expected=expected, logits_shape=logits.shape, labels_shape=labels.shape
            )
        )
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(LABELS_DTYPE.format(dtype=labels.dtype))
    k = logits.shape[-1]
    values = _concrete(labels)
    # Under jit the labels are unknown; out-of-range ids would silently pick a clamped
    # logit there, so catch them at least whenever the values are available.
    if values is not None and values.size and (values.min() < 0 or values.max() >= k):
        raise ValueError(LABELS_RANGE.format(k=k, lo=values.min(), hi=values.max()))
    log_p = jax.nn.log_softmax(logits, axis=-1)
    picked = jnp.take_along_axis(log_p, labels[..., None].astype(jnp.int32), axis=-1)
    return -jnp.mean(picked)


def _path_has_name(path: tuple, names: Sequence[str]) -> bool:
    return any(isinstance(k, jax.tree_util.DictKey) and k.key in names for k in path)


def weight_mask(params: Any, names: Sequence[str] = ("w",)) -> Any:
    """A pytree of bools like ``params``: ``True`` for the leaves under a dict key in ``names``.

    This is the one definition of "a weight" shared by :func:`l2_penalty` and
    ``jaxnn.optim.weight_decay``: every leaf whose path goes through a dict entry named
    ``"w"``, at any depth (lists and dicts nest freely). Biases ``"b"`` and every other
    entry are excluded. For flax params pass ``names=("kernel",)``.

    Args:
        params: a pytree of arrays (dicts, lists, tuples...).
        names: the dict keys that mark weights.

    Returns:
        a pytree of Python bools with the structure of ``params``.

    Example:
        >>> weight_mask([{"w": 1.0, "b": 2.0}, {"conv": {"w": 3.0}}])
        [{'b': False, 'w': True}, {'conv': {'w': True}}]
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    return jax.tree_util.tree_map_with_path(lambda path, _: _path_has_name(path, names), params)


def l2_penalty(
    params: Any, lam: float, m: int | ArrayLike, *, names: Sequence[str] = ("w",)
) -> jax.Array:
    """L2 regularisation term ``λ/(2m) Σ w²`` over every weight (seeds 002, 003).

    Sums the squares of every leaf under a dict entry named ``"w"`` at any depth (see
    :func:`weight_mask`); biases are not penalised. Adding it to the loss gives the
    gradient ``λ w / m``: the "weight decay" of seed 003.

    Args:
        params: a pytree of arrays, e.g. a list of ``{"w", "b"}`` dicts or a
            ``jaxnn.layers.serial`` params dict.
        lam: ``λ``, the regularisation strength.
        m: the number of training examples (``X_train.shape[0]``).
        names: the dict keys that mark weights (``("kernel",)`` for flax params).

    Returns:
        scalar; ``0.0`` when ``params`` holds no weight.

    Example:
        >>> params = [{"w": jnp.array([[1.0, 2.0]]), "b": jnp.array([10.0])}]
        >>> print(l2_penalty(params, lam=0.1, m=5))
        0.05
    """
    m_value = _concrete(m)
    if m_value is not None and not np.all(m_value > 0):
        raise ValueError(BAD_M.format(m=m))
    mask = weight_mask(params, names)
    squares = [
        jnp.sum(jnp.square(_as_float(leaf)))
        for leaf, is_w in zip(jax.tree.leaves(params), jax.tree.leaves(mask), strict=True)
        if is_w
    ]
    total = sum(squares) if squares else jnp.zeros((), jnp.result_type(float))
    return lam * total / (2 * m)
