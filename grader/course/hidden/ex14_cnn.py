"""Hidden checks for ex14_cnn: other input shapes and class counts, jax and float64 inputs,
channel-changing residual blocks, and jit."""

from __future__ import annotations

import numpy as np

from grader.course._ex14_judges import _check_logits, judge_eval, judge_identity, judge_keyed
from grader.course.common import as_jax, case
from grader.course.ex14_cnn import (
    BLOCK,
    BLOCK_HINT,
    BLOCK_TOL,
    EVAL,
    INIT,
    residual_params,
    zero_case,
)
from grader.hints import hint_for
from grader.i18n import Text
from grader.judging import case_words, per_case
from grader.spec import compare, fail, key, ok, prop, transform


def init_other_shapes(rng):
    return [
        case(
            f"{s} images and {k} classes", f"images {s} et {k} classes", key(a), key(a + 1), s, k, x
        )
        for a, s, k, x in [
            (10, (12, 12, 3), 5, rng.uniform(size=(2, 12, 12, 3)).astype(np.float32)),
            (12, (16, 16, 1), 3, rng.uniform(size=(3, 16, 16, 1)).astype(np.float32)),
        ]
    ]


@per_case
def _applies(case, out):
    """cnn_apply runs on the parameters init_cnn made, and gives logits of the right shape."""
    en, fr = what = case_words(case)
    call = f"init_cnn(key, {case.args[2]}, {case.args[3]})"
    if out.get("apply_error"):
        err = out["apply_error"]
        return fail(
            f"{en}: {err} on the parameters that {call} made. Size each layer from input_shape and "
            "num_classes: after two 2x2 poolings the flattened size is (H // 4) * (W // 4) * "
            "filters.",
            f"{fr} : {err} sur les paramètres créés par {call}. Dimensionnez chaque couche d'après "
            "input_shape et num_classes : après deux poolings 2x2 la taille aplatie vaut "
            "(H // 4) * (W // 4) * filtres.",
        )
    return _check_logits(out.get("logits"), len(case.args[4]), int(case.args[3]), what) or ok()


def judge_other_shapes(cases, outputs):
    verdict = judge_keyed(cases, outputs)
    return _applies(cases, outputs) if verdict.passed else verdict


def eval_other_shapes(rng):
    en, fr = "(12, 12, 3) images, 5 classes", "images (12, 12, 3), 5 classes"
    x = rng.uniform(size=(1, 12, 12, 3)).astype(np.float32)
    x_jax = as_jax(rng.uniform(size=(6, 12, 12, 3)), "float32")
    return [
        case(f"{en}, a batch of one", f"{fr}, un lot d'une image", key(20), (12, 12, 3), 5, x),
        case(f"{en}, a jax batch of 6", f"{fr}, un lot jax de 6", key(21), (12, 12, 3), 5, x_jax),
    ]


def residual_hidden(rng):
    out = []
    for shape, m, dtype, jax_input in [
        ((1, 4, 4, 1), 16, "float32", False),
        ((2, 7, 5, 6), 3, "float32", True),
        ((2, 3, 9, 5), 5, "float64", False),
    ]:
        x, c = rng.normal(size=shape) * 2.0, shape[-1]
        what = "jax" if jax_input else f"numpy {dtype}"
        params = residual_params(rng, c, m, scale=1.5, dtype=np.dtype(dtype))
        en = f"{what} x of shape {shape}, C={c} → M={m} → C={c}"
        fr = f"x {what} de forme {shape}, C={c} → M={m} → C={c}"
        out.append(case(en, fr, params, as_jax(x, dtype) if jax_input else x.astype(dtype)))
    return out


def residual_jit(rng):
    x = rng.normal(size=(2, 5, 6, 3)).astype(np.float32)
    return [
        case("under jax.jit, C=3 → M=4", "sous jax.jit, C=3 → M=4", residual_params(rng, 3, 4), x)
    ]


def zero_hidden(rng):
    return [
        zero_case(
            rng,
            "zero weights, C=1 → M=8, one image",
            "poids nuls, C=1 → M=8, une image",
            (1, 4, 3, 1),
            8,
        ),
        zero_case(rng, "zero weights, C=4 → M=2", "poids nuls, C=4 → M=2", (3, 5, 5, 4), 2),
    ]


# Layers sized for 8x8x1, and a squeezed batch of one, also show as a matmul that does not fit.
SHAPES_HINT = Text(
    "Size the layers from input_shape = (H, W, C) and num_classes, not from 8x8x1 and 10.",
    "Dimensionnez les couches d'après input_shape = (H, W, C) et num_classes, pas d'après 8x8x1 "
    "et 10.",
)
SQUEEZE_HINT = Text(
    "Flatten with x.reshape(x.shape[0], -1) (never squeeze: a batch of one must stay a batch).",
    "Aplatissez avec x.reshape(x.shape[0], -1) (jamais squeeze : un lot d'une image reste un lot).",
)

CHECKS = [
    prop(
        "init_cnn",
        "other_input_shapes",
        init_other_shapes,
        judge_other_shapes,
        **INIT,
        hint=hint_for(SHAPES_HINT, "answer", "broadcast"),
    ),
    prop(
        "cnn_apply",
        "other_shapes_batch_of_one",
        eval_other_shapes,
        judge_eval,
        **EVAL,
        hint=hint_for(SQUEEZE_HINT, "answer", "broadcast"),
    ),
    compare("residual_block", "channels_dtypes_jax", residual_hidden, points=2, **BLOCK),
    transform("residual_block", "jit", residual_jit, tol=BLOCK_TOL),
    prop(
        "residual_block",
        "zero_weights_identity_channels",
        zero_hidden,
        judge_identity,
        hint=BLOCK_HINT,
    ),
]
