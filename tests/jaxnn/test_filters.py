"""jaxnn.filters against scipy, on several shapes, paddings and strides."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from scipy import ndimage, signal

from jaxnn import filters


@pytest.mark.parametrize(
    "shape, kshape, padding, stride",
    [
        ((7, 9), (3, 3), 0, 1),
        ((8, 6), (2, 3), 1, 1),
        ((9, 9), (3, 3), 2, 2),
        ((5, 7), (5, 2), 1, 3),
    ],
)
def test_correlate_and_convolve_match_scipy(shape, kshape, padding, stride):
    rng = np.random.default_rng(0)
    img, k = rng.normal(size=shape), rng.normal(size=kshape)
    padded = np.pad(img, padding)
    want_corr = signal.correlate2d(padded, k, mode="valid")[::stride, ::stride]
    want_conv = signal.convolve2d(padded, k, mode="valid")[::stride, ::stride]
    np.testing.assert_allclose(
        filters.correlate2d(img, k, padding, stride), want_corr, rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        filters.convolve2d(img, k, padding, stride), want_conv, rtol=1e-5, atol=1e-5
    )


def test_sobel_matches_the_formula_and_keeps_the_size():
    img = np.random.default_rng(1).uniform(size=(10, 12))
    gx = signal.correlate2d(np.pad(img, 1), np.asarray(filters.SOBEL_X), mode="valid")
    gy = signal.correlate2d(np.pad(img, 1), np.asarray(filters.SOBEL_Y), mode="valid")
    out = filters.sobel_edges(img)
    assert out.shape == img.shape
    np.testing.assert_allclose(out, np.hypot(gx, gy), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", [1, 3, 5])
def test_median_filter_matches_scipy_mirror_mode(size):
    img = np.random.default_rng(2).normal(size=(9, 11)).astype(np.float32)
    # numpy's "reflect" padding is scipy.ndimage's "mirror" mode.
    np.testing.assert_allclose(
        filters.median_filter(img, size), ndimage.median_filter(img, size=size, mode="mirror")
    )


def test_filters_are_jit_compatible():
    img = np.random.default_rng(3).normal(size=(6, 6))
    jitted = jax.jit(filters.correlate2d, static_argnums=(2, 3))
    np.testing.assert_allclose(
        jitted(img, np.ones((3, 3)), 1, 1),
        filters.correlate2d(img, np.ones((3, 3)), 1, 1),
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: filters.correlate2d(np.zeros((2, 3, 3)), np.ones((2, 2))), "shape (H, W)"),
        (lambda: filters.correlate2d(np.zeros((3, 3)), np.ones((4, 2))), "larger than the image"),
        (lambda: filters.correlate2d(np.zeros((3, 3)), np.ones((2, 2)), stride=0), "stride >= 1"),
        (lambda: filters.median_filter(np.zeros((5, 5)), 4), "odd window"),
    ],
)
def test_bad_input_says_what_was_expected(call, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()
