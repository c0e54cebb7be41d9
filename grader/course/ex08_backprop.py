"""Checks for ex08_backprop (public): gradients by hand, no autodiff (static checks).

``tiny_net_grads`` and ``forward_with_cache`` are compared with the reference. ``backprop`` is
judged in the grader against ``jax.grad`` of a trusted quadratic cost in float64, at the
precision of the case's inputs (float32 inputs get float32 tolerances even when the stub's
float64 ``sigmoid`` makes the answer float64). The judge names the first wrong layer, checking
from the output backwards as backpropagation runs, whether the weights or the biases are wrong,
and the classic mistakes (a missing 1/n, a mean taken twice, a transposed gradient, biases not
summed over the batch, layers in reverse order).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, partial

import numpy as np

from grader.compare import Tolerance, describe, input_precision, tolerance
from grader.course.common import as_jax, case, forbidden, plain
from grader.course.ex07_mlp import net_label, params_as_jax, random_params
from grader.i18n import Text
from grader.judging import case_words, per_case, reveal
from grader.spec import Case, Exercise, compare, fail, ok, prop, static

# -- static checks ---------------------------------------------------------------------------------

AUTODIFF = forbidden("optax", "flax", "jaxnn.train", "jaxnn.losses", "jaxnn.optim", "solutions")

WHY = Text(
    "gradients by hand: no autodiff (jax.grad, jax.vjp, jax.jvp, jax.jacfwd, jax.jacrev, jax.linearize, jax.value_and_grad, jax.hessian…), no library computing gradients or losses (optax, flax, torch, tensorflow, autograd, jaxnn), no reference solution",
    "gradients à la main : pas de différentiation automatique (jax.grad, jax.vjp, jax.jvp, jax.jacfwd, jax.jacrev, jax.linearize, jax.value_and_grad, jax.hessian…), pas de bibliothèque qui calcule gradients ou coûts (optax, flax, torch, tensorflow, autograd, jaxnn), pas de solution de référence",
)

STATIC_HINT = Text(
    "The chain rule by hand: products of arrays, sigmoid and σ' = σ (1 − σ) are all you need.",
    "La dérivation des fonctions composées à la main : des produits de tableaux, la sigmoïde et σ' = σ (1 − σ) suffisent.",
)


def no_autodiff(function: str, points: float = 1.0):
    return static(function, "no_autodiff", AUTODIFF, WHY, points=points, hint=STATIC_HINT)


# -- cases ------------------------------------------------------------------------------------------


def tiny_cases(rng, labels=(1, 0, 1.0), scale=1.0, jax_inputs=False):
    """Seed 000's network: (w_hidden, w_out, x, y) per label ``y``."""
    cases = []
    for y in labels:
        args = (rng.normal(size=(2, 2)) * scale, rng.normal(size=2) * scale, rng.normal(size=2), y)
        en = f"w_hidden, w_out and x drawn from N(0, {scale:g}²), y = {y!r}"
        fr = f"w_hidden, w_out et x tirés selon N(0, {scale:g}²), y = {y!r}"
        if jax_inputs:
            args = (*(as_jax(a, "float32") for a in args[:3]), as_jax(y, "int32"))
            en, fr = en + ", jax float32 inputs", fr + ", entrées jax float32"
        cases.append(case(en, fr, *args))
    return cases


def net_cases(rng, specs, dtype=np.float32, jax_inputs=False, targets=False):
    """(params, x) per (sizes, n) of ``specs``; with ``targets``, one-hot targets y too (0/1
    targets when the output has one unit)."""
    cases, dt = [], np.dtype(dtype).name
    for sizes, n in specs:
        args = [random_params(rng, sizes, dtype), rng.normal(size=(n, sizes[0])).astype(dtype)]
        if targets:
            k = sizes[-1]
            y = rng.integers(0, 2, size=(n, 1)) if k == 1 else np.eye(k)[rng.integers(0, k, size=n)]
            args.append(y.astype(dtype))
        if jax_inputs:
            args = [params_as_jax(args[0], dt), *(as_jax(a, dt) for a in args[1:])]
        extra = (f", jax {dt} inputs", f", entrées jax {dt}") if jax_inputs else (f", {dt}",) * 2
        cases.append(Case(tuple(args), label=net_label(sizes, n, *extra)))
    return cases


TINY_HINT = Text(
    "Forward first: A = σ(w_hidden @ x) (row i of w_hidden is hidden neuron i), ŷ = σ(w_out · A). Then dL/dw_out = (ŷ − y) A and dL/dw_hidden[i, j] = w_out[i] x[j] A[i] (1 − A[i]) (ŷ − y): an outer product whose rows are the hidden neurons.",
    "D'abord la propagation : A = σ(w_hidden @ x) (la ligne i de w_hidden est le neurone caché i), ŷ = σ(w_out · A). Puis dL/dw_out = (ŷ − y) A et dL/dw_hidden[i, j] = w_out[i] x[j] A[i] (1 − A[i]) (ŷ − y) : un produit extérieur dont les lignes sont les neurones cachés.",
)
CACHE_HINT = Text(
    "Return (zs, activations): zs = [z_1, …, z_L] before the sigmoid (L arrays), activations = [x, σ(z_1), …, σ(z_L)] (L + 1 arrays, x itself first), with z_l = a_{l−1} @ w_l + b_l.",
    "Renvoyez (zs, activations) : zs = [z_1, …, z_L] avant la sigmoïde (L tableaux), activations = [x, σ(z_1), …, σ(z_L)] (L + 1 tableaux, x lui-même d'abord), avec z_l = a_{l−1} @ w_l + b_l.",
)
BACKPROP_HINT = Text(
    "δ_L = (a_L − y) ⊙ σ'(z_L); δ_l = (δ_{l+1} @ w_{l+1}.T) ⊙ σ'(z_l); dW_l = a_{l−1}.T @ δ_l / n; db_l = δ_l.sum(axis=0) / n; return [{'w': dW_1, 'b': db_1}, …] in the order of params.",
    "δ_L = (a_L − y) ⊙ σ'(z_L) ; δ_l = (δ_{l+1} @ w_{l+1}.T) ⊙ σ'(z_l) ; dW_l = a_{l−1}.T @ δ_l / n ; db_l = δ_l.sum(axis=0) / n ; renvoyez [{'w': dW_1, 'b': db_1}, …] dans l'ordre de params.",
)
SQUARE_HINT = Text(
    "With square layers w and w.T have the same shape, so nothing fails loudly: the recursion uses δ_{l+1} @ w_{l+1}.T (seed 003's δ_{n+1} · W_{n+1} with W_seed = w.T).",
    "Avec des couches carrées w et w.T ont la même forme, rien n'échoue bruyamment : la récurrence utilise δ_{l+1} @ w_{l+1}.T (δ_{n+1} · W_{n+1} de la graine 003 avec W_graine = w.T).",
)

# -- backprop's judge: against jax.grad of a trusted cost --------------------------------------------


@cache
def _grad():
    """jax.jit(jax.grad(cost)) of the trusted cost, built on first use (jit caches one
    compilation per shape)."""
    import jax
    import jax.numpy as jnp

    def cost(p, x, y):  # C = 1/(2n) Σ ‖y − a_L‖², sigmoid after every layer
        a = x
        for layer in p:
            a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
        return jnp.sum((y - a) ** 2) / (2 * x.shape[0])

    return jax.jit(jax.grad(cost))


def true_grads(params, x, y):
    """[(dC/dw, dC/db)] of the quadratic cost of the sigmoid MLP: jax.grad in float64."""
    import jax

    with jax.enable_x64(True):
        p = [{k: np.asarray(layer[k], np.float64) for k in ("w", "b")} for layer in params]
        grads = _grad()(p, np.asarray(x, np.float64), np.asarray(y, np.float64))
        return [(np.asarray(g["w"], np.float64), np.asarray(g["b"], np.float64)) for g in grads]


# backprop's gradients are judged with the policy's default (rtol, atol) per precision; atol
# is relative to the leaf's largest true gradient, floored at 1e-4 of the network's largest
# (a leaf whose gradients all nearly cancel is not held to its own tiny scale). Measured: the
# float32 alternatives of tests/course/test_ex08_backprop.py stay below 7 % of that tolerance.
BACKPROP_TOL = Tolerance()


def assess(got, exp, floor, inputs=None):
    """How a gradient leaf compares with the true (float64) ``exp``: a dict with a ``status``.
    ``floor`` is the smallest scale atol is relative to, ``inputs`` the case's input precision."""
    try:
        raw = np.asarray(got)
    except (ValueError, TypeError):
        raw = np.asarray(None)
    if raw.dtype.kind not in "biuf" and raw.dtype.name != "bfloat16":
        return {"status": "type", "got": got}
    arr = raw.astype(np.float64)
    if arr.shape != exp.shape:
        return {"status": "shape", "shape": arr.shape, "expected": exp.shape}
    if not np.isfinite(arr).all():
        return {"status": "nonfinite"}
    # The same policy as compare checks: the precision of the inputs, never that of a less
    # (or more) precise answer.
    judged = tolerance(inputs, exp.dtype, raw.dtype, tol=BACKPROP_TOL)
    scale = max(float(np.max(np.abs(exp))), floor)
    if np.all(np.abs(arr - exp) <= judged.allowed(exp, scale)):
        return {"status": "right"}
    out = {"status": "values", "error": float(np.max(np.abs(arr - exp))) / scale, "got": arr}
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
    c = float(g @ e) / ee if ee else 0.0
    if (
        c != 0.0
        and abs(c - 1.0) >= 1e-3
        and np.linalg.norm(g - c * e) <= 1e-3 * abs(c) * np.sqrt(ee)
    ):
        return c
    return None


def _leaf_text(name, a, n):
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
            fr += f" : une ligne par exemple ; sommez δ_l sur le lot (axe 0), puis divisez par n = {n}"
        elif name == "db" and got in ((exp[0], 1), (1, exp[0])):
            en += ": a flat vector like b, not a column"
            fr += " : un vecteur plat comme b, pas une colonne"
        return en, fr
    en = f"{name} is wrong" + reveal(f" (max rel. error {a['error']:.3g})")
    fr = f"{name} est faux" + reveal(f" (erreur relative max. {a['error']:.3g})")
    if a.get("transposed"):
        en += ", it looks transposed: dW_l = a_{l−1}.T @ δ_l, of shape (n_in, n_out)"
        fr += ", il semble transposé : dW_l = a_{l−1}.T @ δ_l, de forme (n_in, n_out)"
    elif "factor" in a:
        en += reveal(f", it is {a['factor']:.4g} times the right one")
        fr += reveal(f", il vaut {a['factor']:.4g} fois le bon")
    return en, fr


def _global_factor_text(assessed, truth, n):
    """A sentence when every gradient is off by the same constant factor."""
    pairs = [
        (a, e) for leaves in zip(assessed, truth, strict=True) for a, e in zip(*leaves, strict=True)
    ]
    if any(a["status"] not in ("right", "values") for a, _ in pairs):
        return None
    g = [(a["got"] if a["status"] == "values" else e).ravel() for a, e in pairs]
    c = _factor(np.concatenate(g), np.concatenate([e.ravel() for _, e in pairs]))
    near = lambda v: c is not None and abs(c - v) <= 1e-3 * abs(v)
    if n > 1 and near(n):
        return (
            f"Every gradient is n = {n} times too large: you summed over the batch without dividing by n (C = 1/(2n) Σ ‖y − a‖²: divide once by n).",
            f"Chaque gradient est n = {n} fois trop grand : vous avez sommé sur le lot sans diviser par n (C = 1/(2n) Σ ‖y − a‖² : divisez une fois par n).",
        )
    if n > 1 and near(1.0 / n):
        return (
            f"Every gradient is n = {n} times too small: you divided by n twice (a mean in δ and again in dW and db?). Divide once.",
            f"Chaque gradient est n = {n} fois trop petit : vous avez divisé deux fois par n (une moyenne dans δ puis encore dans dW et db ?). Divisez une seule fois.",
        )
    if near(-1.0):
        return (
            "Every gradient has the wrong sign: δ_L starts from a_L − y, not y − a_L.",
            "Chaque gradient a le mauvais signe : δ_L part de a_L − y, pas de y − a_L.",
        )
    if near(2.0) or near(0.5):
        return (
            "Every gradient is off by a factor 2: the ½ in C = 1/(2n) Σ ‖y − a‖² cancels the 2 of the square's derivative, so δ_L = (a_L − y) ⊙ σ'(z_L).",
            "Chaque gradient est faux d'un facteur 2 : le ½ de C = 1/(2n) Σ ‖y − a‖² compense le 2 de la dérivée du carré, donc δ_L = (a_L − y) ⊙ σ'(z_L).",
        )
    return None


def _context_text(i, L, w_ok, b_ok):
    """What the first wrong layer ``i`` tells about where the mistake is (en, fr)."""
    sub = "L" if i == L else str(i)
    if w_ok and not b_ok:
        return (
            f"dW_{sub} is right, so δ_{sub} is right: db_{sub} is Σ over the batch of δ_{sub}, divided by n.",
            f"dW_{sub} est juste, donc δ_{sub} est juste : db_{sub} est la somme sur le lot de δ_{sub}, divisée par n.",
        )
    if b_ok and not w_ok and i == L:
        return (
            "db_L is right, so δ_L is right: dW_L = a_{L−1}.T @ δ_L / n, with a_{L−1} the activations of the layer below (x when there is one layer).",
            "db_L est juste, donc δ_L est juste : dW_L = a_{L−1}.T @ δ_L / n, avec a_{L−1} les activations de la couche du dessous (x s'il n'y a qu'une couche).",
        )
    if b_ok and not w_ok:
        x_en, x_fr = (" (that is x)", " (c'est x)") if i == 1 else ("", "")
        return (
            f"db_{i} is right, so δ_{i} is right: dW_{i} = a_{i - 1}.T @ δ_{i} / n, with a_{i - 1} = activations[{i - 1}]{x_en}.",
            f"db_{i} est juste, donc δ_{i} est juste : dW_{i} = a_{i - 1}.T @ δ_{i} / n, avec a_{i - 1} = activations[{i - 1}]{x_fr}.",
        )
    if i == L:
        return (
            "This is the output layer, where backpropagation starts: check δ_L = (a_L − y) ⊙ σ'(z_L) (σ' applies to the last layer too: the output is σ(z_L)), dW_L = a_{L−1}.T @ δ_L / n and db_L = Σ δ_L / n.",
            "C'est la couche de sortie, où la rétropropagation commence : vérifiez δ_L = (a_L − y) ⊙ σ'(z_L) (σ' s'applique aussi à la dernière couche : la sortie est σ(z_L)), dW_L = a_{L−1}.T @ δ_L / n et db_L = Σ δ_L / n.",
        )
    nxt = i + 1  # the layer above the wrong one
    above_en = f"Layer {L} is right" if nxt == L else f"Layers {nxt} to {L} are right"
    above_fr = f"La couche {L} est juste" if nxt == L else f"Les couches {nxt} à {L} sont justes"
    return (
        f"{above_en}, so δ_{nxt} is right: the mistake is in the recursion δ_{i} = (δ_{nxt} @ w_{nxt}.T) ⊙ σ'(z_{i}) (the weights of layer {nxt}, transposed; σ' of this layer's z_{i}).",
        f"{above_fr}, donc δ_{nxt} est juste : l'erreur est dans la récurrence δ_{i} = (δ_{nxt} @ w_{nxt}.T) ⊙ σ'(z_{i}) (les poids de la couche {nxt}, transposés ; σ' du z_{i} de cette couche).",
    )


def judge_backprop_case(case, out):
    """backprop's verdict on one case: its gradients against :func:`true_grads`."""
    inputs = input_precision(case.args, case.kwargs)
    params, x, y = plain(case.args)
    truth = true_grads(params, x, y)
    L, n = len(truth), int(np.asarray(x).shape[0])
    where_en, where_fr = case_words(case)
    on = lambda en, fr: fail(f"On {where_en}: {en}", f"Sur {where_fr} : {fr}")
    listed = isinstance(out, (list, tuple))
    if listed and len(out) == 2 and L != 2 and all(isinstance(v, (list, tuple)) for v in out):
        return on(
            f'backprop returned two lists (like seed 001\'s (nabla_b, nabla_w)); return one list of L = {L} dicts {{"w": dW, "b": db}}, like params.',
            f'backprop a renvoyé deux listes (comme (nabla_b, nabla_w) de la graine 001) ; renvoyez une seule liste de L = {L} dicts {{"w": dW, "b": db}}, comme params.',
        )
    if not listed:
        return on(
            f'backprop must return a list of L = {L} dicts {{"w": dW, "b": db}}, one per layer like params; it returned {describe(out)}.',
            f'backprop doit renvoyer une liste de L = {L} dicts {{"w": dW, "b": db}}, un par couche comme params ; elle a renvoyé {describe(out, "fr")}.',
        )
    if len(out) != L:
        return on(
            f"expected one gradient dict per layer, L = {L}; got a list of {len(out)}.",
            f"attendu un dict de gradients par couche, L = {L} ; obtenu une liste de {len(out)}.",
        )
    for i, layer in enumerate(out):
        if not isinstance(layer, Mapping) or set(layer) != {"w", "b"}:
            return on(
                f'layer {i + 1}: expected a dict with the keys "w" and "b" (like params[{i}]), got {describe(layer)}.',
                f'couche {i + 1} : attendu un dict de clés "w" et "b" (comme params[{i}]), obtenu {describe(layer, "fr")}.',
            )
    floor = max(1e-4 * max(float(np.max(np.abs(a))) for pair in truth for a in pair), 1e-300)

    def assess_all(seq):
        return [
            (assess(g["w"], ew, floor, inputs), assess(g["b"], eb, floor, inputs))
            for g, (ew, eb) in zip(seq, truth, strict=True)
        ]

    def statuses(assessed):
        return {a["status"] for pair in assessed for a in pair}

    assessed = assess_all(out)
    if statuses(assessed) == {"right"}:
        return ok()
    # First wrong layer, checking from the output backwards (the order backprop computes).
    i = next(i for i in range(L, 0, -1) if statuses([assessed[i - 1]]) != {"right"})
    aw, ab = assessed[i - 1]
    w_en, w_fr = _leaf_text("dW", aw, n)
    b_en, b_fr = _leaf_text("db", ab, n)
    ctx_en, ctx_fr = _context_text(i, L, aw["status"] == "right", ab["status"] == "right")
    kind_en = "the output layer" if i == L else "a hidden layer"
    kind_fr = "la couche de sortie" if i == L else "une couche cachée"
    rev = statuses(assess_all(list(out)[::-1]))
    notes = [
        (
            f"checking from the output layer backwards, the first wrong gradient is in layer {i} of {L} ({kind_en}; layers are numbered from the input, layer {L} is the output layer): {w_en}; {b_en}. {ctx_en}",
            f"en partant de la couche de sortie, le premier gradient faux est dans la couche {i} sur {L} ({kind_fr} ; couches numérotées depuis l'entrée, la couche {L} est la sortie) : {w_fr} ; {b_fr}. {ctx_fr}",
        ),
        (
            "Your list looks reversed (output layer first): return the gradients in the order of params, first layer first (reverse the list you built going backwards).",
            "Votre liste semble à l'envers (couche de sortie d'abord) : renvoyez les gradients dans l'ordre de params, première couche d'abord (inversez la liste construite en remontant).",
        )
        if L > 1 and (rev == {"right"} or ("shape" not in rev and "shape" in statuses(assessed)))
        else None,
        _global_factor_text(assessed, truth, n),
    ]
    notes = [note for note in notes if note is not None]
    return on(" ".join(en for en, _ in notes), " ".join(fr for _, fr in notes))


judge_backprop = per_case(judge_backprop_case)

EXERCISE = Exercise(
    id="ex08_backprop",
    title=Text("Backpropagation by hand", "La rétropropagation à la main"),
    checks=[
        compare("tiny_net_grads", "seed_network", tiny_cases, points=2, hint=TINY_HINT),
        no_autodiff("tiny_net_grads"),
        compare(
            "forward_with_cache",
            "cache",
            partial(net_cases, specs=[([4, 3], 1), ([3, 5, 2], 4), ([4, 6, 5, 3], 8)]),
            points=2,
            hint=CACHE_HINT,
        ),
        no_autodiff("forward_with_cache"),
        *(
            prop(
                "backprop",
                name,
                partial(net_cases, specs=specs, targets=True),
                judge_backprop,
                points=points,
                hint=hint,
            )
            for name, specs, points, hint in (
                ("one_layer", [([5, 3], 7)], 1, BACKPROP_HINT),
                ("two_layers", [([3, 5, 2], 1), ([3, 5, 2], 7)], 2, BACKPROP_HINT),
                ("three_layers", [([4, 6, 5, 3], 32)], 2, BACKPROP_HINT),
                ("square_layers", [([4, 4, 4, 4], 7)], 1, SQUARE_HINT),
            )
        ),
        no_autodiff("backprop", points=2),
    ],
)
