"""Ready-made models, each a :class:`jaxnn.layers.Layer` ``(init, apply)`` pair.

=========================  ============================================================
model                      params
=========================  ============================================================
``mlp(sizes)``             a **list** of ``{"w": (n_in, n_out), "b": (n_out,)}`` dicts,
                           one per layer: the course's MLP layout (ex07), so
                           ``mlp_forward``-style code and these params interoperate
``perceptron(n_in)``       ``{"w": (n_in,), "b": ()}``; outputs 0/1 (seed 001)
``logistic_regression``    ``{"w": (n_in,), "b": ()}``; outputs ``σ(x·w + b)`` (ex06)
``lenet5(num_classes)``    ``jaxnn.layers.serial`` dict (conv-pool-conv-pool-dense×3)
``simple_cnn(num_classes)`` ``serial`` dict (seed 002's "2 conv + pooling" network)
``residual_block()``       ``{"conv1": {"w", "b"}, "conv2": {"w", "b"}}`` (ex14)
=========================  ============================================================

Models that know their input size (``mlp``, ``perceptron``, ``logistic_regression``,
and the CNNs when built with ``input_shape=``) accept ``init(key)`` alone; an explicit
``input_shape`` is checked against it. Also here: :func:`perceptron_fit` (Rosenblatt's
rule) and :func:`count_params`.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from jaxnn import models
    >>> net = models.mlp([784, 30, 10])
    >>> out_shape, params = net.init(jax.random.key(0))
    >>> jax.tree.map(jnp.shape, params)
    [{'b': (30,), 'w': (784, 30)}, {'b': (10,), 'w': (30, 10)}]
    >>> models.count_params(params)  # 795 · 30 + 10 (ex05)
    23860
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from jaxnn import activations as _act
from jaxnn import initializers as _init
from jaxnn import layers as _layers
from jaxnn.layers import Layer

__all__ = [
    "count_params",
    "lenet5",
    "logistic_regression",
    "mlp",
    "perceptron",
    "perceptron_fit",
    "residual_block",
    "simple_cnn",
]

Shape = tuple[int | None, ...]

_LECUN_NORMAL = _init.lecun_normal()

BAD_SIZES = (
    "mlp: sizes must list at least an input and an output size, all positive ints, "
    "e.g. [784, 30, 10]; got {sizes!r}."
)
INPUT_MISMATCH = (
    "{model}: built for inputs of shape {expected} but init got input_shape {got}. Build "
    "the model for your data (e.g. {fix}) or pass the matching input_shape."
)
NO_INPUT_SHAPE = (
    "{model}: init needs an input_shape such as (None, 28, 28, 1) because the model was "
    "built without input_shape=; pass one to init or to {model}(..., input_shape=...)."
)
PARAMS_MISMATCH = (
    "{model}: the input has {got} features (x.shape={shape}) but the params expect "
    "{expected} (w.shape={wshape}). {hint}"
)
LENET_TOO_SMALL = (
    "lenet5: images must be at least 10x10 (two 2x2 poolings around a 5x5 VALID "
    "convolution), got input_shape {shape}. For 8x8 digits use "
    "jaxnn.models.simple_cnn, which pads its convolutions."
)
BAD_LABELS = "perceptron_fit: y must hold labels in {{0, 1}} of shape ({n},), got shape {shape}."
BAD_POOL = "{model}: pool must be 'max' or 'avg', got {pool!r}."


def _elementwise(fn: Layer | Callable | None) -> Callable[[jax.Array], jax.Array] | None:
    """Accepts an activation as a function or as a param-free Layer value."""
    if fn is None or not isinstance(fn, Layer):
        return fn
    return lambda x: fn.apply({}, x)


def _as_layer(fn: Layer | Callable) -> Layer:
    return fn if isinstance(fn, Layer) else _layers.activation(fn)


def _named(kind: str, init: Callable, apply: Callable) -> Layer:
    init.kind = kind
    return Layer(init, apply)


def _check_features(model: str, x: jax.Array, w: jax.Array, hint: str = "") -> None:
    if x.ndim < 1 or x.shape[-1] != w.shape[0]:
        raise ValueError(
            PARAMS_MISMATCH.format(
                model=model,
                got=x.shape[-1] if x.ndim else "no",
                shape=x.shape,
                expected=w.shape[0],
                wshape=w.shape,
                hint=hint,
            )
        )


def _input_shape(model: str, given: Sequence | None, default: Shape | None, fix: str) -> Shape:
    """The input shape for init: the given one, checked against what the model was built for."""
    if given is None:
        if default is None:
            raise ValueError(NO_INPUT_SHAPE.format(model=model))
        return default
    given = tuple(given)
    if default is not None and tuple(given[1:]) != tuple(default[1:]):
        raise ValueError(INPUT_MISMATCH.format(model=model, expected=default, got=given, fix=fix))
    return given


def _features_shape(model: str, given: Sequence | None, n_in: int, fix: str) -> Shape:
    """Input shape for a model on feature vectors: (None, n_in) or a given (..., n_in)."""
    if given is None:
        return (None, n_in)
    given = tuple(given)
    if len(given) < 1 or given[-1] != n_in:
        raise ValueError(
            INPUT_MISMATCH.format(model=model, expected=(None, n_in), got=given, fix=fix)
        )
    return given


def count_params(params: Any) -> int:
    """Total number of scalars in a params pytree.

    A dense layer ``n_in → n_out`` has ``n_in·n_out + n_out`` params; a conv layer
    ``KH·KW·C_in·C_out + C_out`` (ex05).

    Args:
        params: any pytree of arrays.

    Returns:
        the sum of the leaves' sizes, a Python int.

    Example:
        >>> count_params({"w": jnp.zeros((2, 3)), "b": jnp.zeros(3)})
        9
    """
    return int(sum(math.prod(jnp.shape(leaf)) for leaf in jax.tree.leaves(params)))


def mlp(
    sizes: Sequence[int],
    activation: Layer | Callable = _act.relu,
    final_activation: Layer | Callable | None = None,
    w_init: Callable = _LECUN_NORMAL,
    b_init: Callable = _init.zeros,
) -> Layer:
    """Multi-layer perceptron ``sizes[0] → sizes[1] → ... → sizes[-1]``.

    Params are a **list** of ``{"w": (n_in, n_out), "b": (n_out,)}`` dicts, one per
    layer (the course's layout). ``activation`` follows every hidden layer; the last
    layer is followed by ``final_activation`` (default none: logits, to pair with
    ``jaxnn.losses.softmax_cross_entropy``). Seed 001's network is
    ``mlp([784, 30, 10], activation=sigmoid, final_activation=sigmoid)``.

    Args:
        sizes: ``[n_in, h1, ..., n_out]``.
        activation: hidden activation, a function (``jaxnn.activations.relu``) or a
            param-free layer (``jaxnn.layers.relu``).
        final_activation: output activation or ``None``.
        w_init: kernel initializer (default LeCun normal, flax's default).
        b_init: bias initializer (default zeros).

    Returns:
        a :class:`~jaxnn.layers.Layer`; ``init(key, input_shape=(None, sizes[0]))``,
        ``apply(params, x)`` maps ``(N, n_in)`` to ``(N, n_out)``.

    Example:
        >>> net = mlp([2, 5, 3])
        >>> shape, params = net.init(jax.random.key(0), (None, 2))
        >>> shape, jax.tree.map(jnp.shape, params)
        ((None, 3), [{'b': (5,), 'w': (2, 5)}, {'b': (3,), 'w': (5, 3)}])
        >>> net.apply(params, jnp.ones((4, 2))).shape
        (4, 3)
    """
    sizes = list(sizes)
    if len(sizes) < 2 or not all(isinstance(n, int) and n > 0 for n in sizes):
        raise ValueError(BAD_SIZES.format(sizes=sizes))
    denses = [_layers.dense(n, w_init, b_init) for n in sizes[1:]]
    hidden, final = _elementwise(activation), _elementwise(final_activation)

    def init(key: jax.Array, input_shape: Sequence | None = None) -> tuple[Shape, list]:
        shape = _features_shape("mlp", input_shape, sizes[0], "mlp([n_in, ...])")
        params = []
        for layer, k in zip(denses, jax.random.split(key, len(denses)), strict=True):
            shape, p = layer.init(k, shape)
            params.append(p)
        return shape, params

    def apply(params: list, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del train, key  # no stochastic layer inside
        if not isinstance(params, list | tuple) or len(params) != len(denses):
            raise ValueError(
                f"mlp: expected params as a list of {len(denses)} {{'w', 'b'}} dicts (one "
                f"per layer of {sizes}), got {type(params).__name__}"
                f"{f' of length {len(params)}' if isinstance(params, list | tuple) else ''}."
            )
        x = jnp.asarray(x)
        for i, p in enumerate(params):
            _check_features(
                "mlp", x, p["w"], "Flatten images first: x.reshape(len(x), -1)." if i == 0 else ""
            )
            x = x @ p["w"] + p["b"]
            act = hidden if i < len(params) - 1 else final
            if act is not None:
                x = act(x)
        return x

    return _named("mlp", init, apply)


def _single_unit(model: str, n_in: int, out: Callable, w_init: Callable) -> Layer:
    """One unit with params {"w": (n_in,), "b": ()}: out(x @ w + b), shape (N,)."""

    def init(key: jax.Array, input_shape: Sequence | None = None) -> tuple[Shape, dict]:
        shape = _features_shape(model, input_shape, n_in, f"{model}(n_in)")
        params = {"w": w_init(key, (n_in,)), "b": jnp.zeros((), jnp.float32)}
        return shape[:-1], params

    def apply(params: dict, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del train, key
        x = jnp.asarray(x)
        _check_features(model, x, params["w"])
        return out(x @ params["w"] + params["b"])

    return _named(model, init, apply)


def perceptron(n_in: int) -> Layer:
    """Rosenblatt's perceptron: ``1.0`` where ``w·x + b > 0``, else ``0.0`` (seed 001).

    Params ``{"w": (n_in,), "b": ()}`` start at zeros; train them with
    :func:`perceptron_fit` (the step has zero gradient, so ``jax.grad`` cannot).

    Args:
        n_in: number of inputs.

    Returns:
        a :class:`~jaxnn.layers.Layer` mapping ``(N, n_in)`` to ``(N,)`` of 0/1.

    Example:
        >>> net = perceptron(2)
        >>> nand = {"w": jnp.array([-2.0, -2.0]), "b": jnp.array(3.0)}  # seed 001's NAND
        >>> print(net.apply(nand, jnp.array([[0, 0], [0, 1], [1, 0], [1, 1]])))
        [1. 1. 1. 0.]
    """
    return _single_unit("perceptron", n_in, _act.step, _init.zeros)


def perceptron_fit(
    X: jax.Array, y: jax.Array, epochs: int = 10, lr: float = 1.0, params: dict | None = None
) -> dict:
    """Rosenblatt's rule ``w ← w + lr (y − ŷ) x``, ``b ← b + lr (y − ŷ)``, example by example.

    Visits the examples in order each epoch (one ``lax.scan``, jit-compiled). On linearly
    separable data it converges to a separating line; on XOR it cannot (seed 004).

    Args:
        X: inputs ``(m, n)``.
        y: labels in ``{0, 1}``, shape ``(m,)``.
        epochs: passes over the data.
        lr: learning rate.
        params: starting ``{"w": (n,), "b": ()}``; default zeros.

    Returns:
        ``{"w": (n,), "b": ()}`` for :func:`perceptron`.

    Example:
        >>> X = jnp.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> p = perceptron_fit(X, jnp.array([0.0, 0.0, 0.0, 1.0]), epochs=10)  # AND
        >>> print(perceptron(2).apply(p, X))
        [0. 0. 0. 1.]
    """
    X = jnp.asarray(X, jnp.result_type(float))
    y = jnp.asarray(y, X.dtype)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(BAD_LABELS.format(n=X.shape[0] if X.ndim else "m", shape=y.shape))
    if params is None:
        params = {"w": jnp.zeros(X.shape[1], X.dtype), "b": jnp.zeros((), X.dtype)}
    return _perceptron_epochs(params, X, y, epochs, lr)


@functools.partial(jax.jit, static_argnums=(3,))
def _perceptron_epochs(params, X, y, epochs, lr):
    def visit(p, xy):
        x, target = xy
        err = target - _act.step(x @ p["w"] + p["b"])
        return {"w": p["w"] + lr * err * x, "b": p["b"] + lr * err}, None

    def epoch(p, _):
        return lax.scan(visit, p, (X, y))[0], None

    return lax.scan(epoch, params, None, length=epochs)[0]


def logistic_regression(
    n_in: int,
    *,
    return_logits: bool = False,
    w_init: Callable = _init.zeros,
) -> Layer:
    """Logistic regression, one sigmoid neuron: ``σ(x·w + b)`` (seed 000, ex06).

    Params ``{"w": (n_in,), "b": ()}``, zeros by default (the loss is convex, so no
    symmetry needs breaking). Train with ``jaxnn.losses.binary_cross_entropy`` on the
    probabilities, or build with ``return_logits=True`` and use
    ``binary_cross_entropy_with_logits`` (stabler).

    Args:
        n_in: number of features.
        return_logits: output ``x·w + b`` instead of ``σ(x·w + b)``.
        w_init: weight initializer.

    Returns:
        a :class:`~jaxnn.layers.Layer` mapping ``(N, n_in)`` to ``(N,)``.

    Example:
        >>> shape, params = logistic_regression(3).init(jax.random.key(0))
        >>> shape, jax.tree.map(jnp.shape, params)
        ((None,), {'b': (), 'w': (3,)})
        >>> print(logistic_regression(3).apply(params, jnp.ones((2, 3))))
        [0.5 0.5]
    """
    out = (lambda z: z) if return_logits else _act.sigmoid
    return _single_unit("logistic_regression", n_in, out, w_init)


def _pool_layer(model: str, pool: str) -> Layer:
    if pool == "max":
        return _layers.max_pool(2)
    if pool == "avg":
        return _layers.avg_pool(2)
    raise ValueError(BAD_POOL.format(model=model, pool=pool))


def _with_input_shape(kind: str, net: Layer, built: Sequence | None, check=None) -> Layer:
    """Lets init(key) use the input shape given at construction, and checks a given one."""
    default = None if built is None else (None, *tuple(built))

    def init(key: jax.Array, input_shape: Sequence | None = None):
        shape = _input_shape(kind, input_shape, default, f"{kind}(..., input_shape=(H, W, C))")
        if check is not None:
            check(shape)
        return net.init(key, shape)

    return _named(kind, init, net.apply)


def lenet5(
    num_classes: int = 10,
    input_shape: Sequence[int] | None = None,
    *,
    activation: Layer | Callable = _layers.relu,
    pool: str = "max",
) -> Layer:
    """LeNet-5 (LeCun et al., 1998): conv-pool-conv-pool, then three dense layers.

    C1 ``conv 6@5x5`` (SAME padding, so 28x28 MNIST maps to LeNet's 28x28) → S2 pool 2
    → C3 ``conv 16@5x5`` (VALID) → S4 pool 2 → flatten → F5 dense 120 → F6 dense 84 →
    dense ``num_classes`` (logits). For 28x28x1 inputs the maps are 28-14-10-5 and the
    model has 61,706 params. The modern defaults are ReLU and max pooling; the 1998
    original is closer to ``activation=jaxnn.layers.tanh, pool="avg"``.

    Args:
        num_classes: number of output logits.
        input_shape: ``(H, W, C)`` without the batch axis, e.g. ``(28, 28, 1)``;
            optional (then ``init(key)`` works alone). At least 10x10.
        activation: after every conv and hidden dense layer (Layer or function).
        pool: ``"max"`` or ``"avg"`` (2x2, stride 2).

    Returns:
        a :class:`~jaxnn.layers.Layer` mapping ``(N, H, W, C)`` to ``(N, num_classes)``;
        params are a ``serial`` dict.

    Example:
        >>> net = lenet5(10, input_shape=(28, 28, 1))
        >>> from jaxnn.layers import init_shapes
        >>> shape, params = init_shapes(net)  # shapes only, nothing drawn; net.init(key) draws
        >>> jax.tree.map(jnp.shape, params)  # doctest: +NORMALIZE_WHITESPACE
        {'conv2d_0': {'b': (6,), 'w': (5, 5, 1, 6)},
         'conv2d_3': {'b': (16,), 'w': (5, 5, 6, 16)},
         'dense_11': {'b': (10,), 'w': (84, 10)},
         'dense_7': {'b': (120,), 'w': (400, 120)},
         'dense_9': {'b': (84,), 'w': (120, 84)}}
        >>> count_params(params)
        61706
    """
    act = _as_layer(activation)
    net = _layers.serial(
        _layers.conv2d(6, 5, padding="SAME"),
        act,
        _pool_layer("lenet5", pool),
        _layers.conv2d(16, 5, padding="VALID"),
        act,
        _pool_layer("lenet5", pool),
        _layers.flatten(),
        _layers.dense(120),
        act,
        _layers.dense(84),
        act,
        _layers.dense(num_classes),
    )

    def check(shape: Shape) -> None:
        if len(shape) != 4 or shape[1] is None or shape[2] is None or min(shape[1:3]) < 10:
            raise ValueError(LENET_TOO_SMALL.format(shape=shape))

    return _with_input_shape("lenet5", net, input_shape, check)


def simple_cnn(
    num_classes: int,
    input_shape: Sequence[int] | None = None,
    *,
    channels: Sequence[int] = (32, 64),
    kernel_size: int = 3,
    hidden: int | None = None,
    dropout_rate: float = 0.0,
) -> Layer:
    """A small CNN: seed 002's "two convolutions + pooling" network.

    For each entry of ``channels``: ``conv c@k×k`` (SAME) → ReLU → max pool 2x2; then
    flatten → [dense ``hidden`` → ReLU → dropout] → dense ``num_classes`` (logits).
    SAME padding keeps it usable on 8x8 digits (8 → 4 → 2). Seed 002's CIFAR-10 network
    also uses dropout 0.25 before its dense layers.

    Args:
        num_classes: number of output logits.
        input_shape: ``(H, W, C)`` without the batch axis; optional.
        channels: filters of each conv block.
        kernel_size: square kernel size of every conv.
        hidden: size of an optional hidden dense layer.
        dropout_rate: dropout before the last dense layer (0 = none); needs
            ``key=`` when training.

    Returns:
        a :class:`~jaxnn.layers.Layer` mapping ``(N, H, W, C)`` to ``(N, num_classes)``.

    Example:
        >>> net = simple_cnn(10, input_shape=(8, 8, 1))
        >>> from jaxnn.layers import init_shapes
        >>> shape, params = init_shapes(net)  # shapes only, nothing drawn; net.init(key) draws
        >>> shape, jax.tree.map(jnp.shape, params)  # doctest: +NORMALIZE_WHITESPACE
        ((None, 10),
         {'conv2d_0': {'b': (32,), 'w': (3, 3, 1, 32)},
          'conv2d_3': {'b': (64,), 'w': (3, 3, 32, 64)},
          'dense_7': {'b': (10,), 'w': (256, 10)}})
    """
    parts: list[Layer] = []
    for c in channels:
        parts += [_layers.conv2d(c, kernel_size, padding="SAME"), _layers.relu, _layers.max_pool(2)]
    parts.append(_layers.flatten())
    if hidden is not None:
        parts += [_layers.dense(hidden), _layers.relu]
    if dropout_rate:
        parts.append(_layers.dropout(dropout_rate))
    parts.append(_layers.dense(num_classes))
    return _with_input_shape("simple_cnn", _layers.serial(*parts), input_shape)


def residual_block(hidden_channels: int | None = None, kernel_size: int = 3) -> Layer:
    """Residual block ``relu(x + F(x))``, ``F = conv2 ∘ relu ∘ conv1`` (seed 002, ex14).

    Both convolutions are ``kernel_size × kernel_size`` with SAME padding; ``conv1`` maps
    the ``C`` input channels to ``hidden_channels`` (default ``C``) and ``conv2`` brings
    them back to ``C``. With zero conv weights the block returns ``relu(x)``: the
    identity path is why depth does not hurt training.

    Args:
        hidden_channels: ``M``, conv1's output channels (default: same as the input).
        kernel_size: square kernel size.

    Returns:
        a :class:`~jaxnn.layers.Layer` with params ``{"conv1": {"w", "b"}, "conv2": {"w", "b"}}``,
        mapping ``(N, H, W, C)`` to the same shape.

    Example:
        >>> from jaxnn.layers import init_shapes
        >>> shape, params = init_shapes(residual_block(8), (None, 6, 6, 4))  # or .init(key, ...)
        >>> shape, jax.tree.map(jnp.shape, params)  # doctest: +NORMALIZE_WHITESPACE
        ((None, 6, 6, 4),
         {'conv1': {'b': (8,), 'w': (3, 3, 4, 8)}, 'conv2': {'b': (4,), 'w': (3, 3, 8, 4)}})
    """

    def layers_for(c: int) -> tuple[Layer, Layer]:
        m = hidden_channels or c
        return _layers.conv2d(m, kernel_size), _layers.conv2d(c, kernel_size)

    def init(key: jax.Array, input_shape: Sequence) -> tuple[Shape, dict]:
        input_shape = tuple(input_shape)
        conv1, conv2 = layers_for(int(input_shape[-1]))
        k1, k2 = jax.random.split(key)
        mid, p1 = conv1.init(k1, input_shape)
        out, p2 = conv2.init(k2, mid)
        return tuple(out), {"conv1": p1, "conv2": p2}

    def apply(params: dict, x: jax.Array, *, train: bool = False, key=None) -> jax.Array:
        del train, key
        x = jnp.asarray(x)
        conv1, conv2 = layers_for(x.shape[-1])
        h = jax.nn.relu(conv1.apply(params["conv1"], x))
        return jax.nn.relu(x + conv2.apply(params["conv2"], h))

    return _named("residual_block", init, apply)
