"""ex13_convolution: the reference passes everything (and agrees with lax, scipy and jax.vjp);
students' classic mistakes are caught; correct code written differently passes."""

from __future__ import annotations

import ast
import importlib.util

import jax
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from jax import lax

from grader.testing import (
    REPO,
    failed,
    grade_source,
    passed,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex13_convolution"
REF = reference_source(EX)


def _reference_module():
    spec = importlib.util.spec_from_file_location("_ref_ex13", REPO / "solutions" / f"{EX}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lax_conv(x, w, b, stride, padding):
    out = lax.conv_general_dilated(
        x, w, (stride, stride), [(padding, padding)] * 2, dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    return out + b


def test_reference_agrees_with_lax_scipy_and_jax_vjp():
    ref = _reference_module()
    rng = np.random.default_rng(1)
    shapes = [(7, 9, 3, 3, 0, 1), (8, 8, 2, 2, 1, 2), (9, 7, 4, 3, 2, 2)]
    for h, w, kh, kw, p, s in shapes:
        img, k = rng.random((h, w)).astype(np.float32), rng.normal(size=(kh, kw)).astype(np.float32)
        as_nhwc = img[None, :, :, None]
        expected = _lax_conv(as_nhwc, k[:, :, None, None], 0.0, s, p)[0, :, :, 0]
        np.testing.assert_allclose(ref.correlate2d(img, k, p, s), expected, rtol=1e-5, atol=1e-5)
        flipped = _lax_conv(as_nhwc, k[::-1, ::-1, None, None], 0.0, s, p)[0, :, :, 0]
        np.testing.assert_allclose(ref.convolve2d(img, k, p, s), flipped, rtol=1e-5, atol=1e-5)
        x = rng.random((2, h, w, 3)).astype(np.float32)
        wt = rng.normal(size=(kh, kw, 3, 4)).astype(np.float32)
        b = rng.normal(size=4).astype(np.float32)
        np.testing.assert_allclose(
            ref.conv2d(x, wt, b, s, p), _lax_conv(x, wt, b, s, p), rtol=1e-4, atol=1e-4
        )
        # the backward pass (stride 1) is jax.vjp of the convolution, in float64 numpy
        x64, w64 = x.astype(np.float64), wt.astype(np.float64)
        with jax.enable_x64():
            out, vjp = jax.vjp(
                lambda x, w, b, p=p: _lax_conv(x, w, b, 1, p), x64, w64, b.astype(np.float64)
            )
            delta = rng.normal(size=out.shape)
            gx, gw, gb = vjp(delta)
        dw, db, dx = ref.conv2d_backward(x64, w64, delta, p)
        np.testing.assert_allclose(dw, gw, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(db, gb, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(dx, gx, rtol=1e-10, atol=1e-10)
    img = rng.random((9, 7))
    np.testing.assert_allclose(
        ref.convolve2d(img, k), scipy.signal.convolve2d(img, k, mode="valid"), rtol=1e-12
    )
    for size in (1, 3, 5):  # numpy's "reflect" is scipy.ndimage's "mirror"
        np.testing.assert_array_equal(
            ref.median_filter(img, size), scipy.ndimage.median_filter(img, size, mode="mirror")
        )
    sobel = np.hypot(
        scipy.ndimage.sobel(img, axis=1, mode="constant"),
        scipy.ndimage.sobel(img, axis=0, mode="constant"),
    )
    np.testing.assert_allclose(ref.sobel_edges(img), sobel, rtol=1e-12)
    x = rng.normal(size=(2, 7, 5, 3)).astype(np.float32)
    for size, stride in [(2, 2), (3, 2), (2, 1), (3, 3)]:
        window, strides = (1, size, size, 1), (1, stride, stride, 1)
        mx = lax.reduce_window(x, -np.inf, lax.max, window, strides, "VALID")
        mean = lax.reduce_window(x, 0.0, lax.add, window, strides, "VALID") / size**2
        np.testing.assert_array_equal(ref.max_pool2d(x, size, stride), mx)
        np.testing.assert_allclose(ref.avg_pool2d(x, size, stride), mean, rtol=1e-5, atol=1e-6)


def _mutate(mutations):
    return replace_functions(REF, mutations)


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_FLIPS_AND_AXES = {
    "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, np.float64), padding)
    k = np.asarray(kernel, np.float64)[::-1, ::-1]   # flips the kernel: that is convolve2d
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    return sum(k[m, n] * _window(x, m, n, oh, ow, stride) for m in range(kh) for n in range(kw))
""",
    "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, np.float64), padding)   # forgets the 180° rotation
    k = np.asarray(kernel, np.float64)
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for m in range(kh):
        for n in range(kw):
            out += k[m, n] * _window(x, m, n, oh, ow, stride)
    return out
""",
    "sobel_edges": """
def sobel_edges(image):
    x = np.asarray(image, np.float64)
    gx, gy = convolve2d(x, SOBEL_X), convolve2d(x, SOBEL_Y)   # no padding: (H-2, W-2)
    return np.sqrt(gx**2 + gy**2)
""",
    "median_filter": """
def median_filter(image, size=3):
    xp = np.pad(np.asarray(image, np.float64), size // 2, mode="edge")   # repeats the edge
    return np.median(np.lib.stride_tricks.sliding_window_view(xp, (size, size)), axis=(-2, -1))
""",
    "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, np.float64)   # pools over W and C (axes 2, 3) instead of H and W
    parts = [x[:, :, m::stride, q::stride][:, :, : (x.shape[2] - size) // stride + 1, : (x.shape[3] - size) // stride + 1]
             for m in range(size) for q in range(size)]
    return np.max(np.stack(parts), axis=0)
""",
    "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    out = _pool(x, size, stride, np.mean)
    return np.repeat(out.mean(axis=3, keepdims=True), out.shape[3], axis=3)   # mixes channels
""",
    "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    return _conv_ref(x, np.asarray(w)[::-1, ::-1], b, stride, padding)   # flips the kernel


def _conv_ref(x, w, b, stride, padding):
    x = np.asarray(x, np.float64); w = np.asarray(w, np.float64)
    p, s = padding, stride
    kh, kw, c_in, c_out = w.shape
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    oh, ow = (xp.shape[1] - kh) // s + 1, (xp.shape[2] - kw) // s + 1
    out = np.zeros((x.shape[0], oh, ow, c_out))
    for m in range(kh):
        for q in range(kw):
            out += xp[:, m : m + s * (oh - 1) + 1 : s, q : q + s * (ow - 1) + 1 : s, :] @ w[m, q]
    return out + b
""",
    "conv2d_backward": """
def conv2d_backward(x, w, delta, padding=0):
    dw, db, _ = _backward_ok(x, w, delta, padding)
    x = np.asarray(x, np.float64); w = np.asarray(w, np.float64); d = np.asarray(delta, np.float64)
    p = padding
    kh, kw = w.shape[:2]
    dp = np.pad(d, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    hp, wp = x.shape[1] + 2 * p, x.shape[2] + 2 * p
    dxp = np.zeros((x.shape[0], hp, wp, x.shape[3]))
    for m in range(kh):
        for q in range(kw):
            dxp += dp[:, m : m + hp, q : q + wp, :] @ w[m, q].T   # kernel not rotated
    return dw, db, dxp[:, p : p + x.shape[1], p : p + x.shape[2], :]
""",
}

MUTANT_BORDERS_AND_SIZES = {
    "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(image, np.float64), padding, mode="edge")   # pads with the edge values
    k = np.asarray(kernel, np.float64)
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    return sum(k[m, n] * _window(x, m, n, oh, ow, stride) for m in range(kh) for n in range(kw))
""",
    "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    return correlate2d(image, np.asarray(kernel).T, padding, stride)   # transpose, not rotation
""",
    "sobel_edges": """
def sobel_edges(image):
    x = np.asarray(image, np.float64)
    gx, gy = convolve2d(x, SOBEL_X, padding=1), convolve2d(x, SOBEL_Y, padding=1)
    return np.abs(gx) + np.abs(gy)   # L1 instead of the Euclidean norm
""",
    "median_filter": """
def median_filter(image, size=3):
    xp = np.pad(np.asarray(image, np.float64), size // 2, mode="symmetric")   # repeats the edge once
    return np.median(np.lib.stride_tricks.sliding_window_view(xp, (size, size)), axis=(-2, -1))
""",
    "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    return np.maximum(_pool(x, size, stride, np.max), 0.0)   # a max started from 0
""",
    "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.sum) / stride**2   # divides by stride², not size²
""",
    "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    x = np.pad(np.asarray(x, np.float64), padding)   # pads every axis, batch and channels too
    w = np.asarray(w, np.float64)
    kh, kw, c_in, c_out = w.shape
    oh, ow = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, c_out))
    for m in range(kh):
        for q in range(kw):
            out += x[:, m : m + stride * (oh - 1) + 1 : stride, q : q + stride * (ow - 1) + 1 : stride, :c_in] @ w[m, q]
    return out + b
""",
    "conv2d_backward": """
def conv2d_backward(x, w, delta, padding=0):
    p = padding   # returns dE/dxpad: the padding border is still there
    return _backward_ok(np.pad(np.asarray(x), ((0, 0), (p, p), (p, p), (0, 0))), w, delta, 0)
""",
}

MUTANT_STRIDES_AND_SUMS = {
    "correlate2d": """
def correlate2d(image, kernel, padding=0, stride=1):
    from scipy.signal import correlate2d as c2d
    x = np.pad(np.asarray(image, np.float64), padding)
    return c2d(x, kernel, mode="valid")   # forgets the stride
""",
    "convolve2d": """
def convolve2d(image, kernel, padding=0, stride=1):
    return correlate2d(image, np.asarray(kernel)[::-1], padding, stride)   # flips rows only
""",
    "sobel_edges": """
def sobel_edges(image):
    px = np.array([[-1.0, 0.0, 1.0]] * 3)   # Prewitt's kernels, not Sobel's
    x = np.asarray(image, np.float64)
    return np.sqrt(convolve2d(x, px, padding=1) ** 2 + convolve2d(x, px.T, padding=1) ** 2)
""",
    "median_filter": """
def median_filter(image, size=3):
    xp = np.pad(np.asarray(image, np.float64), size // 2)   # zeros
    return np.median(np.lib.stride_tricks.sliding_window_view(xp, (size, size)), axis=(-2, -1))
""",
    "max_pool2d": """
def max_pool2d(x, size=2, stride=2):
    x = np.asarray(x, np.float64)   # assumes size == stride and H, W divisible
    n, h, w, c = x.shape
    return x.reshape(n, h // size, size, w // size, size, c).max(axis=(2, 4))
""",
    "avg_pool2d": """
def avg_pool2d(x, size=2, stride=2):
    x = np.asarray(x, np.float64)   # assumes size == stride (crops to be divisible)
    n, h, w, c = x.shape
    x = x[:, : h // size * size, : w // size * size, :]
    return x.reshape(n, h // size, size, w // size, size, c).mean(axis=(2, 4))
""",
    "conv2d": """
def conv2d(x, w, b, stride=1, padding=0):
    return _conv_nobias(x, w, stride, padding)   # forgets the bias


def _conv_nobias(x, w, s, p):
    x = np.pad(np.asarray(x, np.float64), ((0, 0), (p, p), (p, p), (0, 0)))
    w = np.asarray(w, np.float64)
    kh, kw, _, c_out = w.shape
    oh, ow = (x.shape[1] - kh) // s + 1, (x.shape[2] - kw) // s + 1
    out = np.zeros((x.shape[0], oh, ow, c_out))
    for m in range(kh):
        for q in range(kw):
            out += x[:, m : m + s * (oh - 1) + 1 : s, q : q + s * (ow - 1) + 1 : s, :] @ w[m, q]
    return out
""",
    "conv2d_backward": """
def conv2d_backward(x, w, delta, padding=0):
    dw, _, dx = _backward_ok(x, w, delta, padding)
    return dw, np.asarray(delta, np.float64).sum(axis=0), dx   # db summed over the batch only
""",
}


def _with_backward_ok(source):
    """``source`` plus the reference's conv2d_backward renamed ``_backward_ok``, which some
    mutants reuse for the parts they get right."""
    node = next(
        n
        for n in ast.parse(REF).body
        if isinstance(n, ast.FunctionDef) and n.name == "conv2d_backward"
    )
    lines = REF.splitlines(keepends=True)[node.lineno - 1 : node.end_lineno]
    body = "".join(lines).replace("def conv2d_backward(", "def _backward_ok(", 1)
    return source + "\n\n" + body


@pytest.mark.parametrize(
    "mutant",
    [MUTANT_FLIPS_AND_AXES, MUTANT_BORDERS_AND_SIZES, MUTANT_STRIDES_AND_SUMS],
    ids=["flips_and_axes", "borders_and_sizes", "strides_and_sums"],
)
def test_wrong_implementations_are_caught(mutant):
    result = grade_source(EX, _with_backward_ok(_mutate(mutant)))
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


def test_hidden_edge_cases_catch_what_the_public_checks_miss():
    source = _with_backward_ok(
        _mutate(
            {
                "max_pool2d": MUTANT_BORDERS_AND_SIZES["max_pool2d"],
                "avg_pool2d": MUTANT_STRIDES_AND_SUMS["avg_pool2d"],
            }
        )
    )
    result = grade_source(EX, source, functions=["max_pool2d", "avg_pool2d"])
    for r in result.checks:
        assert (r.status == "passed") == (not r.check.hidden), summary(result)
        if r.check.hidden:
            assert "all values negative" in r.message or "overlapping" in r.message


AUTODIFF_BACKWARD = """
def conv2d_backward(x, w, delta, padding=0):
    import jax
    from jax import lax

    def f(x, w):
        return lax.conv_general_dilated(
            x, w, (1, 1), [(padding, padding)] * 2, dimension_numbers=("NHWC", "HWIO", "NHWC")
        )

    _, pullback = jax.vjp(f, x, w)
    dx, dw = pullback(delta)
    return dw, delta.sum(axis=(0, 1, 2)), dx
"""


def test_autodiff_is_refused_with_the_reason_and_values_alone_would_pass():
    result = grade_source(
        EX,
        _mutate({"conv2d_backward": AUTODIFF_BACKWARD}),
        hidden=False,
        functions=["conv2d_backward"],
    )
    by_name = {r.check.name: r for r in result.checks}
    assert by_name["by_hand"].status == "failed"
    assert "jax.vjp" in by_name["by_hand"].message and "by hand" in by_name["by_hand"].message
    assert all(r.status == "passed" for n, r in by_name.items() if n != "by_hand")


def test_messages_name_the_case_and_the_shape_problem():
    result = grade_source(
        EX,
        _with_backward_ok(_mutate(MUTANT_BORDERS_AND_SIZES)),
        hidden=False,
        functions=["conv2d_backward", "sobel_edges"],
        lang="fr",
    )
    pad1 = next(r for r in result.checks if r.check.name == "padding_1")
    assert "padding 1" in pad1.message and "(2, 6, 5, 3)" in pad1.message  # expected dx shape
    assert "bord du padding" in pad1.hint
    assert passed(result, "sobel_edges") is False


ALTERNATIVE_LOOPS = """
import math

import numpy as np


def _pad2(x, p):
    h, w = len(x), len(x[0])
    return [[x[i - p][j - p] if p <= i < h + p and p <= j < w + p else 0.0
             for j in range(w + 2 * p)] for i in range(h + 2 * p)]


def correlate2d(image, kernel, padding=0, stride=1):
    x = _pad2(np.asarray(image).tolist(), padding)
    k = np.asarray(kernel).tolist()
    kh, kw = len(k), len(k[0])
    oh, ow = (len(x) - kh) // stride + 1, (len(x[0]) - kw) // stride + 1
    return np.array([[sum(x[i * stride + m][j * stride + n] * k[m][n]
                          for m in range(kh) for n in range(kw))
                      for j in range(ow)] for i in range(oh)])


def convolve2d(image, kernel, padding=0, stride=1):
    k = np.asarray(kernel)
    return correlate2d(image, np.rot90(k, 2), padding, stride)


def sobel_edges(image):
    gx = correlate2d(image, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], 1)
    gy = correlate2d(image, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], 1)
    return np.vectorize(math.hypot)(gx, gy)


def median_filter(image, size=3):
    x = np.asarray(image, dtype=np.float64)
    h, w = x.shape
    r = size // 2

    def reflect(i, n):
        return -i if i < 0 else (2 * (n - 1) - i if i >= n else i)

    out = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            values = sorted(x[reflect(i + a, h), reflect(j + b, w)]
                            for a in range(-r, r + 1) for b in range(-r, r + 1))
            out[i, j] = values[len(values) // 2]
    return out


def _pool(x, size, stride, reduce):
    x = np.asarray(x)
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, oh, ow, c))
    for a in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    out[a, i, j, ch] = reduce(
                        x[a, i * stride : i * stride + size, j * stride : j * stride + size, ch]
                    )
    return out


def max_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.max)


def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.mean)


def conv2d(x, w, b, stride=1, padding=0):
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    out = np.empty((n, (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1, c_out))
    for a in range(n):
        for o in range(c_out):
            acc = sum(correlate2d(x[a, :, :, c], w[:, :, c, o], padding, stride) for c in range(c_in))
            out[a, :, :, o] = acc + b[o]
    return out


def conv2d_backward(x, w, delta, padding=0):
    x, w, d = np.asarray(x, np.float64), np.asarray(w, np.float64), np.asarray(delta, np.float64)
    p = padding
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for a in range(n):
        for i in range(d.shape[1]):
            for j in range(d.shape[2]):
                for m in range(kh):
                    for q in range(kw):
                        dw[m, q] += np.outer(xp[a, i + m, j + q], d[a, i, j])
                        dxp[a, i + m, j + q] += w[m, q] @ d[a, i, j]
    return dw, d.sum(axis=(0, 1, 2)), dxp[:, p : p + h, p : p + wd]
"""

ALTERNATIVE_JAX = """
import jax.numpy as jnp
from jax import lax

DN = ("NHWC", "HWIO", "NHWC")


def _conv(x, w, stride, padding):
    return lax.conv_general_dilated(
        jnp.asarray(x, jnp.float32), jnp.asarray(w, jnp.float32), (stride, stride),
        [(padding, padding), (padding, padding)], dimension_numbers=DN,
    )


def correlate2d(image, kernel, padding=0, stride=1):
    k = jnp.asarray(kernel)
    return _conv(jnp.asarray(image)[None, :, :, None], k[:, :, None, None], stride, padding)[0, :, :, 0]


def convolve2d(image, kernel, padding=0, stride=1):
    return correlate2d(image, jnp.flip(jnp.asarray(kernel)), padding, stride)


def sobel_edges(image):
    kx = jnp.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    return jnp.hypot(convolve2d(image, kx, 1), convolve2d(image, kx.T, 1))


def median_filter(image, size=3):
    x = jnp.pad(jnp.asarray(image), size // 2, mode="reflect")
    h, w = jnp.shape(image)
    stack = jnp.stack([x[a : a + h, b : b + w] for a in range(size) for b in range(size)])
    return jnp.median(stack, axis=0)


def max_pool2d(x, size=2, stride=2):
    return lax.reduce_window(jnp.asarray(x), -jnp.inf, lax.max, (1, size, size, 1), (1, stride, stride, 1), "VALID")


def avg_pool2d(x, size=2, stride=2):
    s = lax.reduce_window(jnp.asarray(x), 0.0, lax.add, (1, size, size, 1), (1, stride, stride, 1), "VALID")
    return s / (size * size)


def conv2d(x, w, b, stride=1, padding=0):
    return _conv(x, w, stride, padding) + jnp.asarray(b)


def conv2d_backward(x, w, delta, padding=0):
    x, w, d = jnp.asarray(x, jnp.float32), jnp.asarray(w, jnp.float32), jnp.asarray(delta, jnp.float32)
    kh, kw = w.shape[:2]
    p = padding
    xp = jnp.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    # step I: correlate the padded input with delta, batch as the contracted "channel"
    dw = lax.conv_general_dilated(
        xp.transpose(3, 1, 2, 0), d.transpose(1, 2, 0, 3), (1, 1), "VALID", dimension_numbers=DN
    ).transpose(1, 2, 0, 3)
    # step II: full correlation of delta with the rotated kernel, channels swapped
    dxp = lax.conv_general_dilated(
        d, jnp.flip(w, (0, 1)).transpose(0, 1, 3, 2), (1, 1), [(kh - 1, kh - 1), (kw - 1, kw - 1)],
        dimension_numbers=DN,
    )
    h, wd = x.shape[1], x.shape[2]
    return dw, d.sum(axis=(0, 1, 2)), dxp[:, p : p + h, p : p + wd, :]
"""


@pytest.mark.parametrize(
    ("source", "hidden"),
    [(ALTERNATIVE_LOOPS, True), (ALTERNATIVE_JAX, False)],
    ids=["loops_with_hidden", "jax_lax_public"],
)
def test_correct_alternatives_pass(source, hidden):
    # The jax version runs the public checks only: its hidden run costs ~30 s of jax
    # compilation on a loaded machine (it passes them too, see the report of issue 5).
    result = grade_source(EX, source, hidden=hidden)
    assert result.score == result.max_score, summary(result)
