"""Benchmark: ``jaxnn.train.fit`` against a hand-written flax + optax ``lax.scan`` loop.

The same MLP (784-256-256-10, ReLU; 64-256-256-10 on digits), the same initial params,
Adam 1e-3, batch 128, trained for 5 epochs on Fashion-MNIST (the Debian package
``dataset-fashion-mnist``, or ``$JAXNN_DATA``), else on scikit-learn's digits, by

* ``fit``: ``jaxnn.train.fit(model.apply, variables, ...)``: shuffled on device, full
  batches in one ``lax.scan`` plus one step on the last partial batch, running loss and
  accuracy, one host sync per epoch;
* ``hand``: what one writes by hand: one jitted ``lax.scan`` per epoch over a permutation
  (last partial batch dropped), gathering each batch on device, tracking loss and accuracy,
  one host sync per epoch.

The two run **interleaved, epoch by epoch**, in one process: ``fit``'s per-epoch callback
runs one epoch of the hand-written loop, and each method's epoch is timed on its own (the
callback's time is excluded from ``fit``'s). Both therefore see the same machine load,
which matters on a shared machine; the fit/hand ratio is the median of the per-epoch
ratios. Steady-state epochs exclude each round's first (compilation); "compile" is the
first epoch's excess over the steady median (it includes moving the data to the device).
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


class HandWritten:
    """The hand-written flax + optax loop, one epoch per :meth:`epoch` call."""

    def __init__(self, model, variables, data, key):
        self.tx = tx = optax.adam(LR)
        self.model, self.variables, self.data, self.key = model, variables, data, key
        n = len(data[1])
        num_batches = n // BATCH

        def loss_fn(p, xb, yb):
            logits = model.apply(p, xb)
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), logits

        @partial(jax.jit, donate_argnums=(0, 1))
        def epoch_fn(params, opt_state, key, x_all, y_all):
            perm = jax.random.permutation(key, n)[: num_batches * BATCH]
            perm = perm.reshape(num_batches, BATCH)

            def body(carry, idx):
                p, s = carry
                xb, yb = x_all[idx], y_all[idx]
                (loss, logits), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
                updates, s = tx.update(g, s, p)
                acc = jnp.mean(jnp.argmax(logits, -1) == yb)
                return (optax.apply_updates(p, updates), s), (loss, acc)

            (params, opt_state), (losses, accs) = jax.lax.scan(body, (params, opt_state), perm)
            return params, opt_state, losses.mean(), accs.mean()

        self.epoch_fn = epoch_fn
        self.params = None

    def epoch(self) -> None:
        if self.params is None:
            # Timed with the first epoch, as in fit: moving the data, copying the params.
            self.x_all, self.y_all = jnp.asarray(self.data[0]), jnp.asarray(self.data[1])
            self.params = jax.tree.map(jnp.copy, self.variables)
            self.opt_state = self.tx.init(self.params)
        self.key, sub = jax.random.split(self.key)
        self.params, self.opt_state, loss, acc = self.epoch_fn(
            self.params, self.opt_state, sub, self.x_all, self.y_all
        )
        float(loss), float(acc)  # one host sync per epoch, like fit


def run_round(model, variables, data, epochs, key):
    """Trains with fit and the hand-written loop interleaved; per-epoch times of each."""
    hand = HandWritten(model, variables, data, key)
    fit_times, hand_times = [], []
    clock = {"start": time.perf_counter()}

    def callback(epoch, logs):
        now = time.perf_counter()
        fit_times.append(now - clock["start"])
        hand.epoch()
        after = time.perf_counter()
        hand_times.append(after - now)
        clock["start"] = after  # fit's next epoch starts when the hand epoch is done

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
        callback=callback,
    )
    return {"fit": (fit_times, params), "hand": (hand_times, hand.params)}


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

    times = {"fit": [], "hand": []}
    accs = {"fit": [], "hand": []}
    ratios = []
    for r in range(args.rounds):
        out = run_round(model, variables, (xtr, ytr), args.epochs, jax.random.key(r))
        for method, (ts, params) in out.items():
            acc = evaluate(model.apply, params, xte, yte, batch_size=1024)["accuracy"]
            times[method].append(ts)
            accs[method].append(acc)
            console.print(
                f"round {r + 1} {method:>4}: epochs "
                + " ".join(f"{t:.3f}" for t in ts)
                + f" s, test acc {acc:.4f}"
            )
        ratios += [f / h for f, h in zip(out["fit"][0][1:], out["hand"][0][1:], strict=True)]

    table = Table(title="fit vs hand-written flax+optax scan (per epoch, compile excluded)")
    columns = ("method", "s/epoch median", "s/epoch min", "samples/s (median)", "compile s")
    for col in (*columns, f"test acc @{args.epochs}"):
        table.add_column(col, justify="right")
    for method in ("fit", "hand"):
        steady = [t for ts in times[method] for t in ts[1:]]
        med = statistics.median(steady)
        compile_s = statistics.median(ts[0] - med for ts in times[method])
        table.add_row(
            method,
            f"{med:.3f}",
            f"{min(steady):.3f}",
            f"{len(xtr) / med:,.0f}",
            f"{compile_s:.2f}",
            f"{statistics.median(accs[method]):.4f}",
        )
    console.print(table)
    ratio = statistics.median(ratios)
    verdict = "OK" if ratio <= 1.05 else "SLOWER than target"
    console.print(
        f"ratio fit / hand-written (median of {len(ratios)} paired epochs): [bold]{ratio:.3f}[/]"
        f" (range {min(ratios):.3f}-{max(ratios):.3f}; target <= 1.05: {verdict})"
    )
    fit_acc = statistics.median(accs["fit"])
    console.print(f"fit test accuracy after {args.epochs} epochs: {fit_acc:.4f} (target >= 0.87)")


if __name__ == "__main__":
    main()
