"""Pictures for the course and for experiments (matplotlib, no global state).

Every function builds a fresh :class:`matplotlib.figure.Figure` (never ``pyplot``: no
global figure registry, no backend switch, safe in tests, scripts and worker threads),
returns it, and also writes it to ``path`` when one is given (the format follows the file
extension, e.g. ``.png`` or ``.pdf``; missing parent folders are created). In a notebook,
a returned figure displays itself; in a script, pass ``path=``.

==================================  ===================================================
``plot_learning_curves(history)``   loss and accuracy per epoch, training vs validation
                                    (under/over-fitting: sous-/sur-apprentissage)
``plot_confusion_matrix(cm)``       the counts of ``jaxnn.metrics.confusion_matrix``,
                                    annotated (matrice de confusion)
``plot_decision_boundary(...)``     the regions a 2-D classifier assigns to each class
                                    (frontière de décision: XOR, the flower)
``plot_activation(fn)``             an activation and its derivative;
                                    ``plot_sigmoid()`` is seed 001's sigmoid
``plot_filters(w)``                 conv kernels HWIO ``(KH, KW, C_in, C_out)``
``plot_feature_maps(a)``            activations NHWC ``(N, H, W, C)`` of one image
``plot_images(x, y)``               a grid of images with their labels (and predictions)
==================================  ===================================================

Example:
    >>> import jax.numpy as jnp
    >>> from jaxnn import viz
    >>> history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.75]}
    >>> fig = viz.plot_learning_curves(history)  # add path="curves.png" to save it
    >>> [ax.get_title() for ax in fig.axes]
    ['loss']
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

__all__ = [
    "plot_activation",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_filters",
    "plot_images",
    "plot_learning_curves",
    "plot_sigmoid",
    "save_figure",
]

PathLike = str | os.PathLike

# Class colours: matplotlib's "tab10" order (blue, orange, green, red, ...).
_CLASS_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

# ---------------------------------------------------------------------------------------
# Error messages (what was expected, what came, how to fix).

_EMPTY_HISTORY = (
    "plot_learning_curves: the history is empty ({got}). Expected the dict that "
    "jaxnn.train.fit returns, with at least one epoch in 'loss', e.g. "
    "{{'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]}}. Did fit run with epochs=0?"
)
_BAD_HISTORY = (
    "plot_learning_curves: expected a history dict of per-epoch lists (what "
    "jaxnn.train.fit returns, e.g. {{'loss': [...], 'accuracy': [...]}}), or a dict "
    "{{name: history}} to compare runs; got {got}."
)
_RAGGED_HISTORY = (
    "plot_learning_curves: history {name!r} has {n_loss} epochs of 'loss' but {n_key} of "
    "{key!r}; every list must have one value per epoch."
)
_NO_LOSS = (
    "plot_learning_curves: history {name!r} has no 'loss' or 'accuracy' list (keys: "
    "{keys}). Pass the history returned by jaxnn.train.fit."
)
_BAD_CM = (
    "plot_confusion_matrix: expected a square matrix (K, K) of non-negative counts, such "
    "as jaxnn.metrics.confusion_matrix(y_true, y_pred, K) returns; got {got}."
)
_BAD_NAMES = (
    "{fn}: class_names has {n_names} names but there are {k} classes; give one name per "
    "class, in class-id order."
)
_BAD_POINTS = (
    "plot_decision_boundary: X must be 2-D points of shape (N, 2) and y labels of shape "
    "(N,); got X {x_shape} and y {y_shape}. {hint}"
)
_BAD_OUTPUTS = (
    "plot_decision_boundary: apply_fn(params, grid) returned shape {shape} for {m} grid "
    "points of shape ({m}, 2); expected one score per point ({m},) or ({m}, 1) for a "
    "binary classifier, or scores ({m}, K) for K classes."
)
_BAD_FILTERS = (
    "plot_filters: expected conv kernels in HWIO layout (KH, KW, C_in, C_out), e.g. "
    "params['conv2d_0']['w']; got shape {shape}. {hint}"
)
_BAD_IN_CHANNEL = (
    "plot_filters: in_channel={got!r} is not an input channel of a kernel with C_in={c_in}; "
    "pass an int in [0, {c_in}) or None (the mean over input channels)."
)
_BAD_MAPS = (
    "plot_feature_maps: expected activations in NHWC layout (N, H, W, C) or one image's "
    "(H, W, C); got shape {shape}. {hint}"
)
_BAD_INDEX = "{fn}: index={index} is out of range for a batch of {n} examples."
_BAD_IMAGES = (
    "plot_images: expected images (N, H, W), (N, H, W, 1), (N, H, W, 3), or flat "
    "(N, H·W) with a square H·W (e.g. 784 = 28·28); got shape {shape}. {hint}"
)
_BAD_LABELS = "plot_images: {what} has shape {shape}; expected one class id per image, ({n},)."
_BAD_RANGE = "{fn}: expected z_min < z_max, got z_min={lo!r}, z_max={hi!r}."
_NOT_CALLABLE = "{fn}: {arg} must be a function, got {got!r}."
_EMPTY = "{fn}: {what} is empty (shape {shape}); there is nothing to draw."


# ---------------------------------------------------------------------------------------
# Small helpers.


def _numpy(x: Any, dtype: Any = None) -> np.ndarray:
    """A host numpy copy of an array-like (numpy, jax, list)."""
    return np.asarray(x, dtype=dtype)


def save_figure(fig: Figure, path: PathLike, *, dpi: int = 100) -> Path:
    """Writes ``fig`` to ``path`` (format from the extension), creating parent folders.

    Args:
        fig: A matplotlib figure.
        path: Where to write it, e.g. ``"out/curves.png"``.
        dpi: Resolution for raster formats.

    Returns:
        The path written, as a :class:`pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def _finish(fig: Figure, path: PathLike | None, title: str | None) -> Figure:
    if title:
        fig.suptitle(title)
    if path is not None:
        save_figure(fig, path)
    return fig


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The caller's axes (drawing into their figure), or a fresh figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _grid_shape(n: int, ncols: int) -> tuple[int, int]:
    ncols = max(1, min(ncols, n))
    return math.ceil(n / ncols), ncols


def _check_names(fn: str, class_names: Sequence[str] | None, k: int) -> list[str] | None:
    if class_names is None:
        return None
    names = [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(_BAD_NAMES.format(fn=fn, n_names=len(names), k=k))
    return names


# ---------------------------------------------------------------------------------------
# Learning curves.

_CURVE_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def _is_history(h: Any) -> bool:
    return isinstance(h, Mapping) and any(
        k in h and isinstance(h[k], Sequence | np.ndarray) for k in _CURVE_KEYS
    )


def _as_histories(history: Any) -> dict[str, dict[str, np.ndarray]]:
    """``{run name: {key: (epochs,) float array}}`` from one history or a dict of them."""
    history = getattr(history, "history", history)  # a Keras History object works too
    if not isinstance(history, Mapping):
        raise ValueError(_BAD_HISTORY.format(got=type(history).__name__))
    if len(history) == 0:
        raise ValueError(_EMPTY_HISTORY.format(got="no keys"))
    if _is_history(history):
        runs = {"": history}
    elif all(isinstance(v, Mapping) for v in history.values()):
        runs = {str(name): getattr(h, "history", h) for name, h in history.items()}
    else:
        raise ValueError(_BAD_HISTORY.format(got=f"keys {sorted(map(str, history))}"))
    out = {}
    for name, h in runs.items():
        curves = {k: _numpy(h[k], np.float64).reshape(-1) for k in _CURVE_KEYS if k in h}
        if not curves:
            raise ValueError(_NO_LOSS.format(name=name, keys=sorted(map(str, h))))
        first = next(iter(curves))
        n = len(curves[first])
        if n == 0:
            raise ValueError(_EMPTY_HISTORY.format(got=f"{first!r} has 0 epochs"))
        for k, v in curves.items():
            if len(v) != n:
                raise ValueError(
                    _RAGGED_HISTORY.format(name=name or "history", n_loss=n, n_key=len(v), key=k)
                )
        out[name] = curves
    return out


def plot_learning_curves(
    history: Mapping[str, Sequence[float]] | Mapping[str, Mapping[str, Sequence[float]]],
    *,
    title: str | None = None,
    path: PathLike | None = None,
) -> Figure:
    """Loss and accuracy per epoch, training vs validation, side by side.

    The diagnosis of seeds 002 and 004: when the training loss keeps falling while the
    validation loss turns back up, the model over-fits (*sur-apprentissage*: stop early,
    regularise); when both stay high it under-fits (*sous-apprentissage*: a bigger model,
    more epochs). The epoch of the lowest validation loss is marked.

    Args:
        history: The dict returned by ``jaxnn.train.fit``: per-epoch lists under
            ``"loss"``, ``"accuracy"``, ``"val_loss"``, ``"val_accuracy"`` (any subset
            with ``"loss"`` or ``"accuracy"``; other keys are ignored), each of length
            ``epochs``. Or a dict ``{run name: history}`` to compare runs on the same axes
            (solid lines: training, dashed: validation). A Keras ``History`` works too.
        title: A title for the figure.
        path: Where to save the figure (e.g. ``"curves.png"``); None to only return it.

    Returns:
        The figure: one panel ``"loss"`` and, when some history has accuracies, a second
        panel ``"accuracy"``; x axis: epochs from 1.

    Raises:
        ValueError: If the history is empty, has no loss/accuracy list, or its lists have
            different lengths.
    """
    runs = _as_histories(history)
    metrics = [
        m for m in ("loss", "accuracy") if any(m in c or f"val_{m}" in c for c in runs.values())
    ]
    single = len(runs) == 1
    fig = Figure(figsize=(5.0 * len(metrics), 3.8 if single else 4.4), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        for i, (name, curves) in enumerate(runs.items()):
            colour = _CLASS_COLOURS[i % len(_CLASS_COLOURS)]
            for key, style in ((metric, "-"), (f"val_{metric}", "--")):
                if key not in curves:
                    continue
                values = curves[key]
                training = key == metric
                if single:  # one run: blue training, orange validation, labelled
                    colour = "C0" if training else "C1"
                    label = "training" if training else "validation"
                else:  # several runs: one colour per run, named once (training line)
                    label = name if training or metric not in curves else f"_{name}"
                ax.plot(
                    np.arange(1, len(values) + 1),
                    values,
                    style,
                    color=colour,
                    marker="." if len(values) <= 60 else None,
                    label=label,
                )
            if metric == "loss" and "val_loss" in curves and np.isfinite(curves["val_loss"]).any():
                best = int(np.nanargmin(curves["val_loss"]))
                ax.plot(
                    best + 1,
                    curves["val_loss"][best],
                    "*",
                    color=colour,
                    markersize=12,
                    label=f"best validation (epoch {best + 1})" if single else f"_{name} best",
                )
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        if single:
            ax.legend(fontsize="small")
    if not single:
        # One legend for the figure: the runs' colours, then the line styles.
        handles, labels = axes[0].get_legend_handles_labels()
        styles = [
            Line2D([], [], color="k", linestyle="-", label="training"),
            Line2D([], [], color="k", linestyle="--", label="validation"),
            Line2D(
                [],
                [],
                color="k",
                marker="*",
                linestyle="",
                markersize=10,
                label="lowest validation loss",
            ),
        ]
        fig.legend(
            handles + styles,
            labels + [h.get_label() for h in styles],
            loc="outside lower center",
            ncols=min(4, len(handles) + len(styles)),
            fontsize="small",
        )
    return _finish(fig, path, title)


# ---------------------------------------------------------------------------------------
# Confusion matrix.


def plot_confusion_matrix(
    cm: Any,
    *,
    class_names: Sequence[str] | None = None,
    normalize: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
) -> Figure:
    """The confusion matrix (*matrice de confusion*) as an annotated heat map.

    Rows are the true classes and columns the predicted ones, as
    ``jaxnn.metrics.confusion_matrix`` returns them: the diagonal holds the correct
    predictions, and the largest off-diagonal cell is the most frequent confusion
    (e.g. shirt vs T-shirt on Fashion-MNIST). Every cell shows its count; the colour is
    the count, or the fraction of its row (the per-class recall) with ``normalize``.

    Args:
        cm: Counts ``(K, K)``, non-negative (numpy or jax; ints or floats).
        class_names: ``K`` names in class-id order; default ``0 .. K-1``.
        normalize: Colour by row fractions and show them under the counts.
        title: Axes title; default ``"accuracy x.xx %"`` (trace / total).
        ax: Draw into these axes (e.g. one panel of your own figure) instead of a new
            figure.
        path: Where to save the figure.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If ``cm`` is not a square non-negative matrix or ``class_names`` has
            the wrong length.

    Example:
        >>> import jax.numpy as jnp
        >>> from jaxnn.metrics import confusion_matrix
        >>> cm = confusion_matrix(jnp.array([0, 1, 1, 2]), jnp.array([0, 1, 2, 2]), 3)
        >>> fig = plot_confusion_matrix(cm, class_names=["a", "b", "c"])
        >>> fig.axes[0].get_title()
        'accuracy 75.00%'
    """
    cm = _numpy(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(_BAD_CM.format(got=f"shape {cm.shape}"))
    if not np.issubdtype(cm.dtype, np.number) or not np.all(np.isfinite(cm)) or (cm < 0).any():
        raise ValueError(_BAD_CM.format(got="negative, non-finite or non-numeric entries"))
    k = cm.shape[0]
    names = _check_names("plot_confusion_matrix", class_names, k) or [str(i) for i in range(k)]
    size = max(3.5, 0.55 * k + 2.0)
    fig, ax = _new_axes(ax, (size + 1.0, size))
    row_sums = cm.sum(axis=1, keepdims=True)
    fractions = np.divide(cm, row_sums, out=np.zeros(cm.shape, float), where=row_sums > 0)
    shown = fractions if normalize else cm
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1.0 if normalize else max(cm.max(), 1))
    fig.colorbar(
        image,
        ax=ax,
        fraction=0.046,
        pad=0.04,
        label="fraction of the true class" if normalize else "count",
    )
    cut = (shown.max() if shown.size else 0) / 2.0
    integer = np.allclose(cm, np.round(cm))
    fontsize = "small" if k <= 12 else "xx-small"
    for i in range(k):
        for j in range(k):
            text = f"{cm[i, j]:.0f}" if integer else f"{cm[i, j]:.3g}"
            if normalize:
                text += f"\n{fractions[i, j]:.0%}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if shown[i, j] > cut else "black",
            )
    ax.set_xticks(
        range(k),
        names,
        rotation=45 if max(map(len, names)) > 2 else 0,
        ha="right" if max(map(len, names)) > 2 else "center",
    )
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = cm.sum()
    acc = np.trace(cm) / total if total > 0 else float("nan")
    ax.set_title(title if title is not None else f"accuracy {acc:.2%}")
    return _finish(fig, path, None)


# ---------------------------------------------------------------------------------------
# Decision boundary.


def _call_eval(apply_fn: Callable, params: Any, x: np.ndarray) -> np.ndarray:
    """``apply_fn(params, x)`` in evaluation mode (``train=False`` when it takes one)."""
    try:
        names = inspect.signature(apply_fn).parameters
    except (TypeError, ValueError):
        names = {}
    kwargs = {"train": False} if "train" in names else {}
    return _numpy(apply_fn(params, x, **kwargs))


def _classes_of(
    outputs: np.ndarray, m: int, threshold: float | None
) -> tuple[np.ndarray, float | None]:
    """(class ids (m,), the threshold used or None for K scores) from a classifier's outputs."""
    if outputs.ndim == 2 and outputs.shape == (m, 1):
        outputs = outputs[:, 0]
    if outputs.shape == (m,):
        scores = outputs.astype(np.float64)
        if threshold is None:
            finite = scores[np.isfinite(scores)]
            in_unit = finite.size > 0 and finite.min() >= 0.0 and finite.max() <= 1.0
            threshold = 0.5 if in_unit else 0.0
        return (scores > threshold).astype(np.int32), threshold
    if outputs.ndim == 2 and outputs.shape[0] == m and outputs.shape[1] > 1:
        return outputs.argmax(axis=1).astype(np.int32), None
    raise ValueError(_BAD_OUTPUTS.format(shape=outputs.shape, m=m))


def plot_decision_boundary(
    apply_fn: Callable[..., Any],
    params: Any,
    X: Any,
    y: Any,
    *,
    resolution: int = 200,
    margin: float = 0.1,
    threshold: float | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
) -> Figure:
    """The decision regions (*frontière de décision*) of any 2-D classifier, with the data.

    Evaluates ``apply_fn(params, grid)`` on a ``resolution × resolution`` grid covering
    the points (plus ``margin`` of their range on each side) and colours each cell by
    its predicted class; the points are drawn on top in their true class's colour, and
    the title gives the accuracy on them. A perceptron draws one straight line, which
    is why it cannot separate XOR; a hidden layer bends it (seed 004).

    Args:
        apply_fn: ``apply_fn(params, x) -> outputs`` for ``x`` of shape ``(M, 2)`` (a
            jaxnn layer's ``apply``: called with ``train=False`` if it takes ``train``).
            Outputs: scores ``(M, K)`` (class = argmax), or one score per point ``(M,)``
            / ``(M, 1)`` for two classes (class 1 where ``score > threshold``).
        params: The classifier's parameters.
        X: Points ``(N, 2)``.
        y: Integer labels ``(N,)``.
        resolution: Grid cells per axis.
        margin: Extra room around the points, as a fraction of their range.
        threshold: For one score per point; default 0.5 when every score on the grid is
            in ``[0, 1]`` (probabilities, a perceptron's 0/1) and 0.0 otherwise (logits).
        class_names: Names for the legend, in class-id order.
        title: Axes title; default ``"accuracy x.xx %"`` on ``(X, y)``.
        ax: Draw into these axes instead of a new figure.
        path: Where to save the figure.

    Returns:
        The figure (``ax.figure`` when ``ax`` is given).

    Raises:
        ValueError: If ``X`` is not ``(N, 2)``, ``y`` not ``(N,)``, or the outputs have
            an unexpected shape.
    """
    if not callable(apply_fn):
        raise ValueError(
            _NOT_CALLABLE.format(fn="plot_decision_boundary", arg="apply_fn", got=apply_fn)
        )
    X = _numpy(X, np.float32)
    y = _numpy(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        hint = (
            "Project higher-dimensional data to 2-D first (decision regions need a plane)."
            if X.ndim == 2 and X.shape[1] != 2
            else "Pass labels as integer class ids, e.g. y.argmax(-1) for one-hot labels."
        )
        raise ValueError(_BAD_POINTS.format(x_shape=X.shape, y_shape=y.shape, hint=hint))
    if X.shape[0] == 0:
        raise ValueError(_EMPTY.format(fn="plot_decision_boundary", what="X", shape=X.shape))
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be >= 2, got {resolution}.")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum((hi - lo) * margin, 0.5 * (hi - lo == 0))
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution, dtype=np.float32)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    m = grid.shape[0]
    grid_classes, used = _classes_of(_call_eval(apply_fn, params, grid), m, threshold)
    # The points get the grid's threshold, so the title's accuracy matches the picture.
    point_classes, _ = _classes_of(_call_eval(apply_fn, params, X), X.shape[0], used)

    k = int(max(y.max(initial=0), grid_classes.max(initial=0))) + 1
    k = max(k, 2)
    names = (
        _check_names("plot_decision_boundary", class_names, k) if class_names is not None else None
    )
    colours = [_CLASS_COLOURS[i % len(_CLASS_COLOURS)] for i in range(k)]
    fig, ax = _new_axes(ax, (5.0, 4.5))
    regions = grid_classes.reshape(resolution, resolution)
    ax.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, colors=colours, alpha=0.25)
    if k > 1:
        ax.contour(gx, gy, regions, levels=np.arange(k - 1) + 0.5, colors="k", linewidths=1.0)
    for c in range(k):
        sel = y == c
        if sel.any():
            ax.scatter(
                X[sel, 0],
                X[sel, 1],
                s=14,
                color=colours[c],
                edgecolors="k",
                linewidths=0.3,
                label=names[c] if names else f"class {c}",
            )
    acc = float(np.mean(point_classes == y))
    ax.set_title(title if title is not None else f"accuracy {acc:.2%}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(fontsize="small", loc="best")
    return _finish(fig, path, None)


# ---------------------------------------------------------------------------------------
# Activations.


def plot_activation(
    fn: Callable[[Any], Any],
    *,
    derivative: Callable[[Any], Any] | None = None,
    name: str | None = None,
    z_min: float = -6.0,
    z_max: float = 6.0,
    title: str | None = None,
    path: PathLike | None = None,
) -> Figure:
    """An activation function ``g(z)`` and its derivative ``g'(z)`` on one plot.

    The derivative is what backpropagation multiplies by at every layer: where it is
    near 0 (a saturated sigmoid, ``|z|`` large) the gradient vanishes.

    Args:
        fn: Elementwise ``g``, e.g. ``jaxnn.activations.relu``.
        derivative: ``g'``; default ``jax.vmap(jax.grad(g))`` (automatic
            differentiation).
        name: The function's name in the legend (default ``fn.__name__``).
        z_min: Left end of the plotted range.
        z_max: Right end of the plotted range.
        title: A title for the figure.
        path: Where to save the figure.

    Returns:
        The figure.

    Raises:
        ValueError: If ``fn`` is not callable or ``z_min >= z_max``.
    """
    if not callable(fn):
        raise ValueError(_NOT_CALLABLE.format(fn="plot_activation", arg="fn", got=fn))
    if not z_min < z_max:
        raise ValueError(_BAD_RANGE.format(fn="plot_activation", lo=z_min, hi=z_max))
    name = name or getattr(fn, "__name__", "g")
    z = np.linspace(z_min, z_max, 401, dtype=np.float32)
    g = _numpy(fn(z), np.float64)
    if derivative is None:
        import jax  # lazy: only needed to differentiate

        derivative = jax.vmap(jax.grad(lambda t: fn(t)))
    dg = _numpy(derivative(z), np.float64)
    fig, ax = _new_axes(None, (6.0, 4.0))
    ax.plot(z, g, label=f"{name}(z)")
    ax.plot(z, dg, "--", label=f"{name}'(z)")
    ax.axhline(0.0, color="grey", linewidth=0.6)
    ax.axvline(0.0, color="grey", linewidth=0.6)
    ax.set_xlabel("z")
    ax.grid(alpha=0.3)
    ax.legend()
    return _finish(fig, path, title or name)


def plot_sigmoid(
    *, z_min: float = -8.0, z_max: float = 8.0, path: PathLike | None = None
) -> Figure:
    """Seed 001's exercise: the sigmoid ``σ(z) = 1 / (1 + e^{−z})`` and ``σ' = σ(1 − σ)``.

    ``σ'`` peaks at ``σ'(0) = 1/4`` (marked) and vanishes for large ``|z|``: a
    saturated neuron (*neurone saturé*) learns slowly with the quadratic cost.

    Args:
        z_min: Left end of the plotted range.
        z_max: Right end of the plotted range.
        path: Where to save the figure.

    Returns:
        The figure.
    """

    def sigmoid(z):
        return 0.5 * (np.tanh(0.5 * np.asarray(z, np.float64)) + 1.0)  # stable for any z

    def sigmoid_prime(z):
        s = sigmoid(z)
        return s * (1.0 - s)

    fig = plot_activation(
        sigmoid,
        derivative=sigmoid_prime,
        name="σ",
        z_min=z_min,
        z_max=z_max,
        title="sigmoid σ(z) = 1 / (1 + exp(−z)) and σ'(z) = σ(z)(1 − σ(z))",
    )
    ax = fig.axes[0]
    ax.plot([0.0], [0.25], "o", color="k")
    ax.annotate("σ'(0) = 1/4", (0.0, 0.25), textcoords="offset points", xytext=(10, 8))
    ax.axhline(1.0, color="grey", linewidth=0.6, linestyle=":")
    if path is not None:
        save_figure(fig, path)
    return fig


# ---------------------------------------------------------------------------------------
# Filters, feature maps and images.


def _symmetric_limits(a: np.ndarray) -> tuple[float, float]:
    m = float(np.abs(a).max()) if a.size else 1.0
    m = m if m > 0 else 1.0
    return -m, m


def plot_filters(
    w: Any,
    *,
    in_channel: int | None = None,
    max_filters: int = 64,
    ncols: int = 8,
    title: str | None = None,
    path: PathLike | None = None,
) -> Figure:
    """Conv kernels as small images, one panel per filter (output channel).

    Kernels are in HWIO layout, ``(KH, KW, C_in, C_out)`` (``jaxnn.layers.conv2d``'s
    ``"w"``, flax's ``kernel``). With ``C_in = 3`` each filter is shown in colour (min-max
    scaled); otherwise in a diverging map centred on 0 (red positive, blue negative,
    the same scale for every panel), for input channel ``in_channel`` or, by default,
    the mean over input channels. A first layer trained on images often learns edge
    detectors like Sobel's (seed 002).

    Args:
        w: Kernels ``(KH, KW, C_in, C_out)``; a single 2-D kernel ``(KH, KW)`` is
            accepted too (e.g. a Sobel filter).
        in_channel: Which input channel to show when ``C_in != 3``; None: their mean.
        max_filters: Show at most this many filters (the first ones).
        ncols: Panels per row.
        title: A title for the figure (default: the shape).
        path: Where to save the figure.

    Returns:
        The figure.

    Raises:
        ValueError: If ``w`` is not 4-D HWIO (or 2-D), or ``in_channel`` is out of range.
    """
    w = _numpy(w, np.float32)
    if w.ndim == 2:
        w = w[:, :, None, None]
    if w.ndim != 4:
        hint = (
            "A dense layer's w (n_in, n_out) is not a conv kernel."
            if w.ndim == 2
            else "Pass the conv layer's params['w'] as it is."
        )
        raise ValueError(_BAD_FILTERS.format(shape=w.shape, hint=hint))
    kh, kw, c_in, c_out = w.shape
    if w.size == 0:
        raise ValueError(_EMPTY.format(fn="plot_filters", what="w", shape=w.shape))
    if in_channel is not None and not (isinstance(in_channel, int) and 0 <= in_channel < c_in):
        raise ValueError(_BAD_IN_CHANNEL.format(got=in_channel, c_in=c_in))
    n = min(c_out, max(1, int(max_filters)))
    rows, cols = _grid_shape(n, ncols)
    fig = Figure(figsize=(1.3 * cols + 1.0, 1.3 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    rgb = c_in == 3 and in_channel is None
    if rgb:
        shown = w[..., :n]
    else:
        shown = w[:, :, in_channel, :n] if in_channel is not None else w[..., :n].mean(axis=2)
    vmin, vmax = _symmetric_limits(shown)
    image = None
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i >= n:
            continue
        if rgb:
            f = shown[..., i]
            span = f.max() - f.min()
            ax.imshow((f - f.min()) / (span if span > 0 else 1.0), interpolation="nearest")
        else:
            image = ax.imshow(
                shown[..., i], cmap="RdBu_r", vmin=vmin, vmax=vmax, interpolation="nearest"
            )
        ax.set_title(str(i), fontsize="x-small")
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    default = f"{c_out} filters {kh}×{kw}×{c_in}" + (
        f" (input channel {in_channel})"
        if in_channel is not None
        else (" (mean over inputs)" if c_in not in (1, 3) else "")
    )
    return _finish(fig, path, title or default)


def plot_feature_maps(
    activations: Any,
    *,
    index: int = 0,
    image: Any | None = None,
    max_maps: int = 32,
    ncols: int = 8,
    title: str | None = None,
    path: PathLike | None = None,
) -> Figure:
    """The feature maps (*cartes de caractéristiques*) of one image after a conv layer.

    One panel per channel of ``activations[index]`` (each with its own grey scale:
    white = strongest response), optionally preceded by the input image. Shows what
    each filter responds to: edges, strokes, textures.

    Args:
        activations: NHWC ``(N, H, W, C)``, or one image's ``(H, W, C)``: e.g. the
            output of ``conv2d(...).apply`` (after ReLU) on a batch.
        index: Which example of the batch to show.
        image: The input image ``(H0, W0)``, ``(H0, W0, 1)`` or ``(H0, W0, 3)`` to show
            first (optional).
        max_maps: Show at most this many channels.
        ncols: Panels per row.
        title: A title for the figure (default: the shape).
        path: Where to save the figure.

    Returns:
        The figure.

    Raises:
        ValueError: If ``activations`` is not 3-D or 4-D, or ``index`` is out of range.
    """
    a = _numpy(activations, np.float32)
    if a.ndim == 3:
        a = a[None]
    if a.ndim != 4:
        hint = (
            "Flattened or dense activations have no spatial layout; plot the conv output "
            "before flatten()."
            if a.ndim == 2
            else "Channels must be last (NHWC): transpose NCHW with a.transpose(0, 2, 3, 1)."
        )
        raise ValueError(_BAD_MAPS.format(shape=a.shape, hint=hint))
    n, h, w, c = a.shape
    if a.size == 0:
        raise ValueError(_EMPTY.format(fn="plot_feature_maps", what="activations", shape=a.shape))
    if not -n <= index < n:
        raise ValueError(_BAD_INDEX.format(fn="plot_feature_maps", index=index, n=n))
    maps = a[index]
    shown = min(c, max(1, int(max_maps)))
    panels = shown + (image is not None)
    rows, cols = _grid_shape(panels, ncols)
    fig = Figure(figsize=(1.4 * cols, 1.4 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    start = 0
    if image is not None:
        img = _numpy(image, np.float32)
        img = img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
        axes[0].imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
        axes[0].set_title("input", fontsize="x-small")
        start = 1
    for i in range(shown):
        ax = axes[start + i]
        ax.imshow(maps[..., i], cmap="gray", interpolation="nearest")
        ax.set_title(f"channel {i}", fontsize="x-small")
    default = f"feature maps {h}×{w}×{c} of example {index}"
    return _finish(fig, path, title or default)


def _as_images(images: np.ndarray) -> np.ndarray:
    """(N, H, W) or (N, H, W, 3) from the accepted layouts."""
    shape = images.shape
    if images.ndim == 4 and shape[-1] == 1:
        return images[..., 0]
    if (images.ndim == 4 and shape[-1] == 3) or images.ndim == 3:
        return images
    if images.ndim == 2:
        side = math.isqrt(shape[1])
        if side * side == shape[1] and side > 0:
            return images.reshape(shape[0], side, side)
        raise ValueError(_BAD_IMAGES.format(shape=shape, hint="Reshape to (N, H, W) first."))
    hint = "Images must be NHWC (channels last)." if images.ndim == 4 else ""
    raise ValueError(_BAD_IMAGES.format(shape=shape, hint=hint))


def plot_images(
    images: Any,
    labels: Any | None = None,
    *,
    predictions: Any | None = None,
    class_names: Sequence[str] | None = None,
    max_images: int = 32,
    ncols: int = 8,
    title: str | None = None,
    path: PathLike | None = None,
) -> Figure:
    """A grid of sample images with their labels (and predictions: green right, red wrong).

    Args:
        images: NHWC ``(N, H, W, 1)`` or ``(N, H, W, 3)``, ``(N, H, W)``, or flat
            ``(N, H·W)`` square images (e.g. ``(N, 784)`` → 28×28). Values in ``[0, 1]``
            (or any range: grey images are scaled per image).
        labels: Integer class ids ``(N,)`` (optional).
        predictions: Predicted class ids ``(N,)`` (optional); shown as ``label → pred``.
        class_names: Names in class-id order, shown instead of the ids.
        max_images: Show at most this many (the first ones).
        ncols: Images per row.
        title: A title for the figure.
        path: Where to save the figure.

    Returns:
        The figure.

    Raises:
        ValueError: If the images' shape is not one of those above, or the labels do not
            have one entry per image.
    """
    imgs = _as_images(_numpy(images, np.float32))
    n_all = imgs.shape[0]
    if n_all == 0:
        raise ValueError(_EMPTY.format(fn="plot_images", what="images", shape=imgs.shape))
    lab = pred = None
    if labels is not None:
        lab = _numpy(labels).reshape(-1) if np.ndim(labels) else None
        if lab is None or lab.shape != (n_all,):
            raise ValueError(_BAD_LABELS.format(what="labels", shape=np.shape(labels), n=n_all))
    if predictions is not None:
        pred = _numpy(predictions)
        if pred.shape != (n_all,):
            raise ValueError(_BAD_LABELS.format(what="predictions", shape=pred.shape, n=n_all))

    def name(c: Any) -> str:
        c = int(c)
        if class_names is not None and 0 <= c < len(class_names):
            return str(class_names[c])
        return str(c)

    n = min(n_all, max(1, int(max_images)))
    rows, cols = _grid_shape(n, ncols)
    fig = Figure(figsize=(1.45 * cols, 1.6 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        img = imgs[i]
        if img.ndim == 2:
            ax.imshow(img, cmap="gray_r", interpolation="nearest")
        else:
            ax.imshow(np.clip(img, 0.0, 1.0), interpolation="nearest")
        text, colour = None, "black"
        if lab is not None and pred is not None:
            text = f"{name(lab[i])} → {name(pred[i])}"
            colour = "green" if int(lab[i]) == int(pred[i]) else "red"
        elif lab is not None:
            text = name(lab[i])
        elif pred is not None:
            text = name(pred[i])
        if text is not None:
            ax.set_title(text, fontsize="x-small", color=colour)
    return _finish(fig, path, title)
