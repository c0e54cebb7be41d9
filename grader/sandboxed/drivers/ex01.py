"""Drivers for ex01_perceptron (run inside the sandbox; no expected values here)."""

from __future__ import annotations

import sys
from typing import Any

from grader.sandboxed.drivers import driver


@driver("ex01_perceptron_calls", module=True)
def perceptron_calls(module, fn, x1, x2) -> Any:
    """Call ``half_adder(x1, x2)`` and count the calls it makes to the module's ``perceptron``.

    Counted by code object through a profile hook, so an alias (``nand = perceptron``), a
    helper or a lambda around it counts too; only a half adder that never runs the
    student's perceptron counts 0. JAX's caches are cleared first: a jit-compiled half adder
    traced by an earlier check would otherwise run without calling any Python function.
    """
    if "jax" in sys.modules:
        sys.modules["jax"].clear_caches()
    target = getattr(getattr(module, "perceptron", None), "__code__", None)
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call" and frame.f_code is target:
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        out = fn(x1, x2)
    finally:
        sys.setprofile(previous)
    return {"output": out, "perceptron_calls": calls}
