"""Reference solution — ex05: counting parameters and shapes (seed 000, 002, 004).

Instructor side: never shipped to students. Plain integer arithmetic; every answer is a Python
``int`` (or a tuple of them). The grader's judges recompute the same formulas on their own.
"""

from __future__ import annotations

import itertools


def count_dense_params(sizes):
    """Σ over consecutive layers of ``n_in · n_out`` weights plus ``n_out`` biases."""
    sizes = [int(s) for s in sizes]
    return sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))


def conv_output_size(h, k, p=0, s=1):
    """Seed 002: ``⌊(H − K + 2P)/S⌋ + 1``."""
    return (int(h) - int(k) + 2 * int(p)) // int(s) + 1


def same_padding(k):
    """Seed 002: ``P = (K − 1)/2`` keeps the size at stride 1 (odd ``K``)."""
    return (int(k) - 1) // 2


def count_conv_params(kh, kw, c_in, c_out):
    """``c_out`` filters of ``kh · kw · c_in`` weights, plus one bias per filter."""
    return int(kh) * int(kw) * int(c_in) * int(c_out) + int(c_out)


def cnn_output_shape(input_shape, layers):
    """The ``(H, W, C)`` after ``("conv", k, c_out, p, s)`` and ``("pool", k, s)`` layers."""
    h, w, c = (int(v) for v in input_shape)
    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, k, c_out, p, s = layer
            h, w, c = conv_output_size(h, k, p, s), conv_output_size(w, k, p, s), int(c_out)
        elif kind == "pool":
            _, k, s = layer
            h, w = conv_output_size(h, k, 0, s), conv_output_size(w, k, 0, s)
        else:
            raise ValueError(f"unknown layer kind {kind!r}: expected 'conv' or 'pool'")
    return (h, w, c)
