"""Classification metrics: accuracy, count_correct, confusion_matrix (all jit-friendly).

Predictions may be given in three forms, told apart by their shape and dtype (all
static under ``jit``):

* scores ``(N, K)`` (logits or probabilities, ``K >= 2``): the class is their argmax;
* one score per example, ``(N,)`` or ``(N, 1)`` float: binary, class 1 where
  ``score > threshold`` (``0.5`` for probabilities; pass ``threshold=0.0`` for logits);
* class ids ``(N,)`` integer: used as they are.

Labels are integer class ids ``(N,)``; one-hot labels raise an error that says so.

Example:
    >>> import jax.numpy as jnp
    >>> from jaxnn import metrics
    >>> logits = jnp.array([[2.0, 0.1], [0.3, 0.9], [5.0, 1.0]])
    >>> labels = jnp.array([0, 1, 1])
    >>> print(metrics.accuracy(logits, labels), metrics.count_correct(logits, labels))
    0.6666667 2
    >>> print(metrics.confusion_matrix(labels, logits.argmax(-1), num_classes=2))
    [[1 0]
     [1 1]]
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

__all__ = ["accuracy", "confusion_matrix", "count_correct", "predicted_classes"]

PRED_SHAPE = (
    "{fn}: predictions of shape {pred_shape} do not match labels of shape {label_shape}. "
    "Expected scores (N, K) or class ids / binary scores (N,) for labels (N,)."
)
LABELS_ONE_HOT = (
    "{fn}: labels of shape {label_shape} look one-hot (same shape as predictions "
    "{pred_shape}); pass integer class ids, e.g. labels.argmax(-1)."
)
LABELS_DTYPE = (
    "{fn}: labels must be integer (or bool) class ids, got dtype {dtype}. "
    "Convert them with labels.astype(jnp.int32)."
)
NUM_CLASSES = (
    "confusion_matrix: num_classes must be a positive Python int (it fixes the output "
    "shape, so it must be static under jit), got {got!r}."
)


def predicted_classes(
    predictions: ArrayLike, labels: ArrayLike, threshold: float = 0.5, fn: str = "predicted_classes"
) -> jax.Array:
    """Class ids predicted by ``predictions``, shaped like ``labels`` (see the module doc).

    Args:
        predictions: scores ``(N, K)``, binary scores ``(N,)``/``(N, 1)``, or class ids ``(N,)``.
        labels: integer class ids ``(N,)`` (only their shape and dtype are used).
        threshold: decision threshold for binary scores.
        fn: caller's name for error messages.

    Returns:
        int32 class ids, shape ``labels.shape``.

    Example:
        >>> print(predicted_classes(jnp.array([0.2, 0.7]), jnp.array([0, 1])))
        [0 1]
    """
    pred = jnp.asarray(predictions)
    labels = jnp.asarray(labels)
    if not (jnp.issubdtype(labels.dtype, jnp.integer) or labels.dtype == jnp.bool_):
        raise TypeError(LABELS_DTYPE.format(fn=fn, dtype=labels.dtype))
    shapes = {"fn": fn, "pred_shape": pred.shape, "label_shape": labels.shape}
    if pred.ndim == labels.ndim + 1 and pred.shape[:-1] == labels.shape:
        if pred.shape[-1] == 1:  # a single score per example: binary
            return (pred[..., 0] > threshold).astype(jnp.int32)
        return jnp.argmax(pred, axis=-1).astype(jnp.int32)
    if pred.shape == labels.shape:
        if jnp.issubdtype(pred.dtype, jnp.integer) or pred.dtype == jnp.bool_:
            return pred.astype(jnp.int32)
        if pred.ndim >= 2 and pred.shape[-1] > 1:
            raise ValueError(LABELS_ONE_HOT.format(**shapes))
        return (pred > threshold).astype(jnp.int32)
    raise ValueError(PRED_SHAPE.format(**shapes))


def count_correct(predictions: ArrayLike, labels: ArrayLike, threshold: float = 0.5) -> jax.Array:
    """Number of examples whose predicted class equals the label (seed 001's ``evaluer``).

    Args:
        predictions: scores ``(N, K)``, binary scores ``(N,)``, or class ids ``(N,)``.
        labels: integer class ids ``(N,)``.
        threshold: decision threshold for binary scores.

    Returns:
        an int32 scalar (use ``int(...)`` for a Python int).

    Example:
        >>> print(count_correct(jnp.array([[0.9, 0.1], [0.2, 0.8]]), jnp.array([1, 1])))
        1
    """
    pred = predicted_classes(predictions, labels, threshold, fn="count_correct")
    return jnp.sum(pred == jnp.asarray(labels).astype(jnp.int32), dtype=jnp.int32)


def accuracy(predictions: ArrayLike, labels: ArrayLike, threshold: float = 0.5) -> jax.Array:
    """Fraction of examples whose predicted class equals the label, in ``[0, 1]``.

    Args:
        predictions: scores ``(N, K)`` (logits or probabilities), binary scores ``(N,)``,
            or class ids ``(N,)``.
        labels: integer class ids ``(N,)``.
        threshold: decision threshold for binary scores (``0.0`` for logits).

    Returns:
        a float scalar.

    Example:
        >>> print(accuracy(jnp.array([-3.0, 2.0, 0.5]), jnp.array([0, 1, 0]), threshold=0.0))
        0.6666667
    """
    pred = predicted_classes(predictions, labels, threshold, fn="accuracy")
    return jnp.mean(pred == jnp.asarray(labels).astype(jnp.int32))


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, num_classes: int) -> jax.Array:
    """Confusion matrix: entry ``[i, j]`` counts examples of true class ``i`` predicted ``j``.

    Rows are true classes, columns predictions (seed 004's "matrice de confusion"; the
    diagonal holds the correct ones). Ids outside ``[0, num_classes)`` are not counted.

    Args:
        y_true: integer class ids ``(N,)``.
        y_pred: predicted class ids ``(N,)``, or scores ``(N, K)`` (argmax is taken).
        num_classes: ``K``, a Python int.

    Returns:
        int32 matrix ``(num_classes, num_classes)`` summing to ``N`` (for ids in range).

    Example:
        >>> print(confusion_matrix(jnp.array([0, 0, 1, 2]), jnp.array([0, 1, 1, 1]), 3))
        [[1 1 0]
         [0 1 0]
         [0 1 0]]
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(NUM_CLASSES.format(got=num_classes))
    y_true = jnp.asarray(y_true)
    pred = predicted_classes(y_pred, y_true, fn="confusion_matrix")
    # One-hot products instead of a scatter: out-of-range ids (including negative ones,
    # which indexing would wrap around) get an all-zero row and drop out.
    t = jax.nn.one_hot(y_true.reshape(-1), num_classes, dtype=jnp.int32)
    p = jax.nn.one_hot(pred.reshape(-1), num_classes, dtype=jnp.int32)
    return t.T @ p
