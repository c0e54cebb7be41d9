"""Checks for ex14_cnn (public): the student's CNN, trained by the grader, and a residual block.

``init_cnn``/``cnn_apply`` are judged by what the grader's own training loop
(``grader/sandboxed/drivers/ex14.py``: Adam, softmax cross-entropy, jit) reaches with them on held-out
digits. The worker receives the training images with their labels and the held-out images
without theirs; the held-out labels stay here, in the case's ``secret``, for the judges
(``_ex14_judges.py``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.compare import Tolerance
from grader.course._ex14_judges import (
    MAX_PARAMS,
    MIN_ACCURACY,
    judge_budget,
    judge_eval,
    judge_identity,
    judge_keyed,
    judge_train,
)
from grader.course.common import case, label
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, Exercise, budget, compare, key, prop

# The training check is a time budget relative to the reference CNN (13,706 parameters),
# trained by the same driver on the same inputs in the same kind of sandbox at the same
# moment (grader/budget.py): load and caches cancel out. The driver compiles its step
# afresh on every call, from the persistent compilation cache after the warm-up.
# TRAIN_RATIO leaves room for any reasonable small CNN, not for a network costing
# hundreds of times more than needed.
TRAIN_RATIO = 20.0
TRAIN = {
    "driver": "ex14_train",
    "options": {"epochs": 10, "batch_size": 64, "lr": 3e-3},
    "timeout": 120.0,  # one call at most (the first compiles the student's CNN)
    "rounds": 1,  # a training costs seconds; 20x leaves room for the noise of one round
}
INIT, EVAL = {"driver": "ex14_init", "timeout": 60}, {"driver": "ex14_eval", "timeout": 60}
DIGITS = ((8, 8, 1), 10)  # init_cnn's input_shape and num_classes for the digits


@cache
def digits():
    """scikit-learn's bundled 8x8 digits as NHWC float32 images in [0, 1], and int labels."""
    from jaxnn.data import load_digits

    return tuple(load_digits())


def digits_split(rng, n_held_out=400):
    """A random split: (x_train, y_train, x_test, y_test)."""
    x, y = digits()
    order = rng.permutation(len(x))
    test, train = order[:n_held_out], order[n_held_out:]
    return x[train], y[train], x[test], y[test]


def init_digits(rng):
    x, call = digits_split(rng, 4)[0], "init_cnn(key, (8, 8, 1), 10)"
    return [
        case(f"{call} for 8x8 digits", f"{call} pour les chiffres 8x8", key(0), key(1), *DIGITS, x)
    ]


def eval_digits(rng):
    x = digits_split(rng, 8)[0]
    return [
        case("7 digits, evaluation mode", "7 chiffres, mode évaluation", key(2), *DIGITS, x[:7]),
        case("a batch of one digit", "un lot d'un seul chiffre", key(3), *DIGITS, x[7:8]),
    ]


def train_digits(rng):
    x_train, y_train, x_test, y_test = digits_split(rng)
    n, m = len(x_train), len(x_test)
    en = f"{n} training digits, {m} held-out digits, 10 epochs of Adam"
    fr = f"{n} chiffres d'entraînement, {m} chiffres réservés, 10 époques d'Adam"
    args = (key(int(rng.integers(2**31))), x_train, y_train, x_test, 10)
    return [Case(args, label=label(en, fr), secret=y_test)]


# -- residual_block -----------------------------------------------------------------------------


def residual_params(rng, c, m, scale=1.0, dtype=np.float32):
    """Params of a residual block C → M → C: weights ~ N(0, scale² · 2 / fan_in), biases
    ~ N(0, 0.25); all zero when ``rng`` is None."""
    draw = np.zeros if rng is None else lambda size: rng.normal(size=size)
    return {
        name: {
            "w": (draw((3, 3, i, o)) * scale * np.sqrt(2 / (9 * i))).astype(dtype),
            "b": (draw(o) * 0.5).astype(dtype),
        }
        for name, i, o in (("conv1", c, m), ("conv2", m, c))
    }


def residual_cases(rng):
    out = []
    for shape, m in [((2, 8, 8, 4), 4), ((1, 5, 5, 3), 8), ((3, 6, 7, 2), 6)]:
        x, c = rng.normal(size=shape).astype(np.float32), shape[-1]
        en = f"random params, x of shape {shape}, C={c} → M={m} → C={c}"
        fr = f"paramètres aléatoires, x de forme {shape}, C={c} → M={m} → C={c}"
        out.append(case(en, fr, residual_params(rng, c, m), x))
    return out


def zero_case(rng, en, fr, shape, m):
    """Zero params of a block C → M → C (C = ``shape[-1]``) and x ~ N(0, 1) of ``shape``."""
    x = rng.normal(size=shape).astype(np.float32)
    return case(en, fr, residual_params(None, shape[-1], m), x)


def zero_cases(rng):
    en = "zero weights and biases, x with negative values"
    return [
        zero_case(rng, en, "poids et biais nuls, x avec des valeurs négatives", (2, 6, 6, 3), 5)
    ]


BLOCK_HINT = Text(
    "relu(x + conv2(relu(conv1(x)))): both convolutions 3x3 with 'SAME' padding and their bias, "
    "a ReLU between them, and the last ReLU after the addition.",
    "relu(x + conv2(relu(conv1(x)))) : deux convolutions 3x3 avec padding 'SAME' et leur biais, "
    "un ReLU entre elles, et le dernier ReLU après l'addition.",
)
BLOCK_TOL = Tolerance(float32=(1e-4, 1e-5))
BLOCK = {"tol": BLOCK_TOL, "hint": BLOCK_HINT}

BUDGET_HINT = Text(
    f"At most {MAX_PARAMS:,} parameters, all float arrays; pool before the dense head.",
    f"Au plus {MAX_PARAMS:,} paramètres, tous des tableaux de flottants ; faites un pooling avant "
    "la tête dense.",
)
EVAL_HINT = Text(
    "cnn_apply(params, x) must work without a key, be deterministic and return logits of shape "
    "(N, num_classes).",
    "cnn_apply(params, x) doit fonctionner sans clé, être déterministe et renvoyer des logits de "
    "forme (N, num_classes).",
)
TRAIN_HINT = Text(
    "The grader trains your CNN itself (Adam, softmax cross-entropy, 10 epochs) and needs "
    f"{100 * MIN_ACCURACY:.0f} % held-out accuracy, in at most {TRAIN_RATIO:g}× the reference "
    "CNN's training time: two conv/ReLU/max-pool stages and a small dense head are plenty.",
    "Le correcteur entraîne lui-même votre CNN (Adam, entropie croisée softmax, 10 époques) et "
    f"exige {100 * MIN_ACCURACY:.0f} % de réussite sur les chiffres réservés, en au plus "
    f"{TRAIN_RATIO:g} × le temps d'entraînement du CNN de référence : deux étages "
    "conv/ReLU/max-pool et une petite tête dense suffisent.",
)

EXERCISE = Exercise(
    id="ex14_cnn",
    title=Text(
        "A convolutional network and a residual block", "Un réseau convolutif et un bloc résiduel"
    ),
    checks=[
        prop("init_cnn", "parameter_budget", init_digits, judge_budget, **INIT, hint=BUDGET_HINT),
        prop("init_cnn", "random_from_the_key", init_digits, judge_keyed, **INIT),
        # Also for the TypeError of a cnn_apply that requires a key.
        prop(
            "cnn_apply",
            "evaluation_mode",
            eval_digits,
            judge_eval,
            **EVAL,
            hint=hint_for(EVAL_HINT, "answer", "exception"),
        ),
        # The hint for the accuracy and the time both: also when it does not finish at all.
        budget(
            "cnn_apply",
            "trains_on_digits",
            train_digits,
            TRAIN_RATIO,
            judge=judge_train,
            points=4,
            **TRAIN,
            hint=hint_for(TRAIN_HINT, "answer", "timeout"),
        ),
        compare("residual_block", "random_params", residual_cases, points=2, **BLOCK),
        prop(
            "residual_block", "zero_weights_identity", zero_cases, judge_identity, hint=BLOCK_HINT
        ),
    ],
)
