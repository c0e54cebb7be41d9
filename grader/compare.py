"""Pytree-aware comparison of a student's result with the reference's, with useful diagnostics.

Values, shapes and finiteness are compared, not types: a list and a tuple are
interchangeable, so are Python, numpy and jax scalars, and a list of numbers stands for the
array it spells. Floats are compared elementwise with ``|got − exp| <= atol·scale + rtol·|exp|``
where ``scale`` is the largest magnitude of the expected leaf (so a tolerance means the same
for tiny and huge arrays) and the tolerances are those of the *less precise* of the two
dtypes: a float32 answer is judged with float32 tolerances even against a float64 reference.
Integer and boolean expectations must match exactly.

The result is a :class:`Mismatch` (or ``None``): plain data that :mod:`grader.messages` turns
into a sentence a student can act on.

    >>> import numpy as np
    >>> compare({"w": np.ones(3)}, {"w": np.ones(3, np.float32)}) is None
    True
    >>> compare([1.0, 2.0], np.array([1.0, 2.5])).kind
    'values'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# (rtol, atol) by dtype name; atol is relative to the expected leaf's largest magnitude.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (5e-3, 1e-3),
    "bfloat16": (2e-2, 1e-2),
    "float32": (1e-4, 1e-6),
    "float64": (1e-7, 1e-10),
}
_PRECISION = {"float16": 0, "bfloat16": 0, "float32": 1, "float64": 2}


@dataclass(frozen=True)
class Tolerance:
    """Per-dtype overrides of :data:`DEFAULT_TOLERANCES`, e.g. ``Tolerance(float32=(1e-3, 1e-5))``."""

    float16: tuple[float, float] | None = None
    bfloat16: tuple[float, float] | None = None
    float32: tuple[float, float] | None = None
    float64: tuple[float, float] | None = None

    def get(self, dtype_name: str) -> tuple[float, float]:
        own = getattr(self, dtype_name, None)
        return own if own is not None else DEFAULT_TOLERANCES[dtype_name]


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
    return type(x) in (bool, int, float) or isinstance(x, (np.ndarray, np.generic))


def _as_array(x: Any) -> np.ndarray | None:
    """A numeric numpy array for numbers, arrays and (nested) lists of numbers; else None."""
    if isinstance(x, np.ndarray):
        return x
    if type(x) in (bool, int, float) or isinstance(x, np.generic):
        try:
            return np.asarray(x)
        except OverflowError:
            return None
    if isinstance(x, (list, tuple)):
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError, OverflowError):
            return None
        if arr.dtype.kind in "biuf" and arr.size == _count_leaves(x):
            return arr
    return None


def _count_leaves(x: Any) -> int:
    if isinstance(x, (list, tuple)):
        return sum(_count_leaves(v) for v in x)
    return 1 if _scalar_like(x) and np.ndim(x) == 0 else -(10**9)


def _describe_type(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {tuple(x.shape)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    if isinstance(x, Mapping):
        return f"a dict with keys {sorted(map(str, x))}"
    if x is None:
        return "None"
    return f"a {type(x).__name__}"


def _float_tolerance(e: np.ndarray, g: np.ndarray, tol: Tolerance) -> tuple[float, float, str]:
    names = [a.dtype.name for a in (e, g) if a.dtype.name in _PRECISION]
    if not names:
        names = ["float64"]
    least = min(names, key=_PRECISION.__getitem__)
    rtol, atol = tol.get(least)
    return rtol, atol, least


def _index(flat_index: int, shape: tuple) -> list[int]:
    return [int(i) for i in np.unravel_index(flat_index, shape)] if shape else []


def compare_arrays(
    expected: np.ndarray,
    got: np.ndarray,
    *,
    tol: Tolerance = Tolerance(),
    keep_float64: bool = False,
    path: str = "",
) -> Mismatch | None:
    """Compare two arrays; see the module docstring for the rules."""
    if expected.shape != got.shape:
        return Mismatch(
            "shape",
            path,
            {"expected_shape": list(expected.shape), "got_shape": list(got.shape)},
        )
    if keep_float64 and expected.dtype == np.float64 and got.dtype != np.float64:
        return Mismatch("dtype", path, {"expected_dtype": "float64", "got_dtype": got.dtype.name})
    if got.dtype.kind not in "biuf":
        return Mismatch("type", path, {"got": f"an array of dtype {got.dtype}"})
    if expected.dtype.kind in "biu":
        e64 = expected.astype(np.float64)
        g64 = got.astype(np.float64)
        bad = e64 != g64
        if got.dtype.kind == "f" and not np.isfinite(g64).all():
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
    rtol, atol, tol_dtype = _float_tolerance(expected, got, tol)
    scale = float(np.max(np.abs(e[e_finite]))) if e_finite.any() else 0.0
    allowed = atol * (scale if scale > 0 else 1.0) + rtol * np.abs(e)
    err = np.where(e_finite, np.abs(g - e), 0.0)
    bad = err > allowed
    if bad.any():
        return _values(
            e, g, bad, err, path, allowed=allowed, tol_dtype=tol_dtype, rtol=rtol, atol=atol
        )
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


def compare(
    expected: Any,
    got: Any,
    *,
    tol: Tolerance = Tolerance(),
    keep_float64: bool = False,
    path: str = "",
) -> Mismatch | None:
    """Compare two pytrees of plain values (as decoded by :mod:`grader.codec`).

    Args:
      expected: the reference's result.
      got: the student's result.
      tol: tolerance overrides per dtype.
      keep_float64: whether a float64 expectation requires a float64 answer.
      path: the position of these values in a larger tree (for messages).

    Returns:
      None when they agree, else the first :class:`Mismatch` found (depth first).
    """
    if expected is None or got is None:
        if expected is None and got is None:
            return None
        return Mismatch(
            "type", path, {"expected": _describe_type(expected), "got": _describe_type(got)}
        )
    if isinstance(expected, str) or isinstance(got, str):
        if isinstance(expected, str) and isinstance(got, str):
            if expected == got:
                return None
            return Mismatch("string", path, {"expected_value": expected, "got_value": got})
        return Mismatch(
            "type", path, {"expected": _describe_type(expected), "got": _describe_type(got)}
        )
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return Mismatch(
                "type", path, {"expected": _describe_type(expected), "got": _describe_type(got)}
            )
        missing = sorted(map(repr, set(expected) - set(got)))
        extra = sorted(map(repr, set(got) - set(expected)))
        if missing or extra:
            return Mismatch("keys", path, {"missing": missing, "extra": extra})
        for k in expected:
            m = compare(
                expected[k], got[k], tol=tol, keep_float64=keep_float64, path=f"{path}[{k!r}]"
            )
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
                m = compare(e, g, tol=tol, keep_float64=keep_float64, path=f"{path}[{i}]")
                if m:
                    return m
            return None
        e_arr = _as_array(expected)
        if e_arr is None:
            return Mismatch(
                "type", path, {"expected": _describe_type(expected), "got": _describe_type(got)}
            )
    g_arr = _as_array(got)
    if e_arr is None or g_arr is None:
        return Mismatch(
            "type", path, {"expected": _describe_type(expected), "got": _describe_type(got)}
        )
    return compare_arrays(e_arr, g_arr, tol=tol, keep_float64=keep_float64, path=path)


def shape_summary(value: Any) -> str:
    """A short description of a tree's shapes and dtypes, e.g. ``"(4, 3) float32"``."""
    from grader.codec import Ref

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
