"""Seed 004: what a perceptron can and cannot learn, then the "flower" data set.

1. **Gaussian blobs** (the seed's first data set: two clouds of 100 points, the second
   shifted by +5 on both axes): Rosenblatt's perceptron (``jaxnn.models.perceptron_fit``)
   separates them; its errors per epoch fall to 0.
2. **XOR** (points uniform in ``[−1, 1]²``, class 1 in the 1st and 3rd quadrants): the
   same perceptron fails. Its decision rule ``w·x + b > 0`` is a half-plane, and every
   half-plane holds points of both classes, so the rule never stops making mistakes and
   the accuracy stays far from 100 %.
3. A **multi-layer perceptron** (one hidden layer) succeeds on XOR: the hidden units
   draw several lines and the output combines them.
4. The **flower** (``jaxnn.data.make_flower``, a port of the seed's R code): 8 petals,
   mostly-1 and mostly-0 in turn. As the seed asks: 20 % held out for testing, several
   MLPs of different width and depth, their decision boundaries and confusion matrices.
   The labels are noisy by construction (43 of 50 points on odd petals are 1, 7 of 50
   on even ones), so about 86 % is the best any classifier can do on average.

    python examples/seed004_perceptron_xor_flower.py
    python examples/seed004_perceptron_xor_flower.py --quick --out /tmp/out

Figures (``--out``, default ``examples/out/seed004_perceptron``): the decision boundaries
(blobs, XOR: perceptron vs MLP, the flower for each network) and confusion matrices.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from matplotlib.figure import Figure

from jaxnn import activations, data, metrics, models, train, viz


def perceptron_errors(X: jax.Array, y: jax.Array, epochs: int) -> tuple[dict, list[int]]:
    """Rosenblatt's rule one epoch at a time: final params and the mistakes of each epoch."""
    net = models.perceptron(X.shape[1])
    params, errors = None, []
    for _ in range(epochs):
        params = models.perceptron_fit(X, y, epochs=1, params=params)
        errors.append(int(jnp.sum(net.apply(params, X) != y)))
    return params, errors


def train_mlp(
    key: jax.Array,
    sizes: list[int],
    X: jax.Array,
    y: jax.Array,
    *,
    epochs: int,
    lr: float = 1e-2,
    batch_size: int = 32,
) -> tuple[models.Layer, dict]:
    """An MLP with tanh hidden units, softmax cross-entropy, Adam: (net, params)."""
    k_init, k_fit = jax.random.split(key)
    net = models.mlp(sizes, activation=activations.tanh)
    _, params = net.init(k_init)
    params, _ = train.fit(
        net.apply,
        params,
        (X, y),
        loss="softmax_cross_entropy",
        optimizer=optax.adam(lr),
        epochs=epochs,
        batch_size=batch_size,
        key=k_fit,
        progress=False,
    )
    return net, params


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=400, help="MLP epochs (XOR, flower)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("examples/out"))
    parser.add_argument("--quick", action="store_true", help="fewer epochs and networks")
    args = parser.parse_args(argv)
    epochs = 60 if args.quick else args.epochs
    out = args.out / "seed004_perceptron"
    keys = iter(jax.random.split(jax.random.key(args.seed), 16))  # each used once
    results: dict = {}
    start = time.perf_counter()

    # 1. Gaussian blobs: linearly separable.
    X_blobs, y_blobs = data.make_blobs(
        next(keys), 200, centers=jnp.array([[0.0, 0.0], [5.0, 5.0]]), std=1.0
    )
    p_blobs, err_blobs = perceptron_errors(X_blobs, y_blobs, epochs=20)
    acc = float(metrics.accuracy(models.perceptron(2).apply(p_blobs, X_blobs), y_blobs))
    results["perceptron_blobs"] = acc
    print(f"perceptron on the blobs: accuracy {acc:.2%}; mistakes per epoch {err_blobs[:8]}...")

    # 2. XOR: not linearly separable.
    X_xor, y_xor = data.make_xor(next(keys), 400)
    p_xor, err_xor = perceptron_errors(X_xor, y_xor, epochs=20)
    acc = float(metrics.accuracy(models.perceptron(2).apply(p_xor, X_xor), y_xor))
    results["perceptron_xor"] = acc
    print(
        f"perceptron on XOR: accuracy {acc:.2%}; mistakes per epoch {err_xor[:8]}... never 0: "
        "no line separates XOR (every half-plane holds points of both classes), so "
        "Rosenblatt's rule keeps moving the line"
    )
    cm = metrics.confusion_matrix(y_xor, models.perceptron(2).apply(p_xor, X_xor).astype(int), 2)
    print(f"  its confusion matrix (rows: true 0, 1): {np.asarray(cm).tolist()}")

    # 3. An MLP with one hidden layer solves XOR.
    xor_net, xor_params = train_mlp(next(keys), [2, 8, 2], X_xor, y_xor, epochs=epochs)
    acc = float(metrics.accuracy(xor_net.apply(xor_params, X_xor), y_xor))
    results["mlp_xor"] = acc
    print(f"MLP [2, 8, 2] (tanh) on XOR: accuracy {acc:.2%}")

    fig = Figure(figsize=(15, 4.5), layout="constrained")
    axes = fig.subplots(1, 3)
    viz.plot_decision_boundary(
        models.perceptron(2).apply,
        p_blobs,
        X_blobs,
        y_blobs,
        ax=axes[0],
        title=f"perceptron, blobs: {results['perceptron_blobs']:.0%}",
    )
    viz.plot_decision_boundary(
        models.perceptron(2).apply,
        p_xor,
        X_xor,
        y_xor,
        ax=axes[1],
        title=f"perceptron, XOR: {results['perceptron_xor']:.0%} (no line works)",
    )
    viz.plot_decision_boundary(
        xor_net.apply,
        xor_params,
        X_xor,
        y_xor,
        ax=axes[2],
        title=f"MLP [2, 8, 2], XOR: {results['mlp_xor']:.0%}",
    )
    viz.save_figure(fig, out / "perceptron_vs_mlp.png")

    # 4. The flower: 80 % training, 20 % test; width and depth.
    X, y = data.make_flower(next(keys))
    X_train, y_train, X_test, y_test = data.train_test_split(next(keys), X, y, test_frac=0.2)
    architectures = [[2, 4, 2], [2, 32, 2], [2, 32, 32, 2]]
    if not args.quick:
        architectures += [[2, 2, 2], [2, 64, 64, 64, 2]]
    fig = Figure(figsize=(5 * len(architectures), 4.5), layout="constrained")
    axes = fig.subplots(1, len(architectures))
    print(f"flower: {len(y_train)} training and {len(y_test)} test points (best possible ~86 %)")
    best = None
    for ax, sizes in zip(axes, architectures, strict=True):
        net, params = train_mlp(next(keys), sizes, X_train, y_train, epochs=epochs)
        train_acc = float(metrics.accuracy(net.apply(params, X_train), y_train))
        test_acc = float(metrics.accuracy(net.apply(params, X_test), y_test))
        results[f"flower {sizes}"] = test_acc
        print(f"  MLP {sizes}: training accuracy {train_acc:.2%}, test accuracy {test_acc:.2%}")
        viz.plot_decision_boundary(
            net.apply,
            params,
            X_train,
            y_train,
            ax=ax,
            title=f"{sizes}: train {train_acc:.0%}, test {test_acc:.0%}",
        )
        if best is None or test_acc > best[0]:
            best = (test_acc, sizes, net, params)
    viz.save_figure(fig, out / "flower_boundaries.png")
    test_acc, sizes, net, params = best
    cm = metrics.confusion_matrix(y_test, net.apply(params, X_test), 2)
    viz.plot_confusion_matrix(
        cm, title=f"flower, MLP {sizes}, test set", path=out / "flower_confusion_matrix.png"
    )
    print(f"best on the flower's test set: MLP {sizes} ({test_acc:.2%})")
    print(f"done in {time.perf_counter() - start:.1f} s; figures in {out}/")
    return results


if __name__ == "__main__":
    main()
