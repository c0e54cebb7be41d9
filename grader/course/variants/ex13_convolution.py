"""ex13_convolution: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex13_convolution.py`` already holds 20-odd mutants (flips, transposes,
paddings, no stride, no bias, L1 norm, Prewitt, pooled axes, db over the batch only, dE/dxpad…)
and two alternatives (Python lists and loops; ``lax.conv_general_dilated``). These cover other
forms. No check here is a ``jit``/``vmap`` transform, so numpy is fine everywhere.
"""

import ast

from grader.testing import reference_source


def _reference_copies() -> str:
    """The reference's correlate2d, conv2d and conv2d_backward renamed ``_good_*``: a wrong
    variant builds on them when the functions it would call are wrong too."""
    source = reference_source("ex13_convolution")
    names = {"correlate2d": "_good_correlate", "conv2d": "_good_conv2d"}
    names["conv2d_backward"] = "_good_backward"
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            text = ast.get_source_segment(source, node)
            out.append(text.replace(f"def {node.name}(", f"def {names[node.name]}(", 1))
    return "\n\n\n".join(out) + "\n\n\n"


GOOD = _reference_copies()

CORRECT = {
    # numpy's sliding_window_view and einsum, computed in the inputs' float dtype (float32
    # sums for float32 images); Sobel by correlation (rot180 of a Sobel kernel is its negative,
    # and the signs vanish in the squares); median by sorting; dE/dx by scattering δ back
    # (col2im) instead of the full correlation.
    "windows_einsum_input_dtype": {
        "correlate2d": """
from numpy.lib.stride_tricks import sliding_window_view


def _ft(*arrays):
    dt = np.result_type(*[np.asarray(a).dtype for a in arrays])
    return dt if dt.kind == "f" else np.dtype(np.float64)


def correlate2d(image, kernel, padding=0, stride=1):
    dt = _ft(image, kernel)
    xp = np.pad(np.asarray(image, dtype=dt), padding)
    k = np.asarray(kernel, dtype=dt)
    windows = sliding_window_view(xp, k.shape)[::stride, ::stride]
    return np.einsum("ijmn,mn->ij", windows, k)
""",
        "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    return correlate2d(image, np.flip(np.asarray(kernel)), padding, stride)
""",
        "sobel_edges": """
def sobel_edges(image):
    return np.hypot(correlate2d(image, SOBEL_X, 1), correlate2d(image, SOBEL_Y, 1))
""",
        "median_filter": """
def median_filter(image, size=3):
    x = np.asarray(image)
    x = x.astype(x.dtype if x.dtype.kind == "f" else np.float64)
    h, w = x.shape
    xp = np.pad(x, size // 2, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(xp, (size, size)).reshape(h, w, size * size)
    return np.sort(windows, axis=-1)[..., (size * size) // 2]
""",
        "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(x), (size, size), axis=(1, 2))
    return windows[:, ::stride, ::stride].max(axis=(-2, -1))
""",
        "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(x), (size, size), axis=(1, 2))
    return windows[:, ::stride, ::stride].mean(axis=(-2, -1))
""",
        "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    dt = np.result_type(np.asarray(x).dtype, np.asarray(w).dtype, np.asarray(b).dtype)
    x, w, b = (np.asarray(a, dtype=dt) for a in (x, w, b))
    p = padding
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    kh, kw = w.shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    return np.einsum("nijcmq,mqco->nijo", windows[:, ::stride, ::stride], w) + b
""",
        "conv2d_backward": """
def conv2d_backward(x, w, delta, padding=0):
    dt = np.result_type(np.asarray(x).dtype, np.asarray(w).dtype, np.asarray(delta).dtype)
    x, w, d = (np.asarray(a, dtype=dt) for a in (x, w, delta))
    p = padding
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    dw = np.einsum("nijcmq,nijo->mqco", windows, d)
    db = d.sum(axis=(0, 1, 2))
    oh, ow = d.shape[1], d.shape[2]
    dxp = np.zeros_like(xp)
    for m in range(kh):
        for q in range(kw):
            dxp[:, m : m + oh, q : q + ow, :] += d @ w[m, q].T
    return dw, db, dxp[:, p : p + h, p : p + wd, :]
""",
    },
    # CS231n's naive forms in float64: one np.sum or tensordot per output pixel, Sobel written
    # out as shifted slices, median and pools by loops over the output positions.
    "cs231n_naive_float64": {
        "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, dtype=float), ((padding, padding), (padding, padding)))
    k = np.asarray(kernel, dtype=float)
    kh, kw = k.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.sum(x[i * stride : i * stride + kh, j * stride : j * stride + kw] * k)
    return out
""",
        "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    return correlate2d(image, np.fliplr(np.flipud(np.asarray(kernel))), padding, stride)
""",
        "sobel_edges": """
def sobel_edges(image):
    x = np.pad(np.asarray(image, dtype=np.float64), 1)
    h, w = x.shape[0] - 2, x.shape[1] - 2
    left, mid, right = x[:, 0:w], x[:, 1 : w + 1], x[:, 2 : w + 2]
    top, centre, bottom = x[0:h], x[1 : h + 1], x[2 : h + 2]
    gx = (left[0:h] + 2 * left[1 : h + 1] + left[2 : h + 2]) - (
        right[0:h] + 2 * right[1 : h + 1] + right[2 : h + 2]
    )
    gy = (top[:, 0:w] + 2 * top[:, 1 : w + 1] + top[:, 2 : w + 2]) - (
        bottom[:, 0:w] + 2 * bottom[:, 1 : w + 1] + bottom[:, 2 : w + 2]
    )
    del mid, centre
    return np.sqrt(gx * gx + gy * gy)
""",
        "median_filter": """
def median_filter(image, size=3):
    x = np.asarray(image, dtype=np.float64)
    r = size // 2
    xp = np.pad(x, ((r, r), (r, r)), mode="reflect")
    out = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = np.median(xp[i : i + size, j : j + size])
    return out
""",
        "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=np.float64)
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j, :] = x[:, i * stride : i * stride + size, j * stride : j * stride + size, :].max(axis=(1, 2))
    return out
""",
        "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=np.float64)
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride : i * stride + size, j * stride : j * stride + size, :]
            out[:, i, j, :] = window.sum(axis=(1, 2)) / (size * size)
    return out
""",
        "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    p, s = padding, stride
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode="constant")
    n, hp, wp, _ = xp.shape
    kh, kw, _, f = w.shape
    oh, ow = (hp - kh) // s + 1, (wp - kw) // s + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, i * s : i * s + kh, j * s : j * s + kw, :]
            out[:, i, j, :] = np.tensordot(window, w, axes=([1, 2, 3], [0, 1, 2])) + b
    return out
""",
        "conv2d_backward": """
def conv2d_backward(x, w, delta, padding=0):
    x, w, d = (np.asarray(a, dtype=np.float64) for a in (x, w, delta))
    p = padding
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(d.shape[1]):
        for j in range(d.shape[2]):
            g = d[:, i, j, :]
            dw += np.tensordot(xp[:, i : i + kh, j : j + kw, :], g, axes=([0], [0]))
            dxp[:, i : i + kh, j : j + kw, :] += np.tensordot(g, w, axes=([1], [3]))
    db = np.sum(d, axis=(0, 1, 2))
    return dw, db, dxp[:, p : p + h, p : p + wd, :]
""",
    },
}

WRONG = {
    "size_rot90_nosqrt_pad1_ceil_stride1_oihw_mean": {
        # The output size without its + 1: the last row and column are missing.
        "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, np.float64), padding)
    k = np.asarray(kernel, np.float64)
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride, (x.shape[1] - kw) // stride
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.sum(x[i * stride : i * stride + kh, j * stride : j * stride + kw] * k)
    return out
""",
        # A quarter turn: np.rot90(k) instead of np.rot90(k, 2).
        "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    return _good_correlate(image, np.rot90(np.asarray(kernel)), padding, stride)
""",
        # Gx² + Gy², the square root forgotten.
        "sobel_edges": """
def sobel_edges(image):
    x = np.asarray(image, dtype=np.float64)
    gx = _good_correlate(x, SOBEL_X[::-1, ::-1], padding=1)
    gy = _good_correlate(x, SOBEL_Y[::-1, ::-1], padding=1)
    return gx**2 + gy**2
""",
        # The padding of a 3×3 window whatever the size.
        "median_filter": """
def median_filter(image, size=3):
    x = np.asarray(image, dtype=np.float64)
    h, w = x.shape
    xp = np.pad(x, 1, mode="reflect")
    out = np.zeros_like(x)
    for i in range(h):
        for j in range(w):
            out[i, j] = np.median(xp[i : i + size, j : j + size])
    return out
""",
        # "SAME"-style output: rounded up, partial windows at the edges kept.
        "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=np.float64)
    n, h, w, c = x.shape
    oh, ow = -(-(h - size) // stride) + 1, -(-(w - size) // stride) + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j, :] = x[:, i * stride : i * stride + size, j * stride : j * stride + size, :].max(axis=(1, 2))
    return out
""",
        # The stride ignored: a window at every pixel.
        "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, 1, np.mean)
""",
        # PyTorch's layout assumed: w[m, q] read as (C_out, C_in).
        "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    p, s = padding, stride
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    kh, kw = w.shape[:2]
    oh, ow = (xp.shape[1] - kh) // s + 1, (xp.shape[2] - kw) // s + 1
    out = 0.0
    for m in range(kh):
        for q in range(kw):
            out = out + xp[:, m : m + s * (oh - 1) + 1 : s, q : q + s * (ow - 1) + 1 : s, :] @ w[m, q].T
    return out + b
""",
        # dE/dw averaged over the batch instead of summed.
        "conv2d_backward": GOOD
        + """
def conv2d_backward(x, w, delta, padding=0):
    dw, db, dx = _good_backward(x, w, delta, padding)
    return dw / np.asarray(x).shape[0], db, dx
""",
    },
    "topleft_same_edge_valid_size_floordiv_honly_emptyslice": {
        # The padding added on the top and left only.
        "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, np.float64), ((padding, 0), (padding, 0)))
    k = np.asarray(kernel, np.float64)
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.sum(x[i * stride : i * stride + kh, j * stride : j * stride + kw] * k)
    return out
""",
        # The padding argument ignored: always "same" padding k // 2.
        "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    k = np.asarray(kernel)[::-1, ::-1]
    return _good_correlate(image, k, k.shape[0] // 2, stride)
""",
        # The border replicated instead of zero padding.
        "sobel_edges": """
def sobel_edges(image):
    x = np.pad(np.asarray(image, dtype=np.float64), 1, mode="edge")
    gx = _good_correlate(x, SOBEL_X[::-1, ::-1])
    gy = _good_correlate(x, SOBEL_Y[::-1, ::-1])
    return np.sqrt(gx**2 + gy**2)
""",
        # No padding at all: a smaller output.
        "median_filter": """
def median_filter(image, size=3):
    x = np.asarray(image, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size))
    return np.median(windows, axis=(-2, -1))
""",
        # The output size without its + 1.
        "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, dtype=np.float64)
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride, (w - size) // stride
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j, :] = x[:, i * stride : i * stride + size, j * stride : j * stride + size, :].max(axis=(1, 2))
    return out
""",
        # Floor division: the averages rounded down.
        "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.sum) // (size * size)
""",
        # The padding added to H only.
        "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    x = np.pad(np.asarray(x, np.float64), ((0, 0), (padding, padding), (0, 0), (0, 0)))
    return _good_conv2d(x, w, b, stride, 0)
""",
        # xpad[:, p:-p] is empty when p = 0.
        "conv2d_backward": GOOD
        + """
def conv2d_backward(x, w, delta, padding=0):
    p = padding
    xp = np.pad(np.asarray(x, np.float64), ((0, 0), (p, p), (p, p), (0, 0)))
    dw, db, dxp = _good_backward(xp, w, delta, 0)
    return dw, db, dxp[:, p:-p, p:-p, :]
""",
    },
}
