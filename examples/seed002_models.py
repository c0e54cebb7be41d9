"""Seed 002's four models, compared on the same binary task.

Seed 002 trains, one after the other, on the same images (cats vs non-cats there; here
Fashion-MNIST's **T-shirt/top vs Shirt**, a binary task that is not easy):

1. **a single neuron** (logistic regression) with the cross-entropy cost, full-batch
   gradient descent;
2. **one hidden layer** with **L2 regularisation** (``λ/(2m) Σ w²``), full-batch gradient
   descent, and **gradient checking**: ``jaxnn.gradcheck`` compares the gradients of the
   regularised cost with central differences (*vérification du gradient*) and prints the
   relative error;
3. **mini-batch** gradient descent with **momentum** (seed 002's moving average,
   ``jaxnn.optim.momentum``) and **dropout**;
4. the same network with **Adam**.

Every model trains with ``jaxnn.train.fit`` on the same training set, with the same
validation split (the last 20 %), and is scored on the same test set. (An epoch of the
full-batch models 1-2 is one step; an epoch of models 3-4 is 150 steps of 64 images.)

L2 here: the gradient of ``J = cost + λ/(2m) Σ w²`` is ``∇cost + (λ/m) w``, so model 2
adds ``(λ/m) w`` to the gradient of the weights (``optax.add_decayed_weights`` masked to
the weights by ``jaxnn.losses.weight_mask``) before the step ``−η``: the same update as
putting ``jaxnn.losses.l2_penalty`` in the cost. The gradient check checks that cost.

    python examples/seed002_models.py
    python examples/seed002_models.py --quick --out /tmp/out

Figures (``--out``, default ``examples/out/seed002``): the learning curves of the four
models and the test confusion matrix of the best one.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxnn import data, gradcheck, layers, losses, metrics, models, optim, train, viz

CLASSES = {0: "T-shirt/top", 6: "Shirt"}  # Fashion-MNIST ids → the binary task's 0 / 1
BCE = "sigmoid_binary_cross_entropy"  # fit's name for the cross-entropy on logits


def binary_task(quick: bool) -> tuple[np.ndarray, ...]:
    """Flat images of T-shirts (label 0) and shirts (label 1): train and test sets."""
    (X_train, y_train), (X_test, y_test) = data.load_fashion_mnist(flatten=True)
    sets = []
    for X, y in ((X_train, y_train), (X_test, y_test)):
        keep = np.isin(y, list(CLASSES))
        sets += [X[keep], (y[keep] == 6).astype(np.int32)]
    if quick:
        sets = [sets[0][:2000], sets[1][:2000], sets[2][:1000], sets[3][:1000]]
    return tuple(sets)


def l2_gradient(lam: float, m: int) -> optax.GradientTransformation:
    """Adds ``(λ/m) w`` to the gradients of the weights: the gradient of ``λ/(2m) Σ w²``."""
    return optax.add_decayed_weights(lam / m, mask=losses.weight_mask)


def hidden_net(hidden: int, rate: float = 0.0) -> layers.Layer:
    """784 → hidden (ReLU) [→ dropout] → 1 logit."""
    parts = [layers.dense(hidden), layers.relu]
    if rate:
        parts.append(layers.dropout(rate))
    return layers.serial(*parts, layers.dense(1))


def check_gradient(key: jax.Array, X: np.ndarray, y: np.ndarray, lam: float, m: int) -> float:
    """Gradient check of the regularised cost ``J`` on a small copy of model 2.

    Central differences cost two evaluations of ``J`` per parameter, so the check runs on
    the same architecture with 8 hidden units and 64 examples (6,289 parameters).
    """
    net = hidden_net(8)
    _, params = net.init(key, (None, X.shape[1]))
    xb, yb = jnp.asarray(X[:64]), jnp.asarray(y[:64])
    cost = train.get_loss(BCE)

    def J(p):
        return cost(net.apply(p, xb), yb) + losses.l2_penalty(p, lam, m)

    result = gradcheck.check_gradients(J, params)
    flat = [np.ravel(leaf) for leaf in jax.tree.leaves(result.numerical)]
    num = np.concatenate(flat)
    ana = np.concatenate([np.ravel(leaf) for leaf in jax.tree.leaves(result.analytic)])
    # The seed's measure: ‖g − g_num‖ / (‖g‖ + ‖g_num‖), below 1e-7 when backprop is right.
    difference = float(np.linalg.norm(ana - num) / (np.linalg.norm(ana) + np.linalg.norm(num)))
    print(
        f"  gradient check ({models.count_params(params):,} parameters, 64 examples): "
        f"relative error ‖g − g_num‖ / (‖g‖ + ‖g_num‖) = {difference:.2e} "
        f"({'OK' if difference < 1e-7 else 'WRONG'}: < 1e-7 expected); largest elementwise "
        f"{result.max_rel_error:.2e} at {result.worst_path}{list(result.worst_index)}"
    )
    return difference


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", type=int, default=128, help="hidden units (models 2-4)")
    parser.add_argument("--lam", type=float, default=1.0, help="L2's λ (model 2)")
    parser.add_argument("--rate", type=float, default=0.3, help="dropout rate (models 3-4)")
    parser.add_argument("--full-batch-epochs", type=int, default=300, help="models 1-2")
    parser.add_argument("--gd-lr", type=float, default=0.05, help="η of models 1-2 (full batch)")
    parser.add_argument("--epochs", type=int, default=20, help="mini-batch models 3-4")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("examples/out"))
    parser.add_argument("--quick", action="store_true", help="2,000 images, few epochs")
    args = parser.parse_args(argv)
    gd_epochs = 30 if args.quick else args.full_batch_epochs
    mb_epochs = 3 if args.quick else args.epochs
    out = args.out / "seed002"
    keys = iter(jax.random.split(jax.random.key(args.seed), 16))  # each used once

    X_train, y_train, X_test, y_test = binary_task(args.quick)
    m = int(len(y_train) * 0.8)  # examples left for training after the validation split
    print(
        f"T-shirt/top (0) vs Shirt (1): {len(y_train)} training images (last 20 % for "
        f"validation), {len(y_test)} test images"
    )
    full_batch = len(y_train)  # one step per epoch: batch gradient descent

    runs = {
        "1 single neuron": (
            models.logistic_regression(784, return_logits=True),
            optax.sgd(args.gd_lr),
            gd_epochs,
            full_batch,
        ),
        "2 hidden layer + L2": (
            hidden_net(args.hidden),
            optax.chain(l2_gradient(args.lam, m), optax.sgd(args.gd_lr)),
            gd_epochs,
            full_batch,
        ),
        "3 mini-batch + momentum + dropout": (
            hidden_net(args.hidden, args.rate),
            optim.momentum(0.1, beta=0.9),
            mb_epochs,
            args.batch_size,
        ),
        "4 Adam + dropout": (
            hidden_net(args.hidden, args.rate),
            optax.adam(1e-3),
            mb_epochs,
            args.batch_size,
        ),
    }
    histories, results = {}, {}
    best = None
    for name, (net, optimizer, epochs, batch_size) in runs.items():
        k_init, k_fit = jax.random.split(next(keys))
        _, params = net.init(k_init, (None, 784))
        if name.startswith("2"):
            check_gradient(next(keys), X_train, y_train, args.lam, m)
        start = time.perf_counter()
        params, history = train.fit(
            net.apply,
            params,
            (X_train, y_train),
            loss=BCE,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=batch_size,
            key=k_fit,
            validation_split=0.2,
            progress=False,
        )
        seconds = time.perf_counter() - start
        test = train.evaluate(net.apply, params, X_test, y_test, loss=BCE)
        histories[name] = history
        results[name] = test["accuracy"]
        print(
            f"{name}: {epochs} epochs in {seconds:.1f} s; training accuracy "
            f"{history['accuracy'][-1]:.2%}, validation {history['val_accuracy'][-1]:.2%}, "
            f"test {test['accuracy']:.2%}"
        )
        if best is None or test["accuracy"] > best[0]:
            best = (test["accuracy"], name, net, params)

    print("\ntest accuracy on the same data:")
    for name, acc in results.items():
        print(f"  {name:<36} {acc:.2%}")
    acc, name, net, params = best
    logits = train.predict(net.apply, params, X_test)
    predicted = (np.asarray(logits)[:, 0] > 0).astype(np.int32)  # a logit > 0: class 1
    cm = metrics.confusion_matrix(y_test, predicted, 2)
    viz.plot_learning_curves(
        histories, title="seed 002's models on T-shirt vs Shirt", path=out / "learning_curves.png"
    )
    viz.plot_confusion_matrix(
        cm,
        class_names=list(CLASSES.values()),
        title=f"{name}: test {acc:.2%}",
        path=out / "confusion_matrix.png",
    )
    print(f"figures: {out}/learning_curves.png, {out}/confusion_matrix.png")
    return results


if __name__ == "__main__":
    main()
