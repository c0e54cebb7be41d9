"""ex08_backprop's judge of ``backprop``: the gradients against jax.grad of a trusted cost.

``true_grads`` differentiates the quadratic cost of the sigmoid MLP in float64; each gradient
leaf is judged with the tolerance policy, and a wrong answer is explained (a constant factor,
a transposed or misplaced leaf, the layer where it goes wrong). The checks are in
ex08_backprop.py.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from grader.compare import Tolerance, describe, input_precision, tolerance
from grader.course.common import plain
from grader.spec import fail, ok


def _cost(p, x, y):
    """The trusted cost: C = 1/(2n) Σ ‖y − a_L‖², sigmoid after every layer."""
    import jax
    import jax.numpy as jnp

    a = x
    for layer in p:
        a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
    return jnp.sum((y - a) ** 2) / (2 * x.shape[0])


_GRAD = []  # jax.jit(jax.grad(_cost)), built on first use (jit caches one compilation per shape)


def true_grads(params, x, y):
    """[(dC/dw, dC/db)] of the quadratic cost of the sigmoid MLP: jax.grad in float64."""
    import jax
    import jax.numpy as jnp

    if not _GRAD:
        _GRAD.append(jax.jit(jax.grad(_cost)))
    with jax.enable_x64(True):
        p = [
            {k: jnp.asarray(np.asarray(layer[k], np.float64)) for k in ("w", "b")}
            for layer in params
        ]
        xx = jnp.asarray(np.asarray(x, np.float64))
        yy = jnp.asarray(np.asarray(y, np.float64))
        grads = _GRAD[0](p, xx, yy)
        return [(np.asarray(g["w"], np.float64), np.asarray(g["b"], np.float64)) for g in grads]


# backprop's gradients are judged with the policy's default (rtol, atol) per precision; atol
# is relative to the leaf's largest true gradient, floored at 1e-4 of the network's largest
# (a leaf whose gradients all nearly cancel is not held to its own tiny scale). Measured: the
# float32 alternatives of tests/course/test_ex08_backprop.py stay below 7 % of that tolerance.
BACKPROP_TOL = Tolerance()


def assess(got, exp, floor, inputs=None, tol=BACKPROP_TOL):
    """How a gradient leaf compares with the truth: a dict with a ``status``.

    Args:
      got: the student's leaf.
      exp: the true gradient (float64).
      floor: the smallest scale the tolerance's atol is relative to.
      inputs: :func:`grader.compare.input_precision` of the case.
      tol: per-precision (rtol, atol).
    """
    try:
        raw = np.asarray(got)
    except (ValueError, TypeError):
        raw = None
    if raw is None or (raw.dtype.kind not in "biuf" and raw.dtype.name != "bfloat16"):
        return {"status": "type", "got": got}
    arr = raw.astype(np.float64)
    if arr.shape != exp.shape:
        return {"status": "shape", "shape": arr.shape, "expected": exp.shape}
    if not np.isfinite(arr).all():
        return {"status": "nonfinite"}
    # The same policy as compare checks: the precision of the inputs, never that of a less
    # (or more) precise answer.
    judged = tolerance(inputs, exp.dtype, raw.dtype, tol=tol)
    scale = max(float(np.max(np.abs(exp))), floor)
    if np.all(np.abs(arr - exp) <= judged.allowed(exp, scale)):
        return {"status": "right"}
    err = float(np.max(np.abs(arr - exp))) / scale
    out = {"status": "values", "error": err, "got": arr}
    square = exp.ndim == 2 and exp.shape[0] == exp.shape[1] > 1
    if square and np.all(np.abs(arr - exp.T) <= 1e3 * judged.allowed(exp.T, scale)):
        out["transposed"] = True
    factor = _factor(arr.ravel(), exp.ravel())
    if factor is not None:
        out["factor"] = factor
    return out


def _factor(g, e):
    """c when g ≈ c·e for a constant c ≠ 1, else None."""
    ee = float(e @ e)
    if ee == 0.0:
        return None
    c = float(g @ e) / ee
    if c == 0.0 or abs(c - 1.0) < 1e-3:
        return None
    if np.linalg.norm(g - c * e) <= 1e-3 * abs(c) * np.sqrt(ee):
        return c
    return None


def _leaf_text(name, a, n, hidden):
    """(en, fr) describing one leaf's state; ``name`` is 'dW' or 'db'."""
    s = a["status"]
    if s == "right":
        return f"{name} is right", f"{name} est juste"
    if s == "type":
        return (
            f"{name} is not an array of numbers (got {describe(a['got'])})",
            f"{name} n'est pas un tableau de nombres (obtenu {describe(a['got'], 'fr')})",
        )
    if s == "nonfinite":
        return (
            f"{name} contains NaN or infinite values (an overflow? use a stable sigmoid)",
            f"{name} contient des NaN ou des infinis (un dépassement ? utilisez une sigmoïde stable)",
        )
    if s == "shape":
        got, exp = a["shape"], a["expected"]
        en = f"{name} has shape {got}, expected {exp}"
        fr = f"{name} a la forme {got}, attendu {exp}"
        if name == "dW" and len(exp) == 2 and got == exp[::-1]:
            en += " (transposed? dW_l = a_{l−1}.T @ δ_l has the shape of w_l, (n_in, n_out))"
            fr += " (transposée ? dW_l = a_{l−1}.T @ δ_l a la forme de w_l, (n_in, n_out))"
        elif name == "db" and len(got) == 2 and got[1] == exp[0] and got[0] == n and n > 1:
            en += f": one row per example; sum δ_l over the batch (axis 0), then divide by n = {n}"
            fr += (
                f" : une ligne par exemple ; sommez δ_l sur le lot (axe 0), puis divisez par "
                f"n = {n}"
            )
        elif name == "db" and got in ((exp[0], 1), (1, exp[0])):
            en += ": a flat vector like b, not a column"
            fr += " : un vecteur plat comme b, pas une colonne"
        return en, fr
    # wrong values
    en, fr = f"{name} is wrong", f"{name} est faux"
    if not hidden:
        en += f" (max rel. error {a['error']:.3g})"
        fr += f" (erreur relative max. {a['error']:.3g})"
    if a.get("transposed"):
        en += ", it looks transposed: dW_l = a_{l−1}.T @ δ_l, of shape (n_in, n_out)"
        fr += ", il semble transposé : dW_l = a_{l−1}.T @ δ_l, de forme (n_in, n_out)"
    elif "factor" in a and not hidden:
        en += f", it is {a['factor']:.4g} times the right one"
        fr += f", il vaut {a['factor']:.4g} fois le bon"
    return en, fr


def _global_factor_text(assessed, truth, n):
    """A sentence when every gradient is off by the same constant factor."""
    if not all(a["status"] in ("right", "values") for pair in assessed for a in pair):
        return None
    g, e = [], []
    for (aw, ab), (ew, eb) in zip(assessed, truth, strict=True):
        for a, ex in ((aw, ew), (ab, eb)):
            g.append(a["got"].ravel() if a["status"] == "values" else ex.ravel())
            e.append(ex.ravel())
    c = _factor(np.concatenate(g), np.concatenate(e))
    if c is None:
        return None
    near = lambda v: abs(c - v) <= 1e-3 * abs(v)
    if n > 1 and near(n):
        return (
            f"Every gradient is n = {n} times too large: you summed over the batch without "
            "dividing by n (C = 1/(2n) Σ ‖y − a‖²: divide once by n).",
            f"Chaque gradient est n = {n} fois trop grand : vous avez sommé sur le lot sans "
            "diviser par n (C = 1/(2n) Σ ‖y − a‖² : divisez une fois par n).",
        )
    if n > 1 and near(1.0 / n):
        return (
            f"Every gradient is n = {n} times too small: you divided by n twice (a mean in δ "
            "and again in dW and db?). Divide once.",
            f"Chaque gradient est n = {n} fois trop petit : vous avez divisé deux fois par n (une "
            "moyenne dans δ puis encore dans dW et db ?). Divisez une seule fois.",
        )
    if near(-1.0):
        return (
            "Every gradient has the wrong sign: δ_L starts from a_L − y, not y − a_L.",
            "Chaque gradient a le mauvais signe : δ_L part de a_L − y, pas de y − a_L.",
        )
    if near(2.0) or near(0.5):
        return (
            "Every gradient is off by a factor 2: the ½ in C = 1/(2n) Σ ‖y − a‖² cancels the 2 "
            "of the square's derivative, so δ_L = (a_L − y) ⊙ σ'(z_L).",
            "Chaque gradient est faux d'un facteur 2 : le ½ de C = 1/(2n) Σ ‖y − a‖² compense le "
            "2 de la dérivée du carré, donc δ_L = (a_L − y) ⊙ σ'(z_L).",
        )
    return None


def _context_text(l_idx, L, w_ok, b_ok):
    """What the first wrong layer tells about where the mistake is (en, fr)."""
    if l_idx == L:
        if w_ok and not b_ok:
            return (
                "dW_L is right, so δ_L is right: db_L is Σ over the batch of δ_L, divided by n.",
                "dW_L est juste, donc δ_L est juste : db_L est la somme sur le lot de δ_L, "
                "divisée par n.",
            )
        if b_ok and not w_ok:
            return (
                "db_L is right, so δ_L is right: dW_L = a_{L−1}.T @ δ_L / n, with a_{L−1} the "
                "activations of the layer below (x when there is one layer).",
                "db_L est juste, donc δ_L est juste : dW_L = a_{L−1}.T @ δ_L / n, avec a_{L−1} "
                "les activations de la couche du dessous (x s'il n'y a qu'une couche).",
            )
        return (
            "This is the output layer, where backpropagation starts: check δ_L = (a_L − y) ⊙ "
            "σ'(z_L) (σ' applies to the last layer too: the output is σ(z_L)), dW_L = "
            "a_{L−1}.T @ δ_L / n and db_L = Σ δ_L / n.",
            "C'est la couche de sortie, où la rétropropagation commence : vérifiez δ_L = (a_L − "
            "y) ⊙ σ'(z_L) (σ' s'applique aussi à la dernière couche : la sortie est σ(z_L)), "
            "dW_L = a_{L−1}.T @ δ_L / n et db_L = Σ δ_L / n.",
        )
    i, nxt = l_idx, l_idx + 1  # the wrong layer and the one above it
    if w_ok and not b_ok:
        return (
            f"dW_{i} is right, so δ_{i} is right: db_{i} is Σ over the batch of δ_{i}, divided "
            "by n.",
            f"dW_{i} est juste, donc δ_{i} est juste : db_{i} est la somme sur le lot de δ_{i}, "
            "divisée par n.",
        )
    if b_ok and not w_ok:
        return (
            f"db_{i} is right, so δ_{i} is right: dW_{i} = a_{i - 1}.T @ δ_{i} / n, with "
            f"a_{i - 1} = activations[{i - 1}]" + (" (that is x)." if i == 1 else "."),
            f"db_{i} est juste, donc δ_{i} est juste : dW_{i} = a_{i - 1}.T @ δ_{i} / n, avec "
            f"a_{i - 1} = activations[{i - 1}]" + (" (c'est x)." if i == 1 else "."),
        )
    if nxt == L:
        above_en, above_fr = f"Layer {L} is right", f"La couche {L} est juste"
    else:
        above_en = f"Layers {nxt} to {L} are right"
        above_fr = f"Les couches {nxt} à {L} sont justes"
    return (
        f"{above_en}, so δ_{nxt} is right: the mistake is in the recursion δ_{i} = (δ_{nxt} @ "
        f"w_{nxt}.T) ⊙ σ'(z_{i}) (the weights of layer {nxt}, transposed; σ' of this layer's "
        f"z_{i}).",
        f"{above_fr}, donc δ_{nxt} est juste : l'erreur est dans la récurrence δ_{i} = (δ_{nxt} @ "
        f"w_{nxt}.T) ⊙ σ'(z_{i}) (les poids de la couche {nxt}, transposés ; σ' du z_{i} de cette "
        "couche).",
    )


def judge_backprop_case(case, out, hidden, tol=BACKPROP_TOL):
    """None when right, else a failing verdict for this case."""
    inputs = input_precision(case.args, case.kwargs)
    params, x, y = plain(case.args)
    truth = true_grads(params, x, y)
    L = len(truth)
    n = int(np.asarray(x).shape[0])
    where_en, where_fr = f"On {case.label.en}: ", f"Sur {case.label.fr} : "
    if (
        isinstance(out, (list, tuple))
        and len(out) == 2
        and L != 2
        and all(isinstance(v, (list, tuple)) for v in out)
    ):
        return fail(
            where_en + "backprop returned two lists (like seed 001's (nabla_b, nabla_w)); return "
            f'one list of L = {L} dicts {{"w": dW, "b": db}}, like params.',
            where_fr + "backprop a renvoyé deux listes (comme (nabla_b, nabla_w) de la graine "
            f'001) ; renvoyez une seule liste de L = {L} dicts {{"w": dW, "b": db}}, comme params.',
        )
    if not isinstance(out, (list, tuple)):
        return fail(
            where_en + f'backprop must return a list of L = {L} dicts {{"w": dW, "b": db}}, '
            f"one per layer like params; it returned {describe(out)}.",
            where_fr + f'backprop doit renvoyer une liste de L = {L} dicts {{"w": dW, "b": db}}, '
            f"un par couche comme params ; elle a renvoyé {describe(out, 'fr')}.",
        )
    if len(out) != L:
        return fail(
            where_en + f"expected one gradient dict per layer, L = {L}; got a list of {len(out)}.",
            where_fr + f"attendu un dict de gradients par couche, L = {L} ; obtenu une liste de "
            f"{len(out)}.",
        )
    for i, layer in enumerate(out):
        if not isinstance(layer, Mapping) or set(layer) != {"w", "b"}:
            return fail(
                where_en + f'layer {i + 1}: expected a dict with the keys "w" and "b" (like '
                f"params[{i}]), got {describe(layer)}.",
                where_fr + f'couche {i + 1} : attendu un dict de clés "w" et "b" (comme '
                f"params[{i}]), obtenu {describe(layer, 'fr')}.",
            )
    top = max(float(np.max(np.abs(a))) for pair in truth for a in pair)
    floor = max(1e-4 * top, 1e-300)

    def assess_all(seq):
        return [
            (assess(g["w"], ew, floor, inputs, tol), assess(g["b"], eb, floor, inputs, tol))
            for g, (ew, eb) in zip(seq, truth, strict=True)
        ]

    assessed = assess_all(out)
    if all(a["status"] == "right" for pair in assessed for a in pair):
        return None
    extra = []
    if L > 1:
        rev = assess_all(list(out)[::-1])
        rev_shapes_ok = all(a["status"] != "shape" for pair in rev for a in pair)
        if all(a["status"] == "right" for pair in rev for a in pair) or (
            rev_shapes_ok and any(a["status"] == "shape" for pair in assessed for a in pair)
        ):
            extra.append(
                (
                    "Your list looks reversed (output layer first): return the gradients in "
                    "the order of params, first layer first (reverse the list you built going "
                    "backwards).",
                    "Votre liste semble à l'envers (couche de sortie d'abord) : renvoyez les "
                    "gradients dans l'ordre de params, première couche d'abord (inversez la "
                    "liste construite en remontant).",
                )
            )
    factor = _global_factor_text(assessed, truth, n)
    if factor is not None:
        extra.append(factor)
    # First wrong layer, checking from the output backwards (the order backprop computes).
    for l_idx in range(L, 0, -1):
        aw, ab = assessed[l_idx - 1]
        if aw["status"] != "right" or ab["status"] != "right":
            break
    w_en, w_fr = _leaf_text("dW", aw, n, hidden)
    b_en, b_fr = _leaf_text("db", ab, n, hidden)
    ctx_en, ctx_fr = _context_text(l_idx, L, aw["status"] == "right", ab["status"] == "right")
    kind = (
        ("the output layer", "la couche de sortie")
        if l_idx == L
        else ("a hidden layer", "une couche cachée")
    )
    en = (
        f"{where_en}checking from the output layer backwards, the first wrong gradient is in "
        f"layer {l_idx} of {L} ({kind[0]}; layers are numbered from the input, layer {L} is the "
        f"output layer): {w_en}; {b_en}. {ctx_en}"
    )
    fr = (
        f"{where_fr}en partant de la couche de sortie, le premier gradient faux est dans la "
        f"couche {l_idx} sur {L} ({kind[1]} ; couches numérotées depuis l'entrée, la couche {L} "
        f"est la sortie) : {w_fr} ; {b_fr}. {ctx_fr}"
    )
    for e_en, e_fr in extra:
        en += " " + e_en
        fr += " " + e_fr
    return fail(en, fr)


def make_judge_backprop(hidden: bool, tol: Tolerance = BACKPROP_TOL):
    """The judge of backprop's property checks (``tol``: per-precision (rtol, atol))."""

    def judge(cases, outputs):
        for case, out in zip(cases, outputs, strict=True):
            verdict = judge_backprop_case(case, out, hidden, tol)
            if verdict is not None:
                return verdict
        return ok()

    return judge
