"""Containers returned by the data loaders.

Every loader returns a :class:`Dataset`, a ``NamedTuple`` of ``(x, y)``, so that both
styles work::

    ds = load_digits()            # ds.x, ds.y
    X, y = load_digits()          # plain tuple unpacking

Loaders of data sets that come with a fixed train/test split (IDX files) return a
:class:`Splits` of two :class:`Dataset`\\ s, which unpacks Keras-style::

    (X_train, y_train), (X_test, y_test) = load_fashion_mnist()
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Dataset", "Splits"]


class Dataset(NamedTuple):
    """Inputs and labels of one data set (or one split of it).

    Attributes:
        x: Inputs, batch-first: ``(N, ...)``; images are NHWC float32 in ``[0, 1]``.
        y: Integer class ids ``(N,)`` (int32).
    """

    x: Any
    y: Any

    @property
    def num_examples(self) -> int:
        """The number of examples ``N`` (the leading dimension of ``y``)."""
        return int(self.y.shape[0])


class Splits(NamedTuple):
    """A data set's official train and test splits.

    Attributes:
        train: The training split.
        test: The test split.
    """

    train: Dataset
    test: Dataset
