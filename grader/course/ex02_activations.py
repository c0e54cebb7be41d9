"""Checks for ex02_activations (public).

Every compare check runs numpy float32 and float64 inputs (a float64 input may be answered
in float32: it is then judged with float32 tolerances). The stability checks feed |z| up to
1e4, where ``exp`` overflows in float32 and float64 alike; transform checks run the
functions under ``jax.jit`` / ``jax.vmap``, which numpy code cannot do.
"""

from __future__ import annotations

import numpy as np

from grader.course.common import case
from grader.hints import hint_for
from grader.i18n import Text
from grader.spec import Exercise, Spread, Variant, compare, transform

F32, F64 = np.float32, np.float64

# Values where the textbook formulas overflow: e^{1e4} is inf in float32 and float64.
EXTREMES = np.array([-1e4, -1e3, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e3, 1e4])


def normal_cases(rng, scale=3.0):
    """A float32 matrix, a float64 vector and a Python number."""
    m = (scale * rng.normal(size=(3, 5))).astype(F32)
    v = (scale * rng.normal(size=7)).astype(F64)
    x = float(np.round(rng.normal(), 3))
    return [
        case("a float32 matrix of shape (3, 5)", "une matrice float32 de forme (3, 5)", m),
        case("a float64 vector of 7 values", "un vecteur float64 de 7 valeurs", v),
        case("a Python number", "un nombre Python", x),
    ]


def extreme_cases(rng):
    z32, z64 = EXTREMES.astype(F32), EXTREMES.reshape(1, -1).astype(F64)
    return [
        case(
            "float32 values from -1e4 to 1e4 (exp overflows)",
            "des valeurs float32 de -1e4 à 1e4 (exp déborde)",
            z32,
        ),
        case(
            "float64 values from -1e4 to 1e4, shape (1, 11)",
            "des valeurs float64 de -1e4 à 1e4, forme (1, 11)",
            z64,
        ),
    ]


def with_zeros_cases(rng):
    """Random values with exact zeros (and a -0.0) among them."""
    a = rng.normal(size=(3, 4)).astype(F32)
    a[rng.random(size=a.shape) < 0.3] = 0.0
    b = np.array([-2.5, -0.0, 0.0, 1e-30, -1e-30, 4.0], F64)
    return [
        case("float32 (3, 4) with exact zeros", "float32 (3, 4) avec des zéros exacts", a),
        case("float64 values 0, -0.0 and ±1e-30", "float64 : 0, -0.0 et ±1e-30", b),
    ]


def jit_cases(rng):
    z = (3 * rng.normal(size=(4, 6))).astype(F32)
    z[0, :3] = [-1e4, 1e4, 0.0]
    en, fr = (
        "float32 (4, 6) under jax.jit, with ±1e4 and 0",
        "float32 (4, 6) sous jax.jit, avec ±1e4 et 0",
    )
    return [case(en, fr, z)]


def leaky_cases(rng):
    z = rng.normal(size=(4, 3)).astype(F32)
    z[0, 0] = 0.0
    v = np.array([-3.0, -0.5, 0.0, 0.5, 3.0], F64)
    return [
        case("float32 (4, 3), default alpha", "float32 (4, 3), alpha par défaut", z),
        case("float64, alpha=0.2", "float64, alpha=0.2", v, 0.2),
        case("float64, alpha=0.3 by keyword", "float64, alpha=0.3 nommé", v, alpha=0.3),
    ]


def softmax_rows_cases(rng):
    v = rng.normal(size=5).astype(F64)
    m = (2 * rng.normal(size=(3, 5))).astype(F32)
    return [
        case("a float64 vector of 5 logits", "un vecteur float64 de 5 logits", v),
        case(
            "a float32 batch (3, 5), default axis=-1",
            "un lot float32 (3, 5), axis=-1 par défaut",
            m,
        ),
    ]


def softmax_axis_cases(rng):
    a = rng.normal(size=(4, 6)).astype(F64)
    b = rng.normal(size=(3, 5)).astype(F32)
    c = rng.normal(size=(2, 3, 4)).astype(F64)
    return [
        case("(4, 6) with axis=0 (columns)", "(4, 6) avec axis=0 (colonnes)", a, axis=0),
        case("(3, 5) with axis=-1 given", "(3, 5) avec axis=-1 donné", b, -1),
        case("(2, 3, 4) with axis=1", "(2, 3, 4) avec axis=1", c, 1),
    ]


def large_logit_cases(rng):
    z = np.array([[1e4, 1e4 - 1.0, 0.0, -1e4], [-1e4, -1e4, -1e4 + 2.0, -1e4]])
    return [
        case(
            "float32 logits of size 1e4, one row near -1e4",
            "des logits float32 de l'ordre de 1e4, une ligne vers -1e4",
            z.astype(F32),
        ),
        case(
            "float64 logits of size 1e4, axis=0",
            "des logits float64 de l'ordre de 1e4, axis=0",
            z.T.astype(F64),
            0,
        ),
    ]


# Logits of size 1e4 are known to float32 only to a spacing of 1e-3: code computing in float32
# (exp(z − logsumexp(z)), say) answers exactly for logits within one rounding of the given ones,
# which moves softmax by up to 5e-4 where float32's tolerance allows 1e-4 relative. Checks on
# such logits allow twice the spread of the reference evaluated at logits moved by one float32
# ulp in a checkerboard (grader/expect.py); measured: 3.8e-4 on large_logits, 4.9e-4 on vmap,
# 2.6e-4 on the hidden large case, 4e-8 to 1e-7 on ordinary logits.
LOGIT_SPREAD = Spread(2.0, (Variant("logits_within_one_float32_ulp", nudge="float32"),))


def vmap_cases(rng):
    z = (2 * rng.normal(size=(6, 3, 5))).astype(F32)
    z[0, 0] = [1e4, 0.0, -1e4, 1e4, 5.0]
    en, fr = (
        "jax.vmap over 6 batches of shape (3, 5), axis=-1",
        "jax.vmap sur 6 lots de forme (3, 5), axis=-1",
    )
    return [case(en, fr, z)]


def log_softmax_rows_cases(rng):
    m = (2 * rng.normal(size=(3, 5))).astype(F32)
    v = rng.normal(size=6).astype(F64)
    c = rng.normal(size=(4, 3)).astype(F64)
    return [
        case("a float32 batch (3, 5)", "un lot float32 (3, 5)", m),
        case("a float64 vector of 6 logits", "un vecteur float64 de 6 logits", v),
        case("(4, 3) with axis=0", "(4, 3) avec axis=0", c, axis=0),
    ]


def large_gap_cases(rng):
    a = np.array([0.0, 1e4], F32)
    b = np.array([[1e4, 0.0, -1e4], [1e3, 1e3, 0.0]], F64)
    return [
        case("float32 logits [0, 1e4]", "des logits float32 [0, 1e4]", a),
        case(
            "float64 logits with gaps of 1e3 to 2e4",
            "des logits float64 avec des écarts de 1e3 à 2e4",
            b,
        ),
    ]


def log_softmax_jit_cases(rng):
    z = (2 * rng.normal(size=(4, 5))).astype(F32)
    z[1] = [0.0, 1e4, -1e4, 3.0, 1e4]
    return [
        case("float32 (4, 5) under jax.jit", "float32 (4, 5) sous jax.jit", z),
        case(
            "float32 (4, 5) under jax.jit, axis=0 (static)",
            "float32 (4, 5) sous jax.jit, axis=0 (statique)",
            z,
            0,
        ),
    ]


SIGMOID_HINT = hint_for(
    Text(
        "σ(z) = 1/(1 + e^{-z}) elementwise on arrays of any shape: choose between two forms with np.where / jnp.where, not with a Python `if` on the array.",
        "σ(z) = 1/(1 + e^{-z}) élément par élément sur des tableaux de toute forme : choisissez entre deux formes avec np.where / jnp.where, pas avec un `if` Python sur le tableau.",
    ),
    "answer",
    "ambiguous",  # the Python `if` on an array it speaks of
)
OVERFLOW_SIGMOID = hint_for(
    Text(
        "exp(z) or exp(-z) overflows to inf for |z| = 1e4 and inf/inf is NaN. Only evaluate e = exp(-|z|): σ(z) = 1/(1 + e) where z >= 0, e/(1 + e) where z < 0.",
        "exp(z) ou exp(-z) déborde vers inf pour |z| = 1e4 et inf/inf vaut NaN. N'évaluez que e = exp(-|z|) : σ(z) = 1/(1 + e) si z >= 0, e/(1 + e) si z < 0.",
    ),
    "nonfinite",
)
SIGMOID_PRIME_HINT = Text(
    "σ'(z) = σ(z)·(1 − σ(z)), with σ your sigmoid.",
    "σ'(z) = σ(z)·(1 − σ(z)), avec σ votre sigmoïde.",
)
RELU_HINT = Text(
    "An elementwise maximum: np.maximum(z, 0) (np.max(z, 0) is a max along axis 0).",
    "Un maximum élément par élément : np.maximum(z, 0) (np.max(z, 0) est un max le long de l'axe 0).",
)
RELU_PRIME_HINT = Text(
    "relu'(z) is 1 for z > 0 and 0 for z <= 0: 0 at exactly 0.",
    "relu'(z) vaut 1 pour z > 0 et 0 pour z <= 0 : 0 en 0 exactement.",
)
TANH_HINT = Text(
    "tanh(z) = (e^z − e^-z)/(e^z + e^-z) = 2σ(2z) − 1, elementwise.",
    "tanh(z) = (e^z − e^-z)/(e^z + e^-z) = 2σ(2z) − 1, élément par élément.",
)
OVERFLOW_TANH = hint_for(
    Text(
        "(e^z − e^-z)/(e^z + e^-z) is inf/inf = NaN for |z| = 1e4. Use np.tanh / jnp.tanh, or sign(z)·(1 − e^{-2|z|})/(1 + e^{-2|z|}).",
        "(e^z − e^-z)/(e^z + e^-z) vaut inf/inf = NaN pour |z| = 1e4. Utilisez np.tanh / jnp.tanh, ou sign(z)·(1 − e^{-2|z|})/(1 + e^{-2|z|}).",
    ),
    "nonfinite",
)
LEAKY_HINT = Text(
    "z where z > 0, alpha·z elsewhere, with the alpha passed in (default 0.01).",
    "z si z > 0, alpha·z sinon, avec l'alpha reçu (0.01 par défaut).",
)
JIT_HINT = hint_for(
    Text(
        "Under jax.jit the input is a tracer: numpy functions (np.exp, np.where…) and Python `if` on values cannot handle it. Write the function with jax.numpy (jnp), which also accepts numpy inputs.",
        "Sous jax.jit l'entrée est un traceur : les fonctions numpy (np.exp, np.where…) et les `if` Python sur des valeurs ne le supportent pas. Écrivez la fonction avec jax.numpy (jnp), qui accepte aussi les entrées numpy.",
    ),
    "tracer",
)
AXIS_HINT = Text(
    "Normalise along `axis` only: max and sum with axis=axis and keepdims=True (so that they broadcast back), not over the whole array and not always along the last axis.",
    "Normalisez le long de `axis` seulement : max et somme avec axis=axis et keepdims=True (pour qu'ils se diffusent), ni sur tout le tableau ni toujours sur le dernier axe.",
)
MAX_TRICK = Text(
    "e^{1e4} is inf: subtract m = max(z, axis=axis, keepdims=True) from z before exp (softmax(z) = softmax(z − m)); the max must be taken along the same axis, row by row.",
    "e^{1e4} vaut inf : soustrayez m = max(z, axis=axis, keepdims=True) à z avant exp (softmax(z) = softmax(z − m)) ; le max se prend le long du même axe, ligne par ligne.",
)
LOG_SOFTMAX_HINT = Text(
    "log(softmax(z)) is log(0) = -inf where a probability underflows. Compute (z − m) − log(sum(exp(z − m), axis, keepdims=True)) with m the max along axis.",
    "log(softmax(z)) vaut log(0) = -inf quand une probabilité est arrondie à 0. Calculez (z − m) − log(sum(exp(z − m), axis, keepdims=True)) avec m le max le long de axis.",
)
# A missing keepdims shows as wrong values, a wrong shape, or a broadcasting error.
AXIS_HINTS = hint_for(AXIS_HINT, "answer", "broadcast")

EXERCISE = Exercise(
    id="ex02_activations",
    title=Text("Activation functions", "Fonctions d'activation"),
    checks=[
        compare("sigmoid", "values", normal_cases, hint=SIGMOID_HINT),
        compare("sigmoid", "large_inputs", extreme_cases, hint=OVERFLOW_SIGMOID),
        transform("sigmoid", "jit", jit_cases, points=0.5, hint=JIT_HINT),
        compare("sigmoid_prime", "values", normal_cases, hint=SIGMOID_PRIME_HINT),
        compare("relu", "values", with_zeros_cases, points=0.5, hint=RELU_HINT),
        compare("relu_prime", "values_and_zero", with_zeros_cases, hint=RELU_PRIME_HINT),
        compare("tanh", "values", normal_cases, points=0.5, hint=TANH_HINT),
        compare("tanh", "large_inputs", extreme_cases, hint=OVERFLOW_TANH),
        transform("tanh", "jit", jit_cases, points=0.5, hint=JIT_HINT),
        compare("leaky_relu", "default_and_alpha", leaky_cases, hint=LEAKY_HINT),
        compare("softmax", "rows", softmax_rows_cases, hint=AXIS_HINTS),
        compare("softmax", "axis", softmax_axis_cases, hint=AXIS_HINTS),
        compare(
            "softmax",
            "large_logits",
            large_logit_cases,
            spread=LOGIT_SPREAD,
            hint=hint_for(MAX_TRICK, "nonfinite"),
        ),
        transform(
            "softmax",
            "vmap",
            vmap_cases,
            transform="vmap",
            points=0.5,
            spread=LOGIT_SPREAD,
            hint=JIT_HINT,
        ),
        compare("log_softmax", "rows", log_softmax_rows_cases, hint=AXIS_HINTS),
        compare(
            "log_softmax",
            "large_gaps",
            large_gap_cases,
            hint=hint_for(LOG_SOFTMAX_HINT, "nonfinite"),
        ),
        transform(
            "log_softmax",
            "jit",
            log_softmax_jit_cases,
            options={"static_argnums": [1]},
            points=0.5,
            hint=JIT_HINT,
        ),
    ],
)
