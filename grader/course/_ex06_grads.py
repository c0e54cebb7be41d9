"""ex06_logistic's judge of ``logistic_grads`` against seed 002's formula, written out.

The trusted gradient is ``1/m Σ (h − y) x_j + λ w_j / m`` (bias not regularised), computed
example by example in float64; the usual wrong formulas (sign, a missing 1/m, the bias
regularised, the quadratic cost's gradient…) are declared as :class:`~grader.judging.Mistake` s
to name the likely mistake. The checks are in ex06_logistic.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from grader.compare import Judged, Tolerance, float_name, input_precision, tolerance
from grader.course.common import plain
from grader.i18n import Text
from grader.judging import Mistake, case_words, diagnose
from grader.spec import Case, Verdict, fail, ok


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def _unpack(case: Case):
    args = [plain(a) for a in case.args]
    kwargs = {k: plain(v) for k, v in case.kwargs.items()}
    params, X, y = args[:3]
    lam = args[3] if len(args) > 3 else kwargs.get("lam", 0.0)
    w = np.asarray(params["w"], np.float64)
    b = float(np.asarray(params["b"], np.float64))
    return w, b, np.asarray(X, np.float64), np.asarray(y, np.float64), float(lam)


def seed_gradient(w, b, X, y, lam):
    """Seed 002 written out example by example: 1/m Σ_i (h_i − y_i) x_ij + λ w_j / m."""
    m, n = X.shape
    h = [float(_sigmoid(X[i] @ w + b)) for i in range(m)]
    gw = np.array(
        [sum((h[i] - y[i]) * X[i, j] for i in range(m)) / m + lam * w[j] / m for j in range(n)]
    )
    gb = sum(h[i] - y[i] for i in range(m)) / m
    return gw, gb


def _parts(w, b, X, y, lam, *, h=None):
    m = X.shape[0]
    h = _sigmoid(X @ w + b) if h is None else h
    r = h - y
    return m, h, r, X.T @ r


SIGN = Text(
    "Sign error: the gradient is 1/m Σ (h − y) x, not (y − h); gradient descent then subtracts it.",
    "Erreur de signe : le gradient vaut 1/m Σ (h − y) x, pas (y − h) ; la descente de gradient le soustrait ensuite.",
)

GRAD_VARIANTS: list[Mistake] = [
    Mistake(
        lambda w, b, X, y, lam: (
            lambda m, h, r, xr: (xr / m + lam * w / m, r.mean() + lam * b / m)
        )(*_parts(w, b, X, y, lam)),
        Text(
            "The bias is not regularised: ∂J/∂b = mean(h − y), with no λ b / m (the penalty sums θ_j² from j = 1, the weights only).",
            "Le biais n'est pas régularisé : ∂J/∂b = moyenne(h − y), sans λ b / m (la pénalité somme θ_j² à partir de j = 1, les poids seulement).",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (-(xr / m + lam * w / m), -r.mean()))(
            *_parts(w, b, X, y, lam)
        ),
        SIGN,
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (-xr / m + lam * w / m, -r.mean()))(
            *_parts(w, b, X, y, lam)
        ),
        SIGN,
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr + lam * w, r.sum()))(
            *_parts(w, b, X, y, lam)
        ),
        Text(
            "The 1/m is missing: seed 002's gradient is a mean over the m examples, 1/m Σ_i (h − y) x_j, and the regularisation term is λ w / m.",
            "Il manque le 1/m : le gradient du seed 002 est une moyenne sur les m exemples, 1/m Σ_i (h − y) x_j, et le terme de régularisation vaut λ w / m.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr + lam * w / m, r.sum()))(
            *_parts(w, b, X, y, lam)
        ),
        Text(
            "The data term needs its 1/m: 1/m Σ_i (h − y) x_j is a mean over the examples, not a sum (the same for ∂J/∂b).",
            "Le terme des données a besoin de son 1/m : 1/m Σ_i (h − y) x_j est une moyenne sur les exemples, pas une somme (de même pour ∂J/∂b).",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr / m + lam * w / (2 * m), r.mean()))(
            *_parts(w, b, X, y, lam)
        ),
        Text(
            "The derivative of λ/(2m) Σ w_j² is λ w_j / m: the 2 of the square cancels the 1/2.",
            "La dérivée de λ/(2m) Σ w_j² est λ w_j / m : le 2 du carré annule le 1/2.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr / m + lam * w, r.mean()))(
            *_parts(w, b, X, y, lam)
        ),
        Text(
            "The regularisation term is λ w / m: divide it by m too.",
            "Le terme de régularisation vaut λ w / m : divisez-le aussi par m.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr / m, r.mean()))(*_parts(w, b, X, y, lam)),
        Text(
            "The regularisation term λ w / m is missing from ∂J/∂w.",
            "Il manque le terme de régularisation λ w / m dans ∂J/∂w.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (
            lambda m, h, r, xr: (
                X.T @ (r * h * (1 - h)) / m + lam * w / m,
                np.mean(r * h * (1 - h)),
            )
        )(*_parts(w, b, X, y, lam)),
        Text(
            "That is the gradient of the quadratic cost: with the cross-entropy, σ'(z) = h(1 − h) cancels out and the gradient is simply 1/m Σ (h − y) x.",
            "C'est le gradient du coût quadratique : avec l'entropie croisée, σ'(z) = h(1 − h) se simplifie et le gradient vaut simplement 1/m Σ (h − y) x.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (lambda m, h, r, xr: (xr / m + lam * w / m, r.mean()))(
            *_parts(w, b, X, y, lam, h=_sigmoid(X @ w))
        ),
        Text(
            "h = σ(X w + b): the bias is missing from the prediction.",
            "h = σ(X w + b) : il manque le biais dans la prédiction.",
        ),
    ),
    Mistake(
        lambda w, b, X, y, lam: (
            lambda m, h, r, xr: (xr / X.shape[1] + lam * w / X.shape[1], r.sum() / X.shape[1])
        )(*_parts(w, b, X, y, lam)),
        Text(
            "Divide by m = X.shape[0], the number of examples, not by the number of features.",
            "Divisez par m = X.shape[0], le nombre d'exemples, pas par le nombre de caractéristiques.",
        ),
    ),
]


# The formula judge uses the grader's tolerance policy (grader.compare.tolerance): judged at the
# precision of the case's inputs; float32 allows 1e-5 × the largest true gradient + 1e-4
# relative (the judge's former fixed threshold), float64 the policy's default.
GRADS_TOL = Tolerance(float32=(1e-4, 1e-5))


def _judged(case: Case, out: Any) -> Judged:
    """The tolerance for the answer ``out`` to ``case`` (the truth is float64)."""
    try:
        dtype = np.asarray(out["w"]).dtype
    except Exception:  # _read_grads says what is wrong with such an answer
        dtype = None
    got = float_name(dtype) if dtype is not None else None
    return tolerance(input_precision(case.args, case.kwargs), "float64", got, tol=GRADS_TOL)


def _close(got: np.ndarray, exp: np.ndarray, scale: float, judged: Judged) -> bool:
    return bool(np.all(np.abs(got - exp) <= judged.allowed(np.asarray(exp, float), scale)))


def _read_grads(out: Any, n: int) -> tuple[np.ndarray, float] | Text:
    """The student's ``{"w", "b"}`` as float64 numpy, or a message saying what is wrong."""
    if not isinstance(out, dict) or set(out) != {"w", "b"}:
        keys = sorted(map(str, out)) if isinstance(out, dict) else None
        return Text(
            f"logistic_grads must return a dict {{'w': (n,), 'b': ()}}, like params; got {('a dict with keys ' + str(keys)) if keys is not None else type(out).__name__}.",
            f"logistic_grads doit renvoyer un dict {{'w': (n,), 'b': ()}}, comme params ; obtenu {('un dict de clés ' + str(keys)) if keys is not None else type(out).__name__}.",
        )
    try:
        w = np.asarray(out["w"], dtype=np.float64)
        b = np.asarray(out["b"], dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return Text(
            "'w' and 'b' must be arrays of numbers.",
            "'w' et 'b' doivent être des tableaux de nombres.",
        )
    if w.shape != (n,) or b.size != 1:
        return Text(
            f"expected 'w' of shape ({n},) and a scalar 'b', got shapes {w.shape} and {b.shape}.",
            f"attendu 'w' de forme ({n},) et 'b' scalaire, obtenu les formes {w.shape} et {b.shape}.",
        )
    if not (np.isfinite(w).all() and np.isfinite(b).all()):
        return Text(
            "the gradient contains NaN or infinite values.",
            "le gradient contient des valeurs NaN ou infinies.",
        )
    return w, float(b.reshape(()))


def grads_judge(*, hidden: bool = False):
    """Judge ``logistic_grads`` against seed 002's formula, naming the likely mistake."""

    def judge(cases: Sequence[Case], outputs: Sequence[Any]) -> Verdict:
        calls, answers, wanted, judgeds, first_wrong = [], [], [], [], None
        for i, (case, out) in enumerate(zip(cases, outputs, strict=True)):
            w, b, X, y, lam = _unpack(case)
            en, fr = case_words(case)
            got = _read_grads(out, w.shape[0])
            if isinstance(got, Text):
                return fail(f"On {en}: {got.en}", f"Sur {fr} : {got.fr}")
            exp = seed_gradient(w, b, X, y, lam)
            calls.append((w, b, X, y, lam))
            answers.append(got)
            wanted.append(exp)
            judgeds.append(_judged(case, out))
            if first_wrong is None and not _grads_close(got, exp, judgeds[-1]):
                first_wrong = i
        if first_wrong is None:
            return ok()
        i = first_wrong
        (gw, gb), (ew, eb) = answers[i], wanted[i]
        en, fr = case_words(cases[i])
        diag = diagnose(
            GRAD_VARIANTS, calls, answers, first_wrong=i, same=_same_as(judgeds)
        ) or Text(
            "Compare with seed 002: ∂J/∂w_j = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾) x_j⁽ⁱ⁾ + λ w_j / m and ∂J/∂b = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾), with h = σ(X w + b).",
            "Comparez avec le seed 002 : ∂J/∂w_j = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾) x_j⁽ⁱ⁾ + λ w_j / m et ∂J/∂b = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾), avec h = σ(X w + b).",
        )
        scale = max(float(np.max(np.abs(ew))), abs(eb))
        bad_w = np.abs(gw - ew) > judgeds[i].allowed(np.asarray(ew, float), scale)
        if bad_w.any():
            j = int(np.argmax(np.abs(gw - ew)))
            where_en = where_fr = f"∂J/∂w[{j}]"
            got_v, exp_v = gw[j], ew[j]
        else:
            where_en = where_fr = "∂J/∂b"
            got_v, exp_v = gb, eb
        if hidden:
            return fail(
                f"On {en}: {where_en} differs from seed 002's formula. {diag.en}",
                f"Sur {fr} : {where_fr} diffère de la formule du seed 002. {diag.fr}",
            )
        return fail(
            f"On {en}: {where_en} is {got_v:.6g}, seed 002's formula gives {exp_v:.6g}. {diag.en}",
            f"Sur {fr} : {where_fr} vaut {got_v:.6g}, la formule du seed 002 donne {exp_v:.6g}. {diag.fr}",
        )

    return judge


def _same_as(judgeds: list[Judged]):
    """``same`` for :func:`diagnose`: an answer is a formula's gradient at case ``i``'s tolerance."""

    def same(answer, value, i: int) -> bool:
        pair = (np.asarray(value[0], float), float(value[1]))
        return _grads_close(answer, pair, judgeds[i])

    return same


def _grads_close(got, exp, judged: Judged) -> bool:
    (gw, gb), (ew, eb) = got, exp
    scale = max(float(np.max(np.abs(ew))) if ew.size else 0.0, abs(eb), 1e-12)
    return _close(gw, ew, scale, judged) and _close(np.array(gb), np.array(eb), scale, judged)
