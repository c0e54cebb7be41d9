"""Checks for ex07_mlp (public): a multi-layer network's parameters and forward pass.

``init_mlp`` draws random numbers, so it is judged by properties (never by matching our
random stream): shapes, range and spread of the values, reproducibility, independence of
the leaves. The forward passes are compared with the reference; ``evaluate`` is judged
by trusted code that recounts the correct predictions and recognises the classic mistakes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from grader.course.common import as_jax, label
from grader.hints import hint_for
from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import Case, Exercise, Verdict, compare, fail, key, ok, prop

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


def plain(value):
    """Case inputs as plain numpy data: the grader-side view of ``as_jax`` refs."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, Ref) and value.name == "jnp":
        data, dtype = value.args
        return np.asarray(data, dtype=dtype)
    return value


def sigmoid64(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def forward64(params, x):
    """Trusted sigmoid forward pass in float64 (for the judges)."""
    a = np.asarray(x, np.float64)
    for layer in params:
        a = sigmoid64(a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64))
    return a


# -- init_mlp: properties -------------------------------------------------------------------------

# Few distinct shapes on purpose: jax compiles its random draws once per shape, and every
# submission pays for it (the other checks reuse these shapes).
SHAPE_SIZES = ([4, 5, 3], [3, 4, 4, 5, 1])


def init_shape_cases(rng, all_sizes=SHAPE_SIZES, seed=0):
    return [
        Case(
            (key(seed + i), list(sizes)),
            label=label(f"sizes {list(sizes)}", f"tailles {list(sizes)}"),
        )
        for i, sizes in enumerate(all_sizes)
    ]


def _as_float_array(value):
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if arr.dtype.kind not in "biuf":
        return None
    return arr.astype(np.float64)


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, Mapping):
        return f"a dict with keys {sorted(map(str, value))}"
    return f"a {type(value).__name__}"


def check_structure(out, sizes) -> tuple[list | None, Verdict | None]:
    """``([(w, b), ...] as float64 arrays, None)`` when ``out`` has init_mlp's layout, else a
    failing verdict that says what is wrong (never revealing values: shapes follow sizes)."""
    n_layers = len(sizes) - 1
    if not isinstance(out, (list, tuple)):
        return None, fail(
            f"for sizes {sizes}, init_mlp must return a list of {n_layers} dicts "
            f'{{"w": …, "b": …}} (one per layer); it returned {_describe(out)}.',
            f"pour les tailles {sizes}, init_mlp doit renvoyer une liste de {n_layers} dicts "
            f'{{"w": …, "b": …}} (un par couche) ; elle a renvoyé {_describe(out)}.',
        )
    if len(out) != n_layers:
        return None, fail(
            f"for sizes {sizes}, expected {n_layers} layers (one per pair of consecutive sizes, "
            f"len(sizes) − 1), got a list of {len(out)}.",
            f"pour les tailles {sizes}, attendu {n_layers} couches (une par paire de tailles "
            f"consécutives, len(sizes) − 1), obtenu une liste de {len(out)}.",
        )
    layers = []
    for i, (layer, n_in, n_out) in enumerate(zip(out, sizes[:-1], sizes[1:], strict=True)):
        if not isinstance(layer, Mapping) or set(layer) != {"w", "b"}:
            return None, fail(
                f'layer {i + 1}: expected a dict with exactly the keys "w" and "b", got '
                f"{_describe(layer)}.",
                f'couche {i + 1} : attendu un dict avec exactement les clés "w" et "b", obtenu '
                f"{_describe(layer)}.",
            )
        w, b = _as_float_array(layer["w"]), _as_float_array(layer["b"])
        if w is None or b is None:
            return None, fail(
                f"layer {i + 1}: w and b must be numeric arrays.",
                f"couche {i + 1} : w et b doivent être des tableaux numériques.",
            )
        if w.shape != (n_in, n_out):
            transposed = w.shape == (n_out, n_in)
            return None, fail(
                f"layer {i + 1}: w has shape {w.shape}, expected (n_in, n_out) = {(n_in, n_out)}"
                + (
                    " (transposed? here w is (n_in, n_out), like seed 001's poids[l] of shape "
                    "(tailles[l], tailles[l+1]), so that a batch goes through x @ w + b)."
                    if transposed
                    else "."
                ),
                f"couche {i + 1} : w a la forme {w.shape}, attendu (n_in, n_out) = {(n_in, n_out)}"
                + (
                    " (transposée ? ici w est (n_in, n_out), comme poids[l] du Reseau de la "
                    "graine 001, de forme (tailles[l], tailles[l+1]), pour qu'un lot passe par "
                    "x @ w + b)."
                    if transposed
                    else "."
                ),
            )
        if b.shape != (n_out,):
            column = b.shape in ((n_out, 1), (1, n_out))
            return None, fail(
                f"layer {i + 1}: b has shape {b.shape}, expected ({n_out},)"
                + (
                    ": a flat vector added to every row, not seed 001's column (n_out, 1)."
                    if column
                    else "."
                ),
                f"couche {i + 1} : b a la forme {b.shape}, attendu ({n_out},)"
                + (
                    " : un vecteur plat ajouté à chaque ligne, pas la colonne (n_out, 1) de la "
                    "graine 001."
                    if column
                    else "."
                ),
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            return None, fail(
                f"layer {i + 1}: w or b contains NaN or infinite values.",
                f"couche {i + 1} : w ou b contient des valeurs NaN ou infinies.",
            )
        layers.append((w, b))
    return layers, None


def judge_shapes(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        _, bad = check_structure(out, list(case.args[1]))
        if bad is not None:
            return bad
    return ok()


# Kolmogorov–Smirnov distance to U(−1, 1) allowed for n values: a false alarm has a
# probability below 1e-9 (sqrt(ln(2/α)/2) ≈ 3.3 for α = 1e-9).
def _ks_uniform(values):
    v = np.sort(values)
    n = v.size
    cdf = np.clip((v + 1.0) / 2.0, 0.0, 1.0)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n))), 3.3 / np.sqrt(n)


def check_uniform(layers) -> Verdict | None:
    """None when the weights and biases look drawn from U(−1, 1), else a failing verdict."""
    w = np.concatenate([w.ravel() for w, _ in layers])
    b = np.concatenate([b.ravel() for _, b in layers])
    both = np.concatenate([w, b])
    top = float(np.max(np.abs(both)))
    if top > 1.0 + 1e-6:
        return fail(
            f"some values lie outside [−1, 1] (largest magnitude {top:.3g}): draw them from a "
            "uniform distribution on [−1, 1] (jax.random.uniform(k, shape, minval=-1.0, "
            "maxval=1.0)), not from a normal distribution.",
            f"des valeurs sortent de [−1, 1] (plus grande valeur absolue {top:.3g}) : tirez-les "
            "selon une loi uniforme sur [−1, 1] (jax.random.uniform(k, forme, minval=-1.0, "
            "maxval=1.0)), pas selon une loi normale.",
        )
    if np.all(b == 0):
        return fail(
            "every bias is 0: seed 001 draws the biases (biais) at random too, uniformly in "
            "[−1, 1], like the weights.",
            "tous les biais valent 0 : la graine 001 tire aussi les biais au hasard, "
            "uniformément dans [−1, 1], comme les poids.",
        )
    if float(np.min(both)) >= 0.0:
        return fail(
            "no value is negative: you drew from [0, 1) (the default range of "
            "jax.random.uniform); pass minval=-1.0, maxval=1.0 to cover [−1, 1].",
            "aucune valeur n'est négative : vous avez tiré dans [0, 1) (l'intervalle par "
            "défaut de jax.random.uniform) ; passez minval=-1.0, maxval=1.0 pour couvrir "
            "[−1, 1].",
        )
    for name_en, name_fr, values, spread in (
        ("weights", "poids", w, 0.95),
        ("biases", "biais", b, 0.5),
    ):
        low, high = float(np.min(values)), float(np.max(values))
        if low > -spread or high < spread:
            return fail(
                f"the {name_en} do not spread over [−1, 1]: they range from {low:.3g} to "
                f"{high:.3g} over {values.size} values. Draw each one uniformly in [−1, 1] "
                "(no extra scaling).",
                f"les {name_fr} ne couvrent pas [−1, 1] : ils vont de {low:.3g} à {high:.3g} sur "
                f"{values.size} valeurs. Tirez chacun uniformément dans [−1, 1] (sans facteur "
                "d'échelle).",
            )
        dist, allowed = _ks_uniform(values)
        if dist > allowed:
            return fail(
                f"the {name_en} are in [−1, 1] but not uniformly spread over it (their "
                f"distribution is {dist:.2f} away from the uniform one, Kolmogorov–Smirnov "
                "distance): use jax.random.uniform with minval=-1.0, maxval=1.0.",
                f"les {name_fr} sont dans [−1, 1] mais pas répartis uniformément (leur loi est à "
                f"{dist:.2f} de la loi uniforme, distance de Kolmogorov–Smirnov) : utilisez "
                "jax.random.uniform avec minval=-1.0, maxval=1.0.",
            )
    return None


def judge_uniform(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        layers, bad = check_structure(out, list(case.args[1]))
        if bad is None:
            bad = check_uniform(layers)
        if bad is not None:
            return bad
    return ok()


def _leaf_names(n_layers):
    names = []
    for i in range(n_layers):
        names += [(f"layer {i + 1}'s w", f"le w de la couche {i + 1}")]
        names += [(f"layer {i + 1}'s b", f"le b de la couche {i + 1}")]
    return names


def judge_same_key(cases, outputs):
    """Cases: the same key twice. The two results must be identical."""
    sizes = list(cases[0].args[1])
    first, bad = check_structure(outputs[0], sizes)
    if bad is not None:
        return bad
    second, bad = check_structure(outputs[1], sizes)
    if bad is not None:
        return bad
    leaves1 = [a for pair in first for a in pair]
    leaves2 = [a for pair in second for a in pair]
    names = _leaf_names(len(first))
    for (en, fr), a, b in zip(names, leaves1, leaves2, strict=True):
        if not np.array_equal(a, b):
            return fail(
                f"two calls with the same key gave different values ({en} differs): draw every "
                "number from the key argument with jax.random (no np.random, no global state), "
                "so that the same key gives the same parameters.",
                f"deux appels avec la même clé donnent des valeurs différentes ({fr} diffère) : "
                "tirez chaque nombre à partir de la clé reçue avec jax.random (pas de "
                "np.random, pas d'état global), pour que la même clé donne les mêmes paramètres.",
            )
    return ok()


def judge_other_key(cases, outputs):
    """Cases: two different keys. No leaf may be the same in both results."""
    sizes = list(cases[0].args[1])
    first, bad = check_structure(outputs[0], sizes)
    if bad is not None:
        return bad
    second, bad = check_structure(outputs[1], sizes)
    if bad is not None:
        return bad
    leaves1 = [a for pair in first for a in pair]
    leaves2 = [a for pair in second for a in pair]
    for (en, fr), a, b in zip(_leaf_names(len(first)), leaves1, leaves2, strict=True):
        if np.array_equal(a, b):
            return fail(
                f"two different keys gave the same values ({en} is identical): derive every "
                "draw from the key argument (split it), do not use a fixed seed.",
                f"deux clés différentes donnent les mêmes valeurs ({fr} est identique) : tirez "
                "tout à partir de la clé reçue (découpez-la avec split), pas d'une graine fixe.",
            )
    return ok()


def shared_draws(layers):
    """Pairs of leaves sharing random numbers: [(name_i, name_j, count)]."""
    leaves = [a.ravel() for pair in layers for a in pair]
    names = _leaf_names(len(layers))
    found = []
    for i in range(len(leaves)):
        for j in range(i + 1, len(leaves)):
            common = int(np.isin(leaves[i], leaves[j]).sum())
            if common >= min(2, leaves[i].size):
                found.append((names[i], names[j], common, leaves[i].size, leaves[j].size))
    return found


def judge_independent(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        sizes = list(case.args[1])
        layers, bad = check_structure(out, sizes)
        if bad is not None:
            return bad
        # Identical arrays first: the clearest sign of a reused key.
        found = sorted(shared_draws(layers), key=lambda f: not (f[2] == f[3] == f[4]))
        if found:
            (en1, fr1), (en2, fr2), common, n1, n2 = found[0]
            identical = common == n1 == n2
            more = len(found) - 1
            return fail(
                f"for sizes {sizes}, {en1} and {en2} "
                + ("are identical" if identical else f"share {common} values")
                + (f" (and {more} more pairs of arrays share values)" if more else "")
                + ": they were drawn from the same key. A key must be used once: split it, e.g. "
                "keys = jax.random.split(key, 2 * (len(sizes) - 1)), and give each w and each b "
                "its own subkey.",
                f"pour les tailles {sizes}, {fr1} et {fr2} "
                + ("sont identiques" if identical else f"ont {common} valeurs en commun")
                + (
                    f" (et {more} autres paires de tableaux ont des valeurs communes)"
                    if more
                    else ""
                )
                + " : ils ont été tirés avec la même clé. Une clé ne sert qu'une fois : "
                "découpez-la, par ex. keys = jax.random.split(key, 2 * (len(sizes) - 1)), et "
                "donnez à chaque w et à chaque b sa propre sous-clé.",
            )
    return ok()


# -- forward passes: compared with the reference --------------------------------------------------


def forward_cases(rng, specs, dtype=np.float32, jax_inputs=False, x_scale=1.0, param_scale=1.0):
    """One case per (sizes, N) spec: random params and inputs."""
    cases = []
    for sizes, n in specs:
        params = random_params(rng, sizes, dtype, param_scale)
        x = (rng.normal(size=(n, sizes[0])) * x_scale).astype(dtype)
        if jax_inputs:
            dt = np.dtype(dtype).name
            cases.append(
                Case(
                    (params_as_jax(params, dt), as_jax(x, dt)),
                    label=net_label(sizes, n, f", jax {dt} inputs", f", entrées jax {dt}"),
                )
            )
        else:
            cases.append(Case((params, x), label=net_label(sizes, n)))
    return cases


FORWARD_HINT = Text(
    "Each layer is a = σ(a @ w + b) with w of shape (n_in, n_out), starting from a = x; the "
    "sigmoid comes after every layer, the last one included, and the bias is added to every row.",
    "Chaque couche calcule a = σ(a @ w + b) avec w de forme (n_in, n_out), en partant de a = x ; "
    "la sigmoïde vient après chaque couche, la dernière comprise, et le biais s'ajoute à chaque "
    "ligne.",
)
SQUARE_HINT = Text(
    "With square layers a transposed w still has the right shape: a batch of rows goes through "
    "a @ w (seed 001's w.T @ x is for one column vector x), not a @ w.T.",
    "Avec des couches carrées, w transposée a encore la bonne forme : un lot de lignes passe par "
    "a @ w (le w.T @ x de la graine 001 est pour un vecteur colonne x), pas a @ w.T.",
)
LOGITS_HINT = Text(
    "ReLU max(z, 0) after every hidden layer and no activation at all after the last one: the "
    "logits are the last layer's a @ w + b and may be negative.",
    "ReLU max(z, 0) après chaque couche cachée et aucune activation après la dernière : les "
    "logits sont le a @ w + b de la dernière couche et peuvent être négatifs.",
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
        extra = (f", N = {n} examples and {k} classes", f", N = {n} exemples et {k} classes")
        if jax_inputs:
            args = (params_as_jax(params), as_jax(X, "float32"), as_jax(y, "int32"))
            lab = net_label(sizes, n, extra[0] + ", jax inputs", extra[1] + ", entrées jax")
        else:
            args = (params, X, y)
            lab = net_label(sizes, n, *extra)
        cases.append(Case(args, label=lab))
    return cases


def make_judge_evaluate(hidden: bool):
    def judge(cases, outputs):
        for case, out in zip(cases, outputs, strict=True):
            params, X, y = plain(case.args)
            y = np.asarray(y).astype(np.int64)
            n = y.shape[0]
            out64 = forward64(params, X)
            count = int(np.sum(np.argmax(out64, axis=1) == y))
            got_axis0 = None
            if out64.shape[1] == n:
                got_axis0 = int(np.sum(np.argmax(out64, axis=0) == y))
            where_en, where_fr = case.label.en, case.label.fr
            got = _as_float_array(out)
            if got is None or got.shape != ():
                shape = "?" if got is None else got.shape
                return fail(
                    f"On {where_en}: evaluate must return one number (an int), got "
                    f"{_describe(out) if got is None else f'an array of shape {shape}'}"
                    + (
                        ": sum the matches to count them."
                        if got is not None and got.shape == (n,)
                        else "."
                    ),
                    f"Sur {where_fr} : evaluate doit renvoyer un seul nombre (un int), obtenu "
                    f"{_describe(out) if got is None else f'un tableau de forme {shape}'}"
                    + (
                        " : additionnez les réussites pour les compter."
                        if got is not None and got.shape == (n,)
                        else "."
                    ),
                )
            value = float(got)
            if value == count:
                continue
            if abs(value - count / n) < 1e-6 and count not in (0, n):
                why_en = (
                    "you returned the accuracy, a fraction; evaluate returns the number of "
                    "correct predictions (seed 001's evaluer: « le nombre de fois où le réseau "
                    "prédit correctement y »), an int between 0 and N"
                )
                why_fr = (
                    "vous avez renvoyé le taux de réussite, une fraction ; evaluate renvoie le "
                    "nombre de bonnes prédictions (evaluer de la graine 001 : « le nombre de fois "
                    "où le réseau prédit correctement y »), un int entre 0 et N"
                )
            elif got_axis0 is not None and value == got_axis0:
                why_en = (
                    "that is the count with argmax over axis 0 (the examples); take the argmax "
                    "over axis 1, the classes: one prediction per example"
                )
                why_fr = (
                    "c'est le compte avec l'argmax sur l'axe 0 (les exemples) ; prenez l'argmax "
                    "sur l'axe 1, les classes : une prédiction par exemple"
                )
            elif value == n - count:
                why_en = "you counted the wrong predictions; count those equal to y"
                why_fr = "vous avez compté les mauvaises prédictions ; comptez celles égales à y"
            elif value != int(value):
                why_en = "a count is a whole number"
                why_fr = "un compte est un nombre entier"
            else:
                why_en = (
                    "the prediction of each example is the argmax of its row of "
                    "mlp_forward(params, X) (axis 1, over the classes), compared with its label"
                )
                why_fr = (
                    "la prédiction de chaque exemple est l'argmax de sa ligne de "
                    "mlp_forward(params, X) (axe 1, sur les classes), comparée à son étiquette"
                )
            shown_en = "" if hidden else f", expected {count}"
            shown_fr = "" if hidden else f", attendu {count}"
            return fail(
                f"On {where_en}: got {value:g}{shown_en}: {why_en}.",
                f"Sur {where_fr} : obtenu {value:g}{shown_fr} : {why_fr}.",
            )
        return ok()

    return judge


EVALUATE_HINT = Text(
    "Predictions are argmax(mlp_forward(params, X), axis=1); return the number of them equal "
    "to y, an int (not the fraction).",
    "Les prédictions sont argmax(mlp_forward(params, X), axis=1) ; renvoyez combien sont égales "
    "à y, un int (pas la fraction).",
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
            points=1,
            hint=Text(
                "One dict per pair of consecutive sizes: w of shape (sizes[l], sizes[l+1]) and b "
                "of shape (sizes[l+1],).",
                "Un dict par paire de tailles consécutives : w de forme (sizes[l], sizes[l+1]) et "
                "b de forme (sizes[l+1],).",
            ),
        ),
        prop(
            "init_mlp",
            "uniform_in_range",
            lambda rng: [
                Case(
                    (key(11), [40, 40, 40, 40]),
                    label=label("sizes [40, 40, 40, 40]", "tailles [40, 40, 40, 40]"),
                )
            ],
            judge_uniform,
            points=1,
            hint=Text(
                "jax.random.uniform(k, shape, minval=-1.0, maxval=1.0) for every w and every b.",
                "jax.random.uniform(k, forme, minval=-1.0, maxval=1.0) pour chaque w et chaque b.",
            ),
        ),
        prop(
            "init_mlp",
            "same_key_same_params",
            lambda rng: [
                Case((key(7), [4, 5, 3]), label=label("key 7", "clé 7")),
                Case((key(7), [4, 5, 3]), label=label("key 7 again", "clé 7 à nouveau")),
            ],
            judge_same_key,
            points=1,
        ),
        prop(
            "init_mlp",
            "other_key_other_params",
            lambda rng: [
                Case((key(7), [4, 5, 3]), label=label("key 7", "clé 7")),
                Case((key(8), [4, 5, 3]), label=label("key 8", "clé 8")),
            ],
            judge_other_key,
            points=1,
        ),
        prop(
            "init_mlp",
            "independent_draws",
            lambda rng: [
                Case(
                    (key(3), [3, 3, 3, 3]),
                    label=label("sizes [3, 3, 3, 3]", "tailles [3, 3, 3, 3]"),
                )
            ],
            judge_independent,
            points=1,
            hint=Text(
                "Split the key once into as many subkeys as arrays (2 per layer) and use each "
                "subkey for one array only.",
                "Découpez la clé en autant de sous-clés que de tableaux (2 par couche) et "
                "utilisez chaque sous-clé pour un seul tableau.",
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
            points=1,
            hint=SQUARE_HINT,
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
            points=1,
            hint=Text(
                "With one layer there is no hidden layer: the logits are x @ w + b, no ReLU.",
                "Avec une seule couche il n'y a pas de couche cachée : les logits sont "
                "x @ w + b, sans ReLU.",
            ),
        ),
        prop(
            "evaluate",
            "count",
            lambda rng: evaluate_cases(rng, [([4, 6, 3], 20), ([5, 3], 9)]),
            make_judge_evaluate(hidden=False),
            points=1,
            hint=EVALUATE_HINT,
        ),
        prop(
            "evaluate",
            "as_many_examples_as_classes",
            lambda rng: evaluate_cases(rng, [([3, 5, 6], 6)]),
            make_judge_evaluate(hidden=False),
            points=1,
            hint=Text(
                "Take the argmax over the classes (axis 1), one prediction per example: with "
                "as many examples as classes a wrong axis still gives the right shape.",
                "Prenez l'argmax sur les classes (axe 1), une prédiction par exemple : avec "
                "autant d'exemples que de classes un mauvais axe donne encore la bonne forme.",
            ),
        ),
    ],
)

__all__ = [
    "EXERCISE",
    "evaluate_cases",
    "forward_cases",
    "init_shape_cases",
    "judge_independent",
    "judge_shapes",
    "judge_uniform",
    "make_judge_evaluate",
]
