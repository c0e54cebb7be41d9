"""ex15_experiments' property judges of the data generators ``make_xor`` and ``make_flower``.

Both must return ``(X, y)`` of the asked size; XOR's labels follow the signs of x1·x2 and its
points are uniform in [−1, 1]²; the flower's points lie on its petals' curves with the
expected labels. The checks are in ex15_experiments.py.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.i18n import Text
from grader.spec import fail, ok

# -- helpers ----------------------------------------------------------------------------------


def _array(value) -> np.ndarray | None:
    try:
        a = np.asarray(value)
    except Exception:
        return None
    return a if a.dtype.kind in "biuf" else None


def _pair(out, what: str):
    """(X, y, None) for a ``(X, y)`` output, else (None, None, failing Verdict)."""
    if not isinstance(out, (list, tuple)) or len(out) != 2:
        return (
            None,
            None,
            fail(
                f"{what} must return a pair (X, y).",
                f"{what} doit renvoyer un couple (X, y).",
            ),
        )
    X, y = _array(out[0]), _array(out[1])
    if X is None or y is None:
        return (
            None,
            None,
            fail(
                f"{what} must return two numeric arrays (X, y).",
                f"{what} doit renvoyer deux tableaux numériques (X, y).",
            ),
        )
    return X, y, None


def _check_xy(X, y, n: int, what: str):
    """A failing Verdict unless X is finite (n, 2) and y is (n,) of 0/1 values."""
    if X.shape != (n, 2) or y.shape != (n,):
        return fail(
            f"{what}: expected X of shape {(n, 2)} and y of shape {(n,)}, got {X.shape} and "
            f"{y.shape}.",
            f"{what} : X de forme {(n, 2)} et y de forme {(n,)} attendus, obtenu {X.shape} et "
            f"{y.shape}.",
        )
    if not np.isfinite(X).all():
        return fail(
            f"{what}: X contains NaN or infinite values.",
            f"{what} : X contient des NaN ou des infinis.",
        )
    if not np.isin(y, (0, 1)).all():
        bad = sorted({float(v) for v in np.unique(y)} - {0.0, 1.0})[:5]
        return fail(
            f"{what}: the labels must be 0 or 1, found also {bad}.",
            f"{what} : les étiquettes doivent valoir 0 ou 1, trouvé aussi {bad}.",
        )
    return None


def _n(case) -> int:
    return int(case.args[1])


# -- make_xor ---------------------------------------------------------------------------------


def judge_xor_labels(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        n = _n(case)
        X, y, bad = _pair(out, "make_xor")
        if bad:
            return bad
        bad = _check_xy(X, y, n, f"make_xor(key, {n})")
        if bad:
            return bad
        if X.min() < -1 or X.max() > 1:
            return fail(
                f"make_xor(key, {n}): the points must lie in [-1, 1]², found coordinates from "
                f"{X.min():.3g} to {X.max():.3g}. Use jax.random.uniform(key, (n, 2), "
                "minval=-1.0, maxval=1.0).",
                f"make_xor(key, {n}) : les points doivent être dans [-1, 1]², trouvé des "
                f"coordonnées de {X.min():.3g} à {X.max():.3g}. Utilisez "
                "jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0).",
            )
        want = (X[:, 0].astype(np.float64) * X[:, 1] > 0).astype(np.int64)
        wrong = np.flatnonzero(want != y)
        if wrong.size:
            i = int(wrong[0])
            return fail(
                f"make_xor(key, {n}): {wrong.size} of {n} labels break the rule y = 1 where "
                f"x1·x2 > 0, else 0; e.g. the point {X[i].tolist()} has label {y[i]:g}. "
                "(Seed 004 labels ±1; here the labels are 1 and 0.)",
                f"make_xor(key, {n}) : {wrong.size} des {n} étiquettes ne suivent pas la règle "
                f"y = 1 si x1·x2 > 0, sinon 0 ; par exemple le point {X[i].tolist()} a "
                f"l'étiquette {y[i]:g}. (Le document 004 étiquette ±1 ; ici les étiquettes "
                "sont 1 et 0.)",
            )
    return ok()


def uniformity_problem(X: np.ndarray) -> Text | None:
    """Why ``X`` does not look uniform on [-1, 1]² (Kolmogorov–Smirnov, independence), or None."""
    n = len(X)
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
    if not abs(r) < 5.0 / np.sqrt(n):
        return Text(
            f"x1 and x2 are correlated (r = {r:.3f}): draw both coordinates at once, "
            "uniform(key, (n, 2)), or from two different subkeys; reusing one key gives x1 == x2.",
            f"x1 et x2 sont corrélées (r = {r:.3f}) : tirez les deux coordonnées d'un coup, "
            "uniform(key, (n, 2)), ou avec deux sous-clés différentes ; réutiliser une clé donne "
            "x1 == x2.",
        )
    return None


def judge_xor_uniform(cases, outputs):
    n = _n(cases[0])
    X, y, bad = _pair(outputs[0], "make_xor")
    if bad:
        return bad
    bad = _check_xy(X, y, n, f"make_xor(key, {n})")
    if bad:
        return bad
    why = uniformity_problem(X)
    if why:
        return fail(f"make_xor(key, {n}): {why.en}", f"make_xor(key, {n}) : {why.fr}")
    return ok()


# -- make_flower ------------------------------------------------------------------------------


def expected_ones(n_per_petal: int, petals: int) -> list[int]:
    """Label-1 counts per petal, i = 1..petals: odd round(43/50·n), even round(7/50·n)."""
    n = int(n_per_petal)
    return [round(7 * n / 50) if i % 2 == 0 else round(43 * n / 50) for i in range(1, petals + 1)]


@cache
def _petal_curves(petals: int) -> np.ndarray:
    """Points of every petal's noise-free ellipse, ``(petals, 720, 2)``."""
    t = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    base = np.stack([3.5 * np.cos(t) - 3.5, 0.7 * np.sin(t)], axis=1)
    out = []
    for i in range(1, petals + 1):
        a = i * np.pi / 4
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        out.append(base @ rot.T)
    return np.stack(out)


def flower_problem(X, y, n_per_petal: int, petals: int) -> Text | None:
    """Why ``(X, y)`` is not seed 004's flower, or None. Order of the points does not matter."""
    n, total = int(n_per_petal), int(n_per_petal) * int(petals)
    X = X.astype(np.float64)
    ones = int(np.sum(y == 1))
    want = sum(expected_ones(n, petals))
    if ones != want:
        return Text(
            f"{ones} points are labelled 1, expected {want}: on each petal of {n} points, "
            f"round(43/50·{n}) = {round(43 * n / 50)} points are labelled 1 on odd petals "
            f"(i = 1, 3, …) and round(7/50·{n}) = {round(7 * n / 50)} on even petals.",
            f"{ones} points ont l'étiquette 1, attendu {want} : sur chaque pétale de {n} points, "
            f"round(43/50·{n}) = {round(43 * n / 50)} points ont l'étiquette 1 sur les pétales "
            f"impairs (i = 1, 3, …) et round(7/50·{n}) = {round(7 * n / 50)} sur les pairs.",
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
    curves = _petal_curves(petals).reshape(-1, 2)
    d = np.sqrt(((X[:, None, :] - curves[None, :, :]) ** 2).sum(-1)).min(axis=1)
    if np.quantile(d, 0.95) > 0.5:
        return Text(
            f"{int(np.sum(d > 0.5))} of {total} points lie far from every petal's ellipse "
            f"(5 % of them farther than {np.quantile(d, 0.95):.2f}); petal i is the base "
            "ellipse rotated by 45°·i counter-clockwise, cumulatively (x_s = x_s @ rot.T at each "
            "petal), plus Gaussian noise of standard deviation 0.1.",
            f"{int(np.sum(d > 0.5))} des {total} points sont loin de toutes les ellipses des "
            f"pétales (5 % d'entre eux à plus de {np.quantile(d, 0.95):.2f}) ; le pétale i est "
            "l'ellipse de base tournée de 45°·i dans le sens direct, cumulativement "
            "(x_s = x_s @ rot.T à chaque pétale), plus un bruit gaussien d'écart type 0.1.",
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
    gap = np.abs(np.angle(np.exp(1j * (angle[:, None] - axes[None, :]))))
    petal = np.argmin(gap, axis=1)
    y_far = y[far]
    for p in range(petals):
        mine = petal == p
        count = int(mine.sum())
        if count < 0.4 * n or count > n:
            deg = round(np.degrees(axes[p]) % 360)
            return Text(
                f"petal {p + 1} (its axis at {deg}° from the x1 axis) holds {count} points away "
                f"from the centre, expected about {int(0.59 * n)}: each of the {petals} petals "
                f"has {n} points, petal i rotated by 45°·i from the base ellipse (which points "
                "to 180°).",
                f"le pétale {p + 1} (d'axe à {deg}° de l'axe x1) contient {count} points loin du "
                f"centre, attendu environ {int(0.59 * n)} : chacun des {petals} pétales a {n} "
                "points, le pétale i tourné de 45°·i par rapport à l'ellipse de base (orientée "
                "vers 180°).",
            )
        share = float(np.mean(y_far[mine] == 1))
        odd = (p + 1) % 2 == 1
        if (odd and share < 0.6) or (not odd and share > 0.4):
            deg = round(np.degrees(axes[p]) % 360)
            return Text(
                f"on petal {p + 1} (axis at {deg}°) {100 * share:.0f} % of the points are "
                f"labelled 1; odd petals have 43 of 50 points labelled 1, even ones 7 of 50. "
                "Rotate before adding each petal, as the seed's loop does (petal i is rotated "
                "i times).",
                f"sur le pétale {p + 1} (axe à {deg}°) {100 * share:.0f} % des points ont "
                "l'étiquette 1 ; les pétales impairs ont 43 points sur 50 étiquetés 1, les "
                "pairs 7 sur 50. Tournez avant d'ajouter chaque pétale, comme la boucle du "
                "document (le pétale i est tourné i fois).",
            )
    return None


def _flower_args(case) -> tuple[int, int]:
    """(n_per_petal, petals) of a make_flower case, defaults included."""
    out = []
    for i, (name, default) in enumerate((("n_per_petal", 50), ("petals", 8)), start=1):
        out.append(int(case.args[i]) if len(case.args) > i else int(case.kwargs.get(name, default)))
    return out[0], out[1]


def judge_flower(cases, outputs):
    for case, out in zip(cases, outputs, strict=True):
        n, petals = _flower_args(case)
        what = f"make_flower(key, {n}, {petals})"
        X, y, bad = _pair(out, "make_flower")
        if bad:
            return bad
        bad = _check_xy(X, y, n * petals, what)
        if bad:
            return bad
        why = flower_problem(X, y, n, petals)
        if why:
            return fail(f"{what}: {why.en}", f"{what} : {why.fr}")
    return ok()
