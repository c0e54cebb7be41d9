"""MNIST / Fashion-MNIST IDX files (gzip or raw), read and validated with numpy.

The IDX format (LeCun's MNIST page): two zero bytes, a dtype code byte (``0x08`` ubyte,
``0x09`` sbyte, ``0x0B`` int16, ``0x0C`` int32, ``0x0D`` float32, ``0x0E`` float64), the
number of dimensions, one big-endian uint32 per dimension, then the data, big-endian,
row-major. Files may be gzip-compressed (detected from their first bytes, not their name).

Every defect (bad magic, unknown dtype, truncated or oversized data, wrong number of
dimensions, image and label counts that disagree, a corrupt gzip stream) raises
:class:`IdxFormatError`, whose message names the file and says what was wrong.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from jaxnn.data.dataset import Dataset, Splits

__all__ = [
    "FASHION_MNIST_SYSTEM_DIR",
    "IdxFormatError",
    "fashion_mnist_candidates",
    "load_fashion_mnist",
    "load_idx",
    "read_idx",
]

#: Where Debian's ``dataset-fashion-mnist`` package installs the IDX files.
FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"

# The four files of a data set: (split, kind) -> base name; ".gz" is optional, and some
# mirrors write "train-images.idx3-ubyte" (a dot instead of a dash): both are accepted.
_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}

_BAD_GZIP = (
    "{path}: corrupt gzip stream ({error}). The file is damaged or incomplete: "
    "re-download it (or reinstall the package that provides it)."
)
_SHORT_HEADER = (
    "{path}: truncated IDX header: expected at least {expected} bytes, the file has {got}. "
    "The file is damaged or incomplete: re-download it."
)
_BAD_MAGIC = (
    "{path}: not an IDX file: an IDX file starts with the magic bytes 00 00 <dtype> <ndim>, "
    "this one starts with {got}. Check that the path points to an MNIST-style IDX file "
    "(e.g. train-images-idx3-ubyte[.gz]), not an HTML error page or another format."
)
_BAD_DTYPE = (
    "{path}: unknown IDX dtype code 0x{code:02X} in the magic number; expected one of "
    "{known}. The file is damaged or not an IDX file."
)
_BAD_SIZE = (
    "{path}: {what}: the header declares dims {dims} of {dtype} ({expected} data bytes after "
    "the {header}-byte header) but the file holds {got} data bytes. The file is damaged, "
    "incomplete or not what its name says: re-download it."
)
_BAD_NDIM = (
    "{path}: expected {kind} with {expected} dimensions ({example}), got {got} dimensions "
    "{dims}. Check that the {kind} file is not swapped with another one."
)
_BAD_KIND_DTYPE = (
    "{path}: expected {kind} of IDX dtype ubyte (0x08), got {dtype}. MNIST-style data "
    "stores pixels and labels as unsigned bytes."
)
_COUNT_MISMATCH = (
    "{images}: {n_images} images but {labels} has {n_labels} labels; both files of a split "
    "must hold the same number of examples. Check that they come from the same data set."
)
_MISSING = (
    "IDX file for the {split} {kind} not found in {directory}: looked for {names}. "
    "The directory must hold the four MNIST-style files train-images-idx3-ubyte, "
    "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte "
    "(each optionally .gz)."
)
_NO_FASHION = (
    "Fashion-MNIST IDX files not found; looked in: {places}. Get them with "
    "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu, installs them in "
    f"{FASHION_MNIST_SYSTEM_DIR}), or download the four files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
    "t10k-labels-idx1-ubyte.gz) from https://github.com/zalandoresearch/fashion-mnist "
    "into a directory and set JAXNN_DATA to it (or to its parent, with the files in a "
    "'fashion-mnist' sub-directory), or pass directory=."
)


class IdxFormatError(ValueError):
    """An IDX file is corrupt, truncated or not what it should be."""


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        raise IdxFormatError(_BAD_GZIP.format(path=path, error=e)) from e


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads one IDX file (gzip-compressed or raw) into a numpy array.

    Args:
        path: The file.

    Returns:
        An array of the shape the header declares, in the stored dtype converted to native
        byte order (e.g. uint8 ``(60000, 28, 28)`` for MNIST training images).

    Raises:
        IdxFormatError: If the magic number, dtype code or size is wrong, or the gzip
            stream is corrupt; the message names the file and the defect.
        FileNotFoundError: If ``path`` does not exist.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IdxFormatError(_SHORT_HEADER.format(path=path, expected=4, got=len(raw)))
    if raw[0] != 0 or raw[1] != 0:
        raise IdxFormatError(_BAD_MAGIC.format(path=path, got=raw[:4].hex(" ")))
    code, ndim = raw[2], raw[3]
    if code not in _DTYPES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in _DTYPES.items())
        raise IdxFormatError(_BAD_DTYPE.format(path=path, code=code, known=known))
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxFormatError(_SHORT_HEADER.format(path=path, expected=header, got=len(raw)))
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = _DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        what = "truncated data" if got < expected else "trailing bytes after the data"
        raise IdxFormatError(
            _BAD_SIZE.format(
                path=path,
                what=what,
                dims=dims,
                dtype=dtype.name,
                expected=expected,
                header=header,
                got=got,
            )
        )
    arr = np.frombuffer(raw, dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=False)


def _find(directory: Path, split: str, kind: str) -> Path:
    base = _FILES[(split, kind)]
    names = []
    for stem in (base, base.replace("-idx", ".idx")):
        for suffix in (".gz", ""):
            names.append(stem + suffix)
            if (directory / (stem + suffix)).is_file():
                return directory / (stem + suffix)
    raise FileNotFoundError(
        _MISSING.format(split=split, kind=kind, directory=directory, names=", ".join(names))
    )


def _load_split(directory: Path, split: str, flatten: bool, normalize: bool) -> Dataset:
    img_path = _find(directory, split, "images")
    lbl_path = _find(directory, split, "labels")
    images = read_idx(img_path)
    labels = read_idx(lbl_path)
    for path, arr, kind, ndim, example in (
        (img_path, images, "images", 3, "N, rows, cols"),
        (lbl_path, labels, "labels", 1, "N"),
    ):
        if arr.ndim != ndim:
            raise IdxFormatError(
                _BAD_NDIM.format(
                    path=path,
                    kind=kind,
                    expected=ndim,
                    example=example,
                    got=arr.ndim,
                    dims=arr.shape,
                )
            )
        if arr.dtype != np.uint8:
            raise IdxFormatError(_BAD_KIND_DTYPE.format(path=path, kind=kind, dtype=arr.dtype))
    if len(images) != len(labels):
        raise IdxFormatError(
            _COUNT_MISMATCH.format(
                images=img_path, n_images=len(images), labels=lbl_path, n_labels=len(labels)
            )
        )
    x = images[..., None]  # NHWC, one channel
    if normalize:
        # Multiplying by a float32 reciprocal keeps the result float32 (no float64 copy).
        x = x.astype(np.float32) * np.float32(1.0 / 255.0)
    if flatten:
        x = x.reshape(len(x), -1)
    return Dataset(x, labels.astype(np.int32))


def load_idx(
    directory: str | os.PathLike, *, flatten: bool = False, normalize: bool = True
) -> Splits:
    """Loads an MNIST-style data set from its four IDX files.

    ``directory`` must hold ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or ``.gz``
    (``train-images.idx3-ubyte`` style names are accepted too).

    Args:
        directory: The directory holding the files.
        flatten: If True, images are ``(N, H·W)`` instead of NHWC ``(N, H, W, 1)``.
        normalize: If True (default), images are float32 in ``[0, 1]`` (divided by 255);
            if False, the raw uint8 pixels.

    Returns:
        ``Splits(train, test)`` of ``Dataset(x, y)`` numpy arrays: ``x`` float32
        ``(N, 28, 28, 1)`` for MNIST, ``y`` int32 ``(N,)``. Unpacks as
        ``(X_train, y_train), (X_test, y_test) = load_idx(d)``.

    Raises:
        FileNotFoundError: If a file is missing (the message lists the names tried).
        IdxFormatError: If a file is corrupt, truncated, has the wrong number of
            dimensions, or images and labels disagree in number.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"load_idx: {directory} is not a directory. Pass the directory that holds the "
            "four IDX files (train-images-idx3-ubyte[.gz], ...)."
        )
    return Splits(
        _load_split(directory, "train", flatten, normalize),
        _load_split(directory, "test", flatten, normalize),
    )


def _has_idx_files(directory: Path) -> bool:
    try:
        for split, kind in _FILES:
            _find(directory, split, kind)
    except FileNotFoundError:
        return False
    return True


def fashion_mnist_candidates() -> list[Path]:
    """The directories :func:`load_fashion_mnist` searches, in order."""
    places = []
    env = os.environ.get("JAXNN_DATA")
    if env:
        places += [Path(env) / "fashion-mnist", Path(env)]
    places.append(Path(FASHION_MNIST_SYSTEM_DIR))
    return places


def load_fashion_mnist(
    directory: str | os.PathLike | None = None, *, flatten: bool = False, normalize: bool = True
) -> Splits:
    """Loads Fashion-MNIST (60,000 + 10,000 28x28 grey images, 10 classes) offline.

    Looks in ``directory`` if given, else in ``$JAXNN_DATA/fashion-mnist``, then
    ``$JAXNN_DATA``, then ``/usr/share/datasets/fashion-mnist`` (Debian's
    ``dataset-fashion-mnist`` package). Never downloads.

    Args:
        directory: A directory holding the four IDX files; None to search.
        flatten: If True, images are ``(N, 784)`` instead of ``(N, 28, 28, 1)``.
        normalize: If True (default), float32 images in ``[0, 1]``; else raw uint8.

    Returns:
        ``Splits(train, test)``: ``train.x`` float32 ``(60000, 28, 28, 1)``, ``train.y``
        int32 ``(60000,)``, ``test`` likewise with 10,000 examples.

    Raises:
        FileNotFoundError: If no searched directory holds the files; the message says how
            to get them.
        IdxFormatError: If a file is corrupt.
    """
    if directory is not None:
        return load_idx(directory, flatten=flatten, normalize=normalize)
    places = fashion_mnist_candidates()
    for place in places:
        if place.is_dir() and _has_idx_files(place):
            return load_idx(place, flatten=flatten, normalize=normalize)
    raise FileNotFoundError(_NO_FASHION.format(places=", ".join(str(p) for p in places)))
