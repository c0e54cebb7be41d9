"""ex07_mlp's judges of ``init_mlp`` (its random parameters are judged by properties).

The layout and shapes of the parameters, the range and spread of the values (a
Kolmogorov–Smirnov test), reproducibility with one key, change with another, and independence
of the leaves (no two arrays drawn from the same key). The checks are in ex07_mlp.py. No
message reveals an expected value: the shapes follow from the sizes the student was given.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from grader.compare import describe
from grader.i18n import Text
from grader.judging import as_array, per_case
from grader.spec import Verdict, fail, ok


def as_float_array(value):
    arr = as_array(value)
    return None if arr is None else arr.astype(np.float64)


# The endings of the wrong-shape messages when w is transposed or b a column.
TRANSPOSED = Text(
    " (transposed? here w is (n_in, n_out), like seed 001's poids[l] of shape (tailles[l], tailles[l+1]), so that a batch goes through x @ w + b).",
    " (transposée ? ici w est (n_in, n_out), comme poids[l] du Reseau de la graine 001, de forme (tailles[l], tailles[l+1]), pour qu'un lot passe par x @ w + b).",
)
COLUMN = Text(
    ": a flat vector added to every row, not seed 001's column (n_out, 1).",
    " : un vecteur plat ajouté à chaque ligne, pas la colonne (n_out, 1) de la graine 001.",
)


def check_structure(out, sizes) -> tuple[list | None, Verdict | None]:
    """``([(w, b), ...] as float64 arrays, None)`` when ``out`` has init_mlp's layout, else a
    failing verdict that says what is wrong."""
    n_layers = len(sizes) - 1
    if not isinstance(out, (list, tuple)):
        return None, fail(
            f'for sizes {sizes}, init_mlp must return a list of {n_layers} dicts {{"w": …, "b": …}} (one per layer); it returned {describe(out)}.',
            f'pour les tailles {sizes}, init_mlp doit renvoyer une liste de {n_layers} dicts {{"w": …, "b": …}} (un par couche) ; elle a renvoyé {describe(out, "fr")}.',
        )
    if len(out) != n_layers:
        return None, fail(
            f"for sizes {sizes}, expected {n_layers} layers (one per pair of consecutive sizes, len(sizes) − 1), got a list of {len(out)}.",
            f"pour les tailles {sizes}, attendu {n_layers} couches (une par paire de tailles consécutives, len(sizes) − 1), obtenu une liste de {len(out)}.",
        )
    layers = []
    for i, (layer, (n_in, n_out)) in enumerate(zip(out, itertools.pairwise(sizes), strict=True), 1):
        if not isinstance(layer, Mapping) or set(layer) != {"w", "b"}:
            return None, fail(
                f'layer {i}: expected a dict with exactly the keys "w" and "b", got {describe(layer)}.',
                f'couche {i} : attendu un dict avec exactement les clés "w" et "b", obtenu {describe(layer, "fr")}.',
            )
        w, b = as_float_array(layer["w"]), as_float_array(layer["b"])
        if w is None or b is None:
            return None, fail(
                f"layer {i}: w and b must be numeric arrays.",
                f"couche {i} : w et b doivent être des tableaux numériques.",
            )
        if w.shape != (n_in, n_out):
            why = TRANSPOSED if w.shape == (n_out, n_in) else Text(".", ".")
            return None, fail(
                f"layer {i}: w has shape {w.shape}, expected (n_in, n_out) = {(n_in, n_out)}{why.en}",
                f"couche {i} : w a la forme {w.shape}, attendu (n_in, n_out) = {(n_in, n_out)}{why.fr}",
            )
        if b.shape != (n_out,):
            why = COLUMN if b.shape in ((n_out, 1), (1, n_out)) else Text(".", ".")
            return None, fail(
                f"layer {i}: b has shape {b.shape}, expected ({n_out},){why.en}",
                f"couche {i} : b a la forme {b.shape}, attendu ({n_out},){why.fr}",
            )
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            return None, fail(
                f"layer {i}: w or b contains NaN or infinite values.",
                f"couche {i} : w ou b contient des valeurs NaN ou infinies.",
            )
        layers.append((w, b))
    return layers, None


@per_case
def judge_shapes(case, out):
    """Every case's answer has init_mlp's layout and shapes."""
    return check_structure(out, list(case.args[1]))[1] or ok()


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
            f"some values lie outside [−1, 1] (largest magnitude {top:.3g}): draw them from a uniform distribution on [−1, 1] (jax.random.uniform(k, shape, minval=-1.0, maxval=1.0)), not from a normal distribution.",
            f"des valeurs sortent de [−1, 1] (plus grande valeur absolue {top:.3g}) : tirez-les selon une loi uniforme sur [−1, 1] (jax.random.uniform(k, forme, minval=-1.0, maxval=1.0)), pas selon une loi normale.",
        )
    if np.all(b == 0):
        return fail(
            "every bias is 0: seed 001 draws the biases (biais) at random too, uniformly in [−1, 1], like the weights.",
            "tous les biais valent 0 : la graine 001 tire aussi les biais au hasard, uniformément dans [−1, 1], comme les poids.",
        )
    if float(np.min(both)) >= 0.0:
        return fail(
            "no value is negative: you drew from [0, 1) (the default range of jax.random.uniform); pass minval=-1.0, maxval=1.0 to cover [−1, 1].",
            "aucune valeur n'est négative : vous avez tiré dans [0, 1) (l'intervalle par défaut de jax.random.uniform) ; passez minval=-1.0, maxval=1.0 pour couvrir [−1, 1].",
        )
    for en, fr, values, spread in (("weights", "poids", w, 0.95), ("biases", "biais", b, 0.5)):
        low, high = float(np.min(values)), float(np.max(values))
        if low > -spread or high < spread:
            return fail(
                f"the {en} do not spread over [−1, 1]: they range from {low:.3g} to {high:.3g} over {values.size} values. Draw each one uniformly in [−1, 1] (no extra scaling).",
                f"les {fr} ne couvrent pas [−1, 1] : ils vont de {low:.3g} à {high:.3g} sur {values.size} valeurs. Tirez chacun uniformément dans [−1, 1] (sans facteur d'échelle).",
            )
        dist, allowed = _ks_uniform(values)
        if dist > allowed:
            return fail(
                f"the {en} are in [−1, 1] but not uniformly spread over it (their distribution is {dist:.2f} away from the uniform one, Kolmogorov–Smirnov distance): use jax.random.uniform with minval=-1.0, maxval=1.0.",
                f"les {fr} sont dans [−1, 1] mais pas répartis uniformément (leur loi est à {dist:.2f} de la loi uniforme, distance de Kolmogorov–Smirnov) : utilisez jax.random.uniform avec minval=-1.0, maxval=1.0.",
            )
    return None


def judge_uniform(cases, outputs):
    """Every case's answer has init_mlp's layout, and its values look drawn from U(−1, 1) (all
    cases pooled: the shapes may be too small to judge the spread one by one)."""
    pooled = []
    for case, out in zip(cases, outputs, strict=True):
        layers, bad = check_structure(out, list(case.args[1]))
        if bad is not None:
            return bad
        pooled += layers
    return check_uniform(pooled) or ok()


def _leaves(layers):
    """[((English name, French name), array)] of every w and b, in order."""
    return [
        ((f"layer {i}'s {p}", f"le {p} de la couche {i}"), a)
        for i, pair in enumerate(layers, 1)
        for p, a in zip("wb", pair, strict=True)
    ]


def _two_keys_judge(same: bool):
    """Cases: the same key twice (``same``) or two different keys. With the same key every
    leaf must be identical in both results; with two keys, none may be."""

    def judge(cases, outputs):
        results = []
        for out in outputs[:2]:
            layers, bad = check_structure(out, list(cases[0].args[1]))
            if bad is not None:
                return bad
            results.append(_leaves(layers))
        for ((en, fr), a), (_, b) in zip(*results, strict=True):
            if np.array_equal(a, b) != same:
                if same:
                    return fail(
                        f"two calls with the same key gave different values ({en} differs): draw every number from the key argument with jax.random (no np.random, no global state), so that the same key gives the same parameters.",
                        f"deux appels avec la même clé donnent des valeurs différentes ({fr} diffère) : tirez chaque nombre à partir de la clé reçue avec jax.random (pas de np.random, pas d'état global), pour que la même clé donne les mêmes paramètres.",
                    )
                return fail(
                    f"two different keys gave the same values ({en} is identical): derive every draw from the key argument (split it), do not use a fixed seed.",
                    f"deux clés différentes donnent les mêmes valeurs ({fr} est identique) : tirez tout à partir de la clé reçue (découpez-la avec split), pas d'une graine fixe.",
                )
        return ok()

    return judge


judge_same_key = _two_keys_judge(same=True)
judge_other_key = _two_keys_judge(same=False)


@per_case
def judge_independent(case, out):
    """No two leaves share random numbers (they would have been drawn from the same key)."""
    sizes = list(case.args[1])
    layers, bad = check_structure(out, sizes)
    if bad is not None:
        return bad
    leaves = [(names, a.ravel()) for names, a in _leaves(layers)]
    found = []  # (names of one leaf, of the other, values in common, their sizes)
    for (n1, a), (n2, b) in itertools.combinations(leaves, 2):
        common = int(np.isin(a, b).sum())
        if common >= min(2, a.size):
            found.append((n1, n2, common, a.size, b.size))
    if not found:
        return ok()
    # Identical arrays first: the clearest sign of a reused key.
    found.sort(key=lambda f: not (f[2] == f[3] == f[4]))
    (en1, fr1), (en2, fr2), common, size1, size2 = found[0]
    identical = common == size1 == size2
    more = len(found) - 1
    return fail(
        f"for sizes {sizes}, {en1} and {en2} "
        + ("are identical" if identical else f"share {common} values")
        + (f" (and {more} more pairs of arrays share values)" if more else "")
        + ": they were drawn from the same key. A key must be used once: split it, e.g. keys = jax.random.split(key, 2 * (len(sizes) - 1)), and give each w and each b its own subkey.",
        f"pour les tailles {sizes}, {fr1} et {fr2} "
        + ("sont identiques" if identical else f"ont {common} valeurs en commun")
        + (f" (et {more} autres paires de tableaux ont des valeurs communes)" if more else "")
        + " : ils ont été tirés avec la même clé. Une clé ne sert qu'une fois : découpez-la, par ex. keys = jax.random.split(key, 2 * (len(sizes) - 1)), et donnez à chaque w et à chaque b sa propre sous-clé.",
    )
