"""Every example runs offline in its --quick mode, prints what it reaches and saves its figures.

Each example runs in a subprocess (as a user runs it) with ``--quick --out tmp_path``;
the test checks the printed results against what the example must reach even in quick
mode, and that every figure it announces is a real PNG.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxnn import layers
from jaxnn.data import fashion_mnist_candidates

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

needs_fashion = pytest.mark.skipif(
    not any(
        (p / "t10k-labels-idx1-ubyte.gz").exists() or (p / "t10k-labels-idx1-ubyte").exists()
        for p in fashion_mnist_candidates()
    ),
    reason="Fashion-MNIST is not installed (Debian: apt-get install dataset-fashion-mnist)",
)


def run_example(name: str, tmp_path: Path, *args: str, timeout: int = 120) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--quick", "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"
    return proc.stdout


def check_figures(folder: Path, names: list[str]) -> None:
    for name in names:
        path = folder / name
        assert path.is_file(), f"{path} was not saved (saved: {sorted(os.listdir(folder))})"
        raw = path.read_bytes()
        assert raw[:8] == PNG_SIGNATURE and len(raw) > 5000, f"{path} is not a real PNG"


def percent(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1)) / 100


@needs_fashion
def test_seed001_network(tmp_path):
    out = run_example("seed001_network.py", tmp_path)
    # The seed's per-epoch line, exactly: "Epoch j: k / n" (j from 0, k correct of n).
    lines = re.findall(r"^Epoch (\d+): (\d+) / (\d+)$", out, re.MULTILINE)
    assert [int(j) for j, _, _ in lines] == [0, 1]
    assert all(int(n) == 1000 for _, _, n in lines)
    k_last = int(lines[-1][1])
    assert percent(r"test accuracy after 2 epochs: ([\d.]+)%", out) == pytest.approx(k_last / 1000)
    assert k_last > 700  # sigmoid + quadratic cost + η = 3 learns (~79 % after 2 quick epochs)
    check_figures(
        tmp_path / "seed001",
        ["sigmoid.png", "learning_curves.png", "confusion_matrix.png", "predictions.png"],
    )


def test_seed001_network_digits_in_french(tmp_path):
    out = run_example("seed001_network.py", tmp_path, "--data", "digits", "--lang", "fr")
    lines = re.findall(r"^Époque (\d+): (\d+) / 359$", out, re.MULTILINE)
    assert len(lines) == 2 and "Epoch " not in out
    assert int(lines[-1][1]) > 300  # 8x8 digits: > 83 % after 2 epochs
    assert (tmp_path / "seed001" / "sigmoid.png").is_file()


@needs_fashion
def test_seed004_keras_workflow(tmp_path):
    out = run_example("seed004_keras_workflow.py", tmp_path)
    assert re.search(r"total\s+235,146", out)  # summary(model): 784-256-128-10
    # fit with validation_split=0.2 prints one line per epoch off a terminal (progress=True).
    assert len(re.findall(r"^Epoch \d/3 .* val_accuracy: ", out, re.MULTILINE)) == 3
    assert percent(r"test accuracy ([\d.]+)%", out) > 0.7
    check_figures(
        tmp_path / "seed004_keras", ["history.png", "confusion_matrix.png", "predictions.png"]
    )


def test_seed004_perceptron_xor_flower(tmp_path):
    out = run_example("seed004_perceptron_xor_flower.py", tmp_path)
    assert percent(r"perceptron on the blobs: accuracy ([\d.]+)%", out) == 1.0
    xor = percent(r"perceptron on XOR: accuracy ([\d.]+)%", out)
    assert xor < 0.7  # no line separates XOR
    mistakes = re.search(r"perceptron on XOR: .*mistakes per epoch \[([\d, ]+)\]", out).group(1)
    assert min(int(m) for m in mistakes.split(",")) > 0  # the rule never converges
    assert percent(r"MLP \[2, 8, 2\] \(tanh\) on XOR: accuracy ([\d.]+)%", out) > 0.9
    tests = [float(t) / 100 for t in re.findall(r"test accuracy ([\d.]+)%", out)]
    assert len(tests) == 3 and max(tests) > 0.6  # above chance on the noisy flower
    check_figures(
        tmp_path / "seed004_perceptron",
        ["perceptron_vs_mlp.png", "flower_boundaries.png", "flower_confusion_matrix.png"],
    )


@needs_fashion
def test_seed002_models(tmp_path):
    out = run_example("seed002_models.py", tmp_path)
    error = float(re.search(r"‖g − g_num‖ / \(‖g‖ \+ ‖g_num‖\) = ([\d.e+-]+) \(OK", out).group(1))
    assert error < 1e-7
    table = dict(re.findall(r"^  (\d) [^\n]*?([\d.]+)%$", out, re.MULTILINE))
    assert sorted(table) == ["1", "2", "3", "4"]
    assert all(0.7 < float(v) / 100 <= 1.0 for v in table.values())
    check_figures(tmp_path / "seed002", ["learning_curves.png", "confusion_matrix.png"])


@needs_fashion
def test_cnn_fashion_mnist(tmp_path):
    out = run_example("cnn_fashion_mnist.py", tmp_path)
    assert "421,642 parameters" in out
    assert re.search(r"^Epoch 1/1 - .* val_accuracy: ", out, re.MULTILINE)
    assert percent(r"test accuracy ([\d.]+)%", out) > 0.6  # 1 quick epoch on 3,000 images
    check_figures(
        tmp_path / "cnn",
        [
            "learning_curves.png",
            "filters_conv1.png",
            "filters_conv2.png",
            "feature_maps_conv1.png",
            "feature_maps_conv2.png",
            "confusion_matrix.png",
            "predictions.png",
        ],
    )


def test_cnn_fast_max_pool_matches_jaxnn():
    """The CNN example's CPU workaround pools exactly like jaxnn.layers.max_pool(2)."""
    spec = importlib.util.spec_from_file_location("cnn_example", EXAMPLES / "cnn_fashion_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fast, ref = module.max_pool_2x2(), layers.max_pool(2)
    x = jax.random.normal(jax.random.key(0), (2, 7, 6, 3))  # odd height: VALID drops a row
    assert fast.init(None, (None, 7, 6, 3))[0] == ref.init(None, (None, 7, 6, 3))[0]
    np.testing.assert_array_equal(fast.apply({}, x), ref.apply({}, x))
    r = jax.random.normal(jax.random.key(1), (2, 3, 3, 3))
    g_fast = jax.grad(lambda x: jnp.sum(fast.apply({}, x) * r))(x)
    g_ref = jax.grad(lambda x: jnp.sum(ref.apply({}, x) * r))(x)
    np.testing.assert_allclose(g_fast, g_ref)  # no ties in random normals
