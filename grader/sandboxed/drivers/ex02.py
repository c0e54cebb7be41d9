"""Drivers for ex02_activations (run inside the sandbox; no expected values here)."""

from __future__ import annotations

from typing import Any

from grader.sandboxed.drivers import driver


@driver("ex02_keeps_input")
def keeps_input(fn, z, *args, **kwargs) -> Any:
    """Call ``fn(z, …)`` and report whether ``z`` was left as it was (no in-place change)."""
    import numpy as np

    before = np.array(z, copy=True)
    out = fn(z, *args, **kwargs)
    after = np.asarray(z)
    unchanged = before.shape == after.shape and bool(np.array_equal(before, after, equal_nan=True))
    return {"output": out, "input_left_unchanged": unchanged}
