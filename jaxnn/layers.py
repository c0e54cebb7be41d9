"""Layers as ``(init, apply)`` pairs of pure functions, with named dict params.

This is ``jax.example_libraries.stax``'s design with two changes: params are dicts with
names (``{"w", "b"}`` as in Haiku, flax's layouts) instead of nested tuples, and ``apply``
takes keyword-only ``train`` and ``key`` instead of a positional ``rng``::

    init(key, input_shape) -> (output_shape, params)
    apply(params, x, *, train=False, key=None) -> y

``input_shape`` includes the batch axis, which may be ``None`` (unknown):
``(None, 784)`` or ``(None, 28, 28, 1)``. Init shapes equal apply shapes.

Conventions:

* Images are NHWC, conv kernels HWIO, ``lax.conv_general_dilated`` with
  ``("NHWC", "HWIO", "NHWC")``: flax's layout, so flax params copy across unchanged
  (``kernel`` → ``"w"``, ``bias`` → ``"b"``).
* Kernels default to ``lecun_normal`` and biases to zeros (flax's defaults).
* Layers without params have params ``{}``.
* **Activation layers are ready ``Layer`` values**, named like the functions of
  ``jaxnn.activations``: ``relu``, ``sigmoid``, ``tanh``, ``softmax``,
  ``log_softmax``, ``leaky_relu`` (alpha 0.01), ``step``. Wrap any other elementwise
  function with ``activation(fn)``, e.g.
  ``activation(functools.partial(jaxnn.activations.leaky_relu, alpha=0.2))``.
* **serial's params** are a dict ``{"<kind>_<index>": params}`` where ``index`` is the
  layer's position in ``serial(...)`` (so names stay stable and unique), and **layers
  without params are left out**: ``serial(dense(3), relu, dense(1))`` has params
  ``{"dense_0": ..., "dense_2": ...}``, as Haiku and flax leave out modules without
  params.
* **Keys**: ``serial.apply`` splits ``key`` into one sub-key per layer with
  ``jax.random.split(key, len(layers))``; layer ``i`` gets sub-key ``i``, so no two
  layers (e.g. two dropouts) ever share one. ``init`` does the same with its key.
* ``train`` must be a Python bool (mark it static under ``jit``); ``key`` is needed only
  when ``train=True`` and some layer draws (dropout).
* ``init`` runs eagerly and draws each weight with its own compiled random kernel;
  :func:`init_shapes` gives the output shape and params' shapes without drawing.
  (``jax.tree.map`` prints dict keys sorted as strings: ``dense_11`` before ``dense_7``.)
* Pools default to ``stride = window`` (non-overlapping, as Keras/PyTorch and seed 002),
  unlike flax/stax whose default stride is 1.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from jaxnn import layers
    >>> net = layers.serial(layers.dense(256), layers.relu, layers.dropout(0.2), layers.dense(10))
    >>> out_shape, params = net.init(jax.random.key(0), (None, 784))
    >>> out_shape
    (None, 10)
    >>> jax.tree.map(jnp.shape, params)
    {'dense_0': {'b': (256,), 'w': (784, 256)}, 'dense_3': {'b': (10,), 'w': (256, 10)}}
    >>> apply = jax.jit(net.apply, static_argnames="train")  # train is a Python bool
    >>> apply(params, jnp.ones((32, 784)), train=True, key=jax.random.key(1)).shape
    (32, 10)
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxnn import activations as _act
from jaxnn import initializers as _init

__all__ = [
    "Layer",
    "activation",
    "avg_pool",
    "conv2d",
    "conv_output_size",
    "dense",
    "dropout",
    "flatten",
    "init_shapes",
    "leaky_relu",
    "log_softmax",
    "max_pool",
    "relu",
    "residual",
    "serial",
    "sigmoid",
    "softmax",
    "step",
    "tanh",
]

Shape = tuple[int | None, ...]
Params = Any

_LECUN_NORMAL = _init.lecun_normal()

# --- error messages -----------------------------------------------------------------

DROPOUT_NEEDS_KEY = (
    "dropout: apply was called with train=True but no key. Dropout draws a random mask, "
    "so instead of `apply(params, x, train=True)` call it like "
    "`apply(params, x, train=True, key=key)` where `key` is a PRNG key (e.g. from "
    "`jax.random.key(0)`, split afresh for every step). For evaluation pass train=False."
)
BAD_RATE = (
    "dropout: rate is the probability of DROPPING a unit and must satisfy 0 <= rate < 1, "
    "got {rate!r}. Keras/flax use the same convention; a keep probability p is rate = 1 - p."
)
TRAIN_NOT_STATIC = (
    "{layer}: `train` must be a Python bool, got a traced value. Under jax.jit mark it "
    "static: jax.jit(apply, static_argnames='train')."
)
BAD_KEY = (
    "{layer}: `key` must be a PRNG key from jax.random.key(seed) (or jax.random.PRNGKey), "
    "got {got!r}."
)
INPUT_RANK = "{layer}: expected {expected}, got an input of shape {shape}. {hint}"
FEATURES_MISMATCH = (
    "{layer}: the input has {got} {what} (input shape {shape}) but the params expect "
    "{expected} ({param}.shape={pshape}). {hint}"
)
UNKNOWN_DIM = (
    "{layer}: input_shape {shape} has an unknown (None) dimension other than the batch "
    "axis; give every non-batch dimension as an int, e.g. (None, 28, 28, 1)."
)
MISSING_PARAMS = (
    "{layer}: params must be a dict with keys {keys}, got {got}. Pass the params that "
    "this layer's init returned."
)
BAD_PADDING = (
    "{layer}: padding must be 'SAME', 'VALID', an int p (p on every side), a pair of "
    "ints (ph, pw), or a pair of (low, high) pairs; got {padding!r}."
)
BAD_SIZE = "{layer}: {name} must be a positive int or a pair of positive ints (h, w), got {got!r}."
EMPTY_OUTPUT = (
    "{layer}: the output would be empty: input spatial size {spatial} with window "
    "{window}, stride {stride} and padding {padding} gives {out}. Use a smaller window "
    "or stride, padding='SAME', or a larger input."
)
NOT_A_LAYER = (
    "serial: argument {index} is {got!r}, not a Layer. Pass Layer values such as "
    "jaxnn.layers.dense(10) (called) or jaxnn.layers.relu (no parentheses); wrap a plain "
    "function with jaxnn.layers.activation(fn)."
)
SERIAL_PARAMS = (
    "serial: params must be the dict that serial's init returned, with keys among "
    "{expected}; got {got}. {hint}"
)
RESIDUAL_SHAPE = (
    "residual: the inner layer must keep the shape of its input so that x + f(x) is "
    "defined; input shape {in_shape}, inner output shape {out_shape}. Use SAME padding "
    "and as many output channels/units as input ones."
)


class Layer(NamedTuple):
    """A layer: a pair of pure functions.

    Attributes:
        init: ``init(key, input_shape) -> (output_shape, params)``.
        apply: ``apply(params, x, *, train=False, key=None) -> y``.

    A ``Layer`` unpacks like stax's pairs: ``init_fn, apply_fn = layer``. Its
    :attr:`kind` (e.g. ``"dense"``) names its params inside :func:`serial`.
    """

    init: Callable[..., tuple[Shape, Params]]
    apply: Callable[..., jax.Array]

    @property
    def kind(self) -> str:
        """The short name used in :func:`serial`'s param names (``"layer"`` if unknown)."""
        return getattr(self.init, "kind", "layer")


def _make(kind: str, init: Callable, apply: Callable) -> Layer:
    # The kind lives on the init function so that Layer keeps exactly the two fields of
    # stax's pairs (and unpacks as a pair); each factory call makes fresh closures.
    init.kind = kind
    return Layer(init, apply)


# --- small helpers --------------------------------------------------------------------


def _as_float(x: Any) -> jax.Array:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return x


def _check_train_key(layer: str, train: Any, key: Any) -> None:
    if isinstance(train, jax.core.Tracer):
        raise TypeError(TRAIN_NOT_STATIC.format(layer=layer))
    if key is not None and not hasattr(key, "dtype"):
        raise TypeError(BAD_KEY.format(layer=layer, got=key))


def _require(layer: str, params: Any, keys: Sequence[str]) -> None:
    if not isinstance(params, dict) or any(k not in params for k in keys):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(MISSING_PARAMS.format(layer=layer, keys=list(keys), got=got))


def _pair(layer: str, name: str, value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if isinstance(value, str):
        raise ValueError(BAD_SIZE.format(layer=layer, name=name, got=value))
    try:
        h, w = (int(v) for v in value)
        ok = h > 0 and w > 0 and all(int(v) == v for v in value)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(BAD_SIZE.format(layer=layer, name=name, got=value))
    return h, w


def _padding(layer: str, padding: Any) -> str | tuple[tuple[int, int], tuple[int, int]]:
    """Normalises padding to 'SAME', 'VALID' or ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding.upper() in ("SAME", "VALID"):
            return padding.upper()
    elif isinstance(padding, int) and not isinstance(padding, bool):
        if padding >= 0:
            return ((padding, padding), (padding, padding))
    elif isinstance(padding, Sequence) and len(padding) == 2:
        if all(isinstance(p, int) and p >= 0 for p in padding):
            return ((padding[0], padding[0]), (padding[1], padding[1]))
        if all(isinstance(p, Sequence) and len(p) == 2 for p in padding):
            pairs = tuple((int(lo), int(hi)) for lo, hi in padding)
            if all(v >= 0 for pair in pairs for v in pair):
                return pairs
    raise ValueError(BAD_PADDING.format(layer=layer, padding=padding))


def _explicit_pads(spatial, window, strides, padding) -> list[tuple[int, int]]:
    if isinstance(padding, str):
        return list(lax.padtype_to_pads(spatial, window, strides, padding))
    return list(padding)


def _spatial_out(layer, spatial, window, strides, padding) -> tuple[int, int]:
    pads = _explicit_pads(spatial, window, strides, padding)
    out = tuple(
        (n + lo + hi - k) // s + 1
        for n, k, s, (lo, hi) in zip(spatial, window, strides, pads, strict=True)
    )
    if any(o <= 0 for o in out):
        raise ValueError(
            EMPTY_OUTPUT.format(
                layer=layer,
                spatial=tuple(spatial),
                window=window,
                stride=strides,
                padding=padding,
                out=out,
            )
        )
    return out


def _image_shape(layer: str, input_shape: Sequence) -> Shape:
    shape = tuple(input_shape)
    if len(shape) != 4:
        raise ValueError(
            INPUT_RANK.format(
                layer=layer,
                expected="an NHWC input_shape (N, H, W, C)",
                shape=shape,
                hint="Use (None, H, W, C) for an unknown batch size, e.g. (None, 28, 28, 1).",
            )
        )
    if any(d is None for d in shape[1:]):
        raise ValueError(UNKNOWN_DIM.format(layer=layer, shape=shape))
    return shape


def _check_image(layer: str, x: jax.Array) -> None:
    if x.ndim != 4:
        hint = (
            "For grayscale (N, H, W) images add the channel axis with x[..., None]; for a "
            "single (H, W, C) image add the batch axis with x[None]."
            if x.ndim == 3
            else "Reshape flat inputs, e.g. x.reshape(-1, 28, 28, 1)."
        )
        raise ValueError(
            INPUT_RANK.format(
                layer=layer,
                expected="NHWC images of shape (N, H, W, C)",
                shape=x.shape,
                hint=hint,
            )
        )


def _resolve_init(fn: Callable) -> Callable:
    """Accepts both ``lecun_normal()`` (an init) and ``lecun_normal`` (its factory)."""
    try:
        n_params = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return fn
    return fn() if n_params == 0 else fn


# --- dense and conv -------------------------------------------------------------------


def dense(
    n_out: int,
    w_init: Callable = _LECUN_NORMAL,
    b_init: Callable = _init.zeros,
) -> Layer:
    """Fully connected layer ``y = x @ w + b`` (params ``{"w": (n_in, n_out), "b": (n_out,)}``).

    The seeds write ``W`` as ``(n_out, n_in)`` and ``W·x``; here ``w = W_seed.T`` so that a
    batch ``x`` of shape ``(N, n_in)`` multiplies on the left (flax's and Haiku's layout).
    Acts on the last axis, so ``(N, T, n_in)`` inputs work too.

    Args:
        n_out: number of output units.
        w_init: kernel initializer ``init(key, shape, dtype)`` (default LeCun normal, as flax).
        b_init: bias initializer (default zeros).

    Returns:
        a :class:`Layer`; ``init`` maps ``(..., n_in)`` to ``(..., n_out)``.

    Example:
        >>> layer = dense(256)
        >>> shape, params = layer.init(jax.random.key(0), (None, 784))
        >>> shape, jax.tree.map(jnp.shape, params)
        ((None, 256), {'b': (256,), 'w': (784, 256)})
    """
    w_init, b_init = _resolve_init(w_init), _resolve_init(b_init)

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        input_shape = tuple(input_shape)
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(
                INPUT_RANK.format(
                    layer="dense",
                    expected="an input_shape ending in the number of features",
                    shape=input_shape,
                    hint="E.g. (None, 784).",
                )
            )
        n_in = int(input_shape[-1])
        k_w, k_b = jax.random.split(key)
        params = {"w": w_init(k_w, (n_in, n_out)), "b": b_init(k_b, (n_out,))}
        return (*input_shape[:-1], n_out), params

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        _check_train_key("dense", train, key)
        _require("dense", params, ("w", "b"))
        x = _as_float(x)
        w, b = params["w"], params["b"]
        if x.ndim < 1 or x.shape[-1] != w.shape[0]:
            raise ValueError(
                FEATURES_MISMATCH.format(
                    layer="dense",
                    got=x.shape[-1] if x.ndim else "no",
                    what="features",
                    shape=x.shape,
                    expected=w.shape[0],
                    param="w",
                    pshape=w.shape,
                    hint="Images need flatten() before a dense layer.",
                )
            )
        return x @ w + b

    return _make("dense", init, apply)


def conv2d(
    c_out: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str | int | Sequence = "SAME",
    w_init: Callable = _LECUN_NORMAL,
    b_init: Callable = _init.zeros,
) -> Layer:
    """2-D convolution (a cross-correlation, as in every DL library) on NHWC images.

    Params ``{"w": (KH, KW, C_in, C_out), "b": (C_out,)}`` (HWIO), computed by
    ``lax.conv_general_dilated`` with ``("NHWC", "HWIO", "NHWC")``; same results as
    ``flax.linen.Conv`` with the same kernel, strides and padding. The output size per
    spatial axis is ``⌊(H + p_low + p_high − K) / s⌋ + 1`` (seed 002), and
    ``⌈H / s⌉`` with ``"SAME"``.

    Args:
        c_out: number of filters (output channels).
        kernel_size: ``k`` or ``(KH, KW)``.
        stride: ``s`` or ``(sh, sw)``.
        padding: ``"SAME"`` (output ``⌈H/s⌉``, like seed 002's ``P = (K − 1)/2`` for odd
            ``K`` and stride 1), ``"VALID"`` (no padding), an int ``p`` (``p`` zeros on
            every side), ``(ph, pw)``, or ``((top, bottom), (left, right))``.
        w_init: kernel initializer (default LeCun normal, fan_in = KH·KW·C_in).
        b_init: bias initializer (default zeros).

    Returns:
        a :class:`Layer` mapping ``(N, H, W, C_in)`` to ``(N, H', W', c_out)``.

    Example:
        >>> layer = conv2d(6, 5, padding="VALID")
        >>> shape, params = layer.init(jax.random.key(0), (None, 28, 28, 1))
        >>> shape, jax.tree.map(jnp.shape, params)
        ((None, 24, 24, 6), {'b': (6,), 'w': (5, 5, 1, 6)})
    """
    window = _pair("conv2d", "kernel_size", kernel_size)
    strides = _pair("conv2d", "stride", stride)
    pad = _padding("conv2d", padding)
    w_init, b_init = _resolve_init(w_init), _resolve_init(b_init)

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        n, h, w, c_in = _image_shape("conv2d", input_shape)
        out_hw = _spatial_out("conv2d", (h, w), window, strides, pad)
        k_w, k_b = jax.random.split(key)
        params = {"w": w_init(k_w, (*window, c_in, c_out)), "b": b_init(k_b, (c_out,))}
        return (n, *out_hw, c_out), params

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        _check_train_key("conv2d", train, key)
        _require("conv2d", params, ("w", "b"))
        x = _as_float(x)
        _check_image("conv2d", x)
        w, b = params["w"], params["b"]
        if x.shape[-1] != w.shape[2]:
            raise ValueError(
                FEATURES_MISMATCH.format(
                    layer="conv2d",
                    got=x.shape[-1],
                    what="channels",
                    shape=x.shape,
                    expected=w.shape[2],
                    param="w",
                    pshape=w.shape,
                    hint="Images are NHWC: channels last (transpose NCHW with "
                    "x.transpose(0, 2, 3, 1)).",
                )
            )
        _spatial_out("conv2d", x.shape[1:3], window, strides, pad)
        # lax.conv needs one dtype for both operands (e.g. float64 data, float32 params).
        dtype = jnp.promote_types(x.dtype, w.dtype)
        y = lax.conv_general_dilated(
            x.astype(dtype),
            w.astype(dtype),
            window_strides=strides,
            padding=pad,
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
        )
        return y + b

    return _make("conv2d", init, apply)


def conv_output_size(
    h: int, k: int, padding: str | int | Sequence[int] = 0, stride: int = 1
) -> int:
    """Output length of a convolution or pooling along one axis: ``⌊(h − k + 2p)/s⌋ + 1``.

    Args:
        h: input length.
        k: kernel (window) length.
        padding: ``p`` zeros on each side, a ``(low, high)`` pair, ``"VALID"`` (``p = 0``) or
            ``"SAME"`` (output ``⌈h / s⌉``).
        stride: ``s``.

    Returns:
        the output length (``<= 0`` means the window does not fit).

    Example:
        >>> conv_output_size(32, 5), conv_output_size(32, 5, padding=2)
        (28, 32)
        >>> conv_output_size(7, 3, padding=0, stride=2)
        3
    """
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise ValueError(BAD_PADDING.format(layer="conv_output_size", padding=padding))
        ((lo, hi),) = lax.padtype_to_pads((h,), (k,), (stride,), padding.upper())
    elif isinstance(padding, int):
        lo = hi = padding
    else:
        lo, hi = padding
    return (h + lo + hi - k) // stride + 1


# --- pooling --------------------------------------------------------------------------


def _no_padding(pad) -> bool:
    return pad == "VALID" or (not isinstance(pad, str) and all(p == (0, 0) for p in pad))


def _pool(kind, window, stride, padding, init_value, reducer, finish) -> Layer:
    window = _pair(kind, "window", window)
    strides = window if stride is None else _pair(kind, "stride", stride)
    pad = _padding(kind, padding)
    full_pad = pad if isinstance(pad, str) else ((0, 0), *pad, (0, 0))

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        del key
        n, h, w, c = _image_shape(kind, input_shape)
        return (n, *_spatial_out(kind, (h, w), window, strides, pad), c), {}

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del params
        _check_train_key(kind, train, key)
        x = _as_float(x)
        _check_image(kind, x)
        _spatial_out(kind, x.shape[1:3], window, strides, pad)
        if kind == "max_pool" and tuple(strides) == tuple(window) and _no_padding(pad):
            # Non-overlapping windows: a reshape and a max. Same values as reduce_window,
            # and on CPU its gradient is ~8x faster than reduce_window's select-and-scatter
            # (ties share the gradient instead of one winner taking it).
            (kh, kw), (n, h, w, c) = window, x.shape
            x = x[:, : h // kh * kh, : w // kw * kw]
            return x.reshape(n, h // kh, kh, w // kw, kw, c).max(axis=(2, 4))
        # A concrete (numpy) identity as init value lets lax recognise the max/add
        # monoid and use its differentiable reduce_window; a traced one would not.
        y = lax.reduce_window(
            x, init_value(x.dtype), reducer, (1, *window, 1), (1, *strides, 1), full_pad
        )
        return finish(x, y, window, strides, full_pad)

    return _make(kind, init, apply)


def max_pool(
    window: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: str | int | Sequence = "VALID",
) -> Layer:
    """Max pooling over ``window`` on NHWC inputs (seed 002, "pooling par maximum").

    Same results as ``flax.linen.max_pool`` for the same window, strides and padding;
    padded positions count as ``-inf`` (they never win).

    Args:
        window: ``k`` or ``(kh, kw)``.
        stride: ``s`` or ``(sh, sw)``; **default = the window** (non-overlapping, the
            seed's ``S = k`` and Keras'/PyTorch's default; flax and stax default to 1).
        padding: ``"VALID"`` (default: output size rounded down), ``"SAME"``, an int or
            pairs, as in :func:`conv2d`.

    Returns:
        a :class:`Layer` without params mapping ``(N, H, W, C)`` to ``(N, H', W', C)``.

    Example:
        >>> x = jnp.arange(16.0).reshape(1, 4, 4, 1)
        >>> print(max_pool(2).apply({}, x)[0, :, :, 0])
        [[ 5.  7.]
         [13. 15.]]
    """
    return _pool(
        "max_pool",
        window,
        stride,
        padding,
        lambda dtype: np.array(-np.inf, dtype),
        lax.max,
        lambda x, y, *_: y,
    )


def avg_pool(
    window: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: str | int | Sequence = "VALID",
    count_include_pad: bool = True,
) -> Layer:
    """Average pooling over ``window`` on NHWC inputs.

    Same results as ``flax.linen.avg_pool`` (including its ``count_include_pad``) for
    the same window, strides and padding. With padding, ``count_include_pad=True``
    (flax's default) divides every window sum by ``kh·kw``, i.e. the padded zeros count
    in the mean and border outputs shrink towards 0; ``False`` divides by the number of
    real input pixels in the window instead (PyTorch's ``count_include_pad=False``).
    Without padding both are the plain mean.

    Args:
        window: ``k`` or ``(kh, kw)``.
        stride: ``s`` or ``(sh, sw)``; default = the window (see :func:`max_pool`).
        padding: ``"VALID"`` (default), ``"SAME"``, an int or pairs.
        count_include_pad: whether padded zeros count in the mean.

    Returns:
        a :class:`Layer` without params mapping ``(N, H, W, C)`` to ``(N, H', W', C)``.

    Example:
        >>> x = jnp.arange(16.0).reshape(1, 4, 4, 1)
        >>> print(avg_pool(2).apply({}, x)[0, :, :, 0])
        [[ 2.5  4.5]
         [10.5 12.5]]
    """

    def finish(x, y, window, strides, full_pad):
        if count_include_pad:
            return y / math.prod(window)
        counts = lax.reduce_window(
            jnp.ones((1, *x.shape[1:3], 1), x.dtype),
            np.array(0, x.dtype),
            lax.add,
            (1, *window, 1),
            (1, *strides, 1),
            full_pad,
        )
        return y / counts

    return _pool(
        "avg_pool", window, stride, padding, lambda dtype: np.array(0, dtype), lax.add, finish
    )


# --- shape and regularisation layers --------------------------------------------------


def flatten() -> Layer:
    """Flattens every axis but the batch axis: ``(N, d1, d2, ...)`` → ``(N, d1·d2·...)``.

    A factory (call it: ``flatten()``), like the other layers that could take options.

    Returns:
        a :class:`Layer` without params.

    Example:
        >>> flatten().init(jax.random.key(0), (None, 7, 7, 16))[0]
        (None, 784)
    """

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        del key
        input_shape = tuple(input_shape)
        if len(input_shape) < 1 or any(d is None for d in input_shape[1:]):
            raise ValueError(UNKNOWN_DIM.format(layer="flatten", shape=input_shape))
        return (input_shape[0], math.prod(input_shape[1:])), {}

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del params
        _check_train_key("flatten", train, key)
        x = jnp.asarray(x)
        if x.ndim < 1:
            raise ValueError(
                INPUT_RANK.format(
                    layer="flatten", expected="a batch (N, ...)", shape=x.shape, hint=""
                )
            )
        return x.reshape(x.shape[0], -1)

    return _make("flatten", init, apply)


def dropout(rate: float) -> Layer:
    """Inverted dropout: drop each unit with probability ``rate`` while training (seed 002).

    With ``train=True`` every element is zeroed with probability ``rate`` and the
    survivors are multiplied by ``1 / (1 − rate)`` so that the expected activation is
    unchanged; at test time (``train=False``, the default) the layer is the identity and
    needs no key. ``rate`` is the probability of **dropping** (flax/Haiku/Keras).

    Args:
        rate: drop probability, ``0 <= rate < 1``.

    Returns:
        a :class:`Layer` without params; its ``apply`` needs ``key=`` when
        ``train=True`` (and raises a ``ValueError`` saying so otherwise).

    Example:
        >>> layer = dropout(0.5)
        >>> x = jnp.ones((2, 4))
        >>> print(layer.apply({}, x))  # train=False: identity
        [[1. 1. 1. 1.]
         [1. 1. 1. 1.]]
        >>> y = layer.apply({}, jnp.ones((32, 256)), train=True, key=jax.random.key(0))
        >>> sorted(set(y.ravel().tolist()))  # dropped, or kept and scaled by 1/(1 - 0.5)
        [0.0, 2.0]
    """
    try:
        ok = 0.0 <= float(rate) < 1.0 and not isinstance(rate, bool)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(BAD_RATE.format(rate=rate))
    rate = float(rate)

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        del key
        return tuple(input_shape), {}

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del params
        _check_train_key("dropout", train, key)
        x = jnp.asarray(x)
        if not train or rate == 0.0:
            return x
        if key is None:
            raise ValueError(DROPOUT_NEEDS_KEY)
        keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
        return jnp.where(keep, x / (1.0 - rate), jnp.zeros_like(x))

    return _make("dropout", init, apply)


# --- activation layers ----------------------------------------------------------------


def activation(fn: Callable[[jax.Array], jax.Array], kind: str | None = None) -> Layer:
    """Wraps an elementwise (shape-preserving) function as a layer without params.

    Args:
        fn: ``fn(x) -> y`` with ``y.shape == x.shape``.
        kind: name used in :func:`serial`'s param names (default ``fn.__name__``);
            since activation layers have no params it only matters for nested layers.

    Returns:
        a :class:`Layer`.

    Example:
        >>> import functools
        >>> from jaxnn import activations
        >>> leaky = activation(functools.partial(activations.leaky_relu, alpha=0.5), "leaky_relu")
        >>> print(leaky.apply({}, jnp.array([-2.0, 2.0])))
        [-1.  2.]
    """
    if not callable(fn):
        raise TypeError(f"activation: expected a function fn(x) -> y, got {fn!r}.")
    name = (
        kind
        or getattr(fn, "__name__", None)
        or getattr(getattr(fn, "func", None), "__name__", "activation")
    )

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        del key
        return tuple(input_shape), {}

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del params
        _check_train_key(name, train, key)
        return fn(x)

    return _make(name, init, apply)


relu: Layer = activation(_act.relu, "relu")
"""ReLU as a ready layer (``jaxnn.activations.relu``)."""
sigmoid: Layer = activation(_act.sigmoid, "sigmoid")
"""Sigmoid as a ready layer."""
tanh: Layer = activation(_act.tanh, "tanh")
"""tanh as a ready layer."""
softmax: Layer = activation(_act.softmax, "softmax")
"""Softmax over the last axis as a ready layer (train on logits; see losses)."""
log_softmax: Layer = activation(_act.log_softmax, "log_softmax")
"""Log-softmax over the last axis as a ready layer."""
leaky_relu: Layer = activation(_act.leaky_relu, "leaky_relu")
"""Leaky ReLU with ``alpha = 0.01`` as a ready layer; other slopes via :func:`activation`."""
step: Layer = activation(_act.step, "step")
"""Heaviside step (the perceptron's activation) as a ready layer."""


# --- combinators ----------------------------------------------------------------------


def init_shapes(layer: Layer, input_shape: Sequence | None = None) -> tuple[Shape, Params]:
    """What ``layer.init`` would return, without drawing or allocating anything.

    Runs ``init`` under ``jax.eval_shape``: the params come back as
    ``jax.ShapeDtypeStruct`` leaves (``.shape``, ``.dtype``). Drawing real weights
    compiles a random-number kernel per weight shape, so this is the cheap way to
    inspect an architecture, count its params or check shapes in tests.

    Args:
        layer: a :class:`Layer`.
        input_shape: as for ``layer.init``; ``None`` calls ``layer.init(key)`` (models
            that know their input size accept that).

    Returns:
        ``(output_shape, params)`` with ``params`` made of ``jax.ShapeDtypeStruct``.

    Example:
        >>> net = serial(conv2d(16, 3), relu, max_pool(2), flatten(), dense(10))
        >>> shape, params = init_shapes(net, (None, 28, 28, 1))
        >>> shape, jax.tree.map(jnp.shape, params)  # doctest: +NORMALIZE_WHITESPACE
        ((None, 10),
         {'conv2d_0': {'b': (16,), 'w': (3, 3, 1, 16)}, 'dense_4': {'b': (10,), 'w': (3136, 10)}})
    """
    box = {}

    def init(key: jax.Array) -> Params:
        out, params = layer.init(key) if input_shape is None else layer.init(key, input_shape)
        box["out"] = tuple(out)
        return params

    params = jax.eval_shape(init, jax.random.key(0))
    return box["out"], params


def residual(layer: Layer) -> Layer:
    """Skip connection ``y = x + layer(x)`` (seed 002, ResNet).

    The params are the inner layer's params, unchanged. With the inner layer's last
    weights at zero the block is the identity, which is why deep residual networks
    train: a block can always "do nothing" (seed 002).

    Args:
        layer: a :class:`Layer` whose output shape equals its input shape.

    Returns:
        a :class:`Layer`.

    Example:
        >>> block = residual(serial(conv2d(8, 3), relu, conv2d(4, 3)))
        >>> init_shapes(block, (None, 8, 8, 4))[0]
        (None, 8, 8, 4)
    """
    if not isinstance(layer, Layer):
        raise TypeError(NOT_A_LAYER.format(index=0, got=layer).replace("serial", "residual", 1))

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        input_shape = tuple(input_shape)
        out_shape, params = layer.init(key, input_shape)
        if tuple(out_shape) != input_shape:
            raise ValueError(RESIDUAL_SHAPE.format(in_shape=input_shape, out_shape=out_shape))
        return input_shape, params

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        x = jnp.asarray(x)
        y = layer.apply(params, x, train=train, key=key)
        if y.shape != x.shape:
            raise ValueError(RESIDUAL_SHAPE.format(in_shape=x.shape, out_shape=y.shape))
        return x + y

    return _make("residual", init, apply)


def serial(*layers: Layer) -> Layer:
    """Composes layers in sequence; params are a dict ``{"<kind>_<index>": params}``.

    ``index`` is the position in the argument list; layers whose params are empty are
    left out of the dict (see the module docstring). ``init`` and ``apply`` split their
    key into one sub-key per layer (``jax.random.split(key, len(layers))``), so no key is
    used twice.

    Args:
        *layers: :class:`Layer` values.

    Returns:
        a :class:`Layer`. Its ``apply(params, x, *, train=False, key=None)`` needs ``key``
        only when ``train=True`` and a layer draws (dropout).

    Example:
        >>> net = serial(conv2d(4, 3), relu, dropout(0.5), max_pool(2), flatten(), dense(10))
        >>> shape, params = init_shapes(net, (None, 8, 8, 1))  # or net.init(key, ...)
        >>> shape, list(params)
        ((None, 10), ['conv2d_0', 'dense_5'])
    """
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(NOT_A_LAYER.format(index=i, got=layer))
    names = [f"{layer.kind}_{i}" for i, layer in enumerate(layers)]

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, Params]:
        shape = tuple(input_shape)
        params = {}
        keys = jax.random.split(key, max(len(layers), 1))
        for name, layer, k in zip(names, layers, keys, strict=False):
            shape, p = layer.init(k, shape)
            shape = tuple(shape)
            if jax.tree.leaves(p):
                params[name] = p
        return shape, params

    def apply(params: Params, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        _check_train_key("serial", train, key)
        if not isinstance(params, dict):
            raise ValueError(
                SERIAL_PARAMS.format(
                    expected=names,
                    got=type(params).__name__,
                    hint="A list of {'w', 'b'} dicts belongs to jaxnn.models.mlp.",
                )
            )
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                SERIAL_PARAMS.format(
                    expected=names,
                    got=sorted(params),
                    hint=f"Unexpected keys {unknown}: were these params made by another "
                    "network (or the layers reordered)?",
                )
            )
        keys = jax.random.split(key, len(layers)) if key is not None and layers else None
        for i, (name, layer) in enumerate(zip(names, layers, strict=True)):
            x = layer.apply(
                params.get(name, {}), x, train=train, key=None if keys is None else keys[i]
            )
        return x

    return _make("serial", init, apply)
