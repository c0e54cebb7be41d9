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
from grader.judging import Mistake, case_words, diagnose, reveal
from grader.spec import Case, Verdict, fail, ok


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def _unpack(case: Case):
    args = [plain(a) for a in case.args]
    params, X, y = args[:3]
    lam = args[3] if len(args) > 3 else plain(case.kwargs.get("lam", 0.0))
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


def _wrong(formula, bias_in_h: bool = True):
    """A wrong gradient ``(w, b, X, y, lam) -> (gw, gb)`` given as ``formula(m, h, r, xr, w, b,
    X, lam)`` of h = σ(X w + b) (σ(X w) without ``bias_in_h``), r = h − y and xr = Xᵀ r."""

    def grads(w, b, X, y, lam):
        h = _sigmoid(X @ w + (b if bias_in_h else 0.0))
        return formula(X.shape[0], h, h - y, X.T @ (h - y), w, b, X, lam)

    return grads


SIGN = (
    "Sign error: the gradient is 1/m Σ (h − y) x, not (y − h); gradient descent then subtracts it.",
    "Erreur de signe : le gradient vaut 1/m Σ (h − y) x, pas (y − h) ; la descente de gradient le soustrait ensuite.",
)

GRAD_VARIANTS = [
    Mistake(_wrong(formula, *options), Text(en, fr))
    for formula, en, fr, *options in [
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / m + lam * w / m, r.mean() + lam * b / m),
            "The bias is not regularised: ∂J/∂b = mean(h − y), with no λ b / m (the penalty sums θ_j² from j = 1, the weights only).",
            "Le biais n'est pas régularisé : ∂J/∂b = moyenne(h − y), sans λ b / m (la pénalité somme θ_j² à partir de j = 1, les poids seulement).",
        ),
        (lambda m, h, r, xr, w, b, X, lam: (-(xr / m + lam * w / m), -r.mean()), *SIGN),
        (lambda m, h, r, xr, w, b, X, lam: (-xr / m + lam * w / m, -r.mean()), *SIGN),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr + lam * w, r.sum()),
            "The 1/m is missing: seed 002's gradient is a mean over the m examples, 1/m Σ_i (h − y) x_j, and the regularisation term is λ w / m.",
            "Il manque le 1/m : le gradient du seed 002 est une moyenne sur les m exemples, 1/m Σ_i (h − y) x_j, et le terme de régularisation vaut λ w / m.",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr + lam * w / m, r.sum()),
            "The data term needs its 1/m: 1/m Σ_i (h − y) x_j is a mean over the examples, not a sum (the same for ∂J/∂b).",
            "Le terme des données a besoin de son 1/m : 1/m Σ_i (h − y) x_j est une moyenne sur les exemples, pas une somme (de même pour ∂J/∂b).",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / m + lam * w / (2 * m), r.mean()),
            "The derivative of λ/(2m) Σ w_j² is λ w_j / m: the 2 of the square cancels the 1/2.",
            "La dérivée de λ/(2m) Σ w_j² est λ w_j / m : le 2 du carré annule le 1/2.",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / m + lam * w, r.mean()),
            "The regularisation term is λ w / m: divide it by m too.",
            "Le terme de régularisation vaut λ w / m : divisez-le aussi par m.",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / m, r.mean()),
            "The regularisation term λ w / m is missing from ∂J/∂w.",
            "Il manque le terme de régularisation λ w / m dans ∂J/∂w.",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (
                X.T @ (r * h * (1 - h)) / m + lam * w / m,
                np.mean(r * h * (1 - h)),
            ),
            "That is the gradient of the quadratic cost: with the cross-entropy, σ'(z) = h(1 − h) cancels out and the gradient is simply 1/m Σ (h − y) x.",
            "C'est le gradient du coût quadratique : avec l'entropie croisée, σ'(z) = h(1 − h) se simplifie et le gradient vaut simplement 1/m Σ (h − y) x.",
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / m + lam * w / m, r.mean()),
            "h = σ(X w + b): the bias is missing from the prediction.",
            "h = σ(X w + b) : il manque le biais dans la prédiction.",
            False,  # h without the bias
        ),
        (
            lambda m, h, r, xr, w, b, X, lam: (xr / w.size + lam * w / w.size, r.sum() / w.size),
            "Divide by m = X.shape[0], the number of examples, not by the number of features.",
            "Divisez par m = X.shape[0], le nombre d'exemples, pas par le nombre de caractéristiques.",
        ),
    ]
]

GENERIC = Text(
    "Compare with seed 002: ∂J/∂w_j = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾) x_j⁽ⁱ⁾ + λ w_j / m and ∂J/∂b = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾), with h = σ(X w + b).",
    "Comparez avec le seed 002 : ∂J/∂w_j = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾) x_j⁽ⁱ⁾ + λ w_j / m et ∂J/∂b = 1/m Σ_i (h⁽ⁱ⁾ − y⁽ⁱ⁾), avec h = σ(X w + b).",
)

# The formula judge uses the grader's tolerance policy (grader.compare.tolerance): judged at the
# precision of the case's inputs; float32 allows 1e-5 × the largest true gradient + 1e-4
# relative (the judge's former fixed threshold), float64 the policy's default.
GRADS_TOL = Tolerance(float32=(1e-4, 1e-5))


def _judged(case: Case, out: Any) -> Judged:
    """The tolerance for the answer ``out`` to ``case`` (the truth is float64)."""
    try:
        got = float_name(np.asarray(out["w"]).dtype)
    except Exception:  # read_wb says what is wrong with such an answer
        got = None
    return tolerance(input_precision(case.args, case.kwargs), "float64", got, tol=GRADS_TOL)


def _bad(got, exp, judged: Judged) -> tuple[np.ndarray, bool]:
    """Which elements of ∂J/∂w, and whether ∂J/∂b, differ from ``exp`` beyond ``judged``'s
    tolerance; the scale is the largest true gradient (of w or b)."""
    (gw, gb), (ew, eb) = got, (np.asarray(exp[0], float), float(exp[1]))
    scale = max(float(np.max(np.abs(ew))) if ew.size else 0.0, abs(eb), 1e-12)
    return np.abs(gw - ew) > judged.allowed(ew, scale), abs(gb - eb) > judged.allowed(eb, scale)


def read_wb(out: Any, n: int, function: str, not_finite: Text, exact: bool = True):
    """The student's ``{"w", "b"}`` as float64 numpy (w) and a float (b), or what is wrong.

    Args:
      out: the answer.
      n: the number of features (w's length).
      function: the function that returned it, for the message.
      not_finite: what NaN or infinite values mean.
      exact: whether "w" and "b" must be the only keys.
    """
    keys = set(out) if isinstance(out, dict) else set()
    if not (keys == {"w", "b"} if exact else keys >= {"w", "b"}):
        what = f"a dict with keys {sorted(map(str, out))}" if isinstance(out, dict) else None
        quoi = f"un dict de clés {sorted(map(str, out))}" if isinstance(out, dict) else None
        return Text(
            f"{function} must return a dict {{'w': (n,), 'b': ()}}, like params; got {what or type(out).__name__}.",
            f"{function} doit renvoyer un dict {{'w': (n,), 'b': ()}}, comme params ; obtenu {quoi or type(out).__name__}.",
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
        return not_finite
    return w, float(b.reshape(()))


NOT_FINITE = Text(
    "the gradient contains NaN or infinite values.",
    "le gradient contient des valeurs NaN ou infinies.",
)


def grads_judge():
    """Judge ``logistic_grads`` against seed 002's formula, naming the likely mistake; the
    formula's value is revealed (public checks only)."""

    def judge(cases: Sequence[Case], outputs: Sequence[Any]) -> Verdict:
        calls, answers, judgeds = [], [], []
        for case, out in zip(cases, outputs, strict=True):
            calls.append(_unpack(case))
            got = read_wb(out, calls[-1][0].shape[0], "logistic_grads", NOT_FINITE)
            if isinstance(got, Text):
                en, fr = case_words(case)
                return fail(f"On {en}: {got.en}", f"Sur {fr} : {got.fr}")
            answers.append(got)
            judgeds.append(_judged(case, out))

        def same(answer, value, i: int) -> bool:
            bad_w, bad_b = _bad(answer, value, judgeds[i])
            return not (bad_w.any() or bad_b)

        wanted = [seed_gradient(*call) for call in calls]
        wrong = [
            i for i, (g, e) in enumerate(zip(answers, wanted, strict=True)) if not same(g, e, i)
        ]
        if not wrong:
            return ok()
        i = wrong[0]
        diag = diagnose(GRAD_VARIANTS, calls, answers, first_wrong=i, same=same) or GENERIC
        (gw, gb), (ew, eb) = answers[i], wanted[i]
        if _bad(answers[i], wanted[i], judgeds[i])[0].any():
            j = int(np.argmax(np.abs(gw - ew)))
            where, got_v, exp_v = f"∂J/∂w[{j}]", gw[j], ew[j]
        else:
            where, got_v, exp_v = "∂J/∂b", gb, eb
        en, fr = case_words(cases[i])
        return fail(
            f"On {en}: {where} differs from seed 002's formula{reveal(f' (it is {got_v:.6g}, the formula gives {exp_v:.6g})')}. {diag.en}",
            f"Sur {fr} : {where} diffère de la formule du seed 002{reveal(f' (il vaut {got_v:.6g}, la formule donne {exp_v:.6g})')}. {diag.fr}",
        )

    return judge
