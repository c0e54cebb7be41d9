"""Checks for ex07_mlp (public): a multi-layer network's parameters and forward pass.

``init_mlp`` draws random numbers, so it is judged by properties (never by matching our
random stream): shapes, range and spread of the values, reproducibility, independence of
the leaves. The forward passes are compared with the reference; ``evaluate`` is judged
by trusted code that recounts the correct predictions and recognises the classic mistakes.
"""

from __future__ import annotations

import itertools

import numpy as np

from grader.course._ex07_init import (
    as_float_array,
    judge_independent,
    judge_other_key,
    judge_same_key,
    judge_shapes,
    judge_uniform,
)
from grader.course.common import as_jax, case, label, plain
from grader.hints import hint_for
from grader.i18n import Text
from grader.judging import Mistake, case_words, describe, diagnose, per_case, reveal
from grader.spec import Case, Exercise, compare, fail, key, ok, prop

# -- inputs ---------------------------------------------------------------------------------------


def random_params(rng, sizes, dtype=np.float32, scale=1.0):
    """MLP params like init_mlp's (uniform in [−scale, scale]), drawn by the grader's rng."""
    return [
        {
            "w": rng.uniform(-scale, scale, size=(n_in, n_out)).astype(dtype),
            "b": rng.uniform(-scale, scale, size=(n_out,)).astype(dtype),
        }
        for n_in, n_out in itertools.pairwise(sizes)
    ]


def params_as_jax(params, dtype="float32"):
    """The same params as jax arrays in the worker."""
    return [{k: as_jax(v, dtype) for k, v in layer.items()} for layer in params]


def net_label(sizes, n, extra_en="", extra_fr=""):
    """'sizes [4, 5, 3] (2 layers), a batch of 6' in both languages."""
    layers = len(sizes) - 1
    en = f"sizes {list(sizes)} ({layers} layer{'s' if layers > 1 else ''}), a batch of {n}"
    fr = f"tailles {list(sizes)} ({layers} couche{'s' if layers > 1 else ''}), un lot de {n}"
    return label(en + extra_en, fr + extra_fr)


def forward64(params, x):
    """Trusted sigmoid forward pass in float64 (for the judges)."""
    a = np.asarray(x, np.float64)
    for layer in params:
        z = a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64)
        e = np.exp(-np.abs(z))
        a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a


# -- init_mlp: properties -------------------------------------------------------------------------

# Few distinct shapes on purpose: jax compiles its random draws once per shape, and every
# submission pays for it (the other checks reuse these shapes).
SHAPE_SIZES = ([4, 5, 3], [3, 4, 4, 5, 1])


def init_shape_cases(rng, all_sizes=SHAPE_SIZES, seed=0):
    return [
        case(f"sizes {list(sizes)}", f"tailles {list(sizes)}", key(seed + i), list(sizes))
        for i, sizes in enumerate(all_sizes)
    ]


def key_cases(*rows):
    """init_mlp on sizes [4, 5, 3] with the keys given as (seed, English label, French label)."""
    return lambda rng: [case(en, fr, key(seed), [4, 5, 3]) for seed, en, fr in rows]


# -- forward passes: compared with the reference --------------------------------------------------


def forward_cases(rng, specs, dtype=np.float32, jax_inputs=False, x_scale=1.0):
    """One case per (sizes, N) spec: random params and inputs."""
    cases, dt = [], np.dtype(dtype).name
    for sizes, n in specs:
        params = random_params(rng, sizes, dtype)
        x = (rng.normal(size=(n, sizes[0])) * x_scale).astype(dtype)
        if jax_inputs:
            lab = net_label(sizes, n, f", jax {dt} inputs", f", entrées jax {dt}")
            cases.append(Case((params_as_jax(params, dt), as_jax(x, dt)), label=lab))
        else:
            cases.append(Case((params, x), label=net_label(sizes, n)))
    return cases


FORWARD_HINT = Text(
    "Each layer is a = σ(a @ w + b) with w of shape (n_in, n_out), starting from a = x; the sigmoid comes after every layer, the last one included, and the bias is added to every row.",
    "Chaque couche calcule a = σ(a @ w + b) avec w de forme (n_in, n_out), en partant de a = x ; la sigmoïde vient après chaque couche, la dernière comprise, et le biais s'ajoute à chaque ligne.",
)
LOGITS_HINT = Text(
    "ReLU max(z, 0) after every hidden layer and no activation at all after the last one: the logits are the last layer's a @ w + b and may be negative.",
    "ReLU max(z, 0) après chaque couche cachée et aucune activation après la dernière : les logits sont le a @ w + b de la dernière couche et peuvent être négatifs.",
)


# -- evaluate: a trusted recount ------------------------------------------------------------------


def evaluate_cases(rng, specs, jax_inputs=False):
    """Params, inputs, and labels that agree with the network on about 60 % of the rows."""
    cases = []
    for sizes, n in specs:
        params = random_params(rng, sizes, np.float32, 2.0)
        X = rng.normal(size=(n, sizes[0])).astype(np.float32)
        out = forward64(params, X)
        pred = np.argmax(out, axis=1)
        k = sizes[-1]
        for _ in range(100):  # labels whose count no classic mistake reproduces by chance
            wrong = (pred + rng.integers(1, k, size=n)) % k
            y = np.where(rng.uniform(size=n) < 0.6, pred, wrong).astype(np.int64)
            count = int(np.sum(pred == y))
            decoys = {n - count, round(count / n, 9)}
            if n == k:
                decoys.add(int(np.sum(np.argmax(out, axis=0) == y)))
            if count not in decoys and 0 < count < n:
                break
        en, fr = f", N = {n} examples and {k} classes", f", N = {n} exemples et {k} classes"
        if jax_inputs:
            args = (params_as_jax(params), as_jax(X, "float32"), as_jax(y, "int32"))
            cases.append(
                Case(args, label=net_label(sizes, n, en + ", jax inputs", fr + ", entrées jax"))
            )
        else:
            cases.append(Case((params, X, y), label=net_label(sizes, n, en, fr)))
    return cases


# The classic mistakes, as formulas of (the float64 outputs, the labels, the right count).
EVALUATE_MISTAKES = [
    Mistake(
        lambda out64, y, count: count / len(y) if count not in (0, len(y)) else None,
        Text(
            "you returned the accuracy, a fraction; evaluate returns the number of correct predictions (seed 001's evaluer: « le nombre de fois où le réseau prédit correctement y »), an int between 0 and N",
            "vous avez renvoyé le taux de réussite, une fraction ; evaluate renvoie le nombre de bonnes prédictions (evaluer de la graine 001 : « le nombre de fois où le réseau prédit correctement y »), un int entre 0 et N",
        ),
    ),
    Mistake(
        lambda out64, y, count: (
            int(np.sum(np.argmax(out64, axis=0) == y)) if out64.shape[1] == len(y) else None
        ),
        Text(
            "that is the count with argmax over axis 0 (the examples); take the argmax over axis 1, the classes: one prediction per example",
            "c'est le compte avec l'argmax sur l'axe 0 (les exemples) ; prenez l'argmax sur l'axe 1, les classes : une prédiction par exemple",
        ),
    ),
    Mistake(
        lambda out64, y, count: len(y) - count,
        Text(
            "you counted the wrong predictions; count those equal to y",
            "vous avez compté les mauvaises prédictions ; comptez celles égales à y",
        ),
    ),
]
NOT_WHOLE = Text("a count is a whole number", "un compte est un nombre entier")
EVALUATE_GENERIC = Text(
    "the prediction of each example is the argmax of its row of mlp_forward(params, X) (axis 1, over the classes), compared with its label",
    "la prédiction de chaque exemple est l'argmax de sa ligne de mlp_forward(params, X) (axe 1, sur les classes), comparée à son étiquette",
)


@per_case
def judge_evaluate(case, out):
    """The answer is the trusted count of correct predictions (revealed: public checks only);
    a wrong one is explained by the classic mistake that reproduces it."""
    params, X, y = plain(case.args)
    y = np.asarray(y).astype(np.int64)
    out64 = forward64(params, X)
    count = int(np.sum(np.argmax(out64, axis=1) == y))
    en, fr = case_words(case)
    got = as_float_array(out)
    if got is None or got.shape != ():
        matches = got is not None and got.shape == y.shape
        return fail(
            f"On {en}: evaluate must return one number (an int), got {describe(out) if got is None else f'an array of shape {got.shape}'}"
            + (": sum the matches to count them." if matches else "."),
            f"Sur {fr} : evaluate doit renvoyer un seul nombre (un int), obtenu {describe(out, 'fr') if got is None else f'un tableau de forme {got.shape}'}"
            + (" : additionnez les réussites pour les compter." if matches else "."),
        )
    value = float(got)
    if value == count:
        return ok()
    # The answer as returned (its dtype sets the tolerance a fraction is recognised with).
    why = diagnose(EVALUATE_MISTAKES, [(out64, y, count)], [out], first_wrong=0)
    why = why or (NOT_WHOLE if value != int(value) else EVALUATE_GENERIC)
    return fail(
        f"On {en}: got {value:g}{reveal(f', expected {count}')}: {why.en}.",
        f"Sur {fr} : obtenu {value:g}{reveal(f', attendu {count}')} : {why.fr}.",
    )


EXERCISE = Exercise(
    id="ex07_mlp",
    title=Text("A multi-layer network: the forward pass", "Un réseau multi-couches : propagation"),
    checks=[
        prop(
            "init_mlp",
            "shapes",
            init_shape_cases,
            judge_shapes,
            hint=Text(
                "One dict per pair of consecutive sizes: w of shape (sizes[l], sizes[l+1]) and b of shape (sizes[l+1],).",
                "Un dict par paire de tailles consécutives : w de forme (sizes[l], sizes[l+1]) et b de forme (sizes[l+1],).",
            ),
        ),
        prop(
            "init_mlp",
            "uniform_in_range",
            lambda rng: init_shape_cases(rng, [[40, 40, 40, 40]], seed=11),
            judge_uniform,
            hint=Text(
                "jax.random.uniform(k, shape, minval=-1.0, maxval=1.0) for every w and every b.",
                "jax.random.uniform(k, forme, minval=-1.0, maxval=1.0) pour chaque w et chaque b.",
            ),
        ),
        prop(
            "init_mlp",
            "same_key_same_params",
            key_cases((7, "key 7", "clé 7"), (7, "key 7 again", "clé 7 à nouveau")),
            judge_same_key,
        ),
        prop(
            "init_mlp",
            "other_key_other_params",
            key_cases((7, "key 7", "clé 7"), (8, "key 8", "clé 8")),
            judge_other_key,
        ),
        prop(
            "init_mlp",
            "independent_draws",
            lambda rng: init_shape_cases(rng, [[3, 3, 3, 3]], seed=3),
            judge_independent,
            hint=Text(
                "Split the key once into as many subkeys as arrays (2 per layer) and use each subkey for one array only.",
                "Découpez la clé en autant de sous-clés que de tableaux (2 par couche) et utilisez chaque sous-clé pour un seul tableau.",
            ),
        ),
        compare(
            "mlp_forward",
            "batches",
            lambda rng: forward_cases(rng, [([4, 5, 3], 6), ([6, 2], 1), ([3, 7, 4, 2], 8)]),
            points=2,
            # w's shape: wrong values, a wrong shape, or a matmul that does not fit.
            hint=hint_for(FORWARD_HINT, "answer", "broadcast"),
        ),
        compare(
            "mlp_forward",
            "square_layers",
            lambda rng: forward_cases(rng, [([3, 3, 3], 5)]),
            hint=Text(
                "With square layers a transposed w still has the right shape: a batch of rows goes through a @ w (seed 001's w.T @ x is for one column vector x), not a @ w.T.",
                "Avec des couches carrées, w transposée a encore la bonne forme : un lot de lignes passe par a @ w (le w.T @ x de la graine 001 est pour un vecteur colonne x), pas a @ w.T.",
            ),
        ),
        compare(
            "mlp_logits",
            "batches",
            lambda rng: forward_cases(rng, [([4, 6, 3], 5), ([5, 4, 4, 3], 7)]),
            points=2,
            hint=LOGITS_HINT,
        ),
        compare(
            "mlp_logits",
            "one_layer_is_linear",
            lambda rng: forward_cases(rng, [([3, 2], 4)]),
            hint=Text(
                "With one layer there is no hidden layer: the logits are x @ w + b, no ReLU.",
                "Avec une seule couche il n'y a pas de couche cachée : les logits sont x @ w + b, sans ReLU.",
            ),
        ),
        prop(
            "evaluate",
            "count",
            lambda rng: evaluate_cases(rng, [([4, 6, 3], 20), ([5, 3], 9)]),
            judge_evaluate,
            hint=Text(
                "Predictions are argmax(mlp_forward(params, X), axis=1); return the number of them equal to y, an int (not the fraction).",
                "Les prédictions sont argmax(mlp_forward(params, X), axis=1) ; renvoyez combien sont égales à y, un int (pas la fraction).",
            ),
        ),
        prop(
            "evaluate",
            "as_many_examples_as_classes",
            lambda rng: evaluate_cases(rng, [([3, 5, 6], 6)]),
            judge_evaluate,
            hint=Text(
                "Take the argmax over the classes (axis 1), one prediction per example: with as many examples as classes a wrong axis still gives the right shape.",
                "Prenez l'argmax sur les classes (axe 1), une prédiction par exemple : avec autant d'exemples que de classes un mauvais axe donne encore la bonne forme.",
            ),
        ),
    ],
)
