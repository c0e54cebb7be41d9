"""Seed 004's Keras workflow, step by step, with jaxnn on Fashion-MNIST.

The seed's R/Keras code, and its jaxnn counterpart here::

    x_train <- x_train / 255; dim(x_train) <- c(nrow(x_train), 784)
                                          → load_fashion_mnist(flatten=True)  (already in [0, 1])
    y_train <- to_categorical(y_train, 10) → data.one_hot(y_train, 10)
    keras_model_sequential() %>% layer_dense(units, activation = "relu") %>%
        layer_dropout(rate) %>% ... %>% layer_dense(10, activation = "softmax")
                                          → layers.serial(dense, relu, dropout, ..., dense(10), softmax)
    summary(model)                        → the parameter table printed below
    compile(loss = "categorical_crossentropy", optimizer = adam(), metrics = "accuracy")
    fit(x_train, y_train, epochs = 30, batch_size = 128, validation_split = 0.2)
                                          → train.fit(..., validation_split=0.2)
    plot(history)                         → viz.plot_learning_curves(history)
    evaluate(x_test, y_test)              → train.evaluate(...)

The seed's own units (4, 3, 2 with dropout 0.1, 0.2, 0.3) are a deliberately tiny network
that under-fits (*sous-apprentissage*): run ``--units 4,3,2 --dropout 0.1,0.2,0.3`` to see
it; the default is a network that learns (256, 128 with dropout 0.2).

    python examples/seed004_keras_workflow.py                # 30 epochs, as in the seed
    python examples/seed004_keras_workflow.py --quick --out /tmp/out

Figures (``--out``, default ``examples/out/seed004_keras``): the history plot, the test
confusion matrix and sample predictions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jax
import numpy as np
import optax

from jaxnn import data, layers, losses, metrics, models, train, viz

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def ints(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t]


def floats(text: str) -> list[float]:
    return [float(t) for t in text.split(",") if t]


def sequential(units: list[int], rates: list[float], num_classes: int) -> layers.Layer:
    """dense(u) → relu → dropout(r) for each (u, r), then dense(num_classes) → softmax."""
    if len(rates) == 1:
        rates = rates * len(units)
    if len(rates) != len(units):
        raise SystemExit(f"--dropout needs 1 or {len(units)} rates, got {len(rates)}")
    parts = []
    for u, r in zip(units, rates, strict=True):
        parts += [layers.dense(u), layers.relu, layers.dropout(r)]
    return layers.serial(*parts, layers.dense(num_classes), layers.softmax)


def summary(model: layers.Layer, input_shape: tuple) -> int:
    """Keras' ``summary(model)``: the parameters of every layer and the total."""
    _, params = layers.init_shapes(model, input_shape)
    total = models.count_params(params)
    print(f"{'layer':<12} {'params':>10}")
    for name, p in params.items():
        print(f"{name:<12} {models.count_params(p):>10,}")
    print(f"{'total':<12} {total:>10,}")
    return total


def categorical_crossentropy(probs, targets):
    """Keras' "categorical_crossentropy": probabilities (B, K) vs one-hot targets (B, K)."""
    return losses.categorical_cross_entropy(probs, targets)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=ints, default=[256, 128], help="e.g. 256,128")
    parser.add_argument("--dropout", type=floats, default=[0.2], help="one rate or one per layer")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("examples/out"))
    parser.add_argument("--quick", action="store_true", help="6,000 images, 3 epochs")
    args = parser.parse_args(argv)
    epochs = 3 if args.quick else args.epochs
    out = args.out / "seed004_keras"
    k_init, k_fit = jax.random.split(jax.random.key(args.seed))

    (X_train, y_train), (X_test, y_test) = data.load_fashion_mnist(flatten=True)
    if args.quick:
        X_train, y_train, X_test, y_test = (
            X_train[:6000],
            y_train[:6000],
            X_test[:2000],
            y_test[:2000],
        )
    print(f"Fashion-MNIST: {X_train.shape} training, {X_test.shape} test, pixels in [0, 1]")
    Y_train = data.one_hot(y_train, 10)  # to_categorical
    Y_test = data.one_hot(y_test, 10)

    model = sequential(args.units, args.dropout, 10)
    summary(model, (None, 784))
    _, params = model.init(k_init, (None, 784))

    start = time.perf_counter()
    params, history = train.fit(
        model.apply,
        params,
        (X_train, Y_train),
        loss=categorical_crossentropy,
        optimizer=optax.adam(args.lr),
        epochs=epochs,
        batch_size=args.batch_size,
        key=k_fit,  # split into a fresh dropout key for every step
        validation_split=0.2,  # the last 20 % of the training set, as Keras
        progress=True,  # a bar on a terminal, one line per epoch otherwise
    )
    seconds = time.perf_counter() - start
    best = int(np.argmin(history["val_loss"]))
    print(
        f"fit: {epochs} epochs in {seconds:.1f} s; lowest validation loss at epoch {best + 1} "
        f"(val_accuracy {history['val_accuracy'][best]:.2%})"
    )

    test = train.evaluate(model.apply, params, X_test, Y_test, loss=categorical_crossentropy)
    print(f"evaluate: test loss {test['loss']:.4f}, test accuracy {test['accuracy']:.2%}")

    probs = train.predict(model.apply, params, X_test)
    predicted = np.asarray(probs.argmax(-1))
    cm = metrics.confusion_matrix(y_test, predicted, 10)
    worst = np.unravel_index(np.argmax(np.asarray(cm) - np.diag(np.diag(cm))), cm.shape)
    print(
        f"most frequent confusion: {FASHION_CLASSES[worst[0]]} taken for "
        f"{FASHION_CLASSES[worst[1]]} ({int(cm[worst])} times)"
    )
    figures = [
        viz.plot_learning_curves(history, title="plot(history)", path=out / "history.png"),
        viz.plot_confusion_matrix(
            cm, class_names=FASHION_CLASSES, path=out / "confusion_matrix.png"
        ),
        viz.plot_images(
            X_test[:24],
            y_test[:24],
            predictions=predicted[:24],
            class_names=FASHION_CLASSES,
            title="test images: label → prediction",
            path=out / "predictions.png",
        ),
    ]
    del figures
    print(f"figures: {out}/history.png, confusion_matrix.png, predictions.png")
    return {"test": test, "history": history, "seconds": seconds}


if __name__ == "__main__":
    main()
