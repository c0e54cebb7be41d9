"""ex12_optimizers' judge of ``init``: an optimizer's state depends only on the params' structure.

Two runs on params of the same shapes but other values, with the same gradients, must give the
same state and the same updates. The checks are in ex12_optimizers.py.
"""

from __future__ import annotations

import numpy as np

from grader.compare import input_precision, tolerance
from grader.spec import fail, ok


def judge_init_structure(cases, outputs):
    """Both runs (same gradients, params of the same shapes but other values) must agree."""
    for case, out in zip(cases, outputs, strict=True):
        try:
            a, b = out["a"], out["b"]
            sa, sb = a["state"], b["state"]
            ua, ub = a["updates"], b["updates"]
        except (TypeError, KeyError):
            return fail(
                "the grader could not read your optimizer's state or updates.",
                "le correcteur n'a pas pu lire l'état ou les mises à jour de votre optimiseur.",
            )
        where = case.label
        if len(sa) != len(sb) or any(
            np.shape(x) != np.shape(y) or not np.array_equal(x, y, equal_nan=True)
            for x, y in zip(sa, sb, strict=False)
        ):
            return fail(
                f"On {where.en}: init(params) gave different states for two params of the same "
                "shapes but different values. The state must depend on the params' structure "
                "and shapes only: zeros like the params (jax.tree.map(jnp.zeros_like, params)), "
                "a zero step count; never the params themselves.",
                f"Sur {where.fr} : init(params) a donné des états différents pour deux jeux de "
                "paramètres de mêmes formes mais de valeurs différentes. L'état ne doit dépendre "
                "que de la structure et des formes des paramètres : des zéros comme les "
                "paramètres (jax.tree.map(jnp.zeros_like, params)), un compteur à zéro ; jamais "
                "les paramètres eux-mêmes.",
            )
        la, lb = _leaves(ua), _leaves(ub)
        inputs = input_precision(case.args, case.kwargs)
        if len(la) != len(lb) or any(
            not _agree(x, y, inputs) for x, y in zip(la, lb, strict=False)
        ):
            return fail(
                f"On {where.en}: with the same gradients, your updates differ when the params "
                "have other values. These optimizers never look at the params: the updates "
                "depend only on the gradients (and the state built from zeros).",
                f"Sur {where.fr} : avec les mêmes gradients, vos mises à jour changent quand les "
                "paramètres ont d'autres valeurs. Ces optimiseurs ne regardent jamais les "
                "paramètres : les mises à jour ne dépendent que des gradients (et de l'état "
                "parti de zéros).",
            )
    return ok()


def _leaves(tree):
    if isinstance(tree, dict):
        return [x for k in sorted(tree, key=str) for x in _leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [x for v in tree for x in _leaves(v)]
    return [np.asarray(tree)]


def _agree(x, y, inputs) -> bool:
    """Whether two update sequences agree, by the grader's tolerance policy (NaN with NaN)."""
    if np.shape(x) != np.shape(y):
        return False
    try:
        judged = tolerance(inputs, x.dtype, y.dtype)
        a, b = x.astype(np.float64), y.astype(np.float64)
    except (TypeError, ValueError):
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    return bool(np.all(both_nan | (np.abs(a - b) <= judged.allowed(a))))
