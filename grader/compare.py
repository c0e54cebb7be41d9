"""Pytree-aware comparison of a student's result with the reference's, with useful diagnostics.

Values, shapes and finiteness are compared, not types: a list and a tuple are
interchangeable, so are Python, numpy and jax scalars, and a list of numbers stands for the
array it spells. Floats are compared elementwise with ``|got − exp| <= atol·scale + rtol·|exp|``
where ``scale`` is the largest magnitude of the expected leaf (so a tolerance means the same
for tiny and huge arrays). Integer and boolean expectations must match exactly.

**The tolerance policy** (one place, :mod:`grader.tolerance`: :func:`judged_dtype` and
:func:`tolerance`; property judges that compare numbers use them too). A result is judged at the precision
``min(inputs, expected, returned)`` of three float dtypes — the least precise floating input
of the case (:func:`input_precision`), the reference's result and the student's — but never
below ``min(inputs, float32)``: float32 inputs get float32 tolerances whether the answer comes
back as float64 (a float64 helper) or float16 (a lower precision never loosens the verdict);
float64 inputs and a float32 answer (JAX without x64) get float32 tolerances; with no float
inputs the expected and returned dtypes decide, floored at float32. Float64 is demanded only
with ``keep_float64``. Where a computation amplifies rounding (an optimizer's trajectory), a
check may add a slack of a stated multiple of the *spread* of correct runs, measured on the
reference by :mod:`grader.expect` (``spread=`` of :func:`compare`).

The result is a :class:`Mismatch` (or ``None``): plain data that :mod:`grader.messages` turns
into a sentence a student can act on.

    >>> import numpy as np
    >>> compare({"w": np.ones(3)}, {"w": np.ones(3, np.float32)}) is None
    True
    >>> compare([1.0, 2.0], np.array([1.0, 2.5])).kind
    'values'
    >>> judged_dtype("float32", "float64", "float16")
    'float32'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.tolerance import (
    DEFAULT_TOLERANCES,
    PRECISIONS,
    Judged,
    Tolerance,
    float_name,
    input_precision,
    judged_dtype,
    tolerance,
)

NO_OVERRIDES = Tolerance()  # the policy's default tolerances (an immutable default argument)

# The tolerance policy lives in grader/tolerance.py; its names are part of this API too.
__all__ = [
    "DEFAULT_TOLERANCES",
    "PRECISIONS",
    "Judged",
    "Mismatch",
    "Tolerance",
    "compare",
    "compare_arrays",
    "describe",
    "float_name",
    "input_precision",
    "judged_dtype",
    "shape_summary",
    "tolerance",
]


@dataclass
class Mismatch:
    """Why a result differs from the expectation.

    Attributes:
      kind: ``"type"``, ``"length"``, ``"keys"``, ``"shape"``, ``"dtype"``, ``"nonfinite"``,
        ``"values"`` or ``"string"``.
      path: where in the result, e.g. ``"[1]['w']"`` (empty for the whole result).
      info: details for the message (shapes, errors, the worst index, counts…). Expected
        values are kept under keys starting with ``expected`` so hidden checks can drop them.
    """

    kind: str
    path: str
    info: dict = field(default_factory=dict)


def _scalar_like(x: Any) -> bool:
    return type(x) in (bool, int, float, complex) or isinstance(x, (np.ndarray, np.generic))


def _as_array(x: Any) -> np.ndarray | None:
    """A numeric numpy array for numbers, arrays and (nested) lists of numbers; else None."""
    if isinstance(x, np.ndarray):
        return x
    if type(x) in (bool, int, float, complex) or isinstance(x, np.generic):
        try:
            return np.asarray(x)
        except OverflowError:
            return None
    if isinstance(x, (list, tuple)):
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError, OverflowError):
            return None
        # Complex lists come through too: compare_arrays names the complex dtype.
        if arr.dtype.kind in "biufc" and arr.size == _count_leaves(x):
            return arr
    return None


def _count_leaves(x: Any) -> int:
    if isinstance(x, (list, tuple)):
        return sum(_count_leaves(v) for v in x)
    return 1 if _scalar_like(x) and np.ndim(x) == 0 else -(10**9)


def describe(value: Any, lang: str = "en", *, dtype: bool = False) -> str:
    """The structure of a value in words, for messages (the one structure reader of the grader).

    Args:
      value: any decoded result or input.
      lang: ``"en"`` or ``"fr"``.
      dtype: also name an array's dtype.

    Returns:
      A noun phrase, e.g. ``"an array of shape (3, 2)"`` or ``"un dict de clés ['b', 'w']"``.

    >>> describe(np.zeros((3, 2)))
    'an array of shape (3, 2)'
    >>> describe([1, 2], "fr")
    'un list de longueur 2'
    """
    fr = lang == "fr"
    if isinstance(value, np.ndarray):
        shape = tuple(value.shape)
        text = f"un tableau de forme {shape}" if fr else f"an array of shape {shape}"
        if dtype:
            text += f" et de type {value.dtype}" if fr else f" and dtype {value.dtype}"
        return text
    kind = type(value).__name__
    if isinstance(value, (list, tuple)):
        return f"un {kind} de longueur {len(value)}" if fr else f"a {kind} of length {len(value)}"
    if isinstance(value, Mapping):
        keys = sorted(map(str, value))
        return f"un dict de clés {keys}" if fr else f"a dict with keys {keys}"
    if value is None:
        return "None"
    return f"un {kind}" if fr else f"a {kind}"


def _index(flat_index: int, shape: tuple) -> list[int]:
    return [int(i) for i in np.unravel_index(flat_index, shape)] if shape else []


def _numeric(dtype: np.dtype) -> bool:
    """Booleans, integers and real floats (bfloat16 included): what can be compared."""
    return dtype.kind in "biuf" or float_name(dtype) is not None


def compare_arrays(
    expected: np.ndarray,
    got: np.ndarray,
    *,
    tol: Tolerance = NO_OVERRIDES,
    keep_float64: bool = False,
    inputs: str | None = None,
    spread: float | None = None,
    spread_multiple: float = 0.0,
    path: str = "",
) -> Mismatch | None:
    """Compare two arrays; see the module docstring for the rules.

    Args:
      expected: the reference's values.
      got: the student's values.
      tol: per-precision overrides of :data:`DEFAULT_TOLERANCES`.
      keep_float64: a float64 expectation requires a float64 answer.
      inputs: :func:`input_precision` of the case.
      spread: the largest deviation of correct runs of the reference from ``expected`` on
        this leaf (:mod:`grader.expect`), or None.
      spread_multiple: how many spreads of extra absolute error are allowed.
      path: where in the result (for messages).

    Returns:
      None when they agree, else a :class:`Mismatch`.
    """
    if expected.shape != got.shape:
        return Mismatch(
            "shape",
            path,
            {"expected_shape": list(expected.shape), "got_shape": list(got.shape)},
        )
    exp_name = float_name(expected.dtype) or expected.dtype.name
    if got.dtype.kind == "c":
        # Complex numbers where reals are expected (a sqrt or log of a negative number, an
        # FFT): name the dtype and the fix rather than "wrong type".
        return Mismatch("complex", path, {"got_dtype": got.dtype.name, "expected_dtype": exp_name})
    if not _numeric(got.dtype):
        return Mismatch(
            "type",
            path,
            {
                "expected": f"an array of {exp_name} numbers",
                "got": f"an array of dtype {got.dtype}",
            },
        )
    if keep_float64 and expected.dtype == np.float64 and got.dtype != np.float64:
        return Mismatch("dtype", path, {"expected_dtype": "float64", "got_dtype": got.dtype.name})
    if expected.dtype.kind in "biu":
        e64 = expected.astype(np.float64)
        g64 = got.astype(np.float64)
        bad = e64 != g64
        if float_name(got.dtype) and not np.isfinite(g64).all():
            return _nonfinite(g64, np.ones_like(bad), path)
        if bad.any():
            return _values(e64, g64, bad, np.abs(g64 - e64), path, exact=True)
        return None
    e = expected.astype(np.float64)
    g = got.astype(np.float64)
    e_finite = np.isfinite(e)
    g_finite = np.isfinite(g)
    # Non-finite expectations must be matched exactly (nan with nan, +inf with +inf).
    special = ~e_finite
    wrong_special = special & ~((np.isnan(e) & np.isnan(g)) | (e == g))
    if (e_finite & ~g_finite).any() or wrong_special.any():
        return _nonfinite(g, (e_finite & ~g_finite) | wrong_special, path, expected=e)
    judged = tolerance(inputs, expected.dtype, got.dtype, tol=tol, keep_float64=keep_float64)
    allowed = judged.allowed(e)
    slack = float(spread_multiple) * float(spread) if spread else 0.0
    if slack > 0:
        allowed = np.maximum(allowed, slack)
    err = np.where(e_finite, np.abs(g - e), 0.0)
    bad = err > allowed
    if bad.any():
        m = _values(
            e,
            g,
            bad,
            err,
            path,
            allowed=allowed,
            tol_dtype=judged.dtype,
            rtol=judged.rtol,
            atol=judged.atol,
        )
        if slack > 0:
            m.info.update(spread=float(spread), spread_multiple=float(spread_multiple))
        return m
    return None


def _nonfinite(g: np.ndarray, where: np.ndarray, path: str, expected=None) -> Mismatch:
    flat = np.flatnonzero(where.ravel())
    first = int(flat[0]) if flat.size else 0
    info = {
        "index": _index(first, g.shape),
        "count": int(flat.size),
        "size": int(g.size),
        "got_value": float(g.ravel()[first]) if g.size else float("nan"),
    }
    if expected is not None and expected.size:
        info["expected_value"] = float(expected.ravel()[first])
    return Mismatch("nonfinite", path, info)


def _values(e, g, bad, err, path, *, allowed=None, exact=False, tol_dtype=None, rtol=0.0, atol=0.0):
    if allowed is not None:
        ratio = np.where(bad, err / np.maximum(allowed, np.finfo(np.float64).tiny), 0.0)
        worst = int(np.argmax(ratio.ravel()))
    else:
        worst = int(np.argmax(np.where(bad, err, -1.0).ravel()))
    # Relative errors only where the expectation is not (nearly) zero: elsewhere they mean nothing.
    scale = float(np.max(np.abs(e[np.isfinite(e)]))) if np.isfinite(e).any() else 0.0
    meaningful = bad & (np.abs(e) > 1e-12 * max(scale, 1e-300))
    rel = np.where(meaningful, err / np.where(meaningful, np.abs(e), 1.0), 0.0)
    info = {
        "index": _index(worst, e.shape),
        "count": int(bad.sum()),
        "size": int(e.size),
        "max_abs_error": float(err.max()),
        "max_rel_error": float(rel.max()) if meaningful.any() else float("nan"),
        "got_value": float(g.ravel()[worst]),
        "expected_value": float(e.ravel()[worst]),
        "exact": exact,
        "shape": list(e.shape),
    }
    if tol_dtype:
        info.update(tol_dtype=tol_dtype, rtol=rtol, atol=atol)
    # Spot the classic mistakes: a transposed result, or one off by a constant factor (only
    # with several elements to agree on it, and a factor clearly away from 1).
    if e.ndim == 2 and e.shape[0] == e.shape[1] and np.allclose(g, e.T, rtol=1e-4, atol=1e-8):
        info["looks_transposed"] = True
    finite = np.isfinite(e) & np.isfinite(g) & (np.abs(e) > 1e-12)
    if finite.sum() >= 1:
        ratios = g[finite] / e[finite]
        r0 = float(np.median(ratios))
        agree = np.isfinite(r0) and r0 != 0.0 and abs(r0 - 1.0) > 1e-2
        agree = agree and bool(np.allclose(ratios, r0, rtol=1e-3))
        # One number always has "a factor": name it only when it is telling (2, 1/n, −1…).
        if agree and (finite.sum() >= 2 or _telling_factor(r0)):
            info["constant_factor"] = r0
    return Mismatch("values", path, info)


def _telling_factor(r: float) -> bool:
    """Whether ``r`` (or ``1/r``) is, to 1e-3, a whole number up to 10,000: the factors that
    mean a missing 1/2, a sum instead of a mean, a sign error."""
    for v in (abs(r), 1.0 / abs(r)):
        k = round(v)
        if 1 <= k <= 10_000 and abs(v - k) <= 1e-3 * v:
            return True
    return False


def _sub(spread: Any, key: Any) -> Any:
    """The part of a spread tree under ``key`` (None where the tree has none)."""
    try:
        return spread[key] if spread is not None else None
    except (KeyError, IndexError, TypeError):
        return None


def _type_mismatch(expected: Any, got: Any, path: str) -> Mismatch:
    return Mismatch("type", path, {"expected": describe(expected), "got": describe(got)})


def compare(
    expected: Any,
    got: Any,
    *,
    tol: Tolerance = NO_OVERRIDES,
    keep_float64: bool = False,
    inputs: str | None = None,
    spread: Any = None,
    spread_multiple: float = 0.0,
    path: str = "",
) -> Mismatch | None:
    """Compare two pytrees of plain values (as decoded by :mod:`grader.sandboxed.codec`).

    Args:
      expected: the reference's result.
      got: the student's result.
      tol: tolerance overrides per precision.
      keep_float64: whether a float64 expectation requires a float64 answer.
      inputs: :func:`input_precision` of the case's inputs (None: no float inputs).
      spread: a tree shaped like ``expected`` whose leaves are the largest deviation of
        correct runs from it (:mod:`grader.expect`), or None.
      spread_multiple: extra absolute error allowed, in spreads.
      path: the position of these values in a larger tree (for messages).

    Returns:
      None when they agree, else the first :class:`Mismatch` found (depth first).
    """
    kw = {"tol": tol, "keep_float64": keep_float64, "inputs": inputs}
    kw["spread_multiple"] = spread_multiple
    if expected is None or got is None:
        if expected is None and got is None:
            return None
        return _type_mismatch(expected, got, path)
    if isinstance(expected, str) or isinstance(got, str):
        if isinstance(expected, str) and isinstance(got, str):
            if expected == got:
                return None
            return Mismatch("string", path, {"expected_value": expected, "got_value": got})
        return _type_mismatch(expected, got, path)
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return _type_mismatch(expected, got, path)
        missing = sorted(map(repr, set(expected) - set(got)))
        extra = sorted(map(repr, set(got) - set(expected)))
        if missing or extra:
            return Mismatch("keys", path, {"missing": missing, "extra": extra})
        for k in expected:
            m = compare(expected[k], got[k], spread=_sub(spread, k), path=f"{path}[{k!r}]", **kw)
            if m:
                return m
        return None
    e_arr = _as_array(expected) if not isinstance(expected, (list, tuple)) else None
    if isinstance(expected, (list, tuple)):
        if isinstance(got, (list, tuple)):
            if len(expected) != len(got):
                return Mismatch(
                    "length", path, {"expected_len": len(expected), "got_len": len(got)}
                )
            for i, (e, g) in enumerate(zip(expected, got, strict=True)):
                m = compare(e, g, spread=_sub(spread, i), path=f"{path}[{i}]", **kw)
                if m:
                    return m
            return None
        e_arr = _as_array(expected)
        if e_arr is None:
            return _type_mismatch(expected, got, path)
    g_arr = _as_array(got)
    if e_arr is None or g_arr is None:
        return _type_mismatch(expected, got, path)
    numeric = isinstance(spread, (int, float, np.floating)) and not isinstance(spread, bool)
    leaf_spread = float(spread) if numeric else None
    return compare_arrays(e_arr, g_arr, spread=leaf_spread, path=path, **kw)


def shape_summary(value: Any) -> str:
    """A short description of a tree's shapes and dtypes, e.g. ``"(4, 3) float32"``."""
    from grader.sandboxed.codec import Ref

    if isinstance(value, np.ndarray):
        return f"{tuple(value.shape)} {value.dtype.name}"
    if isinstance(value, Ref):
        if value.name == "jnp" and value.args:
            arr = np.asarray(value.args[0])
            dtype = value.args[1] if len(value.args) > 1 and value.args[1] else arr.dtype.name
            return f"jax {tuple(arr.shape)} {dtype}"
        if value.name in ("key", "legacy_key"):
            return f"key({', '.join(map(str, value.args))})"
        return f"{value.name}(…)"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(shape_summary(v) for v in value[:6])
        more = ", …" if len(value) > 6 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k}: {shape_summary(v)}" for k, v in list(value.items())[:8])
        return "{" + inner + "}"
    if type(value) in (bool, int, float):
        return f"{type(value).__name__} {value!r}" if type(value) is not float else "float"
    return type(value).__name__
