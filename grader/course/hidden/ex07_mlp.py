"""Hidden checks for ex07_mlp: other keys and architectures, deep and one-layer networks,
saturated sigmoids, float64 and jax inputs."""

from __future__ import annotations

import numpy as np

from grader.course.common import case
from grader.course.ex07_mlp import (
    FORWARD_HINT,
    LOGITS_HINT,
    evaluate_cases,
    forward_cases,
    init_shape_cases,
    judge_evaluate,
    judge_independent,
    judge_uniform,
)
from grader.hints import hint_for
from grader.spec import Tolerance, compare, key, prop

# float64 answers are judged against the float64 reference with a float64 tolerance.
FLOAT64 = Tolerance(float64=(1e-9, 1e-12))


def deep_cases(rng, classes, small, saturated):
    """A deep network on jax float32 inputs, a float64 one, a ``small`` one, and a ``saturated``
    one (each spec a (sizes, N) pair)."""
    return (
        forward_cases(rng, [([2, 8, 8, 8, classes], 10)], jax_inputs=True)
        + forward_cases(rng, [([5, 7, 3], 4)], dtype=np.float64)
        + forward_cases(rng, [small])
        # Weighted inputs in the hundreds: σ saturates at 0 and 1, and must not give NaN.
        + forward_cases(rng, [saturated], x_scale=100.0)
    )


CHECKS = [
    prop(
        "init_mlp",
        "hidden_shapes_and_range",
        # judge_uniform pools every case's values: these shapes are too small one by one.
        lambda rng: init_shape_cases(rng, ([3, 4, 4, 1], [5, 1], [40, 40, 3]), seed=40),
        judge_uniform,
    ),
    prop(
        "init_mlp",
        "hidden_independent_draws",
        lambda rng: [
            case(f"sizes {sizes}", f"tailles {sizes}", key(21), sizes)
            for sizes in ([4, 4, 4, 4, 4], [5, 5], [1, 1, 1])
        ],
        judge_independent,
    ),
    compare(
        "mlp_forward",
        "hidden_deep_saturated_jax_float64",
        lambda rng: deep_cases(rng, 1, ([4, 4, 4], 1), ([6, 5, 2], 6)),
        points=2,
        tol=FLOAT64,
        hint=hint_for(FORWARD_HINT, "answer", "broadcast"),
    ),
    compare(
        "mlp_logits",
        "hidden_deep_large_jax_float64",
        lambda rng: deep_cases(rng, 3, ([3, 3, 3, 3], 6), ([4, 6, 1], 5)),
        tol=FLOAT64,
        hint=LOGITS_HINT,
    ),
    prop(
        "evaluate",
        "hidden_jax_inputs",
        lambda rng: (
            evaluate_cases(rng, [([8, 10, 10, 4], 50)], jax_inputs=True)
            + evaluate_cases(rng, [([2, 2], 1)])
        ),
        judge_evaluate,
    ),
]
