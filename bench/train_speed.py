"""Benchmark: ``jaxnn.train.fit`` against a hand-written flax + optax loop, PyTorch, and seed 001.

Two configurations, trained on Fashion-MNIST (the Debian package ``dataset-fashion-mnist``,
or ``$JAXNN_DATA``), else on scikit-learn's digits:

**MLP**: 784-256-256-10 ReLU (64-256-256-10 on digits), the same initial weights for all,
Adam 1e-3, batch 128, ``--epochs`` epochs, trained by

* ``fit``: ``jaxnn.train.fit(model.apply, variables, ...)``: shuffled on device, full
  batches in one ``lax.scan`` plus one step on the last partial batch, running loss and
  accuracy, one host sync per epoch;
* ``hand``: what one writes by hand: one jitted ``lax.scan`` per epoch over a permutation
  (last partial batch dropped), gathering each batch on device, tracking loss and
  accuracy, one host sync per epoch;
* ``torch``: PyTorch on the CPU (``pip install '.[bench]'``; ``torch.set_num_threads(
  os.cpu_count())``), a standard loop over pre-made tensors: ``randperm``, index the batch,
  ``zero_grad``/``backward``/``step``, loss and accuracy summed as tensors (no ``.item()``
  per step), last partial batch included. ``--omp-wait-policy passive`` keeps torch's
  OpenMP threads from collapsing on a heavily shared machine (see ``_import_torch``).

**Seed 001**: Nielsen's network of the course (``Reseau([784, 30, 10])``, sigmoid, quadratic
cost, ``DGS`` with mini-batches of 10, eta 3.0, weights and biases uniform in [-1, 1]):

* ``numpy``: the seed's algorithm as written: per-example backprop on column vectors,
  gradients summed over the mini-batch, ``w -= eta/m * nabla_w`` (float64, as numpy);
* ``jaxnn``: the same network, the same initial weights, ``fit`` with
  ``jaxnn.models.mlp([784, 30, 10], sigmoid, sigmoid)``, ``optax.sgd(3.0)`` and the
  quadratic cost as a callable loss (float32).

Methods of one configuration run **interleaved, epoch by epoch**, in one process:
``fit``'s per-epoch callback runs one epoch of each other method (their order rotating from
epoch to epoch), and each method's epoch is timed on its own. They therefore see the same machine load, which matters on a
shared machine; ratios are medians of per-epoch paired ratios. Steady-state epochs exclude
each round's first (compilation for JAX, warm-up for torch); "compile" is the first
epoch's excess over the steady median (it includes moving the data to the device). The
numpy loop has no compilation: all its epochs count. ``--numpy-examples K`` times the
numpy loop on ``K`` examples per epoch instead of all ``N`` (per-example cost is linear:
its s/epoch is then extrapolated as ``time · N / K`` and marked so; its accuracy is that of
the partial training). Test accuracy is after the last epoch (median over rounds).

Run::

    python bench/train_speed.py                   # 3 rounds, 5 MLP epochs, 3 seed epochs
    python bench/train_speed.py --rounds 5 --data digits --numpy-examples 6000
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import statistics
import sys
import time
from functools import partial

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import jaxnn.data
from jaxnn.activations import sigmoid
from jaxnn.losses import quadratic_cost
from jaxnn.models import mlp
from jaxnn.train import evaluate, fit

BATCH = 128
LR = 1e-3
SEED_SIZES = (30, 10)  # hidden and output sizes of seed 001's Reseau([784, 30, 10])
SEED_BATCH = 10
SEED_ETA = 3.0
TORCH_MISSING = "not installed (pip install '.[bench]')"

torch = None  # imported in main(), after OMP_WAIT_POLICY is settled (--omp-wait-policy)


def _import_torch(wait_policy: str) -> bool:
    """Imports torch (global ``torch``) if installed; True if it is.

    ``wait_policy`` (``default``, ``active``, ``passive``) sets ``OMP_WAIT_POLICY`` before
    torch loads its OpenMP runtime. It matters on a shared machine: measured here on this
    MLP, 2 torch threads took 1.3 ms/step with OpenMP's default (active) spin-waiting on a
    quiet machine (3.2 ms/step passive), but 129 ms/step active vs 3.8 ms/step passive
    while other processes kept both cores busy (load average ~4.5 on 2 CPUs).
    """
    global torch
    if wait_policy != "default":
        os.environ["OMP_WAIT_POLICY"] = wait_policy.upper()
    try:
        import torch as torch_module
    except ImportError:  # optional: the torch column says how to get it
        return False
    torch = torch_module
    return True


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
    xtr, ytr, xte, yte = (np.asarray(a) for a in (xtr, ytr, xte, yte))
    return xtr, ytr, xte, yte, "digits (Fashion-MNIST not installed)"


# ---------------------------------------------------------------------------------------
# MLP: the hand-written flax + optax loop and the PyTorch loop.


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

    def test_accuracy(self, xte, yte) -> float:
        return evaluate(self.model.apply, self.params, xte, yte, batch_size=1024)["accuracy"]


class TorchLoop:
    """The same MLP, initial weights and optimizer in PyTorch, one epoch per call."""

    def __init__(self, variables, data, seed):
        torch.set_num_threads(os.cpu_count() or 1)
        dense = [variables["params"][f"Dense_{i}"] for i in range(3)]
        layers = []
        for i, d in enumerate(dense):
            lin = torch.nn.Linear(*np.shape(d["kernel"]))
            with torch.no_grad():  # flax kernels are (in, out); torch weights (out, in)
                lin.weight.copy_(torch.from_numpy(np.asarray(d["kernel"]).T.copy()))
                lin.bias.copy_(torch.from_numpy(np.asarray(d["bias"]).copy()))
            layers += [lin, torch.nn.ReLU()] if i < 2 else [lin]
        self.model = torch.nn.Sequential(*layers)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.x = torch.from_numpy(np.ascontiguousarray(data[0], dtype=np.float32))
        self.y = torch.from_numpy(np.asarray(data[1], dtype=np.int64))
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self) -> None:
        n = len(self.y)
        perm = torch.randperm(n, generator=self.gen)
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        self.model.train()
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            xb, yb = self.x[idx], self.y[idx]
            self.opt.zero_grad(set_to_none=True)
            logits = self.model(xb)
            loss = self.loss_fn(logits, yb)
            loss.backward()
            self.opt.step()
            total_loss += loss.detach() * len(idx)
            correct += (logits.detach().argmax(1) == yb).sum()
        float(total_loss / n), int(correct)  # the epoch's logs

    def test_accuracy(self, xte, yte) -> float:
        self.model.eval()
        with torch.no_grad():
            logits = self.model(torch.from_numpy(np.asarray(xte, dtype=np.float32)))
        return float((logits.argmax(1).numpy() == np.asarray(yte)).mean())


# ---------------------------------------------------------------------------------------
# Seed 001: Nielsen's per-example backprop in numpy, and the same network through fit.


def sigmoide(z):
    return 1.0 / (1.0 + np.exp(-z))


class Reseau:
    """Seed 001's ``Reseau``: ``poids[l]`` is ``(tailles[l], tailles[l+1])``, ``w.T @ x``."""

    def __init__(self, poids, biais):
        self.poids = [np.array(w, dtype=np.float64) for w in poids]
        self.biais = [np.array(b, dtype=np.float64) for b in biais]

    def backprop(self, x, y):
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biais, self.poids, strict=True):
            z = np.matmul(w.T, activation) + b
            zs.append(z)
            activation = sigmoide(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biais)
        nabla_w = [None] * len(self.poids)
        s = sigmoide(zs[-1])
        delta = (activations[-1] - y) * s * (1 - s)  # quadratic cost: (a - y) ⊙ σ'(z)
        nabla_b[-1], nabla_w[-1] = delta, activations[-2] @ delta.T
        for layer in range(2, len(self.poids) + 1):
            s = sigmoide(zs[-layer])
            delta = (self.poids[-layer + 1] @ delta) * s * (1 - s)
            nabla_b[-layer], nabla_w[-layer] = delta, activations[-layer - 1] @ delta.T
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biais]
        nabla_w = [np.zeros(w.shape) for w in self.poids]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        m = len(mini_batch)
        self.poids = [w - (eta / m) * nw for w, nw in zip(self.poids, nabla_w, strict=True)]
        self.biais = [b - (eta / m) * nb for b, nb in zip(self.biais, nabla_b, strict=True)]

    def epoch(self, training_data, taille_mini_batch, eta, rng: random.Random):
        """One epoch of the seed's ``DGS``: shuffle, slice mini-batches, update."""
        rng.shuffle(training_data)
        n = len(training_data)
        for k in range(0, n, taille_mini_batch):
            self.update_mini_batch(training_data[k : k + taille_mini_batch], eta)

    def accuracy(self, xte, yte) -> float:
        a = np.asarray(xte, dtype=np.float64).T  # (784, N): the forward pass, all at once
        for b, w in zip(self.biais, self.poids, strict=True):
            a = sigmoide(w.T @ a + b)
        return float((a.argmax(0) == np.asarray(yte)).mean())


def seed_cost(outputs, labels):
    """Seed 001's quadratic cost ``1/(2m) Σ ‖a − y‖²`` with one-hot targets."""
    return quadratic_cost(outputs, jax.nn.one_hot(labels, outputs.shape[-1]))


def seed_init(n_in: int, seed: int):
    """The seed's init: weights and biases uniform in [-1, 1] (numpy layout)."""
    rs = np.random.RandomState(seed)
    sizes = (n_in, *SEED_SIZES)
    biais = [rs.uniform(-1.0, 1.0, size=(m, 1)) for m in sizes[1:]]
    poids = [rs.uniform(-1.0, 1.0, size=(a, b)) for a, b in itertools.pairwise(sizes)]
    return poids, biais


# ---------------------------------------------------------------------------------------
# Rounds: the methods of one configuration, interleaved epoch by epoch.


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _interleaved_fit(others: dict, fit_kwargs: dict, probe=None) -> dict[str, list[float]]:
    """Runs ``fit(**fit_kwargs)``; after each of its epochs, one epoch of each of ``others``.

    Returns per-epoch times per method (fit's excludes the callback's time) and fit's params.
    """
    times = {"fit": [], **{name: [] for name in others}}
    clock = {"start": time.perf_counter()}

    def callback(epoch, logs):
        times["fit"].append(time.perf_counter() - clock["start"])
        if probe is not None and epoch == 0:
            probe()
        # Rotate the order epoch by epoch: no method always runs right after the same one
        # (e.g. after torch, whose threads and cache footprint can slow what follows).
        names = list(others)
        for name in names[epoch % len(names) :] + names[: epoch % len(names)]:
            times[name].append(_timed(others[name]))
        clock["start"] = time.perf_counter()  # fit's next epoch starts now

    params, _ = fit(progress=False, callback=callback, **fit_kwargs)
    return times, params


def run_mlp_round(model, variables, data, test, epochs, r, with_torch, probe):
    hand = HandWritten(model, variables, data, jax.random.key(r))
    others = {"hand": hand.epoch}
    tl = None
    if with_torch:
        tl = TorchLoop(variables, data, seed=r)
        others["torch"] = tl.epoch
    times, params = _interleaved_fit(
        others,
        dict(
            apply_fn=model.apply,
            params=variables,
            data=data,
            loss="softmax_cross_entropy",
            optimizer=optax.adam(LR),
            epochs=epochs,
            batch_size=BATCH,
            key=jax.random.key(r),
        ),
        probe,
    )
    accs = {
        "fit": evaluate(model.apply, params, *test, batch_size=1024)["accuracy"],
        "hand": hand.test_accuracy(*test),
    }
    if tl is not None:
        accs["torch"] = tl.test_accuracy(*test)
    return times, accs


def run_seed_round(data, test, epochs, r, numpy_examples):
    xtr, ytr = data
    n, n_in = xtr.shape
    poids, biais = seed_init(n_in, seed=r)
    net = Reseau(poids, biais)
    # The seed's data: a list of (x (784, 1), y one-hot (10, 1)) column-vector pairs.
    eye = np.eye(SEED_SIZES[-1])
    pairs = [(x.reshape(-1, 1), eye[c].reshape(-1, 1)) for x, c in zip(xtr, ytr, strict=True)]
    k = min(numpy_examples or n, n)
    rng = random.Random(r)

    def numpy_epoch():
        if k == n:
            net.epoch(pairs, SEED_BATCH, SEED_ETA, rng)
        else:  # a random k-example subset per epoch; timed, then extrapolated
            rng.shuffle(pairs)
            net.epoch(pairs[:k], SEED_BATCH, SEED_ETA, rng)

    layer = mlp([n_in, *SEED_SIZES], activation=sigmoid, final_activation=sigmoid)
    params = [
        {"w": jnp.asarray(w, jnp.float32), "b": jnp.asarray(b[:, 0], jnp.float32)}
        for w, b in zip(poids, biais, strict=True)
    ]
    times, trained = _interleaved_fit(
        {"numpy": numpy_epoch},
        dict(
            apply_fn=layer.apply,
            params=params,
            data=data,
            loss=seed_cost,
            optimizer=optax.sgd(SEED_ETA),
            epochs=epochs,
            batch_size=SEED_BATCH,
            key=jax.random.key(100 + r),
        ),
    )
    times["numpy"] = [t * n / k for t in times["numpy"]]
    accs = {
        "jaxnn": evaluate(layer.apply, trained, *test, loss=seed_cost, batch_size=1000)["accuracy"],
        "numpy": net.accuracy(*test),
    }
    times["jaxnn"] = times.pop("fit")
    return times, accs


# ---------------------------------------------------------------------------------------
# Report.


def _median_range(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def _paired(a: list[list[float]], b: list[list[float]], skip_a: int, skip_b: int) -> list[float]:
    """Per-epoch ratios a/b over rounds, each round's first epoch skipped where asked."""
    out = []
    for ta, tb in zip(a, b, strict=True):
        out += [x / y for x, y in zip(ta[skip_a:], tb[skip_b:], strict=False)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="MLP epochs per round")
    parser.add_argument("--seed-epochs", type=int, default=3, help="seed-001 epochs per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", choices=["auto", "fashion", "digits"], default="auto")
    parser.add_argument(
        "--numpy-examples",
        type=int,
        default=0,
        help="time the numpy seed loop on this many examples per epoch (0: all)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch column")
    parser.add_argument(
        "--omp-wait-policy",
        choices=["default", "active", "passive"],
        default="default",
        help="OMP_WAIT_POLICY for torch's threads (default: leave the environment as is); "
        "passive avoids torch's collapse on a heavily shared machine",
    )
    parser.add_argument("--no-seed", action="store_true", help="skip the seed-001 comparison")
    args = parser.parse_args()
    if args.epochs < 2 or args.seed_epochs < 2:
        parser.error("--epochs and --seed-epochs must be >= 2 (the first epoch compiles)")

    console = Console(width=None if sys.stdout.isatty() else 120)  # log files: wide tables
    load_start = os.getloadavg()
    xtr, ytr, xte, yte, name = load(args.data)
    n, n_in = xtr.shape
    model = MLP()
    variables = model.init(jax.random.key(0), jnp.zeros((1, n_in)))
    have_torch = _import_torch(args.omp_wait_policy)
    with_torch = have_torch and not args.no_torch
    torch_note = (
        f"torch {torch.__version__}, {os.cpu_count()} threads, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset (OpenMP default)')}"
        if with_torch
        else ("torch skipped" if have_torch else f"torch {escape(TORCH_MISSING)}")
    )
    console.print(
        f"[bold]{name}[/]: {n} train / {len(xte)} test; backend {jax.default_backend()} "
        f"({jax.devices()[0].device_kind}), jax {jax.__version__}, {torch_note}; "
        f"{args.rounds} rounds; load average {load_start[0]:.2f}"
    )

    copies = []

    def probe():  # during fit's first epoch callback: its device copies of the data
        copies.append(sum(a.shape == xtr.shape for a in jax.live_arrays()))

    mlp_times: dict[str, list[list[float]]] = {}
    mlp_accs: dict[str, list[float]] = {}
    for r in range(args.rounds):
        times, accs = run_mlp_round(
            model, variables, (xtr, ytr), (xte, yte), args.epochs, r, with_torch, probe
        )
        for method, ts in times.items():
            mlp_times.setdefault(method, []).append(ts)
            mlp_accs.setdefault(method, []).append(accs[method])
            console.print(
                f"MLP  round {r + 1} {method:>5}: epochs "
                + " ".join(f"{t:.3f}" for t in ts)
                + f" s, test acc {accs[method]:.4f}"
            )

    seed_times: dict[str, list[list[float]]] = {}
    seed_accs: dict[str, list[float]] = {}
    if not args.no_seed:
        for r in range(args.rounds):
            times, accs = run_seed_round(
                (xtr, ytr), (xte, yte), args.seed_epochs, r, args.numpy_examples
            )
            for method, ts in times.items():
                seed_times.setdefault(method, []).append(ts)
                seed_accs.setdefault(method, []).append(accs[method])
                console.print(
                    f"seed round {r + 1} {method:>5}: epochs "
                    + " ".join(f"{t:.3f}" for t in ts)
                    + f" s, test acc {accs[method]:.4f}"
                )

    table = Table(title=f"Training throughput on {name} (s/epoch: median (min-max), steady state)")
    for col in ("config", "method", "s/epoch", "samples/s", "compile s", "test acc"):
        table.add_column(col, justify="right")

    def add_rows(config, times, accs, epochs, no_compile=()):
        for method, rounds in times.items():
            skip = 0 if method in no_compile else 1
            steady = [t for ts in rounds for t in ts[skip:]]
            med = statistics.median(steady)
            first = statistics.median(ts[0] - med for ts in rounds) if skip else None
            compile_s = "-" if first is None else f"{first:.2f}"
            if method == "torch" and first is not None:
                compile_s += " (warm-up)"  # no compilation: first-epoch allocations, noise
            table.add_row(
                config,
                method,
                _median_range(steady),
                f"{n / med:,.0f}",
                compile_s,
                f"{statistics.median(accs[method]):.4f} @{epochs}",
            )

    mlp_name = f"MLP {n_in}-256-256-10 Adam b{BATCH}"
    add_rows(mlp_name, mlp_times, mlp_accs, args.epochs)
    if not with_torch:
        missing = "skipped" if have_torch else escape(TORCH_MISSING)
        table.add_row(mlp_name, "torch", missing, "", "", "")
    if seed_times:
        seed_name = f"seed 001 [{n_in}, 30, 10] sigmoid SGD b{SEED_BATCH}"
        numpy_times = {"numpy": seed_times["numpy"], "jaxnn": seed_times["jaxnn"]}
        add_rows(seed_name, numpy_times, seed_accs, args.seed_epochs, no_compile=("numpy",))
    console.print(table)

    ratios = _paired(mlp_times["fit"], mlp_times["hand"], 1, 1)
    verdict = "OK" if statistics.median(ratios) <= 1.05 else "SLOWER than target"
    console.print(
        f"fit / hand-written: [bold]{statistics.median(ratios):.3f}[/] (median of {len(ratios)} "
        f"paired epochs, range {min(ratios):.3f}-{max(ratios):.3f}; target <= 1.05: {verdict})"
    )
    if with_torch:
        speed = _paired(mlp_times["torch"], mlp_times["fit"], 1, 1)
        verdict = "OK" if statistics.median(speed) > 1.0 else "SLOWER than torch"
        console.print(
            f"fit vs torch: fit is [bold]{statistics.median(speed):.2f}x[/] as fast (torch "
            f"s/epoch / fit s/epoch, median of {len(speed)} paired epochs, range "
            f"{min(speed):.2f}-{max(speed):.2f}; target > 1: {verdict})"
        )
    else:
        console.print(f"fit vs torch: torch {escape(TORCH_MISSING)}")
    if seed_times:
        speedup = _paired(seed_times["numpy"], seed_times["jaxnn"], 1, 1)
        sub = (
            f"; numpy timed on {args.numpy_examples} examples/epoch, extrapolated x"
            f"{n / args.numpy_examples:.1f}"
            if args.numpy_examples and args.numpy_examples < n
            else ""
        )
        verdict = "OK" if statistics.median(speedup) >= 10 else "below target"
        console.print(
            f"seed config: numpy per-example "
            f"{statistics.median(t for ts in seed_times['numpy'] for t in ts):.2f} s/epoch vs "
            f"jaxnn {statistics.median(t for ts in seed_times['jaxnn'] for t in ts[1:]):.3f} "
            f"s/epoch: speed-up [bold]{statistics.median(speedup):.1f}x[/] (median of "
            f"{len(speedup)} paired epochs, range {min(speedup):.1f}-{max(speedup):.1f}; "
            f"target >= 10: {verdict}{sub})"
        )
    fit_acc = statistics.median(mlp_accs["fit"])
    console.print(f"fit test accuracy after {args.epochs} epochs: {fit_acc:.4f} (target >= 0.87)")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    data_mb = xtr.nbytes / 2**20
    console.print(
        f"memory: peak RSS {rss_mb:,.0f} MiB of the whole process (training set "
        f"{data_mb:,.1f} MiB as float32 on the host, shared by torch; numpy's seed loop "
        f"keeps its own float64 one-hot targets); "
        f"device copies of the training set held by fit during its first epoch: "
        f"{copies[0] if copies else '?'}"
    )
    load_end = os.getloadavg()
    console.print(
        f"load average: {load_start[0]:.2f} at start, {load_end[0]:.2f} / {load_end[1]:.2f} / "
        f"{load_end[2]:.2f} (1/5/15 min) at the end, on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
