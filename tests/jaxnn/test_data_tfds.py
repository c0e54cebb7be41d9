"""load_tfds through tfds array-record data sources, under tfds.testing.mock_data."""

import sys

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")

from jaxnn.data import Dataset, load_tfds  # noqa: E402
from jaxnn.data.tfds import _read_all  # noqa: E402


def test_mnist_under_mock_data():
    with tfds.testing.mock_data(num_examples=12):
        X, y = load_tfds("mnist", "train")
    assert X.shape == (12, 28, 28, 1) and X.dtype == np.float32
    assert X.min() >= 0.0 and X.max() <= 1.0 and X.max() > 0.0  # random uint8 / 255
    assert y.shape == (12,) and y.dtype == np.int32
    assert ((y >= 0) & (y < 10)).all()


def test_flatten_raw_pixels_and_explicit_keys():
    with tfds.testing.mock_data(num_examples=5):
        ds = load_tfds("fashion_mnist", "test", normalize=False, flatten=True)
        cifar = load_tfds("cifar10", "train[:50%]", x_key="image", y_key="label")
    assert isinstance(ds, Dataset)
    assert ds.x.shape == (5, 784) and ds.x.dtype == np.uint8
    assert cifar.x.shape == (5, 32, 32, 3) and cifar.x.dtype == np.float32


def test_no_tensorflow_needed():
    already = "tensorflow" in sys.modules  # imported by something else: nothing to check
    with tfds.testing.mock_data(num_examples=2):
        load_tfds("mnist", "test")
    assert already or "tensorflow" not in sys.modules


def test_unprepared_data_dir_says_how_to_prepare(tmp_path):
    # No mock: nothing is prepared in tmp_path and load_tfds must not download.
    with pytest.raises(ValueError, match=r"tfds build mnist --file_format=array_record"):
        load_tfds("mnist", "train", data_dir=tmp_path)


def test_unknown_feature_key():
    with tfds.testing.mock_data(num_examples=2), pytest.raises(ValueError, match="no feature"):
        load_tfds("mnist", "train", x_key="pixels")


class _Source:
    """A data source with a working batched __getitems__ (what array_record provides)."""

    def __init__(self, n):
        self.n, self.batched_calls = n, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"i": i}

    def __getitems__(self, keys):
        self.batched_calls += 1
        return [{"i": k} for k in keys]


def test_read_all_uses_batched_reads_in_order():
    src = _Source(10)
    records = _read_all(src, chunk=4)
    assert [r["i"] for r in records] == list(range(10))
    assert src.batched_calls == 3
