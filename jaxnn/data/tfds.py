"""A bridge to tensorflow-datasets through its array-record *data sources*.

``tfds.data_source`` gives random access to a prepared data set without TensorFlow (only
``array_record`` is needed), so this module never imports TensorFlow. It does not download
either unless asked (``download=True``): real data needs a ``data_dir`` where the data set
was prepared in the array-record format, e.g. with
``tfds build mnist --file_format=array_record`` on a machine with network access.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from jaxnn.data.dataset import Dataset

__all__ = ["load_tfds"]

_NOT_PREPARED = (
    "load_tfds: could not open {name!r} split {split!r} as an array-record data source "
    "(data_dir={data_dir!r}): {error}. load_tfds does not download by default; prepare the "
    "data set once in the array-record format on a machine with network access "
    "(`tfds build {name} --file_format=array_record --data_dir DIR`) and pass "
    "data_dir=DIR, or pass download=True."
)
_NO_SUPERVISED_KEYS = (
    "load_tfds: {name!r} declares no supervised keys (input, label), and none were given. "
    "Its features are {features}; pass x_key= and y_key= naming the input and the label."
)
_BAD_KEY = "load_tfds: {name!r} has no feature {key!r}; its features are {features}."


def _read_all(source: Sequence[Any], chunk: int) -> list[dict]:
    """All records of a data source, read in batches where the source supports it."""
    n = len(source)
    records: list[dict] = []
    batched = hasattr(source, "__getitems__")
    for start in range(0, n, chunk):
        keys = list(range(start, min(start + chunk, n)))
        if batched:
            try:
                # One batched read per chunk: array_record reads them in parallel.
                records.extend(source.__getitems__(keys))
                continue
            except TypeError:
                # tfds.testing.mock_data (4.9.x) installs __getitems__ without `self`, so a
                # batched read raises TypeError there; plain indexing works everywhere.
                batched = False
        records.extend(source[k] for k in keys)
    return records


def load_tfds(
    name: str,
    split: str,
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = False,
    x_key: str | None = None,
    y_key: str | None = None,
    normalize: bool = True,
    flatten: bool = False,
    chunk_size: int = 1024,
) -> Dataset:
    """Loads one split of a tensorflow-datasets data set into numpy arrays (no TensorFlow).

    Uses ``tfds.data_source(name, split=split, data_dir=data_dir)`` (array-record random
    access) and stacks every record. Inputs and labels are the builder's supervised keys
    (``("image", "label")`` for MNIST-like sets) unless ``x_key``/``y_key`` are given.

    Args:
        name: The tfds name, e.g. ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``.
        split: A tfds split string, e.g. ``"train"``, ``"test"``, ``"train[:80%]"``.
        data_dir: Where the data set was prepared (tfds' default when None).
        download: If True, let tfds download and prepare the data (needs a network).
        x_key: The input feature; default the first supervised key.
        y_key: The label feature; default the second supervised key.
        normalize: If True, uint8 inputs (images) become float32 in ``[0, 1]``.
        flatten: If True, inputs are reshaped to ``(N, -1)``.
        chunk_size: Records read per batched access.

    Returns:
        ``Dataset(x, y)`` of numpy arrays: ``x`` ``(N, ...)`` (images NHWC float32 in
        ``[0, 1]``), ``y`` ``(N,)`` int32 for integer labels.

    Raises:
        ValueError: If the data set cannot be opened (not prepared in ``data_dir``), or has
            no supervised keys and none were given.

    Example, in a test (random data with the real features, no files or network)::

        with tfds.testing.mock_data(num_examples=8):
            X, y = load_tfds("mnist", "train")      # X (8, 28, 28, 1) float32
    """
    import tensorflow_datasets as tfds  # lazy: importing tfds costs ~0.3 s

    try:
        source = tfds.data_source(name, split=split, data_dir=data_dir, download=download)
    except Exception as e:  # tfds raises many types here; all mean "cannot open it"
        raise ValueError(
            _NOT_PREPARED.format(name=name, split=split, data_dir=data_dir, error=e)
        ) from e
    info = source.dataset_info
    features = list(info.features.keys()) if info.features is not None else []
    if x_key is None or y_key is None:
        keys = info.supervised_keys
        if not keys or len(keys) != 2 or not all(isinstance(k, str) for k in keys):
            raise ValueError(_NO_SUPERVISED_KEYS.format(name=name, features=features))
        x_key = x_key or keys[0]
        y_key = y_key or keys[1]
    for k in (x_key, y_key):
        if features and k not in features:
            raise ValueError(_BAD_KEY.format(name=name, key=k, features=features))

    records = _read_all(source, chunk_size)
    x = np.stack([np.asarray(r[x_key]) for r in records]) if records else np.zeros((0,))
    y = np.stack([np.asarray(r[y_key]) for r in records]) if records else np.zeros((0,))
    if normalize and x.dtype == np.uint8:
        x = x.astype(np.float32) * np.float32(1.0 / 255.0)
    if flatten:
        x = x.reshape(len(x), -1)
    if np.issubdtype(y.dtype, np.integer):
        y = y.astype(np.int32)
    return Dataset(x, y)
