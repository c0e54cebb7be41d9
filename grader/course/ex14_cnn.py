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
    _array,
    judge_budget,
    judge_eval,
    judge_keyed,
    judge_train,
)
from grader.course.common import label
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Case, Exercise, budget, compare, fail, key, ok, prop

# The training check is a time budget relative to the reference CNN (13,706 parameters),
# trained by the same driver on the same inputs in the same kind of sandbox at the same
# moment (grader/budget.py): load and caches cancel out. The driver compiles its step
# afresh on every call, from the persistent compilation cache after the warm-up.
# TRAIN_RATIO leaves room for any reasonable small CNN, not for a network costing
# hundreds of times more than needed.
TRAIN_RATIO = 20.0
TRAIN_TIMEOUT = 120.0  # one call at most (the first compiles the student's CNN)
TRAIN_ROUNDS = 1  # a training costs seconds; 20x leaves room for the noise of one round
TRAIN_OPTIONS = {"epochs": 10, "batch_size": 64, "lr": 3e-3}
N_HELD_OUT = 400


@cache
def digits():
    """scikit-learn's bundled 8x8 digits as NHWC float32 images in [0, 1], and int labels."""
    from jaxnn.data import load_digits

    return tuple(load_digits())


def digits_split(rng, n_held_out=N_HELD_OUT):
    """A random split: (x_train, y_train, x_test, y_test)."""
    x, y = digits()
    order = rng.permutation(len(x))
    test, train = order[:n_held_out], order[n_held_out:]
    return x[train], y[train], x[test], y[test]


# -- init_cnn -----------------------------------------------------------------------------------


def init_digits(rng):
    x_train, _, _, _ = digits_split(rng, 4)
    return [
        Case(
            (key(0), key(1), (8, 8, 1), 10, x_train[:4]),
            label=label(
                "init_cnn(key, (8, 8, 1), 10) for 8x8 digits",
                "init_cnn(key, (8, 8, 1), 10) pour les chiffres 8x8",
            ),
        )
    ]


# -- cnn_apply ----------------------------------------------------------------------------------


def eval_digits(rng):
    x, _, _, _ = digits_split(rng, 8)
    return [
        Case(
            (key(2), (8, 8, 1), 10, x[:7]),
            label=label("7 digits, evaluation mode", "7 chiffres, mode évaluation"),
        ),
        Case(
            (key(3), (8, 8, 1), 10, x[7:8]),
            label=label("a batch of one digit", "un lot d'un seul chiffre"),
        ),
    ]


def train_digits(rng):
    x_train, y_train, x_test, y_test = digits_split(rng)
    return [
        Case(
            (key(int(rng.integers(2**31))), x_train, y_train, x_test, 10),
            label=label(
                f"{len(x_train)} training digits, {len(x_test)} held-out digits, 10 epochs of Adam",
                f"{len(x_train)} chiffres d'entraînement, {len(x_test)} chiffres réservés, "
                "10 époques d'Adam",
            ),
            secret=y_test,
        )
    ]


# -- residual_block -----------------------------------------------------------------------------


def residual_params(rng, c, m, scale=1.0, dtype=np.float32):
    """Random params of a residual block C → M → C, weights ~ N(0, scale² · 2 / fan_in)."""
    return {
        "conv1": {
            "w": (rng.normal(size=(3, 3, c, m)) * scale * np.sqrt(2 / (9 * c))).astype(dtype),
            "b": (rng.normal(size=m) * 0.5).astype(dtype),
        },
        "conv2": {
            "w": (rng.normal(size=(3, 3, m, c)) * scale * np.sqrt(2 / (9 * m))).astype(dtype),
            "b": (rng.normal(size=c) * 0.5).astype(dtype),
        },
    }


def residual_cases(rng):
    out = []
    for n, h, w, c, m in [(2, 8, 8, 4, 4), (1, 5, 5, 3, 8), (3, 6, 7, 2, 6)]:
        x = rng.normal(size=(n, h, w, c)).astype(np.float32)
        out.append(
            Case(
                (residual_params(rng, c, m), x),
                label=label(
                    f"random params, x of shape {(n, h, w, c)}, C={c} → M={m} → C={c}",
                    f"paramètres aléatoires, x de forme {(n, h, w, c)}, C={c} → M={m} → C={c}",
                ),
            )
        )
    return out


def zero_params(c, m, dtype=np.float32):
    return {
        "conv1": {"w": np.zeros((3, 3, c, m), dtype), "b": np.zeros(m, dtype)},
        "conv2": {"w": np.zeros((3, 3, m, c), dtype), "b": np.zeros(c, dtype)},
    }


def zero_cases(rng):
    x = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
    return [
        Case(
            (zero_params(3, 5), x),
            label=label(
                "zero weights and biases, x with negative values",
                "poids et biais nuls, x avec des valeurs négatives",
            ),
        )
    ]


def judge_identity(cases, outputs):
    """Seed 002: with w = 0 and b = 0 the block is relu(x + 0) = relu(x)."""
    for case, out in zip(cases, outputs, strict=True):
        x = np.asarray(case.args[1], np.float64)
        got = _array(out)
        if got is None or got.shape != x.shape:
            shape = None if got is None else got.shape
            return fail(
                f"with zero weights the block must return an array of the input's shape {x.shape}, "
                f"got {shape}: both convolutions are 'SAME'-padded and conv2 brings M back to C.",
                f"avec des poids nuls le bloc doit renvoyer un tableau de la forme de l'entrée "
                f"{x.shape}, obtenu {shape} : les deux convolutions ont un padding 'SAME' et conv2 "
                "ramène M à C.",
            )
        want = np.maximum(x, 0.0)
        if not np.allclose(got.astype(np.float64), want, rtol=1e-6, atol=1e-6):
            if np.allclose(got.astype(np.float64), x, atol=1e-6):
                why = Text(
                    "you return x itself: the ReLU must come after the addition, relu(x + F(x)).",
                    "vous renvoyez x lui-même : le ReLU doit venir après l'addition, "
                    "relu(x + F(x)).",
                )
            else:
                why = Text(
                    "with zero weights and biases F(x) = 0, so the block must return relu(x + 0).",
                    "avec des poids et biais nuls F(x) = 0, donc le bloc doit renvoyer relu(x + 0).",
                )
            return fail(
                "seed 002's identity argument fails: with zero weights and biases the block must "
                f"return relu(x); {why.en}",
                "l'argument d'identité du document 002 échoue : avec des poids et biais nuls le "
                f"bloc doit renvoyer relu(x) ; {why.fr}",
            )
    return ok()


RESIDUAL_HINT = Text(
    "relu(x + conv2(relu(conv1(x)))): both convolutions 3x3 with 'SAME' padding and their bias, "
    "a ReLU between them, and the last ReLU after the addition.",
    "relu(x + conv2(relu(conv1(x)))) : deux convolutions 3x3 avec padding 'SAME' et leur biais, "
    "un ReLU entre elles, et le dernier ReLU après l'addition.",
)
RESIDUAL_TOL = Tolerance(float32=(1e-4, 1e-5))

EXERCISE = Exercise(
    id="ex14_cnn",
    title=Text(
        "A convolutional network and a residual block", "Un réseau convolutif et un bloc résiduel"
    ),
    checks=[
        prop(
            "init_cnn",
            "parameter_budget",
            init_digits,
            judge_budget,
            driver="ex14_init",
            timeout=60,
            hint=Text(
                f"At most {MAX_PARAMS:,} parameters, all float arrays; pool before the dense head.",
                f"Au plus {MAX_PARAMS:,} paramètres, tous des tableaux de flottants ; faites un "
                "pooling avant la tête dense.",
            ),
        ),
        prop(
            "init_cnn",
            "random_from_the_key",
            init_digits,
            judge_keyed,
            driver="ex14_init",
            timeout=60,
        ),
        prop(
            "cnn_apply",
            "evaluation_mode",
            eval_digits,
            judge_eval,
            driver="ex14_eval",
            timeout=60,
            # Also for the TypeError of a cnn_apply that requires a key.
            hint=hint_for(
                Text(
                    "cnn_apply(params, x) must work without a key, be deterministic and return "
                    "logits of shape (N, num_classes).",
                    "cnn_apply(params, x) doit fonctionner sans clé, être déterministe et renvoyer "
                    "des logits de forme (N, num_classes).",
                ),
                "answer",
                "exception",
            ),
        ),
        budget(
            "cnn_apply",
            "trains_on_digits",
            train_digits,
            TRAIN_RATIO,
            judge=judge_train,
            timeout=TRAIN_TIMEOUT,
            rounds=TRAIN_ROUNDS,
            points=4,
            driver="ex14_train",
            options=TRAIN_OPTIONS,
            hint=hint_for(
                Text(
                    "The grader trains your CNN itself (Adam, softmax cross-entropy, 10 epochs) and "
                    f"needs {100 * MIN_ACCURACY:.0f} % held-out accuracy, in at most {TRAIN_RATIO:g}× "
                    "the reference CNN's training time: "
                    "two conv/ReLU/max-pool stages and a small dense head are plenty.",
                    "Le correcteur entraîne lui-même votre CNN (Adam, entropie croisée softmax, "
                    f"10 époques) et exige {100 * MIN_ACCURACY:.0f} % de réussite sur les chiffres "
                    f"réservés, en au plus {TRAIN_RATIO:g} × le temps d'entraînement du CNN de "
                    "référence : deux étages conv/ReLU/max-pool et "
                    "une petite tête dense suffisent.",
                ),
                "answer",
                "timeout",  # accuracy and time both: also when it does not finish at all
            ),
        ),
        compare(
            "residual_block",
            "random_params",
            residual_cases,
            points=2,
            tol=RESIDUAL_TOL,
            hint=RESIDUAL_HINT,
        ),
        prop(
            "residual_block",
            "zero_weights_identity",
            zero_cases,
            judge_identity,
            hint=RESIDUAL_HINT,
        ),
    ],
)
