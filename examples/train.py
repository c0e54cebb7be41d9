"""Train an MLP on scikit-learn's 8x8 digits with ``jaxnn.train.fit`` (offline, ~10 s on CPU).

    python examples/train.py [--epochs 30] [--batch-size 32] [--lr 1e-3] [--seed 0]

Prints one line per epoch (a live progress bar on a terminal) and the final test accuracy.
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import optax

import jaxnn.data
from jaxnn.train import EarlyStopping, evaluate, fit


def init_mlp(key: jax.Array, sizes: list[int]) -> list[dict]:
    """He-initialised dense layers: a list of ``{"w": (n_in, n_out), "b": (n_out,)}``."""
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        {
            "w": jax.random.normal(k, (n_in, n_out)) * (2.0 / n_in) ** 0.5,
            "b": jnp.zeros(n_out),
        }
        for k, n_in, n_out in zip(keys, sizes[:-1], sizes[1:], strict=True)
    ]


def mlp_apply(params: list[dict], x: jax.Array) -> jax.Array:
    """ReLU hidden layers, logits out: ``x`` ``(N, 64)`` -> ``(N, 10)``."""
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Train an MLP on the 8x8 digits.")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    # One key per purpose, never reused.
    k_split, k_init, k_fit = jax.random.split(jax.random.key(args.seed), 3)
    X, y = jaxnn.data.load_digits(flatten=True)  # (1797, 64) float32 in [0, 1], int32 labels
    X_train, y_train, X_test, y_test = jaxnn.data.train_test_split(k_split, X, y, test_frac=0.2)
    print(f"digits: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels")

    params = init_mlp(k_init, [64, 128, 10])
    params, history = fit(
        mlp_apply,
        params,
        (X_train, y_train),
        loss="softmax_cross_entropy",
        optimizer=optax.adam(args.lr),
        epochs=args.epochs,
        batch_size=args.batch_size,
        key=k_fit,
        validation_split=0.1,  # the last 10 % of the training set, as in Keras
        early_stopping=EarlyStopping(patience=5),
        progress=True,
    )
    test = evaluate(mlp_apply, params, X_test, y_test)
    print(
        f"after {len(history['loss'])} epochs: test loss {test['loss']:.4f}, "
        f"test accuracy {test['accuracy']:.2%}"
    )


if __name__ == "__main__":
    main()
