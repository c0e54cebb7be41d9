"""Drivers and refs that any exercise can use."""

from __future__ import annotations

from typing import Any

# Imported here, when the worker loads its drivers before any student code: an ``import``
# inside a driver would go through ``builtins.__import__``, which student code can replace.
import jax
import jax.numpy as jnp
import numpy as np

from grader.sandboxed.drivers import driver, ref


@driver("call")
def call(fn, *args, **kwargs) -> Any:
    """Call the function once with the case's inputs."""
    return fn(*args, **kwargs)


@driver("jit")
def jit(fn, *args, static_argnums=(), **kwargs) -> Any:
    """Call the function under ``jax.jit`` (the integer positions in ``static_argnums`` static)."""
    return jax.jit(fn, static_argnums=tuple(static_argnums))(*args, **kwargs)


@driver("vmap")
def vmap(fn, *args, in_axes=0, **kwargs) -> Any:
    """Map the function over the leading axis of its inputs with ``jax.vmap``."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    return jax.vmap(lambda *a: fn(*a, **kwargs), in_axes=in_axes)(*args)


@driver("call_twice")
def call_twice(fn, *args, **kwargs) -> Any:
    """Call the function twice on the same inputs (determinism, no mutation of inputs)."""
    return [fn(*args, **kwargs), fn(*args, **kwargs)]


@driver("keeps_input")
def keeps_input(
    fn,
    *args,
    watch_arg: int = 0,
    output_key: str = "output",
    flag_key: str = "input_left_unchanged",
    **kwargs,
) -> Any:
    """Call the function and report whether one of its inputs was left as it was.

    Args:
      fn: the function.
      args: its positional inputs.
      watch_arg: the position of the input that must not change (no in-place update).
      output_key: the key of the function's result in the returned dict.
      flag_key: the key of the verdict on the input.
      kwargs: its keyword inputs.

    Returns:
      ``{output_key: result, flag_key: bool}``.
    """
    before = np.array(args[watch_arg], copy=True)
    out = fn(*args, **kwargs)
    after = np.asarray(args[watch_arg])
    same = before.shape == after.shape and bool(np.array_equal(before, after, equal_nan=True))
    return {output_key: out, flag_key: same}


@ref("key")
def key(seed: int) -> Any:
    """A new-style typed PRNG key, ``jax.random.key(seed)``."""
    return jax.random.key(seed)


@ref("legacy_key")
def legacy_key(seed: int) -> Any:
    """An old-style uint32 PRNG key, ``jax.random.PRNGKey(seed)``."""
    return jax.random.PRNGKey(seed)


@ref("jnp")
def jnp_array(value, dtype=None) -> Any:
    """The value as a jax array (so that functions are also tried on jax inputs)."""
    return jnp.asarray(value, dtype=dtype)
