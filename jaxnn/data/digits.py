"""scikit-learn's bundled 8x8 handwritten digits: the offline default data set."""

from __future__ import annotations

import numpy as np

from jaxnn.data.dataset import Dataset

__all__ = ["load_digits"]


def load_digits(*, flatten: bool = False) -> Dataset:
    """Loads the 1,797 8x8 digit images shipped inside scikit-learn (no download).

    Pixel values (integers 0..16 in the original) are scaled to ``[0, 1]``.

    Args:
        flatten: If True, ``x`` is ``(1797, 64)`` instead of NHWC ``(1797, 8, 8, 1)``.

    Returns:
        ``Dataset(x, y)`` of **numpy** arrays: ``x`` float32 ``(1797, 8, 8, 1)`` (or
        ``(1797, 64)``) in ``[0, 1]``, ``y`` int32 ``(1797,)`` in ``0..9``, in
        scikit-learn's order (not shuffled: split with a key, e.g.
        :func:`jaxnn.data.train_test_split`).

    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, float(X.max())
    ((1797, 8, 8, 1), dtype('float32'), (1797,), 1.0)
    """
    # Imported here: scikit-learn takes ~1 s to import and most users of jaxnn.data
    # never need it.
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    x = (np.asarray(bunch.images, np.float32) / 16.0).astype(np.float32)
    y = np.asarray(bunch.target, np.int32)
    x = x.reshape(len(x), -1) if flatten else x[..., None]
    return Dataset(x, y)
