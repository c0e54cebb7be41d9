"""Seed 001: Nielsen's network ``Reseau([784, 30, 10])`` trained by ``DGS``, in jaxnn.

The course's network: sigmoid neurons everywhere, the quadratic cost
``C = 1/(2n) Σ ‖y(x) − a(x)‖²`` on one-hot targets, and stochastic gradient descent
(*descente de gradient stochastique*, ``DGS``) with mini-batches of 10 and a step
``η = 3.0``; weights and biases start uniform in ``[−1, 1]`` as in the seed's
``Reseau.__init__``. After every epoch it prints the seed's line::

    Epoch j: k / n          (--lang fr: Époque j: k / n)

with ``k`` the test images classified correctly (the seed's ``evaluer``). Here
``jaxnn.train.fit`` runs each epoch as one jit-compiled ``lax.scan`` over the 6,000
mini-batches, instead of the seed's Python loop over examples.

    python examples/seed001_network.py                 # Fashion-MNIST, 30 epochs
    python examples/seed001_network.py --data digits   # scikit-learn's 8x8 digits: [64, 30, 10]
    python examples/seed001_network.py --quick --out /tmp/out   # a fast smoke run

Figures (in ``--out``, default ``examples/out/seed001``): the sigmoid and its derivative
(the seed's exercise), the learning curves, the confusion matrix and sample predictions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jax
import numpy as np
import optax

from jaxnn import activations, data, initializers, losses, metrics, models, train, viz

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


def load(name: str, key: jax.Array, quick: bool) -> tuple[np.ndarray, ...]:
    """Flat images ``(N, D)`` in [0, 1] and labels: ``X_train, y_train, X_test, y_test``."""
    if name == "fashion":
        (X_train, y_train), (X_test, y_test) = data.load_fashion_mnist(flatten=True)
    else:
        X, y = data.load_digits(flatten=True)
        X_train, y_train, X_test, y_test = data.train_test_split(key, X, y, test_frac=0.2)
    if quick:
        X_train, y_train, X_test, y_test = (
            X_train[:5000],
            y_train[:5000],
            X_test[:1000],
            y_test[:1000],
        )
    return X_train, y_train, X_test, y_test


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=("fashion", "digits"), default="fashion")
    parser.add_argument("--epochs", type=int, default=30, help="nb_epoques (default 30)")
    parser.add_argument("--batch-size", type=int, default=10, help="taille_mini_batch")
    parser.add_argument("--eta", type=float, default=3.0, help="the step η")
    parser.add_argument("--hidden", type=int, default=30, help="hidden sigmoid neurons")
    parser.add_argument("--lang", choices=("en", "fr"), default="en")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("examples/out"))
    parser.add_argument("--quick", action="store_true", help="5,000 images, 2 epochs")
    args = parser.parse_args(argv)
    epochs = 2 if args.quick else args.epochs
    out = args.out / "seed001"

    # One key per purpose, never reused.
    k_split, k_init, k_fit = jax.random.split(jax.random.key(args.seed), 3)
    X_train, y_train, X_test, y_test = load(args.data, k_split, args.quick)
    sizes = [X_train.shape[1], args.hidden, 10]
    print(
        f"{args.data}: {len(y_train)} training and {len(y_test)} test images; "
        f"Reseau({sizes}), sigmoid, quadratic cost, DGS(eta={args.eta}, "
        f"mini-batch={args.batch_size}, epochs={epochs})"
    )

    # The seed's network: sigmoid after every layer, U(-1, 1) weights and biases.
    seed_init = initializers.uniform((-1.0, 1.0))
    net = models.mlp(
        sizes,
        activation=activations.sigmoid,
        final_activation=activations.sigmoid,
        w_init=seed_init,
        b_init=seed_init,
    )
    _, params = net.init(k_init)

    # The quadratic cost on one-hot targets; its gradient averaged over a mini-batch is
    # the seed's (1/m) Σ ∇C_x, so plain SGD with η is the seed's update_mini_batch.
    targets = data.one_hot(y_train, 10)
    n_test = len(y_test)
    word = "Époque" if args.lang == "fr" else "Epoch"

    def report(epoch: int, logs: dict[str, float]) -> None:
        correct = round(logs["val_accuracy"] * n_test)  # the seed's evaluer(test_data)
        print(f"{word} {epoch}: {correct} / {n_test}", flush=True)

    start = time.perf_counter()
    params, history = train.fit(
        net.apply,
        params,
        (X_train, targets),
        loss=losses.quadratic_cost,
        optimizer=optax.sgd(args.eta),
        epochs=epochs,
        batch_size=args.batch_size,
        key=k_fit,
        validation_data=(X_test, data.one_hot(y_test, 10)),
        progress=False,
        callback=report,
    )
    seconds = time.perf_counter() - start

    outputs = train.predict(net.apply, params, X_test)
    predicted = np.asarray(outputs.argmax(-1))
    accuracy = float(metrics.accuracy(outputs, y_test))
    print(
        f"test accuracy after {epochs} epochs: {accuracy:.2%} "
        f"({int(metrics.count_correct(outputs, y_test))} / {n_test}); training took {seconds:.1f} s"
    )

    names = FASHION_CLASSES if args.data == "fashion" else [str(i) for i in range(10)]
    side = int(np.sqrt(X_test.shape[1]))
    figures = {
        "sigmoid.png": viz.plot_sigmoid(path=out / "sigmoid.png"),
        "learning_curves.png": viz.plot_learning_curves(
            history, title=f"Reseau({sizes}) on {args.data}", path=out / "learning_curves.png"
        ),
        "confusion_matrix.png": viz.plot_confusion_matrix(
            metrics.confusion_matrix(y_test, predicted, 10),
            class_names=names,
            path=out / "confusion_matrix.png",
        ),
        "predictions.png": viz.plot_images(
            X_test[:24].reshape(-1, side, side),
            y_test[:24],
            predictions=predicted[:24],
            class_names=names,
            title="test images: label → prediction",
            path=out / "predictions.png",
        ),
    }
    print(f"figures: {', '.join(str(out / name) for name in figures)}")
    return {"accuracy": accuracy, "history": history, "seconds": seconds}


if __name__ == "__main__":
    main()
