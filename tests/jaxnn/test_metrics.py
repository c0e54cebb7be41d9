"""Tests for jaxnn.metrics: accuracy, count_correct, confusion_matrix."""

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaxnn import metrics as Me


def test_accuracy_and_count_from_scores():
    logits = jnp.array([[2.0, 0.1, 0.0], [0.3, 0.9, 0.1], [0.0, 1.0, 5.0], [3.0, 2.0, 1.0]])
    labels = jnp.array([0, 1, 1, 2])
    assert int(Me.count_correct(logits, labels)) == 2
    np.testing.assert_allclose(Me.accuracy(logits, labels), 0.5)
    probs = jax.nn.softmax(logits)  # argmax is the same for probabilities
    np.testing.assert_allclose(Me.accuracy(probs, labels), 0.5)


def test_binary_scores_threshold_and_class_ids():
    labels = jnp.array([1, 0, 1, 0])
    probs = jnp.array([0.9, 0.4, 0.51, 0.6])
    np.testing.assert_allclose(Me.accuracy(probs, labels), 0.75)
    np.testing.assert_allclose(Me.accuracy(probs[:, None], labels), 0.75)  # (N, 1)
    logits = jnp.array([2.0, -1.0, -0.5, 0.2])
    np.testing.assert_allclose(Me.accuracy(logits, labels, threshold=0.0), 0.5)
    np.testing.assert_allclose(Me.accuracy(jnp.array([1, 0, 0, 0]), labels), 0.75)  # ids
    assert Me.count_correct(probs, labels).dtype == jnp.int32


def test_metric_errors():
    with pytest.raises(ValueError, match=r"look one-hot.*argmax"):
        Me.accuracy(jnp.ones((3, 4)), jnp.eye(4, dtype=jnp.int32)[:3])
    with pytest.raises(TypeError, match=r"integer \(or bool\) class ids.*astype"):
        Me.accuracy(jnp.ones((3, 4)), jnp.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"do not match labels of shape \(3,\)"):
        Me.accuracy(jnp.ones((5, 4)), jnp.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"positive Python int"):
        Me.confusion_matrix(jnp.array([0]), jnp.array([0]), 0)


def test_confusion_matrix_rows_true_columns_predicted():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    cm = np.asarray(Me.confusion_matrix(y_true, y_pred, 3))
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred, strict=True):
        expected[t, p] += 1
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int32 and cm[0, 1] == 1 and cm[2, 0] == 1
    scores = jax.nn.one_hot(y_pred, 3) * 5.0  # scores: argmax taken
    np.testing.assert_array_equal(Me.confusion_matrix(y_true, scores, 3), expected)
    # Out-of-range ids (incl. negative ones, which indexing would wrap) are not counted.
    cm = Me.confusion_matrix(jnp.array([0, -1, 5]), jnp.array([0, 0, 1]), 3)
    assert int(cm.sum()) == 1 and int(cm[0, 0]) == 1


def test_jit_friendly():
    cm = jax.jit(Me.confusion_matrix, static_argnums=2)(jnp.array([1, 1]), jnp.array([1, 0]), 2)
    np.testing.assert_array_equal(cm, [[0, 0], [1, 1]])
    acc = jax.jit(Me.accuracy)(jnp.eye(3), jnp.array([0, 1, 1]))
    np.testing.assert_allclose(acc, 2 / 3)


@settings(max_examples=25, deadline=None)
# A fixed length: every new length would compile a new program.
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=20, max_size=20))
def test_confusion_matrix_properties(pairs):
    t = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    cm = np.asarray(Me.confusion_matrix(t, p, 4))
    assert cm.sum() == len(pairs)
    assert np.trace(cm) == int(Me.count_correct(p, t))
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(t, minlength=4))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(p, minlength=4))


def test_docstring_examples():
    result = doctest.testmod(Me, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
