"""Hidden checks for ex08_backprop: other architectures (deeper, one output unit), float64
and jax inputs, saturated neurons in the tiny network."""

from __future__ import annotations

import numpy as np

from grader.course.ex08_backprop import (
    BACKPROP_HINT,
    CACHE_HINT,
    TINY_HINT,
    judge_backprop,
    net_cases,
    tiny_cases,
)
from grader.spec import Tolerance, compare, prop

CHECKS = [
    compare(
        "tiny_net_grads",
        "hidden_jax_and_saturated",
        lambda rng: (
            tiny_cases(rng, labels=(1, 0), jax_inputs=True)
            # Weights of size ~4: hidden neurons near 0 or 1, tiny gradients.
            + tiny_cases(rng, labels=(0.0, 1.0), scale=4.0)
        ),
        hint=TINY_HINT,
    ),
    compare(
        "forward_with_cache",
        "hidden_deep_jax_float64",
        lambda rng: (
            net_cases(rng, [([2, 8, 8, 1], 10)], jax_inputs=True)
            + net_cases(rng, [([5, 7, 3], 3)], dtype=np.float64)
        ),
        tol=Tolerance(float64=(1e-9, 1e-12)),
        hint=CACHE_HINT,
    ),
    prop(
        "backprop",
        "hidden_architectures",
        lambda rng: (
            net_cases(rng, [([2, 3, 4, 3, 2], 32)], jax_inputs=True, targets=True)
            + net_cases(rng, [([6, 1], 7)], targets=True)
            + net_cases(rng, [([3, 8, 1], 32), ([7, 2, 5], 5)], dtype=np.float64, targets=True)
        ),
        judge_backprop,
        points=2,
        hint=BACKPROP_HINT,
    ),
]
