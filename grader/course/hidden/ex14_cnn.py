"""Hidden checks for ex14_cnn: other input shapes and class counts, jax and float64 inputs,
channel-changing residual blocks, and jit."""

from __future__ import annotations

import numpy as np

from grader.course._ex14_judges import _check_logits
from grader.course.common import as_jax, label
from grader.course.ex14_cnn import (
    RESIDUAL_HINT,
    RESIDUAL_TOL,
    judge_eval,
    judge_identity,
    judge_keyed,
    residual_params,
    zero_params,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, compare, fail, key, ok, prop, transform


def init_other_shapes(rng):
    return [
        Case(
            (key(10), key(11), (12, 12, 3), 5, rng.uniform(size=(2, 12, 12, 3)).astype(np.float32)),
            label=label("(12, 12, 3) images and 5 classes", "images (12, 12, 3) et 5 classes"),
        ),
        Case(
            (key(12), key(13), (16, 16, 1), 3, rng.uniform(size=(3, 16, 16, 1)).astype(np.float32)),
            label=label("(16, 16, 1) images and 3 classes", "images (16, 16, 1) et 3 classes"),
        ),
    ]


def judge_other_shapes(cases, outputs):
    verdict = judge_keyed(cases, outputs)
    if not verdict.passed:
        return verdict
    for case, out in zip(cases, outputs, strict=True):
        what = case.label
        if out.get("apply_error"):
            err = out["apply_error"]
            return fail(
                f"{what.en}: {err} on the parameters that init_cnn(key, {case.args[2]}, "
                f"{case.args[3]}) made. Size each layer from input_shape and num_classes: after "
                "two 2x2 poolings the flattened size is (H // 4) * (W // 4) * filters.",
                f"{what.fr} : {err} sur les paramètres créés par init_cnn(key, {case.args[2]}, "
                f"{case.args[3]}). Dimensionnez chaque couche d'après input_shape et "
                "num_classes : après deux poolings 2x2 la taille aplatie vaut "
                "(H // 4) * (W // 4) * filtres.",
            )
        bad = _check_logits(out.get("logits"), case.args[4].shape[0], int(case.args[3]), what)
        if bad:
            return bad
    return ok()


def eval_other_shapes(rng):
    return [
        Case(
            (key(20), (12, 12, 3), 5, rng.uniform(size=(1, 12, 12, 3)).astype(np.float32)),
            label=label(
                "(12, 12, 3) images, 5 classes, a batch of one",
                "images (12, 12, 3), 5 classes, un lot d'une image",
            ),
        ),
        Case(
            (key(21), (12, 12, 3), 5, as_jax(rng.uniform(size=(6, 12, 12, 3)), "float32")),
            label=label(
                "(12, 12, 3) images, 5 classes, a jax batch of 6",
                "images (12, 12, 3), 5 classes, un lot jax de 6",
            ),
        ),
    ]


def residual_hidden(rng):
    out = []
    specs = [
        (1, 4, 4, 1, 16, "float32", False),
        (2, 7, 5, 6, 3, "float32", True),
        (2, 3, 9, 5, 5, "float64", False),
    ]
    for n, h, w, c, m, dtype, jax_input in specs:
        x = rng.normal(size=(n, h, w, c)) * 2.0
        params = residual_params(rng, c, m, scale=1.5, dtype=np.dtype(dtype))
        if jax_input:
            x_in = as_jax(x, dtype)
            what = ("jax", "jax")
        else:
            x_in = x.astype(dtype)
            what = (f"numpy {dtype}", f"numpy {dtype}")
        out.append(
            Case(
                (params, x_in),
                label=label(
                    f"{what[0]} x of shape {(n, h, w, c)}, C={c} → M={m} → C={c}",
                    f"x {what[1]} de forme {(n, h, w, c)}, C={c} → M={m} → C={c}",
                ),
            )
        )
    return out


def residual_jit(rng):
    x = rng.normal(size=(2, 5, 6, 3)).astype(np.float32)
    return [
        Case(
            (residual_params(rng, 3, 4), x),
            label=label("under jax.jit, C=3 → M=4", "sous jax.jit, C=3 → M=4"),
        )
    ]


def zero_hidden(rng):
    return [
        Case(
            (zero_params(1, 8), rng.normal(size=(1, 4, 3, 1)).astype(np.float32)),
            label=label("zero weights, C=1 → M=8, one image", "poids nuls, C=1 → M=8, une image"),
        ),
        Case(
            (zero_params(4, 2), rng.normal(size=(3, 5, 5, 4)).astype(np.float32)),
            label=label("zero weights, C=4 → M=2", "poids nuls, C=4 → M=2"),
        ),
    ]


CHECKS = [
    prop(
        "init_cnn",
        "other_input_shapes",
        init_other_shapes,
        judge_other_shapes,
        driver="ex14_init",
        timeout=60,
        # Layers sized for 8x8x1 also show as a matmul that does not fit.
        hint=hint_for(
            Text(
                "Size the layers from input_shape = (H, W, C) and num_classes, not from 8x8x1 and 10.",
                "Dimensionnez les couches d'après input_shape = (H, W, C) et num_classes, pas "
                "d'après 8x8x1 et 10.",
            ),
            "answer",
            "broadcast",
        ),
    ),
    prop(
        "cnn_apply",
        "other_shapes_batch_of_one",
        eval_other_shapes,
        judge_eval,
        driver="ex14_eval",
        timeout=60,
        # A squeezed batch of one also shows as a matmul that does not fit.
        hint=hint_for(
            Text(
                "Flatten with x.reshape(x.shape[0], -1) (never squeeze: a batch of one must stay "
                "a batch).",
                "Aplatissez avec x.reshape(x.shape[0], -1) (jamais squeeze : un lot d'une image "
                "reste un lot).",
            ),
            "answer",
            "broadcast",
        ),
    ),
    compare(
        "residual_block",
        "channels_dtypes_jax",
        residual_hidden,
        points=2,
        tol=RESIDUAL_TOL,
        hint=RESIDUAL_HINT,
    ),
    transform("residual_block", "jit", residual_jit, tol=RESIDUAL_TOL),
    prop(
        "residual_block",
        "zero_weights_identity_channels",
        zero_hidden,
        judge_identity,
        hint=RESIDUAL_HINT,
    ),
]
