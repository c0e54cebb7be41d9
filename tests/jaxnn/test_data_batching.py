"""Batching, splits, one-hot, standardisation and the digits loader."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaxnn.data import (
    epoch_batches,
    epoch_indices,
    iterate_batches,
    load_digits,
    minibatches,
    one_hot,
    split_indices,
    standardize,
    standardize_apply,
    standardize_fit,
    train_test_split,
    train_val_test_split,
)


def test_minibatches_are_a_permutation_cut_in_batches():
    batches = minibatches(jax.random.key(0), 10, 4)
    assert [len(b) for b in batches] == [4, 4, 2]
    allidx = np.concatenate(batches)
    assert sorted(allidx.tolist()) == list(range(10))
    assert allidx.tolist() != list(range(10))  # shuffled


def test_iterate_batches_shuffles_pairs_consistently():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    batches = list(iterate_batches(jax.random.key(1), (X, y), 3))
    assert [len(b[1]) for b in batches] == [3, 3, 3, 1]
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)  # rows stay with their labels
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    dropped = list(iterate_batches(jax.random.key(1), (X, y), 3, drop_last=True))
    assert [len(b[1]) for b in dropped] == [3, 3, 3]
    with pytest.raises(ValueError, match="needs a key"):
        next(iterate_batches(None, (X, y), 3))
    with pytest.raises(ValueError, match="leading"):
        next(iterate_batches(None, (X, y[:5]), 3, shuffle=False))


def test_epoch_indices_pad_with_zero_weight():
    idx, w = epoch_indices(jax.random.key(0), 10, 4)
    assert idx.shape == w.shape == (3, 4)
    np.testing.assert_array_equal(np.asarray(w).ravel(), [1] * 10 + [0] * 2)
    real = np.asarray(idx).ravel()[np.asarray(w).ravel() == 1]
    assert sorted(real.tolist()) == list(range(10))
    assert np.asarray(idx).max() < 10  # the padding stays in bounds
    idx, w = epoch_indices(jax.random.key(0), 10, 4, drop_last=True)
    assert idx.shape == (2, 4) and float(w.sum()) == 8.0


def test_epoch_batches_shapes_and_weights():
    X = jnp.arange(14.0).reshape(7, 2)
    y = jnp.arange(7)
    (xb, yb), w = epoch_batches(jax.random.key(0), (X, y), 3)
    assert xb.shape == (3, 3, 2) and yb.shape == (3, 3) and w.shape == (3, 3)
    mask = np.asarray(w) == 1
    assert sorted(np.asarray(yb)[mask].tolist()) == list(range(7))
    np.testing.assert_array_equal(np.asarray(xb)[..., 0], 2 * np.asarray(yb))


@settings(max_examples=40, deadline=None)
@given(
    # Few distinct n: each one compiles a permutation (~0.3 s); the fractions vary freely.
    n=st.sampled_from([1, 3, 10, 37, 250]),
    val=st.floats(0, 0.45),
    test=st.floats(0, 0.45),
    seed=st.integers(0, 2**31 - 1),
)
def test_split_indices_disjoint_covering_rounded(n, val, test, seed):
    train, v, t = split_indices(jax.random.key(seed), n, (val, test))
    assert len(v) == round(val * n) and len(t) == round(test * n)
    every = np.concatenate([train, v, t])
    assert len(every) == n and sorted(every.tolist()) == list(range(n))


def test_train_val_test_split_keeps_rows_with_labels():
    X = np.arange(100.0)[:, None] * np.ones((1, 3))
    y = np.arange(100)
    Xtr, ytr, Xv, yv, Xte, yte = train_val_test_split(jax.random.key(0), X, y, 0.25, 0.15)
    assert (len(ytr), len(yv), len(yte)) == (60, 25, 15)
    for Xs, ys in ((Xtr, ytr), (Xv, yv), (Xte, yte)):
        np.testing.assert_array_equal(Xs[:, 0], ys)
    assert not set(ytr) & set(yv) and not set(yv) & set(yte) and not set(ytr) & set(yte)
    Xtr, ytr, Xte, yte = train_test_split(jax.random.key(0), X, y, 0.3)
    assert len(ytr) == 70 and len(yte) == 30
    with pytest.raises(ValueError, match="fractions must be in"):
        train_val_test_split(jax.random.key(0), X, y, 0.6, 0.5)


def test_one_hot():
    out = one_hot(jnp.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1]])
    assert out.dtype == jnp.float32
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        one_hot(jnp.array([1]), 0)


def test_standardize_population_std_and_eps():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    mean, std = standardize_fit(X)
    np.testing.assert_allclose(mean, [3.0, 5.0])
    np.testing.assert_allclose(std, [np.sqrt(8 / 3), 0.0])  # ddof 0, not 1
    Z = standardize_apply(X, mean, std)
    assert isinstance(Z, np.ndarray)  # numpy in, numpy out
    np.testing.assert_allclose(Z[:, 0], (X[:, 0] - 3) / (np.sqrt(8 / 3) + 1e-8))
    np.testing.assert_array_equal(Z[:, 1], 0.0)  # constant feature: finite thanks to eps
    _, Zte = standardize(X, X[:1] + 1.0)
    np.testing.assert_allclose(Zte[0, 0], -1 / np.sqrt(8 / 3), rtol=1e-6)
    assert isinstance(standardize(jnp.asarray(X))[0], jax.Array)


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 8, 8, 1) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int32
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(y).tolist()) == list(range(10))
    flat = load_digits(flatten=True)
    assert flat.x.shape == (1797, 64) and flat.num_examples == 1797
    np.testing.assert_array_equal(flat.x[5], X[5].ravel())


def test_load_digits_reads_what_scikit_learn_loads():
    from sklearn.datasets import load_digits as sk_load_digits

    ours, theirs = load_digits(), sk_load_digits()
    np.testing.assert_array_equal(ours.x[..., 0] * 16.0, theirs.images)
    np.testing.assert_array_equal(ours.y, theirs.target)
    ours.x[0, 0, 0, 0] = 99.0  # the caller's copy: the next load is unchanged
    assert load_digits().x[0, 0, 0, 0] == theirs.images[0, 0, 0] / 16.0
