"""Checks for ex08_backprop (public): gradients by hand, no autodiff.

``tiny_net_grads`` and ``forward_with_cache`` are compared with the reference. ``backprop`` is
judged by trusted code: ``jax.grad`` of the quadratic cost of a plain sigmoid MLP, in float64,
computed here in the grader (never in the sandbox), with the grader's tolerance policy
(:func:`grader.compare.tolerance`: judged at the precision of the case's inputs, so float32
inputs get float32 tolerances even when the answer is float64, as the stub's float64
``sigmoid`` helper makes it). The judge says which layer is wrong first,
checking from the output layer backwards as backpropagation runs, whether the weights or the
biases are wrong, and recognises the classic mistakes (a missing 1/n, a mean taken twice, a
transposed gradient, biases not summed over the batch, layers in reverse order); that judge is in
``_ex08_judges.py``.
Static checks refuse automatic differentiation and libraries that would do the work.
"""

from __future__ import annotations

import numpy as np

from grader.course._ex08_judges import make_judge_backprop, true_grads
from grader.course.common import as_jax, forbidden, label
from grader.course.ex07_mlp import net_label, params_as_jax, random_params
from grader.i18n import Text
from grader.spec import Case, Exercise, compare, prop, static

# -- static checks ---------------------------------------------------------------------------------

AUTODIFF = forbidden("optax", "flax", "jaxnn.train", "jaxnn.losses", "jaxnn.optim", "solutions")

WHY = Text(
    "gradients by hand: no autodiff (jax.grad, jax.vjp, jax.jvp, jax.jacfwd, jax.jacrev, "
    "jax.linearize, jax.value_and_grad, jax.hessian…), no library computing gradients or losses "
    "(optax, flax, torch, tensorflow, autograd, jaxnn), no reference solution",
    "gradients à la main : pas de différentiation automatique (jax.grad, jax.vjp, jax.jvp, "
    "jax.jacfwd, jax.jacrev, jax.linearize, jax.value_and_grad, jax.hessian…), pas de "
    "bibliothèque qui calcule gradients ou coûts (optax, flax, torch, tensorflow, autograd, "
    "jaxnn), pas de solution de référence",
)

STATIC_HINT = Text(
    "The chain rule by hand: products of arrays, sigmoid and σ' = σ (1 − σ) are all you need.",
    "La dérivation des fonctions composées à la main : des produits de tableaux, la sigmoïde et "
    "σ' = σ (1 − σ) suffisent.",
)


def no_autodiff(function: str, points: float = 1.0):
    return static(function, "no_autodiff", AUTODIFF, WHY, points=points, hint=STATIC_HINT)


# -- tiny_net_grads -------------------------------------------------------------------------------


def tiny_cases(rng, labels=(1, 0, 1.0), scale=1.0, jax_inputs=False):
    cases = []
    for y in labels:
        w_hidden = rng.normal(size=(2, 2)) * scale
        w_out = rng.normal(size=2) * scale
        x = rng.normal(size=2)
        lab_en = f"w_hidden, w_out and x drawn from N(0, {scale:g}²), y = {y!r}"
        lab_fr = f"w_hidden, w_out et x tirés selon N(0, {scale:g}²), y = {y!r}"
        if jax_inputs:
            args = (as_jax(w_hidden, "float32"), as_jax(w_out, "float32"), as_jax(x, "float32"))
            args += (as_jax(y, "int32"),)
            lab_en, lab_fr = lab_en + ", jax float32 inputs", lab_fr + ", entrées jax float32"
        else:
            args = (w_hidden, w_out, x, y)
        cases.append(Case(args, label=label(lab_en, lab_fr)))
    return cases


TINY_HINT = Text(
    "Forward first: A = σ(w_hidden @ x) (row i of w_hidden is hidden neuron i), ŷ = σ(w_out · A). "
    "Then dL/dw_out = (ŷ − y) A and dL/dw_hidden[i, j] = w_out[i] x[j] A[i] (1 − A[i]) (ŷ − y): "
    "an outer product whose rows are the hidden neurons.",
    "D'abord la propagation : A = σ(w_hidden @ x) (la ligne i de w_hidden est le neurone caché "
    "i), ŷ = σ(w_out · A). Puis dL/dw_out = (ŷ − y) A et dL/dw_hidden[i, j] = w_out[i] x[j] A[i] "
    "(1 − A[i]) (ŷ − y) : un produit extérieur dont les lignes sont les neurones cachés.",
)

# -- forward_with_cache ---------------------------------------------------------------------------


def cache_cases(rng, specs, dtype=np.float32, jax_inputs=False):
    cases = []
    for sizes, n in specs:
        params = random_params(rng, sizes, dtype)
        x = rng.normal(size=(n, sizes[0])).astype(dtype)
        dt = np.dtype(dtype).name
        if jax_inputs:
            args = (params_as_jax(params, dt), as_jax(x, dt))
            lab = net_label(sizes, n, f", jax {dt} inputs", f", entrées jax {dt}")
        else:
            args = (params, x)
            lab = net_label(sizes, n, f", {dt}", f", {dt}")
        cases.append(Case(args, label=lab))
    return cases


CACHE_HINT = Text(
    "Return (zs, activations): zs = [z_1, …, z_L] before the sigmoid (L arrays), activations = "
    "[x, σ(z_1), …, σ(z_L)] (L + 1 arrays, x itself first), with z_l = a_{l−1} @ w_l + b_l.",
    "Renvoyez (zs, activations) : zs = [z_1, …, z_L] avant la sigmoïde (L tableaux), activations "
    "= [x, σ(z_1), …, σ(z_L)] (L + 1 tableaux, x lui-même d'abord), avec z_l = a_{l−1} @ w_l + b_l.",
)

# -- backprop: judged against jax.grad of a trusted cost ------------------------------------------


def backprop_cases(rng, specs, dtype=np.float32, jax_inputs=False):
    """(params, x, y) with one-hot targets (0/1 targets when the output has one unit)."""
    cases = []
    for sizes, n in specs:
        params = random_params(rng, sizes, dtype)
        x = rng.normal(size=(n, sizes[0])).astype(dtype)
        k = sizes[-1]
        if k == 1:
            y = rng.integers(0, 2, size=(n, 1)).astype(dtype)
        else:
            y = np.eye(k, dtype=dtype)[rng.integers(0, k, size=n)]
        dt = np.dtype(dtype).name
        if jax_inputs:
            args = (params_as_jax(params, dt), as_jax(x, dt), as_jax(y, dt))
            lab = net_label(sizes, n, f", jax {dt} inputs", f", entrées jax {dt}")
        else:
            args = (params, x, y)
            lab = net_label(sizes, n, f", {dt}", f", {dt}")
        cases.append(Case(args, label=lab))
    return cases


BACKPROP_HINT = Text(
    "δ_L = (a_L − y) ⊙ σ'(z_L); δ_l = (δ_{l+1} @ w_{l+1}.T) ⊙ σ'(z_l); dW_l = a_{l−1}.T @ δ_l / n; "
    "db_l = δ_l.sum(axis=0) / n; return [{'w': dW_1, 'b': db_1}, …] in the order of params.",
    "δ_L = (a_L − y) ⊙ σ'(z_L) ; δ_l = (δ_{l+1} @ w_{l+1}.T) ⊙ σ'(z_l) ; dW_l = a_{l−1}.T @ δ_l / n ; "
    "db_l = δ_l.sum(axis=0) / n ; renvoyez [{'w': dW_1, 'b': db_1}, …] dans l'ordre de params.",
)
SQUARE_HINT = Text(
    "With square layers w and w.T have the same shape, so nothing fails loudly: the recursion "
    "uses δ_{l+1} @ w_{l+1}.T (seed 003's δ_{n+1} · W_{n+1} with W_seed = w.T).",
    "Avec des couches carrées w et w.T ont la même forme, rien n'échoue bruyamment : la "
    "récurrence utilise δ_{l+1} @ w_{l+1}.T (δ_{n+1} · W_{n+1} de la graine 003 avec "
    "W_graine = w.T).",
)


EXERCISE = Exercise(
    id="ex08_backprop",
    title=Text("Backpropagation by hand", "La rétropropagation à la main"),
    checks=[
        compare("tiny_net_grads", "seed_network", tiny_cases, points=2, hint=TINY_HINT),
        no_autodiff("tiny_net_grads"),
        compare(
            "forward_with_cache",
            "cache",
            lambda rng: cache_cases(rng, [([4, 3], 1), ([3, 5, 2], 4), ([4, 6, 5, 3], 8)]),
            points=2,
            hint=CACHE_HINT,
        ),
        no_autodiff("forward_with_cache"),
        prop(
            "backprop",
            "one_layer",
            lambda rng: backprop_cases(rng, [([5, 3], 7)]),
            make_judge_backprop(hidden=False),
            points=1,
            hint=BACKPROP_HINT,
        ),
        prop(
            "backprop",
            "two_layers",
            lambda rng: backprop_cases(rng, [([3, 5, 2], 1), ([3, 5, 2], 7)]),
            make_judge_backprop(hidden=False),
            points=2,
            hint=BACKPROP_HINT,
        ),
        prop(
            "backprop",
            "three_layers",
            lambda rng: backprop_cases(rng, [([4, 6, 5, 3], 32)]),
            make_judge_backprop(hidden=False),
            points=2,
            hint=BACKPROP_HINT,
        ),
        prop(
            "backprop",
            "square_layers",
            lambda rng: backprop_cases(rng, [([4, 4, 4, 4], 7)]),
            make_judge_backprop(hidden=False),
            points=1,
            hint=SQUARE_HINT,
        ),
        no_autodiff("backprop", points=2),
    ],
)

__all__ = [
    "BACKPROP_HINT",
    "CACHE_HINT",
    "EXERCISE",
    "TINY_HINT",
    "backprop_cases",
    "cache_cases",
    "make_judge_backprop",
    "tiny_cases",
    "true_grads",
]
