"""Tests for jaxnn.viz: every plot renders to a real, non-blank PNG; bad inputs fail clearly."""

from __future__ import annotations

import doctest
import sys

import jax
import jax.numpy as jnp
import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.figure import Figure

from jaxnn import data, metrics, models, viz

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

HISTORY = {
    "loss": [1.0, 0.6, 0.4, 0.3, 0.25],
    "accuracy": [0.5, 0.7, 0.8, 0.85, 0.9],
    "val_loss": [1.1, 0.7, 0.6, 0.62, 0.7],
    "val_accuracy": [0.45, 0.65, 0.7, 0.71, 0.7],
}


def check_png(path, min_colours: int = 3) -> np.ndarray:
    """The file is a PNG with content: signature, size, non-blank pixels, several colours."""
    raw = path.read_bytes()
    assert raw[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert len(raw) > 2000, f"{path} is suspiciously small ({len(raw)} bytes)"
    pixels = mpimg.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert float(pixels[..., :3].std()) > 0.02, f"{path} looks blank"
    colours = np.unique((pixels[..., :3].reshape(-1, 3) * 255).round().astype(np.uint8), axis=0)
    assert len(colours) >= min_colours, f"{path} has only {len(colours)} colours"
    return pixels


def test_learning_curves_two_panels_and_png(tmp_path):
    path = tmp_path / "sub" / "curves.png"  # missing folders are created
    fig = viz.plot_learning_curves(HISTORY, title="run", path=path)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    loss_ax = fig.axes[0]
    labels = [line.get_label() for line in loss_ax.get_lines()]
    assert labels[:2] == ["training", "validation"]
    # The best validation epoch (lowest val_loss, epoch 3) is marked.
    assert "best validation (epoch 3)" in labels
    train_line = loss_ax.get_lines()[0]
    np.testing.assert_allclose(train_line.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_allclose(train_line.get_ydata(), HISTORY["loss"])
    check_png(path)


def test_learning_curves_loss_only_and_comparison(tmp_path):
    fig = viz.plot_learning_curves({"loss": [0.5, 0.4]})
    assert [ax.get_title() for ax in fig.axes] == ["loss"]
    runs = {"sgd": HISTORY, "adam": {"loss": [0.8, 0.3], "val_loss": [0.9, 0.5]}}
    fig = viz.plot_learning_curves(runs, path=tmp_path / "cmp.png")
    # One figure legend: a colour per run, then the line styles.
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["sgd", "adam", "training", "validation", "lowest validation loss"]
    sgd_train, sgd_val = fig.axes[0].get_lines()[:2]
    assert sgd_train.get_color() == sgd_val.get_color()
    assert sgd_train.get_linestyle() == "-" and sgd_val.get_linestyle() == "--"
    # adam has no accuracy: nothing of it on the accuracy panel.
    assert [line.get_label() for line in fig.axes[1].get_lines()] == ["sgd", "_sgd"]
    check_png(tmp_path / "cmp.png")


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ({}, r"history is empty"),
        ({"loss": []}, r"history is empty.*0 epochs"),
        ({"loss": [1.0, 0.5], "val_loss": [1.0]}, r"2 epochs of 'loss' but 1 of 'val_loss'"),
        ({"lr": [0.1]}, r"expected a history dict"),
        ([0.5, 0.4], r"expected a history dict.*got list"),
    ],
)
def test_learning_curves_bad_history(history, match):
    with pytest.raises(ValueError, match=match):
        viz.plot_learning_curves(history)


def test_confusion_matrix_annotations(tmp_path):
    y_true = jnp.array([0, 1, 1, 2, 2, 2])
    y_pred = jnp.array([0, 1, 2, 2, 0, 2])
    cm = metrics.confusion_matrix(y_true, y_pred, 3)
    fig = viz.plot_confusion_matrix(cm, class_names=["a", "b", "c"], path=tmp_path / "cm.png")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    # Row-major counts, as jaxnn.metrics lays them out (rows: true, columns: predicted).
    assert texts == [str(int(v)) for v in np.asarray(cm).ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "accuracy 66.67%"
    check_png(tmp_path / "cm.png")
    fig = viz.plot_confusion_matrix(cm, normalize=True)
    assert fig.axes[0].texts[3].get_text() == "0\n0%"  # row "b", column "a"
    assert fig.axes[0].texts[4].get_text() == "1\n50%"


def test_confusion_matrix_into_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert viz.plot_confusion_matrix(np.eye(2), ax=axes[1]) is fig
    assert len(axes[1].texts) == 4 and not axes[0].texts


@pytest.mark.parametrize(
    ("cm", "kwargs", "match"),
    [
        (np.ones((2, 3)), {}, r"square matrix \(K, K\).*shape \(2, 3\)"),
        (np.array([[1, -1], [0, 2]]), {}, r"negative"),
        (np.eye(3), {"class_names": ["a", "b"]}, r"2 names but there are 3 classes"),
    ],
)
def test_confusion_matrix_errors(cm, kwargs, match):
    with pytest.raises(ValueError, match=match):
        viz.plot_confusion_matrix(cm, **kwargs)


def test_decision_boundary_separates_blobs_and_saves(tmp_path):
    X = jnp.array([[-2.0, -2.0], [-1.5, -2.5], [2.0, 2.0], [2.5, 1.5]])
    y = jnp.array([0, 0, 1, 1])
    params = {"w": jnp.array([1.0, 1.0]), "b": jnp.array(0.0)}
    fig = viz.plot_decision_boundary(
        models.perceptron(2).apply,
        params,
        X,
        y,
        class_names=["neg", "pos"],
        path=tmp_path / "b.png",
    )
    ax = fig.axes[0]
    assert ax.get_title() == "accuracy 100.00%"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["neg", "pos"]
    pixels = check_png(tmp_path / "b.png", min_colours=4)
    assert pixels.shape[2] in (3, 4)


def test_decision_boundary_thresholds_and_multiclass():
    X = jnp.array([[-1.0, 0.0], [1.0, 0.0]])
    y = jnp.array([0, 1])

    def logits(params, x):  # one logit per point: class 1 where x1 > 0
        return x[:, 0] * params

    assert viz.plot_decision_boundary(logits, 3.0, X, y).axes[0].get_title() == "accuracy 100.00%"
    # The same scores read as probabilities with an explicit threshold of 0.5 are wrong.
    fig = viz.plot_decision_boundary(logits, 3.0, X, y, threshold=5.0)
    assert fig.axes[0].get_title() == "accuracy 50.00%"

    def scores(params, x, train=False):  # K = 3 scores: argmax; `train` gets False
        assert train is False
        return jnp.stack([-x[:, 0], x[:, 0], jnp.zeros(len(x))], axis=1)

    X3, y3 = jnp.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), jnp.array([0, 1, 2])
    fig = viz.plot_decision_boundary(scores, None, X3, y3, resolution=20)
    assert fig.axes[0].get_title() == "accuracy 66.67%"  # (0, 1) scores a tie 0/0/0 → class 0


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((4, 3)), np.zeros(4, int), r"\(N, 2\).*Project"),
        (np.zeros((4, 2)), np.zeros((4, 2), int), r"y \(4, 2\).*argmax"),
        (np.zeros((0, 2)), np.zeros(0, int), r"X is empty"),
    ],
)
def test_decision_boundary_bad_points(X, y, match):
    with pytest.raises(ValueError, match=match):
        viz.plot_decision_boundary(lambda p, x: x[:, 0], None, X, y)


def test_decision_boundary_bad_outputs():
    X, y = np.zeros((3, 2)), np.zeros(3, int)
    with pytest.raises(ValueError, match=r"returned shape \(7,\).*one score per point"):
        viz.plot_decision_boundary(lambda p, x: jnp.zeros(7), None, X, y, resolution=5)


def test_sigmoid_and_activation(tmp_path):
    fig = viz.plot_sigmoid(path=tmp_path / "s.png")
    ax = fig.axes[0]
    sig, dsig = ax.get_lines()[:2]
    z = sig.get_xdata()
    np.testing.assert_allclose(sig.get_ydata(), 1 / (1 + np.exp(-z)), atol=1e-6)
    np.testing.assert_allclose(dsig.get_ydata().max(), 0.25, atol=1e-4)  # σ'(0) = 1/4
    check_png(tmp_path / "s.png")
    # The derivative defaults to automatic differentiation.
    fig = viz.plot_activation(jnp.tanh, z_min=-2, z_max=2, path=tmp_path / "t.png")
    g, dg = fig.axes[0].get_lines()[:2]
    np.testing.assert_allclose(dg.get_ydata(), 1 - np.tanh(g.get_xdata()) ** 2, atol=1e-5)
    check_png(tmp_path / "t.png")
    with pytest.raises(ValueError, match=r"z_min < z_max"):
        viz.plot_activation(jnp.tanh, z_min=1.0, z_max=1.0)


def test_filters_hwio(tmp_path):
    w = jax.random.normal(jax.random.key(0), (3, 3, 1, 6))
    fig = viz.plot_filters(w, path=tmp_path / "f.png")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6
    np.testing.assert_allclose(images[4].get_array(), np.asarray(w[:, :, 0, 4]))
    lo, hi = images[0].get_clim()
    assert hi == -lo > 0  # one symmetric scale around 0 for every filter
    check_png(tmp_path / "f.png")
    # C_in = 8: the mean over inputs, or one input channel; at most max_filters panels.
    w8 = np.arange(2 * 2 * 8 * 20, dtype=np.float32).reshape(2, 2, 8, 20)
    fig = viz.plot_filters(w8, max_filters=5, in_channel=3)
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 5
    np.testing.assert_allclose(shown[2], w8[:, :, 3, 2])
    # A single 2-D kernel (a Sobel filter) is accepted.
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    assert len([ax for ax in viz.plot_filters(sobel).axes if ax.images]) == 1
    # RGB kernels are shown in colour.
    fig = viz.plot_filters(np.random.default_rng(0).normal(size=(5, 5, 3, 4)))
    assert fig.axes[0].images[0].get_array().shape == (5, 5, 3)


def test_filters_errors():
    with pytest.raises(ValueError, match=r"HWIO.*got shape \(3, 3, 6\)"):
        viz.plot_filters(np.zeros((3, 3, 6)))
    with pytest.raises(ValueError, match=r"in_channel=4 .*C_in=2"):
        viz.plot_filters(np.zeros((3, 3, 2, 4)), in_channel=4)


def test_feature_maps_nhwc(tmp_path):
    a = jax.random.uniform(jax.random.key(1), (2, 14, 14, 5))
    img = np.random.default_rng(0).random((28, 28, 1))
    fig = viz.plot_feature_maps(a, index=1, image=img, path=tmp_path / "m.png")
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown][:2] == ["input", "channel 0"]
    assert len(shown) == 6
    np.testing.assert_allclose(shown[3].images[0].get_array(), np.asarray(a[1, :, :, 2]))
    check_png(tmp_path / "m.png")
    assert len([ax for ax in viz.plot_feature_maps(a[0], max_maps=3).axes if ax.images]) == 3
    with pytest.raises(ValueError, match=r"NHWC.*\(2, 980\).*before flatten"):
        viz.plot_feature_maps(np.zeros((2, 980)))
    with pytest.raises(ValueError, match=r"index=2 is out of range for a batch of 2"):
        viz.plot_feature_maps(a, index=2)


def test_images_grid_labels_and_predictions(tmp_path):
    X, y = data.load_digits()
    pred = y[:10].copy()
    pred[3] = (pred[3] + 1) % 10
    fig = viz.plot_images(X[:10], y[:10], predictions=pred, ncols=5, path=tmp_path / "i.png")
    titled = [ax for ax in fig.axes if ax.images]
    assert len(titled) == 10
    assert titled[0].get_title() == f"{y[0]} → {y[0]}"
    assert titled[3].title.get_color() == "red" and titled[0].title.get_color() == "green"
    check_png(tmp_path / "i.png")
    names = [f"c{i}" for i in range(10)]
    fig = viz.plot_images(X[:4].reshape(4, 64), y[:4], class_names=names, max_images=2)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 2 and shown[1].get_title() == names[y[1]]
    assert shown[0].images[0].get_array().shape == (8, 8)  # flat 64 → 8×8


def test_images_errors():
    with pytest.raises(ValueError, match=r"square H·W.*\(3, 10\)"):
        viz.plot_images(np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"labels has shape \(2,\); expected.*\(3,\)"):
        viz.plot_images(np.zeros((3, 4, 4)), np.zeros(2, int))
    with pytest.raises(ValueError, match=r"NHWC"):
        viz.plot_images(np.zeros((3, 1, 4, 4)))


def test_no_pyplot_state():
    """The module never imports pyplot (no global figures, no backend switch)."""
    viz.plot_learning_curves({"loss": [1.0]})
    assert (
        "matplotlib.pyplot" not in sys.modules
        or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    )


def test_docstring_examples():
    result = doctest.testmod(viz, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
