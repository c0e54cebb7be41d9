"""ex15_experiments' property judges of the data generators ``make_xor`` and ``make_flower``.

Both must return ``(X, y)`` of the asked size; XOR's labels follow the signs of x1·x2 and its
points are uniform in [−1, 1]²; the flower's points lie on its petals' curves with the
expected labels; the same key gives the same data, another key other data. The checks are in
ex15_experiments.py.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from grader.i18n import Text
from grader.judging import as_array, call_args, per_case, reveal
from grader.spec import fail, ok

# The generators' signatures, for the sizes of a case (call_args fills in the defaults).
SIGNATURES = {
    "make_xor": lambda key, n: None,
    "make_flower": lambda key, n_per_petal=50, petals=8: None,
}


def data_judge(name: str, problem):
    """The judge of the generator ``name``: a pair of a finite (n, 2) X and (n,) labels 0 or 1,
    n the size asked, and ``problem(X, y, *sizes)``, what is wrong with it (a Text) or None."""

    @per_case
    def judge(case, out):
        sizes = [int(s) for s in call_args(SIGNATURES[name], case)[1:]]
        call, n = f"{name}(key, {', '.join(map(str, sizes))})", math.prod(sizes)
        if not isinstance(out, (list, tuple)) or len(out) != 2:
            return fail(
                f"{name} must return a pair (X, y).", f"{name} doit renvoyer un couple (X, y)."
            )
        X, y = as_array(out[0]), as_array(out[1])
        if X is None or y is None:
            return fail(
                f"{name} must return two numeric arrays (X, y).",
                f"{name} doit renvoyer deux tableaux numériques (X, y).",
            )
        if X.shape != (n, 2) or y.shape != (n,):
            return fail(
                f"{call}: expected X of shape {(n, 2)} and y of shape {(n,)}, got {X.shape} and "
                f"{y.shape}.",
                f"{call} : X de forme {(n, 2)} et y de forme {(n,)} attendus, obtenu {X.shape} "
                f"et {y.shape}.",
            )
        if not np.isfinite(X).all():
            return fail(
                f"{call}: X contains NaN or infinite values.",
                f"{call} : X contient des NaN ou des infinis.",
            )
        if not np.isin(y, (0, 1)).all():
            bad = sorted({float(v) for v in np.unique(y)} - {0.0, 1.0})[:5]
            return fail(
                f"{call}: the labels must be 0 or 1, found also {bad}.",
                f"{call} : les étiquettes doivent valoir 0 ou 1, trouvé aussi {bad}.",
            )
        why = problem(X, y, *sizes)
        return fail(f"{call}: {why.en}", f"{call} : {why.fr}") if why else ok()

    return judge


# -- make_xor ---------------------------------------------------------------------------------


def xor_problem(X, y, n: int) -> Text | None:
    """Why XOR's points are not in [-1, 1]² or break its label rule, or None."""
    if X.min() < -1 or X.max() > 1:
        return Text(
            f"the points must lie in [-1, 1]², found coordinates from {X.min():.3g} to "
            f"{X.max():.3g}. Use jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0).",
            f"les points doivent être dans [-1, 1]², trouvé des coordonnées de {X.min():.3g} à "
            f"{X.max():.3g}. Utilisez jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0).",
        )
    wrong = np.flatnonzero((X[:, 0].astype(np.float64) * X[:, 1] > 0) != y)
    if wrong.size == 0:
        return None
    i = int(wrong[0])
    return Text(
        f"{wrong.size} of {n} labels break the rule y = 1 where x1·x2 > 0, else 0; e.g. the point "
        f"{X[i].tolist()} has label {y[i]:g}. (Seed 004 labels ±1; here the labels are 1 and 0.)",
        f"{wrong.size} des {n} étiquettes ne suivent pas la règle y = 1 si x1·x2 > 0, sinon 0 ; "
        f"par exemple le point {X[i].tolist()} a l'étiquette {y[i]:g}. (Le document 004 "
        "étiquette ±1 ; ici les étiquettes sont 1 et 0.)",
    )


def uniformity_problem(X, y, n: int) -> Text | None:
    """Why ``X`` does not look uniform on [-1, 1]² (Kolmogorov–Smirnov, independence), or None."""
    for j in range(2):
        u = np.sort((X[:, j].astype(np.float64) + 1.0) / 2.0)
        ecdf = np.arange(1, n + 1) / n
        ks = max(np.max(ecdf - u), np.max(u - (ecdf - 1.0 / n)))
        if ks > 2.5 / np.sqrt(n):  # p < 1e-5 under the uniform law
            return Text(
                f"coordinate x{j + 1} is not uniform on [-1, 1] (Kolmogorov–Smirnov distance "
                f"{ks:.3f} for {n} points); draw with jax.random.uniform, not normal.",
                f"la coordonnée x{j + 1} n'est pas uniforme sur [-1, 1] (distance de "
                f"Kolmogorov–Smirnov {ks:.3f} pour {n} points) ; tirez avec jax.random.uniform, "
                "pas normal.",
            )
    r = float(np.corrcoef(X[:, 0].astype(np.float64), X[:, 1].astype(np.float64))[0, 1])
    if abs(r) < 5.0 / np.sqrt(n):
        return None
    return Text(
        f"x1 and x2 are correlated (r = {r:.3f}): draw both coordinates at once, "
        "uniform(key, (n, 2)), or from two different subkeys; reusing one key gives x1 == x2.",
        f"x1 et x2 sont corrélées (r = {r:.3f}) : tirez les deux coordonnées d'un coup, "
        "uniform(key, (n, 2)), ou avec deux sous-clés différentes ; réutiliser une clé donne "
        "x1 == x2.",
    )


# -- make_flower ------------------------------------------------------------------------------


@cache
def _petal_curves(petals: int) -> np.ndarray:
    """Points of every petal's noise-free ellipse, ``(petals · 720, 2)``."""
    t = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    base = np.stack([3.5 * np.cos(t) - 3.5, 0.7 * np.sin(t)], axis=1)
    angles = [i * np.pi / 4 for i in range(1, petals + 1)]
    rots = [np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) for a in angles]
    return np.concatenate([base @ rot.T for rot in rots])


def flower_problem(X, y, n: int, petals: int) -> Text | None:
    """Why ``(X, y)`` is not seed 004's flower, or None. Order of the points does not matter."""
    X, total, ones = X.astype(np.float64), n * petals, int(np.sum(y == 1))
    # Label-1 counts per petal i = 1..petals: odd round(43/50·n), even round(7/50·n).
    odd, even = round(43 * n / 50), round(7 * n / 50)
    want = sum(even if i % 2 == 0 else odd for i in range(1, petals + 1))
    if ones != want:
        return Text(
            f"{ones} points are labelled 1{reveal(f', expected {want}')}: on each petal of {n} points, "
            f"round(43/50·{n}) = {odd} points are labelled 1 on odd petals (i = 1, 3, …) and "
            f"round(7/50·{n}) = {even} on even petals.",
            f"{ones} points ont l'étiquette 1{reveal(f', attendu {want}')} : sur chaque pétale de {n} points, "
            f"round(43/50·{n}) = {odd} points ont l'étiquette 1 sur les pétales impairs "
            f"(i = 1, 3, …) et round(7/50·{n}) = {even} sur les pairs.",
        )
    radius = np.linalg.norm(X, axis=1)
    if radius.max() > 8.0 or radius.max() < 6.0:
        return Text(
            f"the points reach a distance {radius.max():.2f} from the origin; each petal is the "
            "ellipse x1 = 3.5·cos(t) − 3.5, x2 = 0.7·sin(t) (rotated), whose tip is 7 from the "
            "origin, plus a little noise.",
            f"les points s'éloignent jusqu'à {radius.max():.2f} de l'origine ; chaque pétale est "
            "l'ellipse x1 = 3.5·cos(t) − 3.5, x2 = 0.7·sin(t) (tournée), dont la pointe est à 7 "
            "de l'origine, plus un peu de bruit.",
        )
    curves = _petal_curves(petals)
    d = np.sqrt(((X[:, None, :] - curves[None, :, :]) ** 2).sum(-1)).min(axis=1)
    if np.quantile(d, 0.95) > 0.5:
        n_far, q = int(np.sum(d > 0.5)), np.quantile(d, 0.95)
        return Text(
            f"{n_far} of {total} points lie far from every petal's ellipse (5 % of them farther "
            f"than {q:.2f}); petal i is the base ellipse rotated by 45°·i counter-clockwise, "
            "cumulatively (x_s = x_s @ rot.T at each petal), plus Gaussian noise of standard "
            "deviation 0.1.",
            f"{n_far} des {total} points sont loin de toutes les ellipses des pétales (5 % d'entre "
            f"eux à plus de {q:.2f}) ; le pétale i est l'ellipse de base tournée de 45°·i dans le "
            "sens direct, cumulativement (x_s = x_s @ rot.T à chaque pétale), plus un bruit "
            "gaussien d'écart type 0.1.",
        )
    if d.mean() < 0.025:
        return Text(
            "the points lie exactly on the ellipses: seed 004 adds Gaussian noise "
            "(standard deviation 0.1) to the base ellipse and again to every petal.",
            "les points sont exactement sur les ellipses : le document 004 ajoute un bruit "
            "gaussien (écart type 0.1) à l'ellipse de base, puis à chaque pétale.",
        )
    # Each point far enough from the centre belongs to the petal whose axis is nearest.
    far = radius > 2.5
    axes = np.array([np.pi + i * np.pi / 4 for i in range(1, petals + 1)])
    angle = np.arctan2(X[far, 1], X[far, 0])
    petal = np.argmin(np.abs(np.angle(np.exp(1j * (angle[:, None] - axes[None, :])))), axis=1)
    for p in range(petals):
        mine, deg = petal == p, round(np.degrees(axes[p]) % 360)
        count = int(mine.sum())
        if count < 0.4 * n or count > n:
            return Text(
                f"petal {p + 1} (its axis at {deg}° from the x1 axis) holds {count} points away "
                f"from the centre{reveal(f', expected about {int(0.59 * n)}')}: each of the {petals} petals "
                f"has {n} points, petal i rotated by 45°·i from the base ellipse (which points "
                "to 180°).",
                f"le pétale {p + 1} (d'axe à {deg}° de l'axe x1) contient {count} points loin du "
                f"centre{reveal(f', attendu environ {int(0.59 * n)}')} : chacun des {petals} pétales a {n} "
                "points, le pétale i tourné de 45°·i par rapport à l'ellipse de base (orientée "
                "vers 180°).",
            )
        share, odd = float(np.mean(y[far][mine] == 1)), p % 2 == 0  # odd: petal p + 1 odd
        if (odd and share < 0.6) or (not odd and share > 0.4):
            return Text(
                f"on petal {p + 1} (axis at {deg}°) {100 * share:.0f} % of the points are "
                "labelled 1; odd petals have 43 of 50 points labelled 1, even ones 7 of 50. "
                "Rotate before adding each petal, as the seed's loop does (petal i is rotated "
                "i times).",
                f"sur le pétale {p + 1} (axe à {deg}°) {100 * share:.0f} % des points ont "
                "l'étiquette 1 ; les pétales impairs ont 43 points sur 50 étiquetés 1, les "
                "pairs 7 sur 50. Tournez avant d'ajouter chaque pétale, comme la boucle du "
                "document (le pétale i est tourné i fois).",
            )
    return None


judge_xor_labels = data_judge("make_xor", xor_problem)
judge_xor_uniform = data_judge("make_xor", uniformity_problem)
judge_flower = data_judge("make_flower", flower_problem)


def keyed(name: str, judge):
    """``judge``, then: the first two cases (the same key) give the same data, the third
    (another key) other data."""

    def judge_keys(cases, outputs):
        verdict = judge(cases, outputs)
        if not verdict.passed:
            return verdict
        a, again, b = ([np.asarray(v) for v in out] for out in outputs[:3])
        if not all(map(np.array_equal, a, again)):
            return fail(
                f"{name} called twice with the same key returned different data: draw every "
                "random number from the key you are given (split it for several draws), never "
                "from np.random or another global state.",
                f"{name} appelée deux fois avec la même clé a renvoyé des données différentes : "
                "tirez chaque nombre aléatoire de la clé reçue (découpez-la pour plusieurs "
                "tirages), jamais de np.random ni d'un autre état global.",
            )
        if all(map(np.array_equal, a, b)):
            return fail(
                f"{name} returned the same data for two different keys: use the key you are "
                "given, not a fixed one.",
                f"{name} a renvoyé les mêmes données pour deux clés différentes : utilisez la clé "
                "reçue, pas une clé fixe.",
            )
        return ok()

    return judge_keys
