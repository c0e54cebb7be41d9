"""Expected values and the spread of correct runs: computed from the reference, cached, frozen
for a student release, and used by the comparison so that correct variants pass there too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from grader import course
from grader.cli import default_solutions_dir, main
from grader.expect import Expectations, deviation, spread_key
from grader.freeze import freeze
from grader.sandboxed import codec
from grader.spec import Spread, Variant
from grader.testing import reference_source, replace_function

EX12 = "ex12_optimizers"


def test_deviation_is_the_largest_leafwise_difference():
    exp = {"a": np.array([1.0, 2.0]), "b": [np.array(3.0), 4.0]}
    other = {"a": np.array([1.5, 2.0]), "b": [np.array(3.0), 3.0]}
    assert deviation(exp, other) == {"a": 0.5, "b": [0.0, 1.0]}
    with pytest.raises(Exception, match="shape"):
        deviation(np.ones(2), np.ones(3))


def test_spread_variants_cast_inputs_and_wrap_the_reference(tmp_path):
    """A float32 variant of a float64 reference deviates by float32 rounding; a wrapped one by
    what the wrapper changes."""
    exercise = course.load("ex02_activations")
    check = next(c for c in exercise.checks if c.id.endswith("sigmoid/values"))
    check = replace(
        check,
        spread=Spread(
            2.0,
            (
                Variant("float32", cast="float32"),
                Variant("shifted", wrap=lambda fn: lambda z: fn(z) + 1e-3),
            ),
        ),
    )
    exercise = replace(exercise, checks=(check,))
    values = Expectations(default_solutions_dir(), 0, use_cache=False).for_exercise(
        exercise, [check]
    )[check.id]
    assert values.spreads is not None and len(values.spreads) == len(values)
    # The shift dominates: every leaf's spread is 1e-3 (to rounding).
    for s in values.spreads:
        assert s == pytest.approx(1e-3, rel=1e-3)


def test_ex12_quadratic_spreads_are_cached_and_frozen(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXNN_GRADER_CACHE", str(tmp_path / "cache"))
    exercise = course.load(EX12)
    public = exercise.selected(hidden=False)
    quadratic = next(c for c in public if c.id.endswith("adam/quadratic"))
    assert quadratic.spread is not None
    live = Expectations(default_solutions_dir(), 0).for_exercise(exercise, public)
    spreads = live[quadratic.id].spreads
    assert spreads and all(0 < v < 1e-4 for s in spreads for v in s["params"].values()), spreads
    assert live[next(c.id for c in public if c.id.endswith("adam/matches_optax"))].spreads is None
    # From the cache: the same spreads.
    cached = Expectations(default_solutions_dir(), 0).for_exercise(exercise, public)
    assert cached[quadratic.id].spreads == spreads
    # A cache entry without the spreads (an older format) is recomputed, not trusted.
    entry = next((tmp_path / "cache" / "expect").glob(f"{EX12}-*.bin"))
    stored = codec.decode(entry.read_bytes())
    del stored[spread_key(quadratic.id)]
    entry.write_bytes(codec.encode(stored))
    again = Expectations(default_solutions_dir(), 0).for_exercise(exercise, public)
    assert again[quadratic.id].spreads == spreads
    # Frozen for a release: the spreads travel with the expected values.
    freeze(exercise, default_solutions_dir(), 0, tmp_path / "frozen")
    frozen = Expectations(None, 0, frozen_dir=tmp_path / "frozen").for_exercise(exercise, public)
    assert frozen[quadratic.id].spreads == spreads


# Textbook Adam with a Python-int step count: correct (outside jit), but its trajectory near the
# minimum differs from the reference's by up to 1e-5, more than float32 tolerances. (An int32
# count needs the spread too, but eager ``b ** t`` compiles once per step: too slow here.)
TEXTBOOK_ADAM = """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    count = [0]

    def init(params):
        count[0] = 0
        zeros = jax.tree.map(jnp.zeros_like, params)
        return (zeros, zeros)

    def update(grads, state, params=None):
        count[0] += 1
        t = count[0]
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state[0], grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state[1], grads)
        u = jax.tree.map(
            lambda m, v: -learning_rate * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + eps),
            m,
            v,
        )
        return u, (m, v)

    return optax.GradientTransformation(init, update)
"""
# The same without bias correction: wrong, and it must stay caught with the spread's slack.
NO_BIAS_CORRECTION = """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return (zeros, zeros)

    def update(grads, state, params=None):
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state[0], grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state[1], grads)
        return jax.tree.map(lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), m, v), (m, v)

    return optax.GradientTransformation(init, update)
"""


def test_release_copy_judges_trajectories_with_the_frozen_spread(capsys, tmp_path):
    rel = tmp_path / "release"
    assert main(["release", str(rel), "-e", "ex12"]) == 0
    capsys.readouterr()
    env = {**os.environ, "PYTHONPATH": str(rel), "JAXNN_GRADER_CACHE": str(tmp_path / "c")}
    env.pop("JAXNN_SOLUTIONS", None)
    statuses = {}
    for name, adam in (("textbook", TEXTBOOK_ADAM), ("no_bias_correction", NO_BIAS_CORRECTION)):
        sub = tmp_path / name
        sub.mkdir()
        source = replace_function(reference_source(EX12), "adam", adam)
        (sub / f"{EX12}.py").write_text(source, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "grader.cli", "run", str(sub), "-e", "ex12", "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=rel,
            timeout=600,
        )
        assert proc.returncode in (0, 1), proc.stderr
        checks = json.loads(proc.stdout)["exercises"][0]["checks"]
        statuses[name] = {c["id"].split("/", 1)[1]: c["status"] for c in checks}
    assert statuses["textbook"]["adam/quadratic"] == "passed", statuses
    assert statuses["no_bias_correction"]["adam/quadratic"] == "failed", statuses


def test_nudged_inputs_move_by_one_float32_ulp_in_a_checkerboard():
    from grader.expect import _nudged

    a = np.array([[1e4, 9999.0], [0.5, -1e4]])
    moved = _nudged(a) - a
    ulp = np.spacing(np.abs(a.astype(np.float32))).astype(np.float64)
    np.testing.assert_array_equal(np.abs(moved), ulp)
    assert np.sign(moved[0, 0]) == -np.sign(moved[0, 1]) == -np.sign(moved[1, 0])


def test_softmax_of_large_logits_gets_the_spread_of_logits_within_one_ulp():
    exercise = course.load("ex02_activations")
    check = next(c for c in exercise.checks if c.id.endswith("softmax/large_logits"))
    values = Expectations(default_solutions_dir(), 0, use_cache=False).for_exercise(
        exercise, [check]
    )[check.id]
    # Logits of size 1e4 move by 1e-3 within one float32 rounding: softmax by a few 1e-4.
    assert all(1e-4 < s < 1e-3 for s in values.spreads), values.spreads


def test_writing_an_output_into_a_fifo_keeps_the_fifo(tmp_path):
    # `--output /dev/null` (or a FIFO) must be written into, never renamed over: as root the
    # rename replaced the machine's /dev/null with a regular file.
    import threading

    from grader.expect import _atomic_write

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    _atomic_write(fifo, b"report")
    reader.join(timeout=10)
    assert got == [b"report"]
    assert fifo.is_fifo()
    regular = tmp_path / "out" / "report.json"
    _atomic_write(regular, b"{}")
    assert regular.read_bytes() == b"{}" and not list(regular.parent.glob("*.tmp"))
