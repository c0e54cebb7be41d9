"""Training loops: a pure train step, ``fit`` (one jitted ``lax.scan`` per epoch), ``evaluate``
and ``predict``.

``apply_fn`` is any pure function ``apply_fn(params, x, **kw) -> outputs``: a jaxnn layer's
``apply``, a flax module's ``.apply``, or your own. The rule for the keywords (the only
magic here):

* if ``apply_fn``'s signature names a ``train`` parameter it gets ``train=True`` while
  training and ``train=False`` in evaluation and prediction;
* if it names a ``key`` parameter it gets a fresh ``key=`` for every training step (split
  from ``fit``'s key, never reused) and none in evaluation;
* otherwise nothing extra is passed (``**kwargs`` does not count: flax's ``Module.apply``
  forwards those to ``__call__``, which may not accept them).

To pass something else (e.g. flax dropout RNGs) give ``apply_kwargs``, a function
``(train: bool, key: jax.Array | None) -> dict`` of extra keywords; it replaces the rule::

    fit(model.apply, variables, data, ...,
        apply_kwargs=lambda train, key: {"deterministic": not train,
                                         "rngs": {"dropout": key} if train else {}})

``loss`` is a callable ``loss(outputs, labels) -> scalar`` (the mean over the batch, like
every jaxnn and optax-style loss) or one of these names (:data:`LOSSES`):

* ``"softmax_cross_entropy"``: logits ``(B, K)``, integer labels ``(B,)`` (or one-hot /
  probability targets ``(B, K)``);
* ``"sigmoid_binary_cross_entropy"`` (alias ``"binary_cross_entropy_with_logits"``):
  logits and ``{0, 1}`` targets of the same size, e.g. ``(B,)`` or ``(B, 1)``;
* ``"mse"`` (alias ``"mean_squared_error"``): mean squared error per example.

**The last partial batch.** With ``N = q · batch_size + r``, an epoch is ``q`` full batches
in a ``lax.scan`` followed, in the same compiled function, by one step on the ``r``
remaining examples (a second, statically shaped copy of the step). So the last batch is a
real smaller batch (its gradient is the mean over its ``r`` examples, as in Keras), no
example is padded or masked, every example counts exactly once per epoch, and epochs never
recompile (the shapes depend on ``N`` and ``batch_size`` only). ``drop_last=True`` skips
the ``r`` examples instead (they change from epoch to epoch with the shuffle). Evaluation
and prediction batch the same way. Reported losses are exact means over examples: the sum
of ``batch mean × batch size`` over the batches, divided by ``N``. (Why not pad the last
batch and mask it with per-example weights, which compiles the step once: the weights cost
~4 % per epoch on the CPU benchmark in ``bench/train_speed.py``, and padding would leak
into batch statistics; the price here is compiling the step twice.)

**Speed and memory.** Per epoch the host only calls the compiled epoch (the next epoch's
key is split inside it) and reads that epoch's logs: no per-step sync, no per-step Python,
no implicit transfer (``fit`` runs under ``jax.transfer_guard("disallow")``). Epochs never
recompile, and compiled epochs are cached: a later ``fit`` with the same ``apply_fn``, loss,
optimizer *object*, data shapes and batch sizes neither traces nor compiles (like calling
a hand-written jitted loop again; a new ``optax.adam(...)`` object compiles anew). The
data are placed on the device once (shared with the caller when already there; a
validation split is a range of rows, not a copy), batches are gathered by index (no
shuffled copy of the data set), and params and optimizer state are donated (updated in
place). ``bench/train_speed.py`` measures ``fit`` against a hand-written loop and PyTorch.

**Data parallelism.** ``fit(..., mesh=jaxnn.parallel.data_mesh())`` splits every batch
across the mesh's devices with replicated params; XLA averages the gradients. See
:mod:`jaxnn.parallel`.

Accuracy is reported when it is well defined from the shapes: outputs ``(B, ..., K)`` with
``K > 1`` and integer labels ``(B, ...)`` (``argmax == label``) or one-hot targets of the
outputs' shape; or, for the sigmoid loss, outputs and targets of the same size
(``logit > 0``).
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jaxnn.data.batching import num_examples
from jaxnn.sharding import Placement

__all__ = [
    "LOSSES",
    "EarlyStopping",
    "History",
    "evaluate",
    "fit",
    "get_loss",
    "predict",
    "train_step",
]

PyTree = Any
ApplyFn = Callable[..., Any]
LossFn = Callable[[Any, Any], jax.Array]
History = dict[str, list[float]]

# ---------------------------------------------------------------------------------------
# Error messages (what was expected, what came, how to fix).

_UNKNOWN_LOSS = (
    "Unknown loss {name!r}. Expected a callable loss(outputs, labels) -> scalar or one of "
    "{names}. For a custom loss pass the function itself, e.g. loss=my_loss."
)
_BAD_LOSS_SHAPE = (
    "The loss returned shape {shape}; expected a scalar, the mean over the batch. "
    "Reduce per-example losses with jnp.mean (fit multiplies the mean by the batch size "
    "to report exact per-example means)."
)
_BAD_OPTIMIZER = (
    "optimizer must be an optax GradientTransformation (with .init and .update), got "
    "{got!r}. Pass e.g. optimizer=optax.adam(1e-3)."
)
_BAD_DATA = (
    "{arg} must be a pair (X, y) of inputs (N, ...) and labels (N, ...), got {got}. "
    "Pass e.g. (X_train, y_train) or a jaxnn.data.Dataset."
)
_BAD_KEY = (
    "key must be a jax.random.key (a typed key array or a legacy uint32 PRNGKey), got "
    "{got!r}. Pass e.g. key=jax.random.key(0); fit splits it for shuffling and per-step keys."
)
_BAD_SPLIT = (
    "validation_split must be in [0, 1), got {got!r}. It is the fraction of the data, taken "
    "from the end before any shuffling (as in Keras), held out for validation."
)
_BOTH_VALIDATIONS = (
    "Pass validation_data or validation_split, not both (got validation_data and "
    "validation_split={split}). Keras silently ignores the split; here it is an error."
)
_EMPTY_SPLIT = (
    "validation_split={split} of {n} examples leaves {n_train} for training and {n_val} for "
    "validation; both must be non-empty. Use a split fraction that leaves examples on "
    "both sides."
)
_BAD_POSITIVE_INT = "{arg} must be a positive integer, got {got!r}."
_BAD_EPOCH_MODE = (
    "fit: epoch_mode must be 'auto', 'scan' or 'steps' ('steps' on one device only: no mesh), "
    "got {got}."
)
_BAD_EPOCHS = "epochs must be a non-negative integer, got {got!r}."
_NO_MONITOR = (
    "early_stopping monitors {monitor!r}, which is not in the history (keys: {keys}). {hint}"
)
_BAD_EARLY = (
    "early_stopping must be None, an int patience, or a jaxnn.train.EarlyStopping, got "
    "{got!r}. Pass e.g. early_stopping=EarlyStopping(patience=5, min_delta=1e-3)."
)


# ---------------------------------------------------------------------------------------
# Losses and metrics, per example.


def _per_example_mean(x: jax.Array) -> jax.Array:
    # Reduce every axis but the batch one: (B,) -> (B,), (B, T) -> (B,).
    return x.reshape(x.shape[0], -1).mean(axis=1) if x.ndim > 1 else x


def _match_size(labels: jax.Array, outputs: jax.Array) -> jax.Array:
    # (B,) targets for (B, 1) outputs and vice versa.
    return labels.reshape(outputs.shape) if labels.size == outputs.size else labels


def _softmax_cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    if labels.shape == logits.shape and jnp.issubdtype(labels.dtype, jnp.floating):
        per = optax.softmax_cross_entropy(logits, labels)
    else:
        per = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
    return _per_example_mean(per)


def _sigmoid_binary_cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    labels = _match_size(labels, logits).astype(logits.dtype)
    return _per_example_mean(optax.sigmoid_binary_cross_entropy(logits, labels))


def _mse(outputs: jax.Array, targets: jax.Array) -> jax.Array:
    targets = _match_size(targets, outputs)
    return _per_example_mean(jnp.square(outputs - targets))


#: Loss names accepted by ``fit``/``evaluate``/``train_step``, mapped to per-example losses
#: ``(outputs (B, ...), labels (B, ...)) -> (B,)``.
LOSSES: dict[str, Callable[[jax.Array, jax.Array], jax.Array]] = {
    "softmax_cross_entropy": _softmax_cross_entropy,
    "sigmoid_binary_cross_entropy": _sigmoid_binary_cross_entropy,
    "binary_cross_entropy_with_logits": _sigmoid_binary_cross_entropy,
    "mse": _mse,
    "mean_squared_error": _mse,
}


def get_loss(loss: str | LossFn) -> Callable[[Any, Any], jax.Array]:
    """The batch-mean loss ``(outputs, labels) -> scalar`` for a loss name or callable.

    Args:
        loss: A name in :data:`LOSSES`, or a callable ``loss(outputs, labels) -> scalar``
            (returned as is).

    Returns:
        A function giving the mean loss over the batch.

    >>> float(get_loss("mse")(jnp.array([1.0, 2.0]), jnp.array([0.0, 0.0])))
    2.5
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(_UNKNOWN_LOSS.format(name=loss, names=sorted(LOSSES)))
        per_example = LOSSES[loss]
        return lambda outputs, labels: jnp.mean(per_example(outputs, labels))
    if not callable(loss):
        raise ValueError(_UNKNOWN_LOSS.format(name=loss, names=sorted(LOSSES)))
    return loss


def _correct(outputs: Any, labels: Any, loss: str | LossFn) -> jax.Array | None:
    """Per-example accuracy ``(B,)`` in [0, 1] when it is defined by the shapes, else None."""
    if not isinstance(outputs, jax.Array) or not isinstance(labels, jax.Array):
        return None
    if loss in ("sigmoid_binary_cross_entropy", "binary_cross_entropy_with_logits"):
        if labels.size != outputs.size:
            return None
        hit = (outputs > 0) == (_match_size(labels, outputs) > 0.5)
    elif outputs.ndim >= 2 and outputs.shape[-1] > 1:
        if jnp.issubdtype(labels.dtype, jnp.integer) and labels.shape == outputs.shape[:-1]:
            hit = jnp.argmax(outputs, -1) == labels
        elif labels.shape == outputs.shape and loss != "mse" and loss != "mean_squared_error":
            hit = jnp.argmax(outputs, -1) == jnp.argmax(labels, -1)
        else:
            return None
    else:
        return None
    return _per_example_mean(hit.astype(jnp.float32))


# ---------------------------------------------------------------------------------------
# How apply_fn is called.


class _CallRule(NamedTuple):
    """Which keywords ``apply_fn`` gets (see the module docstring)."""

    train: bool
    key: bool
    custom: Callable[[bool, jax.Array | None], Mapping[str, Any]] | None

    @property
    def needs_key(self) -> bool:
        return self.key or self.custom is not None

    def kwargs(self, train: bool, key: jax.Array | None) -> dict[str, Any]:
        if self.custom is not None:
            return dict(self.custom(train, key))
        kw: dict[str, Any] = {}
        if self.train:
            kw["train"] = train
        if self.key and key is not None:
            kw["key"] = key
        return kw


def _call_rule(apply_fn: ApplyFn, apply_kwargs: Callable | None) -> _CallRule:
    if apply_kwargs is not None:
        return _CallRule(False, False, apply_kwargs)
    try:
        params = inspect.signature(apply_fn).parameters.values()
    except (TypeError, ValueError):  # builtins, some C-extension callables
        return _CallRule(False, False, None)
    named = {
        p.name
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    return _CallRule("train" in named, "key" in named, None)


def _take(tree: PyTree, idx: jax.Array) -> PyTree:
    return jax.tree.map(lambda a: jnp.take(a, idx, axis=0), tree)


def _batch_stats(
    apply_fn: ApplyFn,
    rule: _CallRule,
    mean_loss: Callable,
    loss: str | LossFn,
    params: PyTree,
    x: PyTree,
    y: PyTree,
    train: bool,
    key: jax.Array | None,
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """(mean loss, sums over the batch) of one batch; the sums feed exact epoch means."""
    outputs = apply_fn(params, x, **rule.kwargs(train, key))
    value = jnp.asarray(mean_loss(outputs, y))
    if value.shape != ():
        raise ValueError(_BAD_LOSS_SHAPE.format(shape=value.shape))
    size = num_examples(y)  # static
    stats = {"loss": value * size, "count": jnp.float32(size)}
    hit = _correct(outputs, y, loss)
    if hit is not None:
        stats["accuracy"] = jnp.sum(jax.lax.stop_gradient(hit))
    return value, stats


def _scan_batches(
    body: Callable, carry: Any, order: jax.Array, batch_size: int, keys: Any, drop_last: bool
) -> tuple[Any, list[Any]]:
    """Runs ``body(carry, idx, key) -> (carry, out)`` over ``order`` in batches.

    The ``q`` full batches go through one ``lax.scan``; the ``r`` remaining indices (if
    any, and unless ``drop_last``) go through one more call of ``body`` with a static
    batch of ``r``. Returns the carry and the outputs, each with a leading batch axis:
    ``[scan outputs (q, ...), remainder output (1, ...)]`` (absent parts left out).
    """
    n = order.shape[0]
    q, r = divmod(n, batch_size)
    outs = []
    if q:
        full = order[: q * batch_size].reshape(q, batch_size)
        full_keys = keys[:q] if keys is not None else None
        carry, ys = jax.lax.scan(lambda c, xs: body(c, *xs), carry, (full, full_keys))
        outs.append(ys)
    if r and not drop_last:
        carry, y = body(carry, order[q * batch_size :], keys[q] if keys is not None else None)
        outs.append(jax.tree.map(lambda a: a[None], y))
    return carry, outs


def _sum_stats(outs: list[Any]) -> dict[str, jax.Array]:
    total = None
    for part in outs:
        part = jax.tree.map(lambda a: jnp.sum(a, axis=0), part)
        total = part if total is None else jax.tree.map(jnp.add, total, part)
    return total


def _num_steps(n: int, batch_size: int, drop_last: bool) -> int:
    q, r = divmod(n, batch_size)
    return q + (1 if r and not drop_last else 0)


_LOG_ORDER = ("loss", "accuracy", "val_loss", "val_accuracy")


def _ordered(logs: Mapping[str, Any]) -> dict[str, float]:
    # Keras' order (pytrees sort dict keys alphabetically).
    keys = sorted(logs, key=lambda k: (_LOG_ORDER.index(k) if k in _LOG_ORDER else 99, k))
    return {k: float(logs[k]) for k in keys}


def _finalize(sums: Mapping[str, jax.Array], prefix: str = "") -> dict[str, jax.Array]:
    count = sums["count"]
    return {prefix + k: v / count for k, v in sums.items() if k != "count"}


# ---------------------------------------------------------------------------------------
# The train step.


def _check_optimizer(optimizer: Any) -> None:
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise ValueError(_BAD_OPTIMIZER.format(got=optimizer))


def _make_step(
    apply_fn: ApplyFn,
    loss: str | LossFn,
    optimizer: optax.GradientTransformation,
    rule: _CallRule,
) -> Callable:
    mean_loss = get_loss(loss)

    def objective(params, x, y, key):
        return _batch_stats(apply_fn, rule, mean_loss, loss, params, x, y, True, key)

    grad_fn = jax.value_and_grad(objective, has_aux=True)

    def step(params, opt_state, x, y, key):
        (_, stats), grads = grad_fn(params, x, y, key)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, stats

    return step


def train_step(
    apply_fn: ApplyFn,
    loss: str | LossFn,
    optimizer: optax.GradientTransformation,
    *,
    apply_kwargs: Callable[[bool, jax.Array | None], Mapping[str, Any]] | None = None,
) -> Callable[..., tuple[PyTree, Any, dict[str, jax.Array]]]:
    """Builds one pure optimisation step (not jitted: wrap it in ``jax.jit`` or a scan).

    This is the step ``fit`` scans over.

    Args:
        apply_fn: ``apply_fn(params, x, **kw) -> outputs`` (see the module docstring for
            ``train``/``key``).
        loss: A loss name in :data:`LOSSES` or a callable ``loss(outputs, labels)``.
        optimizer: An optax ``GradientTransformation``.
        apply_kwargs: Optional ``(train, key) -> dict`` of extra ``apply_fn`` keywords.

    Returns:
        ``step(params, opt_state, x, y, key=None) -> (params, opt_state, logs)``: ``x``
        ``(B, ...)``, ``y`` ``(B, ...)``, ``key`` the step's fresh key (needed when
        ``apply_fn`` draws, e.g. dropout; never reuse one). ``logs`` holds the scalar
        ``"loss"`` (the batch mean that was differentiated) and ``"accuracy"`` when
        defined, both computed with the params *before* the update.

    Example::

        optimizer = optax.adam(1e-3)
        step = jax.jit(train_step(layer.apply, "softmax_cross_entropy", optimizer))
        opt_state = optimizer.init(params)
        params, opt_state, logs = step(params, opt_state, xb, yb, key=k)
    """
    _check_optimizer(optimizer)
    inner = _make_step(apply_fn, loss, optimizer, _call_rule(apply_fn, apply_kwargs))

    def step(params, opt_state, x, y, key=None):
        params, opt_state, stats = inner(params, opt_state, x, y, key)
        return params, opt_state, _finalize(stats)

    return step


# ---------------------------------------------------------------------------------------
# Evaluation and prediction: batched scans, jitted, cached per (apply_fn, loss, ...).


def _eval_span(apply_fn, rule, loss, batch_size, place, start, n, params, x, y):
    """Loss/accuracy sums over the ``n`` examples ``start .. start + n - 1`` of ``(x, y)``."""
    mean_loss = get_loss(loss)

    def body(carry, i, _):
        xb, yb = place.batch((_take(x, i), _take(y, i)))
        return carry, _batch_stats(apply_fn, rule, mean_loss, loss, params, xb, yb, False, None)[1]

    order = jnp.arange(start, start + n, dtype=jnp.int32)
    _, outs = _scan_batches(body, None, order, min(batch_size, n), None, False)
    return _sum_stats(outs)


def _eval_sums(apply_fn, rule, loss, batch_size, params, x, y):
    n = num_examples(y)
    return _eval_span(apply_fn, rule, loss, batch_size, Placement(), 0, n, params, x, y)


def _predict(apply_fn, rule, batch_size, params, x):
    n = num_examples(x)

    def body(carry, i, _):
        return carry, apply_fn(params, _take(x, i), **rule.kwargs(False, None))

    order = jnp.arange(n, dtype=jnp.int32)
    _, outs = _scan_batches(body, None, order, min(batch_size, n), None, False)
    # [(q, bs, ...), (1, r, ...)] -> (n, ...)
    flat = [jax.tree.map(lambda o: o.reshape(-1, *o.shape[2:]), part) for part in outs]
    return jax.tree.map(lambda *parts: jnp.concatenate(parts), *flat)


_JIT_CACHE: dict[tuple, Callable] = {}
_JIT_CACHE_SIZE = 64


def _cached_jit(kind: str, fn: Callable, *static: Any, **jit_kwargs: Any) -> Callable:
    """``jax.jit(partial(fn, *static), **jit_kwargs)``, reused across calls when hashable.

    The cache (least recently used out first) is what lets a second ``fit``/``evaluate``/
    ``predict`` with the same ``apply_fn``, loss, optimizer object and shapes skip tracing
    and compiling, as a hand-written loop jitted once would.
    """
    try:
        cache_key = (kind, *static, *sorted(jit_kwargs.items()))
        hash(cache_key)
    except TypeError:  # an unhashable apply_fn or loss: compile per call
        return jax.jit(functools.partial(fn, *static), **jit_kwargs)
    jitted = _JIT_CACHE.pop(cache_key, None)
    if jitted is None:
        if len(_JIT_CACHE) >= _JIT_CACHE_SIZE:
            _JIT_CACHE.pop(next(iter(_JIT_CACHE)))  # least recently used
        # A partial, not a lambda: compile logs and profiles name it jit(_epoch), etc.
        jitted = jax.jit(functools.partial(fn, *static), **jit_kwargs)
    _JIT_CACHE[cache_key] = jitted  # (re)inserted last: most recently used
    return jitted


def _check_positive_int(arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(_BAD_POSITIVE_INT.format(arg=arg, got=value))
    return value


def evaluate(
    apply_fn: ApplyFn,
    params: PyTree,
    X: PyTree,
    y: PyTree,
    *,
    loss: str | LossFn = "softmax_cross_entropy",
    batch_size: int = 256,
    apply_kwargs: Callable[[bool, jax.Array | None], Mapping[str, Any]] | None = None,
) -> dict[str, float]:
    """Mean loss (and accuracy when defined) over a whole data set, in jitted batches.

    Args:
        apply_fn: ``apply_fn(params, x, **kw) -> outputs``; called with ``train=False``
            when it takes ``train``, and without a key.
        params: The parameters.
        X: Inputs ``(N, ...)``.
        y: Labels ``(N, ...)``.
        loss: A loss name in :data:`LOSSES` or a callable ``loss(outputs, labels)``.
        batch_size: Examples per batch (the last one may be smaller).
        apply_kwargs: Optional ``(train, key) -> dict`` of extra ``apply_fn`` keywords.

    Returns:
        ``{"loss": float, "accuracy": float}`` (``"accuracy"`` only when defined), the
        exact means over all ``N`` examples.
    """
    _check_positive_int("batch_size", batch_size)
    num_examples((X, y))
    rule = _call_rule(apply_fn, apply_kwargs)
    fn = _cached_jit("evaluate", _eval_sums, apply_fn, rule, loss, batch_size)
    sums = fn(params, X, y)
    return _ordered(jax.device_get(_finalize(sums)))


def predict(
    apply_fn: ApplyFn,
    params: PyTree,
    X: PyTree,
    batch_size: int = 256,
    *,
    apply_kwargs: Callable[[bool, jax.Array | None], Mapping[str, Any]] | None = None,
) -> Any:
    """``apply_fn(params, X, train=False)`` in jitted batches (bounded memory).

    Args:
        apply_fn: ``apply_fn(params, x, **kw) -> outputs``.
        params: The parameters.
        X: Inputs ``(N, ...)``.
        batch_size: Examples per batch.
        apply_kwargs: Optional ``(train, key) -> dict`` of extra ``apply_fn`` keywords.

    Returns:
        The outputs for all ``N`` examples, e.g. logits ``(N, K)`` (a jax array, or a
        pytree of them if ``apply_fn`` returns one).
    """
    _check_positive_int("batch_size", batch_size)
    rule = _call_rule(apply_fn, apply_kwargs)
    return _cached_jit("predict", _predict, apply_fn, rule, batch_size)(params, X)


# ---------------------------------------------------------------------------------------
# fit.


class EarlyStopping(NamedTuple):
    """Stop training when a monitored metric stops improving (Keras' ``EarlyStopping``).

    An epoch improves when its value beats the best so far by more than ``min_delta``
    (``value < best - min_delta`` for losses; ``value > best + min_delta`` for accuracies);
    training stops after ``patience`` epochs in a row without improvement.

    Attributes:
        patience: Epochs without improvement before stopping.
        min_delta: The smallest change that counts as an improvement.
        monitor: A history key: ``"val_loss"`` (default), ``"val_accuracy"``, ``"loss"``...
        restore_best: Return the params of the best epoch rather than the last.
        mode: ``"min"``, ``"max"``, or ``"auto"`` (``"max"`` for names containing
            ``"acc"``).
    """

    patience: int = 5
    min_delta: float = 0.0
    monitor: str = "val_loss"
    restore_best: bool = True
    mode: str = "auto"


def _as_early_stopping(early_stopping: Any) -> EarlyStopping | None:
    if early_stopping is None:
        return None
    if isinstance(early_stopping, EarlyStopping):
        es = early_stopping
    elif isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        es = EarlyStopping(patience=early_stopping)
    else:
        raise ValueError(_BAD_EARLY.format(got=early_stopping))
    if es.mode not in ("auto", "min", "max") or es.patience < 0 or es.min_delta < 0:
        raise ValueError(_BAD_EARLY.format(got=early_stopping))
    return es


class _Progress:
    """Epoch progress: a rich bar on a terminal, one line per epoch otherwise, or nothing."""

    def __init__(self, progress: bool | None, epochs: int):
        interactive = sys.stdout.isatty()
        self.enabled = interactive if progress is None else bool(progress)
        self.bar = None
        self.epochs = epochs
        if self.enabled and interactive:
            from rich.progress import (  # lazy: rich is only needed on a terminal
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("epoch"),
                MofNCompleteColumn(),
                BarColumn(),
                TimeElapsedColumn(),
                TextColumn("<"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[logs]}"),
            )
            self.task = self.bar.add_task("fit", total=epochs, logs="compiling...")
            self.bar.start()

    @staticmethod
    def _format(logs: Mapping[str, float]) -> str:
        return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())

    def update(self, epoch: int, logs: Mapping[str, float], seconds: float) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(self.task, completed=epoch + 1, logs=self._format(logs))
        else:
            width = len(str(self.epochs))
            print(
                f"Epoch {epoch + 1:>{width}}/{self.epochs} - {seconds:.2f}s - {self._format(logs)}",
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _split_sizes(n: int, split: float) -> int:
    # Keras' rule: the first int(n · (1 - split)) examples train, the rest validate.
    n_train = int(n * (1.0 - split))
    if n_train == 0 or n_train == n:
        raise ValueError(_EMPTY_SPLIT.format(split=split, n=n, n_train=n_train, n_val=n - n_train))
    return n_train


def _as_pair(arg: str, data: Any) -> tuple[Any, Any]:
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise ValueError(_BAD_DATA.format(arg=arg, got=type(data).__name__))
    return data[0], data[1]


def _is_key(key: Any) -> bool:
    if not isinstance(key, jax.Array):
        return False
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return key.ndim == 0
    return key.dtype == jnp.uint32 and key.ndim == 1  # a legacy raw key, e.g. PRNGKey(0)


class _EpochConfig(NamedTuple):
    """The static shape of one epoch (a key of the compiled-function cache)."""

    n: int  # training examples: the first n rows of the training arrays
    batch_size: int
    shuffle: bool
    drop_last: bool
    n_val: int  # validation examples (0: none), rows val_start .. of the validation arrays
    val_start: int
    eval_batch_size: int


def _epoch_plan(rule: _CallRule, cfg: _EpochConfig, key: jax.Array):
    """The epoch's randomness: ``(next epoch's key, example order, per-step keys or None)``."""
    key, epoch_key = jax.random.split(key)
    perm_key, step_key = jax.random.split(epoch_key)
    if cfg.shuffle:
        order = jax.random.permutation(perm_key, cfg.n).astype(jnp.int32)
    else:
        order = jnp.arange(cfg.n, dtype=jnp.int32)
    # One fresh key per step; None (no split at all) when apply_fn draws nothing.
    steps = _num_steps(cfg.n, cfg.batch_size, cfg.drop_last)
    keys = jax.random.split(step_key, steps) if rule.needs_key else None
    return key, order, keys


def _train_body(apply_fn, rule, loss, optimizer, place, train) -> Callable:
    """``body((params, opt_state), idx, key) -> ((params, opt_state), stats)``: one step on
    the examples ``idx``, gathered from the device-resident data (no shuffled copy of the
    data set is ever made; on a mesh the batch is split across the devices)."""
    step = _make_step(apply_fn, loss, optimizer, rule)
    x_all, y_all = train

    def body(carry, i, k):
        xb, yb = place.batch((_take(x_all, i), _take(y_all, i)))
        params, opt_state, stats = step(*carry, xb, yb, k)
        return (params, opt_state), stats

    return body


def _epoch_logs(apply_fn, rule, loss, cfg, place, params, sums, val) -> jax.Array:
    logs = _finalize(sums)
    if val is not None:
        val_sums = _eval_span(
            apply_fn, rule, loss, cfg.eval_batch_size, place, cfg.val_start, cfg.n_val, params, *val
        )
        logs.update(_finalize(val_sums, "val_"))
    return _pack_logs(logs)


def _epoch(
    apply_fn: ApplyFn,
    rule: _CallRule,
    loss: str | LossFn,
    optimizer: optax.GradientTransformation,
    cfg: _EpochConfig,
    place: Placement,
    params: PyTree,
    opt_state: Any,
    key: jax.Array,
    train: tuple[Any, Any],
    val: tuple[Any, Any] | None,
) -> tuple[PyTree, Any, jax.Array, dict[str, jax.Array]]:
    """One epoch, traced into one compiled call: ``-> (params, opt_state, next key, logs)``.

    The key for the next epoch is split here too, so the host does nothing per epoch but
    call this function and read the logs.
    """
    key, order, keys = _epoch_plan(rule, cfg, key)
    body = _train_body(apply_fn, rule, loss, optimizer, place, train)
    (params, opt_state), outs = _scan_batches(
        body, (params, opt_state), order, cfg.batch_size, keys, cfg.drop_last
    )
    logs = _epoch_logs(apply_fn, rule, loss, cfg, place, params, _sum_stats(outs), val)
    return params, opt_state, key, logs


# -- "steps" epochs: one compiled call per step (CPU convolutions; see fit's epoch_mode) --------


def _steps_begin(apply_fn, rule, loss, optimizer, cfg, place, params, opt_state, key, train):
    """The plan, a step counter and zeroed stat sums (shaped like one step's stats)."""
    key, order, keys = _epoch_plan(rule, cfg, key)
    body = _train_body(apply_fn, rule, loss, optimizer, place, train)
    idx = order[: cfg.batch_size]
    shapes = jax.eval_shape(body, (params, opt_state), idx, None if keys is None else keys[0])[1]
    sums = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
    return key, order, keys, jnp.int32(0), sums


def _steps_step(
    apply_fn, rule, loss, optimizer, cfg, place, params, opt_state, i, sums, order, keys, train
):
    """Full batch number ``i``: ``-> (params, opt_state, i + 1, sums + its stats)``."""
    body = _train_body(apply_fn, rule, loss, optimizer, place, train)
    idx = jax.lax.dynamic_slice_in_dim(order, i * cfg.batch_size, cfg.batch_size)
    k = None if keys is None else keys[i]
    (params, opt_state), stats = body((params, opt_state), idx, k)
    return params, opt_state, i + 1, jax.tree.map(jnp.add, sums, stats)


def _steps_end(
    apply_fn, rule, loss, optimizer, cfg, place, params, opt_state, sums, order, keys, train, val
):
    """The last partial batch (unless ``drop_last``), then the epoch's logs."""
    q, r = divmod(cfg.n, cfg.batch_size)
    if r and not cfg.drop_last:
        body = _train_body(apply_fn, rule, loss, optimizer, place, train)
        k = None if keys is None else keys[q]
        (params, opt_state), stats = body((params, opt_state), order[q * cfg.batch_size :], k)
        sums = jax.tree.map(jnp.add, sums, stats)
    return params, opt_state, _epoch_logs(apply_fn, rule, loss, cfg, place, params, sums, val)


def _steps_epoch_function(apply_fn, rule, loss, optimizer, cfg, place) -> Callable:
    """The same contract as :func:`_epoch_function`, run as one compiled call per step.

    The host loop only dispatches (the counter, the order and the sums stay on the device),
    so there is still one host sync per epoch; the steps are the same, in the same order,
    with the same keys, so results equal the scan's (sums up to float rounding).
    """
    static = (apply_fn, rule, loss, optimizer, cfg, place)
    begin = _cached_jit("steps_begin", _steps_begin, *static)
    step = _cached_jit("steps_step", _steps_step, *static, donate_argnums=(0, 1, 3))
    end = _cached_jit("steps_end", _steps_end, *static, donate_argnums=(0, 1))
    full = cfg.n // cfg.batch_size

    def run(params, opt_state, key, train, val):
        key, order, keys, i, sums = begin(params, opt_state, key, train)
        for _ in range(full):
            params, opt_state, i, sums = step(params, opt_state, i, sums, order, keys, train)
        params, opt_state, logs = end(params, opt_state, sums, order, keys, train, val)
        return params, opt_state, key, logs

    return run


def _has_convolution(jaxpr) -> bool:
    """Whether a jaxpr (or any jaxpr nested in its equations) contains a convolution."""
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "conv_general_dilated":
            return True
        for value in eqn.params.values():
            for v in value if isinstance(value, (tuple, list)) else (value,):
                inner = getattr(v, "jaxpr", v)  # ClosedJaxpr -> Jaxpr
                if hasattr(inner, "eqns") and _has_convolution(inner):
                    return True
    return False


def _steps_pay_off(
    apply_fn, rule, loss, optimizer, place, params, opt_state, train, batch_size
) -> bool:
    """Whether a training step convolves on the CPU: there XLA runs the convolutions of a
    step 5–15x slower inside a ``lax.scan`` (a while loop) than in a call of their own."""
    if jax.default_backend() != "cpu" or place.mesh is not None:
        return False
    xb, yb = jax.tree.map(
        lambda a: jax.ShapeDtypeStruct((batch_size, *a.shape[1:]), a.dtype), train
    )
    # Decided once per model, loss, optimizer and shapes, like the compiled epoch itself.
    shapes = [
        (
            tuple(jnp.shape(a)),
            str(getattr(a, "dtype", type(a))),
        )
        for a in jax.tree.leaves((params, opt_state, xb, yb))
    ]
    cache_key = (
        apply_fn,
        rule,
        loss,
        optimizer,
        jax.tree.structure((params, opt_state)),
        tuple(shapes),
    )
    try:
        if cache_key in _CONVOLVES:
            return _CONVOLVES[cache_key]
    except TypeError:  # an unhashable part: decide every time
        cache_key = None
    step = _make_step(apply_fn, loss, optimizer, rule)
    k = jax.ShapeDtypeStruct((), jax.random.key(0).dtype) if rule.needs_key else None
    try:
        found = _has_convolution(jax.make_jaxpr(step)(params, opt_state, xb, yb, k).jaxpr)
    except Exception:  # let the epoch function report the real problem
        return False
    if cache_key is not None:
        if len(_CONVOLVES) >= _JIT_CACHE_SIZE:
            _CONVOLVES.pop(next(iter(_CONVOLVES)))
        _CONVOLVES[cache_key] = found
    return found


_CONVOLVES: dict[tuple, bool] = {}


def _pack_logs(logs: Mapping[str, jax.Array]) -> jax.Array:
    # One (4,) array, [loss, accuracy, val_loss, val_accuracy], NaN where absent: the host
    # then reads one buffer per epoch instead of one per metric (~20 µs less per epoch).
    # A loss may be NaN, an accuracy never is (a mean of 0/1 hits): NaN marks absence.
    nan = jnp.float32(jnp.nan)
    return jnp.stack([jnp.asarray(logs.get(k, nan), jnp.float32) for k in _LOG_ORDER])


def _unpack_logs(values: Any, validation: bool) -> dict[str, float]:
    logs = {}
    for k, v in zip(_LOG_ORDER, values.tolist(), strict=True):
        if k == "loss" or (k == "val_loss" and validation) or ("accuracy" in k and v == v):
            logs[k] = v
    return logs


def _epoch_function(
    apply_fn: ApplyFn,
    rule: _CallRule,
    loss: str | LossFn,
    optimizer: optax.GradientTransformation,
    cfg: _EpochConfig,
    place: Placement,
) -> Callable:
    """The jitted ``(params, opt_state, key, train, val) -> (params, opt_state, key, logs)``.

    Params and optimizer state are donated (XLA updates them in place); cached across
    ``fit`` calls with the same ``apply_fn``, loss, optimizer object and shapes.
    """
    return _cached_jit(
        "epoch",
        _epoch,
        apply_fn,
        rule,
        loss,
        optimizer,
        cfg,
        place,
        donate_argnums=(0, 1),
        out_shardings=place.out_shardings,
    )


def fit(
    apply_fn: ApplyFn,
    params: PyTree,
    data: tuple[Any, Any],
    *,
    loss: str | LossFn = "softmax_cross_entropy",
    optimizer: optax.GradientTransformation,
    epochs: int = 1,
    batch_size: int = 32,
    key: jax.Array,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    early_stopping: EarlyStopping | int | None = None,
    progress: bool | None = None,
    shuffle: bool = True,
    drop_last: bool = False,
    eval_batch_size: int | None = None,
    apply_kwargs: Callable[[bool, jax.Array | None], Mapping[str, Any]] | None = None,
    callback: Callable[[int, dict[str, float]], bool | None] | None = None,
    mesh: jax.sharding.Mesh | None = None,
    epoch_mode: str = "auto",
) -> tuple[PyTree, History]:
    """Trains ``params`` with minibatch gradient descent, Keras-style.

    Each epoch is **one** jitted call: the examples are shuffled on device with the
    epoch's key, and a ``lax.scan`` over the ``N // batch_size`` full batches (then one
    step on the remaining examples) gathers each batch from the device-resident data,
    takes a gradient step and accumulates the loss and accuracy; the validation set (if
    any) is evaluated in the same call, with the params at the end of the epoch. The host
    syncs once per epoch (to record the history), never per step; epochs never recompile,
    and a later ``fit`` with the same ``apply_fn``, loss, optimizer object and shapes
    reuses the compiled epoch; params and optimizer state are donated to the call (fit
    copies your ``params`` first, so yours stay valid).

    Memory: the data are placed on the device once (no copy if they already are: pass
    jax arrays to share them; numpy float64 becomes float32 while transferring), the
    validation split is a range of rows of the same arrays, not a copy, and batches are
    gathered by index, so no shuffled copy of the data set is ever made.

    Args:
        apply_fn: ``apply_fn(params, x, **kw) -> outputs``. Gets ``train=True``/``False``
            and a fresh per-step ``key`` only if its signature names them (module
            docstring); a flax module's ``.apply`` plugs in as is.
        params: The initial parameters (any pytree; not modified).
        data: ``(X, y)``: inputs ``(N, ...)`` and labels ``(N, ...)`` (numpy or jax; a
            ``jaxnn.data.Dataset`` works). Moved to the device once.
        loss: A loss name in :data:`LOSSES` or a callable ``loss(outputs, labels)`` that
            returns the batch mean.
        optimizer: An optax ``GradientTransformation``, e.g. ``optax.adam(1e-3)``.
        epochs: Passes over the training data.
        batch_size: Examples per step; the last ``N mod batch_size`` examples make one
            smaller final step (module docstring), unless ``drop_last``.
        key: A ``jax.random.key``; split per epoch into the shuffle key and per-step keys.
        validation_data: ``(X_val, y_val)`` evaluated after every epoch.
        validation_split: Fraction of ``data`` held out for validation instead: the
            **last** ``N - int(N · (1 - validation_split))`` examples, before shuffling
            (Keras' rule).
        early_stopping: None, a patience (int; monitors ``"val_loss"``), or an
            :class:`EarlyStopping`. With ``restore_best`` (default) the best epoch's params
            are returned.
        progress: True: a rich progress bar on a terminal, else one line per epoch on
            stdout; False: silent; None (default): a bar on a terminal, silent otherwise.
        shuffle: Shuffle the training examples every epoch.
        drop_last: Skip the last partial batch (a different subset every epoch).
        eval_batch_size: Batch size for validation (default ``batch_size``).
        apply_kwargs: ``(train, key) -> dict`` of extra ``apply_fn`` keywords, replacing
            the signature rule (e.g. flax dropout RNGs).
        callback: ``callback(epoch, logs)`` after every epoch (``epoch`` from 0, ``logs``
            that epoch's floats); return True to stop training.
        mesh: A ``jax.sharding.Mesh`` (e.g. :func:`jaxnn.parallel.data_mesh`) to train
            data-parallel on all its devices: batches split along their leading axis,
            params and optimizer state replicated, gradients averaged by XLA; the same
            batches and results as on one device. ``batch_size`` and ``eval_batch_size``
            must then be multiples of ``mesh.size`` (see :mod:`jaxnn.parallel`). None
            (default): the default device.
        epoch_mode: ``"scan"``: the epoch's steps in one ``lax.scan``, one compiled call
            per epoch; ``"steps"``: one compiled call per step, dispatched by a host loop
            that never waits (still one sync per epoch; one device only); ``"auto"``
            (default): ``"steps"`` for a model with convolutions on the CPU, where XLA runs
            them 5–15x slower inside a scan than in a call of their own, else ``"scan"``.
            Both give the same results.

    Returns:
        ``(params, history)``: the trained params and a dict of per-epoch lists with keys
        ``"loss"``, ``"accuracy"`` (training: running means over the epoch's steps, each
        example counted once) and, with validation, ``"val_loss"``, ``"val_accuracy"``
        (end-of-epoch params). Accuracy keys appear only when accuracy is defined (module
        docstring). Lists are as long as the number of epochs run.

    Example::

        layer = jaxnn.models.mlp([64, 128, 10])
        _, params = layer.init(k_init, (None, 64))
        params, history = fit(layer.apply, params, (X, y), loss="softmax_cross_entropy",
                              optimizer=optax.adam(1e-3), epochs=20, batch_size=32,
                              key=k_fit, validation_split=0.2)
    """
    _check_optimizer(optimizer)
    _check_positive_int("batch_size", batch_size)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(_BAD_EPOCHS.format(got=epochs))
    if not _is_key(key):
        raise ValueError(_BAD_KEY.format(got=key))
    if not (isinstance(validation_split, int | float) and 0.0 <= validation_split < 1.0):
        raise ValueError(_BAD_SPLIT.format(got=validation_split))
    place = Placement(mesh)
    place.check_batch_size(batch_size, "batch_size")
    if eval_batch_size is not None:
        _check_positive_int("eval_batch_size", eval_batch_size)
        place.check_batch_size(eval_batch_size, "eval_batch_size")
    eval_batch_size = eval_batch_size or batch_size
    stopper = _as_early_stopping(early_stopping)
    get_loss(loss)  # fails early on an unknown loss name
    rule = _call_rule(apply_fn, apply_kwargs)

    train = _as_pair("data", data)
    n = num_examples(train)
    val, n_val, val_start = None, 0, 0
    if validation_data is not None:
        if validation_split:
            raise ValueError(_BOTH_VALIDATIONS.format(split=validation_split))
        val = _as_pair("validation_data", validation_data)
        n_val = num_examples(val)
    elif validation_split:
        n_train = _split_sizes(n, validation_split)
        n, n_val, val_start = n_train, n - n_train, n_train
    if stopper is not None and stopper.monitor.startswith("val_") and not n_val:
        raise ValueError(
            _NO_MONITOR.format(
                monitor=stopper.monitor,
                keys="no validation metrics",
                hint="Pass validation_data or validation_split, or monitor 'loss'.",
            )
        )

    # Device-resident data: placed once (split by rows on a mesh), gathered batch by batch
    # inside the scan. A validation split is a range of rows of the same arrays.
    train = place.examples(train)
    if val is not None:
        val = place.examples(val)
    elif n_val:
        val = train
    # Fresh buffers (replicated on a mesh): fit donates params and optimizer state to the
    # epoch function, so it must own them; the caller's stay valid, and optax states that
    # hold params (e.g. EMA) do not alias them. optax's init sends a few Python scalars to
    # the device, once: allowed even under jax.transfer_guard("disallow").
    params = place.copy(params)
    with jax.transfer_guard("allow"):
        opt_state = place.copy(optimizer.init(params))
    history: History = {}
    if epochs == 0:
        return params, history

    cfg = _EpochConfig(
        n=n,
        batch_size=min(batch_size, n),
        shuffle=bool(shuffle),
        drop_last=bool(drop_last),
        n_val=n_val,
        val_start=val_start,
        eval_batch_size=eval_batch_size,
    )
    if epoch_mode not in ("auto", "scan", "steps"):
        raise ValueError(_BAD_EPOCH_MODE.format(got=epoch_mode))
    if epoch_mode == "steps" and place.mesh is not None:
        raise ValueError(_BAD_EPOCH_MODE.format(got="'steps' with a mesh"))
    steps = epoch_mode == "steps" or (
        epoch_mode == "auto"
        and _steps_pay_off(
            apply_fn, rule, loss, optimizer, place, params, opt_state, train, cfg.batch_size
        )
    )
    make_epoch = _steps_epoch_function if steps else _epoch_function
    epoch_fn = make_epoch(apply_fn, rule, loss, optimizer, cfg, place)
    key = place.put(key)

    bar = _Progress(progress, epochs)
    best_value, best_params, wait = math.inf, None, 0
    sign = 1.0
    if stopper is not None:
        mode = stopper.mode
        if mode == "auto":
            mode = "max" if "acc" in stopper.monitor else "min"
        sign = -1.0 if mode == "max" else 1.0  # compare sign · value: lower is better
    try:
        for epoch in range(epochs):
            start = time.perf_counter()
            params, opt_state, key, logs = epoch_fn(params, opt_state, key, train, val)
            logs = _unpack_logs(jax.device_get(logs), val is not None)  # the one host sync
            for k, v in logs.items():
                history.setdefault(k, []).append(v)
            bar.update(epoch, logs, time.perf_counter() - start)
            stop = bool(callback(epoch, logs)) if callback is not None else False

            if stopper is not None:
                if stopper.monitor not in logs:
                    raise ValueError(
                        _NO_MONITOR.format(
                            monitor=stopper.monitor,
                            keys=sorted(logs),
                            hint="Monitor one of those keys.",
                        )
                    )
                value = sign * logs[stopper.monitor]
                if value < best_value - stopper.min_delta:
                    best_value, wait = value, 0
                    if stopper.restore_best:
                        # A copy: the next epoch donates (invalidates) `params`.
                        best_params = place.copy(params)
                else:
                    wait += 1
                    stop = stop or wait >= stopper.patience
            if stop:
                break
    finally:
        bar.close()
    if best_params is not None:
        params = best_params
    return params, history
