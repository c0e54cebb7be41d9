"""Hidden checks for ex07_mlp: other keys and architectures, deep and one-layer networks,
saturated sigmoids, float64 and jax inputs."""

from __future__ import annotations

import numpy as np

from grader.course._ex07_init import check_structure, check_uniform
from grader.course.common import label
from grader.course.ex07_mlp import (
    FORWARD_HINT,
    LOGITS_HINT,
    evaluate_cases,
    forward_cases,
    init_shape_cases,
    judge_independent,
    judge_shapes,
    make_judge_evaluate,
)
from grader.hints import hint_for
from grader.spec import Case, Tolerance, compare, key, ok, prop


def judge_shapes_and_uniform(cases, outputs):
    verdict = judge_shapes(cases, outputs)
    if not verdict.passed:
        return verdict
    # Pool every case's values: the shapes here are too small to judge the spread one by one.
    pooled = []
    for case, out in zip(cases, outputs, strict=True):
        layers, _ = check_structure(out, list(case.args[1]))
        pooled += layers
    bad = check_uniform(pooled)
    return bad if bad is not None else ok()


def independence_cases(rng):
    return [
        Case((key(21), sizes), label=label(f"sizes {sizes}", f"tailles {sizes}"))
        for sizes in ([4, 4, 4, 4, 4], [5, 5], [1, 1, 1])
    ]


def forward_hidden(rng):
    return (
        forward_cases(rng, [([2, 8, 8, 8, 1], 10)], jax_inputs=True)
        + forward_cases(rng, [([5, 7, 3], 4)], dtype=np.float64)
        + forward_cases(rng, [([4, 4, 4], 1)])
        # Weighted inputs in the hundreds: σ saturates at 0 and 1, and must not give NaN.
        + forward_cases(rng, [([6, 5, 2], 6)], x_scale=100.0)
    )


def logits_hidden(rng):
    return (
        forward_cases(rng, [([2, 8, 8, 8, 3], 10)], jax_inputs=True)
        + forward_cases(rng, [([5, 7, 3], 4)], dtype=np.float64)
        + forward_cases(rng, [([3, 3, 3, 3], 6)])
        + forward_cases(rng, [([4, 6, 1], 5)], x_scale=100.0)
    )


CHECKS = [
    prop(
        "init_mlp",
        "hidden_shapes_and_range",
        lambda rng: init_shape_cases(rng, ([3, 4, 4, 1], [5, 1], [40, 40, 3]), seed=40),
        judge_shapes_and_uniform,
    ),
    prop(
        "init_mlp", "hidden_independent_draws", independence_cases, judge_independent, hidden=True
    ),
    compare(
        "mlp_forward",
        "hidden_deep_saturated_jax_float64",
        forward_hidden,
        points=2,
        # float64 answers are judged against the float64 reference with a float64 tolerance.
        tol=Tolerance(float64=(1e-9, 1e-12)),
        hint=hint_for(FORWARD_HINT, "answer", "broadcast"),
    ),
    compare(
        "mlp_logits",
        "hidden_deep_large_jax_float64",
        logits_hidden,
        tol=Tolerance(float64=(1e-9, 1e-12)),
        hint=LOGITS_HINT,
    ),
    prop(
        "evaluate",
        "hidden_jax_inputs",
        lambda rng: (
            evaluate_cases(rng, [([8, 10, 10, 4], 50)], jax_inputs=True)
            + evaluate_cases(rng, [([2, 2], 1)])
        ),
        make_judge_evaluate(hidden=True),
    ),
]
