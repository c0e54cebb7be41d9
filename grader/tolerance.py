"""The tolerance policy of the grader: the precision a float result is judged at, and its
(rtol, atol). :mod:`grader.compare` applies it to whole results; property judges that compare
numbers use it too (through :func:`grader.judging.close` or :func:`tolerance`). See
:mod:`grader.compare`'s docstring for the rules.

    >>> judged_dtype("float32", "float64", "float16")
    'float32'
    >>> tolerance(None, "float64", "float64").rtol
    1e-07
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# (rtol, atol) by dtype name; atol is relative to the expected leaf's largest magnitude.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "bfloat16": (2e-2, 1e-2),
    "float16": (5e-3, 1e-3),
    "float32": (1e-4, 1e-6),
    "float64": (1e-7, 1e-10),
}
# From the least to the most precise (bfloat16 keeps 8 significant bits, float16 11).
PRECISIONS = ("bfloat16", "float16", "float32", "float64")
_RANK = {name: i for i, name in enumerate(PRECISIONS)}


@dataclass(frozen=True)
class Tolerance:
    """Per-dtype overrides of :data:`DEFAULT_TOLERANCES`, e.g. ``Tolerance(float32=(1e-3, 1e-5))``."""

    float16: tuple[float, float] | None = None
    bfloat16: tuple[float, float] | None = None
    float32: tuple[float, float] | None = None
    float64: tuple[float, float] | None = None

    def get(self, dtype_name: str) -> tuple[float, float]:
        """(rtol, atol) for a dtype name of :data:`PRECISIONS`."""
        own = getattr(self, dtype_name, None)
        return own if own is not None else DEFAULT_TOLERANCES[dtype_name]


def float_name(dtype: Any) -> str | None:
    """The name of a real floating dtype of :data:`PRECISIONS` (bfloat16 included), else None."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        return None
    return name if name in _RANK else None


def input_precision(*trees: Any) -> str | None:
    """The least precise floating dtype among the array leaves of a case's inputs, or None.

    Leaves are numpy arrays and scalars and ``Ref("jnp", (data, dtype))`` inputs (which the
    worker builds with JAX's defaults: a float64 request arrives as float32). Python floats
    are weakly typed (JAX keeps the other operand's dtype) and do not count; neither do
    integers, keys and callables.

    Args:
      trees: the case's ``args`` and ``kwargs`` (any nesting of lists, tuples and dicts).

    Returns:
      A name of :data:`PRECISIONS`, or None when no input is a float array.
    """
    from grader.sandboxed.codec import Ref

    found: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, Ref):
            if x.name == "jnp" and x.args:
                data = x.args[0]
                dtype = x.args[1] if len(x.args) > 1 and x.args[1] else None
                if dtype is None:
                    arr = np.asarray(data) if not isinstance(data, float) else None
                    dtype = arr.dtype if arr is not None else None
                name = float_name(dtype) if dtype is not None else None
                if name == "float64":  # jnp.asarray without x64 makes float32
                    name = "float32"
                if name:
                    found.append(name)
            return
        if isinstance(x, (np.ndarray, np.generic)):
            name = float_name(x.dtype)
            if name:
                found.append(name)
        elif isinstance(x, Mapping):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    for tree in trees:
        walk(tree)
    return min(found, key=_RANK.__getitem__) if found else None


def judged_dtype(inputs: str | None, expected: Any, got: Any, *, keep_float64: bool = False) -> str:
    """The precision a float result is judged at (see the module docstring).

    Args:
      inputs: :func:`input_precision` of the case (None: no float inputs).
      expected: the reference result's dtype (or dtype name).
      got: the returned result's dtype (or dtype name); a non-float one is left out.
      keep_float64: a float64 expectation is judged as float64 (the answer must be float64).

    Returns:
      A name of :data:`PRECISIONS`.
    """
    exp, ret = float_name(expected), float_name(got)
    if keep_float64 and exp == "float64":
        return "float64"
    present = [n for n in (inputs, exp, ret) if n]
    if not present:
        return "float64"
    judged = min(_RANK[n] for n in present)
    # Never below the inputs' precision, nor below float32 for float32 or float64 inputs:
    # a less precise answer must not loosen the verdict.
    floor = min(_RANK[inputs], _RANK["float32"]) if inputs else _RANK["float32"]
    return PRECISIONS[max(judged, floor)]


@dataclass(frozen=True)
class Judged:
    """The tolerance a result is judged with: its precision and (rtol, atol)."""

    dtype: str
    rtol: float
    atol: float

    def allowed(self, expected: np.ndarray, scale: float | None = None) -> np.ndarray:
        """The largest error allowed at each element: ``atol·scale + rtol·|expected|``.

        Args:
          expected: the expected values (float64).
          scale: the magnitude ``atol`` is relative to; by default the largest finite
            ``|expected|`` (1 when that is 0).
        """
        if scale is None:
            finite = np.isfinite(expected)
            scale = float(np.max(np.abs(expected[finite]))) if finite.any() else 0.0
        return self.atol * (scale if scale > 0 else 1.0) + self.rtol * np.abs(expected)


def tolerance(
    inputs: str | None,
    expected: Any,
    got: Any,
    *,
    tol: Tolerance = Tolerance(),
    keep_float64: bool = False,
) -> Judged:
    """The policy's tolerance for one result leaf: :func:`judged_dtype`, then ``tol``'s (rtol,
    atol) for that precision. Property judges that compare numbers call this (with the
    check's own ``tol``) rather than choosing thresholds of their own.

    Args:
      inputs: :func:`input_precision` of the case.
      expected: the reference's dtype (the dtype of the trusted truth, for a judge).
      got: the returned dtype.
      tol: per-precision overrides of :data:`DEFAULT_TOLERANCES`.
      keep_float64: see :func:`judged_dtype`.
    """
    name = judged_dtype(inputs, expected, got, keep_float64=keep_float64)
    rtol, atol = tol.get(name)
    return Judged(name, rtol, atol)
