"""The IDX reader on files the tests write, and Fashion-MNIST on the real files."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

import jaxnn.data.idx as idx_module
from jaxnn.data import IdxFormatError, load_fashion_mnist, load_idx, read_idx

CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D}


def idx_bytes(arr: np.ndarray) -> bytes:
    """Serialises ``arr`` as an IDX file (big-endian), independently of the reader."""
    code = CODES[arr.dtype.type]
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path: Path, data: bytes, gz: bool) -> Path:
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def make_dataset(directory: Path, gz: bool, n_train=6, n_test=4, rows=5, cols=3):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, rows, cols), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, rows, cols), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, arr in arrays.items():
        write(directory / name, idx_bytes(arr), gz)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_idx_round_trip(tmp_path, gz):
    arrays = make_dataset(tmp_path, gz)
    (xtr, ytr), (xte, yte) = load_idx(tmp_path)
    assert xtr.shape == (6, 5, 3, 1) and xtr.dtype == np.float32
    assert ytr.shape == (6,) and ytr.dtype == np.int32
    np.testing.assert_allclose(xtr[..., 0], arrays["train-images-idx3-ubyte"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ytr, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(yte, arrays["t10k-labels-idx1-ubyte"])
    assert xte.shape == (4, 5, 3, 1) and xte.min() >= 0.0 and xte.max() <= 1.0
    raw = load_idx(tmp_path, normalize=False, flatten=True)
    assert raw.train.x.dtype == np.uint8 and raw.train.x.shape == (6, 15)
    np.testing.assert_array_equal(raw.test.x, arrays["t10k-images-idx3-ubyte"].reshape(4, 15))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32])
def test_read_idx_other_dtypes_are_big_endian(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype)
    path = write(tmp_path / "x-idx3", idx_bytes(arr), gz=False)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_bad_magic_names_the_file(tmp_path):
    path = write(tmp_path / "bad", b"<html>not found</html>", gz=False)
    with pytest.raises(IdxFormatError, match=r"bad: not an IDX file.*magic bytes"):
        read_idx(path)


def test_unknown_dtype_code(tmp_path):
    path = write(tmp_path / "bad", bytes([0, 0, 0x07, 1]) + struct.pack(">I", 1) + b"\0", False)
    with pytest.raises(IdxFormatError, match="unknown IDX dtype code 0x07"):
        read_idx(path)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_data_is_reported_with_sizes(tmp_path, gz):
    data = idx_bytes(np.zeros((10, 4, 4), np.uint8))
    path = write(tmp_path / "train-images-idx3-ubyte", data[:-5], gz)
    with pytest.raises(IdxFormatError) as e:
        read_idx(path)
    msg = str(e.value)
    assert path.name in msg and "truncated data" in msg
    assert "160 data bytes" in msg and "holds 155" in msg


def test_trailing_bytes_and_truncated_header(tmp_path):
    data = idx_bytes(np.zeros(3, np.uint8))
    with pytest.raises(IdxFormatError, match="trailing bytes"):
        read_idx(write(tmp_path / "a", data + b"xx", False))
    with pytest.raises(IdxFormatError, match="truncated IDX header"):
        read_idx(write(tmp_path / "b", data[:6], False))
    with pytest.raises(IdxFormatError, match="truncated IDX header"):
        read_idx(write(tmp_path / "c", b"\0\0", False))


def test_corrupt_gzip_stream(tmp_path):
    blob = gzip.compress(idx_bytes(np.zeros((50, 8, 8), np.uint8)))
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IdxFormatError, match=r"t10k-images-idx3-ubyte.gz: corrupt gzip stream"):
        read_idx(path)


def test_wrong_dims_are_rejected(tmp_path):
    make_dataset(tmp_path, gz=False)
    # A labels file with 2 dimensions, as if images and labels were swapped.
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros((6, 2), np.uint8)), False)
    with pytest.raises(IdxFormatError) as e:
        load_idx(tmp_path)
    msg = str(e.value)
    assert "train-labels-idx1-ubyte" in msg
    assert "expected labels with 1 dimensions" in msg and "got 2 dimensions (6, 2)" in msg


def test_count_mismatch_and_wrong_dtype(tmp_path):
    make_dataset(tmp_path, gz=True)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(3, np.uint8)), True)
    with pytest.raises(IdxFormatError, match=r"4 images but .* has 3 labels"):
        load_idx(tmp_path)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.int32)), True)
    with pytest.raises(IdxFormatError, match="expected labels of IDX dtype ubyte"):
        load_idx(tmp_path)


def test_missing_file_lists_the_names_tried(tmp_path):
    make_dataset(tmp_path, gz=True)
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"test images.*t10k-images-idx3-ubyte\.gz"):
        load_idx(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_idx(tmp_path / "nope")


def test_fashion_mnist_search_order_and_message(tmp_path, monkeypatch):
    monkeypatch.setattr(idx_module, "FASHION_MNIST_SYSTEM_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("JAXNN_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError) as e:
        load_fashion_mnist()
    msg = str(e.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "JAXNN_DATA" in msg
    assert str(tmp_path / "fashion-mnist") in msg
    # $JAXNN_DATA/fashion-mnist is found first.
    (tmp_path / "fashion-mnist").mkdir()
    make_dataset(tmp_path / "fashion-mnist", gz=True, n_train=7)
    assert load_fashion_mnist().train.x.shape == (7, 5, 3, 1)


@pytest.mark.skipif(
    not Path(idx_module.FASHION_MNIST_SYSTEM_DIR).is_dir(),
    reason="Debian package dataset-fashion-mnist not installed "
    "(sudo apt-get install dataset-fashion-mnist)",
)
def test_real_fashion_mnist(monkeypatch):
    monkeypatch.delenv("JAXNN_DATA", raising=False)
    (xtr, ytr), (xte, yte) = load_fashion_mnist()
    assert xtr.shape == (60000, 28, 28, 1) and xtr.dtype == np.float32
    assert xte.shape == (10000, 28, 28, 1)
    assert ytr.shape == (60000,) and ytr.dtype == np.int32 and yte.shape == (10000,)
    assert xtr.min() == 0.0 and xtr.max() == 1.0
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    np.testing.assert_array_equal(np.bincount(ytr), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(yte), [1000] * 10)
