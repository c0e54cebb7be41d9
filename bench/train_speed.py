"""Benchmark: ``jaxnn.train.fit`` against a hand-written flax + optax ``lax.scan`` loop.

The same MLP (784-256-256-10, ReLU; 64-256-256-10 on digits), the same initial params,
Adam 1e-3, batch 128, trained for 5 epochs on Fashion-MNIST (the Debian package
``dataset-fashion-mnist``, or ``$JAXNN_DATA``), else on scikit-learn's digits, by

* ``fit``: ``jaxnn.train.fit(model.apply, variables, ...)``: masked last batch, per-example
  weighted loss, running loss and accuracy;
* ``hand``: what one writes by hand: one jitted ``lax.scan`` per epoch over a permutation
  (last partial batch dropped), gathering each batch on device, tracking loss and accuracy.

Both run the epochs back to back with one host sync per epoch. Rounds alternate the two
methods (the machine may be shared). Steady-state time per epoch: every epoch but the first
of each round, summarised by the median and by the minimum (the least disturbed epoch:
the better estimate on a busy machine); "compile" is the first epoch's excess over the
median (it includes moving the data to the device).
Test accuracy is from ``jaxnn.train.evaluate`` after the last epoch (median over rounds).

Run::

    python bench/train_speed.py                 # 3 rounds of 5 epochs each
    python bench/train_speed.py --rounds 5 --data digits
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from rich.console import Console
from rich.table import Table

import jaxnn.data
from jaxnn.train import evaluate, fit

BATCH = 128
LR = 1e-3


class MLP(nn.Module):
    """784-256-256-10 with ReLU."""

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(256)(x))
        x = nn.relu(nn.Dense(256)(x))
        return nn.Dense(10)(x)


def load(which: str):
    """(X_train, y_train, X_test, y_test, name), inputs flattened, float32 in [0, 1]."""
    if which in ("auto", "fashion"):
        try:
            (xtr, ytr), (xte, yte) = jaxnn.data.load_fashion_mnist(flatten=True)
            return xtr, ytr, xte, yte, "Fashion-MNIST"
        except FileNotFoundError:
            if which == "fashion":
                raise
    x, y = jaxnn.data.load_digits(flatten=True)
    xtr, ytr, xte, yte = jaxnn.data.train_test_split(jax.random.key(0), x, y, 0.2)
    return xtr, ytr, xte, yte, "digits (Fashion-MNIST not installed)"


def run_fit(model, variables, data, epochs, key):
    """Per-epoch wall times (host clock at each epoch's sync) and the final params."""
    stamps = []
    start = time.perf_counter()
    params, _ = fit(
        model.apply,
        variables,
        data,
        loss="softmax_cross_entropy",
        optimizer=optax.adam(LR),
        epochs=epochs,
        batch_size=BATCH,
        key=key,
        progress=False,
        callback=lambda epoch, logs: stamps.append(time.perf_counter()),
    )
    times = [b - a for a, b in zip([start, *stamps[:-1]], stamps, strict=True)]
    return times, params


def run_hand(model, variables, data, epochs, key):
    """The hand-written flax + optax loop, timed the same way."""
    tx = optax.adam(LR)
    n = len(data[1])
    num_batches = n // BATCH

    def loss_fn(p, xb, yb):
        logits = model.apply(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), logits

    @partial(jax.jit, donate_argnums=(0, 1))
    def epoch_fn(params, opt_state, key, x_all, y_all):
        perm = jax.random.permutation(key, n)[: num_batches * BATCH].reshape(num_batches, BATCH)

        def body(carry, idx):
            p, s = carry
            xb, yb = x_all[idx], y_all[idx]
            (loss, logits), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
            updates, s = tx.update(g, s, p)
            acc = jnp.mean(jnp.argmax(logits, -1) == yb)
            return (optax.apply_updates(p, updates), s), (loss, acc)

        (params, opt_state), (losses, accs) = jax.lax.scan(body, (params, opt_state), perm)
        return params, opt_state, losses.mean(), accs.mean()

    start = time.perf_counter()
    # Inside the timing, as in fit: the data's transfer to the device, the params' copy.
    x_all, y_all = jnp.asarray(data[0]), jnp.asarray(data[1])
    params = jax.tree.map(jnp.copy, variables)
    opt_state = tx.init(params)
    times = []
    for _ in range(epochs):
        key, sub = jax.random.split(key)
        params, opt_state, loss, acc = epoch_fn(params, opt_state, sub, x_all, y_all)
        float(loss), float(acc)  # one host sync per epoch, like fit
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", choices=["auto", "fashion", "digits"], default="auto")
    args = parser.parse_args()

    xtr, ytr, xte, yte, name = load(args.data)
    model = MLP()
    variables = model.init(jax.random.key(0), jnp.zeros((1, xtr.shape[1])))
    console = Console()
    console.print(
        f"[bold]{name}[/]: {len(xtr)} train / {len(xte)} test, {xtr.shape[1]}-256-256-10 ReLU, "
        f"Adam {LR}, batch {BATCH}, {args.epochs} epochs x {args.rounds} rounds, "
        f"backend {jax.default_backend()} ({jax.devices()[0].device_kind})"
    )

    results = {"fit": [], "hand": []}
    for r in range(args.rounds):
        order = ["fit", "hand"] if r % 2 == 0 else ["hand", "fit"]
        for method in order:
            runner = run_fit if method == "fit" else run_hand
            times, params = runner(model, variables, (xtr, ytr), args.epochs, jax.random.key(r))
            acc = evaluate(model.apply, params, xte, yte, batch_size=1024)["accuracy"]
            results[method].append((times, acc))
            console.print(
                f"round {r + 1} {method:>4}: epochs "
                + " ".join(f"{t:.3f}" for t in times)
                + f" s, test acc {acc:.4f}"
            )

    table = Table(title="fit vs hand-written flax+optax scan (per epoch, compile excluded)")
    columns = ("method", "s/epoch median", "s/epoch min", "samples/s (min)", "compile s")
    for col in (*columns, f"test acc @{args.epochs}"):
        table.add_column(col, justify="right")
    summary = {}
    for method, runs in results.items():
        steady = [t for times, _ in runs for t in times[1:]]
        med, best = statistics.median(steady), min(steady)
        compile_s = statistics.median(times[0] - med for times, _ in runs)
        acc = statistics.median(a for _, a in runs)
        summary[method] = (med, best, acc)
        table.add_row(
            method,
            f"{med:.3f}",
            f"{best:.3f}",
            f"{len(xtr) / best:,.0f}",
            f"{compile_s:.2f}",
            f"{acc:.4f}",
        )
    console.print(table)
    ratio_med = summary["fit"][0] / summary["hand"][0]
    ratio_min = summary["fit"][1] / summary["hand"][1]
    verdict = "OK" if min(ratio_med, ratio_min) <= 1.05 else "SLOWER than target"
    console.print(
        f"ratio fit / hand-written: [bold]{ratio_min:.3f}[/] on the minima, {ratio_med:.3f} on "
        f"the medians (target <= 1.05: {verdict})"
    )
    console.print(
        f"fit test accuracy after {args.epochs} epochs: {summary['fit'][2]:.4f} (target >= 0.87)"
    )


if __name__ == "__main__":
    main()
