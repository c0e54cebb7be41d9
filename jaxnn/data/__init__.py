"""Data sets, offline first, and the plumbing to feed them to a training loop.

Return forms (see :mod:`jaxnn.data.dataset`):

* ``load_digits()``, ``load_tfds(...)`` and every ``make_*`` generator return a
  ``Dataset(x, y)`` ``NamedTuple``: use ``ds.x, ds.y`` or unpack ``X, y = ...``.
* ``load_idx(dir)`` and ``load_fashion_mnist()`` return ``Splits(train, test)`` of two
  ``Dataset``\\ s: ``(X_train, y_train), (X_test, y_test) = load_fashion_mnist()``.
* Loaders return **numpy** arrays (host memory); ``make_*`` generators return **jax**
  arrays. Images are NHWC float32 in ``[0, 1]``; labels are int32 class ids ``(N,)``.

Everything random takes an explicit ``key`` first. Nothing downloads.
"""

from jaxnn.data.batching import (
    epoch_batches,
    epoch_indices,
    iterate_batches,
    minibatches,
    num_examples,
)
from jaxnn.data.dataset import Dataset, Splits
from jaxnn.data.digits import load_digits
from jaxnn.data.idx import (
    FASHION_MNIST_SYSTEM_DIR,
    IdxFormatError,
    fashion_mnist_candidates,
    load_fashion_mnist,
    load_idx,
    read_idx,
)
from jaxnn.data.preprocessing import (
    Standardizer,
    one_hot,
    standardize,
    standardize_apply,
    standardize_fit,
)
from jaxnn.data.splits import split_indices, train_test_split, train_val_test_split
from jaxnn.data.synthetic import make_blobs, make_flower, make_moons, make_spirals, make_xor
from jaxnn.data.tfds import load_tfds

__all__ = [
    "FASHION_MNIST_SYSTEM_DIR",
    "Dataset",
    "IdxFormatError",
    "Splits",
    "Standardizer",
    "epoch_batches",
    "epoch_indices",
    "fashion_mnist_candidates",
    "iterate_batches",
    "load_digits",
    "load_fashion_mnist",
    "load_idx",
    "load_tfds",
    "make_blobs",
    "make_flower",
    "make_moons",
    "make_spirals",
    "make_xor",
    "minibatches",
    "num_examples",
    "one_hot",
    "read_idx",
    "split_indices",
    "standardize",
    "standardize_apply",
    "standardize_fit",
    "train_test_split",
    "train_val_test_split",
]
