"""Reference solution — ex13: convolution, filters, pooling (seed 002).

Instructor side: never shipped to students. Plain numpy, computed in float64 and returned in
the inputs' floating dtype (float32 images give float32 results). Every sum over a window is
written as a loop over the (few) kernel offsets, each adding a strided slice of the padded
input: exact, and fast enough for the small images of the checks.
"""

from __future__ import annotations

import numpy as np

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def _float_dtype(*arrays) -> np.dtype:
    dtype = np.result_type(*[np.asarray(a).dtype for a in arrays])
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _out_size(n: int, k: int, padding: int, stride: int) -> int:
    size = (n + 2 * padding - k) // stride + 1
    if size < 1:
        raise ValueError(
            f"the window ({k}) is larger than the padded input ({n} + 2·{padding}): no output"
        )
    return size


def _window(x: np.ndarray, m: int, n: int, oh: int, ow: int, stride: int) -> np.ndarray:
    """The (oh, ow) values ``x[m + stride·i, n + stride·j]`` of a 2-D array."""
    return x[m : m + stride * (oh - 1) + 1 : stride, n : n + stride * (ow - 1) + 1 : stride]


def correlate2d(image, kernel, padding=0, stride=1):
    """out[i, j] = Σ_m Σ_n xpad[s·i + m, s·j + n] · k[m, n] (cross-correlation)."""
    dtype = _float_dtype(image, kernel)
    x = np.asarray(image, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(f"expected a 2-D image and kernel, got {x.shape} and {k.shape}")
    p, s = int(padding), int(stride)
    xp = np.pad(x, p)
    kh, kw = k.shape
    oh, ow = _out_size(x.shape[0], kh, p, s), _out_size(x.shape[1], kw, p, s)
    out = np.zeros((oh, ow))
    for m in range(kh):
        for n in range(kw):
            out += k[m, n] * _window(xp, m, n, oh, ow, s)
    return out.astype(dtype)


def convolve2d(image, kernel, padding=0, stride=1):
    """The true convolution: the cross-correlation with the kernel rotated by 180°."""
    k = np.asarray(kernel)
    return correlate2d(image, k[::-1, ::-1], padding, stride)


def sobel_edges(image):
    """√(Gx² + Gy²), Gx = SOBEL_X * image, Gy = SOBEL_Y * image (convolutions, zero padding 1)."""
    dtype = _float_dtype(image)
    x = np.asarray(image, dtype=np.float64)
    gx = convolve2d(x, SOBEL_X, padding=1)
    gy = convolve2d(x, SOBEL_Y, padding=1)
    return np.sqrt(gx**2 + gy**2).astype(dtype)


def median_filter(image, size=3):
    """The median of each size×size window, the image padded by reflection (size // 2)."""
    dtype = _float_dtype(image)
    x = np.asarray(image, dtype=np.float64)
    size = int(size)
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd number, got {size}")
    r = size // 2
    xp = np.pad(x, r, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(xp, (size, size))
    return np.median(windows, axis=(-2, -1)).astype(dtype)


def _pool(x, size, stride, reduce):
    dtype = _float_dtype(x)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"expected an NHWC batch (N, H, W, C), got shape {x.shape}")
    size, stride = int(size), int(stride)
    oh, ow = _out_size(x.shape[1], size, 0, stride), _out_size(x.shape[2], size, 0, stride)
    parts = [
        x[:, m : m + stride * (oh - 1) + 1 : stride, n : n + stride * (ow - 1) + 1 : stride, :]
        for m in range(size)
        for n in range(size)
    ]
    return reduce(np.stack(parts), axis=0).astype(dtype)


def max_pool2d(x, size=2, stride=2):
    """Max over each size×size window of every channel, windows every ``stride`` pixels."""
    return _pool(x, size, stride, np.max)


def avg_pool2d(x, size=2, stride=2):
    """Mean over each size×size window of every channel, windows every ``stride`` pixels."""
    return _pool(x, size, stride, np.mean)


def conv2d(x, w, b, stride=1, padding=0):
    """out[n,i,j,o] = b[o] + Σ_{m,q,c} xpad[n, s·i+m, s·j+q, c] · w[m,q,c,o] (NHWC, HWIO)."""
    dtype = _float_dtype(x, w, b)
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    p, s = int(padding), int(stride)
    kh, kw, c_in, c_out = w.shape
    if x.shape[-1] != c_in:
        raise ValueError(f"x has {x.shape[-1]} channels, w expects {c_in}")
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    oh, ow = _out_size(x.shape[1], kh, p, s), _out_size(x.shape[2], kw, p, s)
    out = np.zeros((x.shape[0], oh, ow, c_out))
    for m in range(kh):
        for q in range(kw):
            patch = xp[:, m : m + s * (oh - 1) + 1 : s, q : q + s * (ow - 1) + 1 : s, :]
            out += patch @ w[m, q]
    return (out + b).astype(dtype)


def conv2d_backward(x, w, delta, padding=0):
    """(dE/dw, dE/db, dE/dx) of ``conv2d(x, w, b, 1, padding)`` given δ = dE/d out.

    Seed 002, step I: dE/dw[m,q] = Σ δ[n,i,j] ⊗ xpad[n, i+m, j+q] (a correlation of the padded
    input with δ); dE/db = Σ δ over the batch and positions. Step II: dE/dxpad is the "full"
    correlation of δ (padded by K−1) with the kernel rotated 180° (channels in/out swapped);
    dE/dx drops the border that padding added.
    """
    dtype = _float_dtype(x, w, delta)
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    d = np.asarray(delta, dtype=np.float64)
    p = int(padding)
    kh, kw, _, _ = w.shape
    n, h, wd, _ = x.shape
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    oh, ow = xp.shape[1] - kh + 1, xp.shape[2] - kw + 1
    if d.shape != (n, oh, ow, w.shape[3]):
        raise ValueError(f"delta should have shape {(n, oh, ow, w.shape[3])}, got {d.shape}")
    dw = np.zeros_like(w)
    for m in range(kh):
        for q in range(kw):
            dw[m, q] = np.einsum("nijc,nijo->co", xp[:, m : m + oh, q : q + ow, :], d)
    db = d.sum(axis=(0, 1, 2))
    # Step II: full correlation of δ with rot180(w), channels swapped (HW O I).
    w_rot = w[::-1, ::-1].transpose(0, 1, 3, 2)
    dp = np.pad(d, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    dxp = np.zeros_like(xp)
    hp, wp = xp.shape[1], xp.shape[2]
    for m in range(kh):
        for q in range(kw):
            dxp += dp[:, m : m + hp, q : q + wp, :] @ w_rot[m, q]
    dx = dxp[:, p : p + h, p : p + wd, :]
    return dw.astype(dtype), db.astype(dtype), dx.astype(dtype)
