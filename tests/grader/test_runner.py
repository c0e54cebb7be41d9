"""The runner's judgements: static checks give nothing for stubs, diagnostics stay sensible."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from toy import REFERENCE, grade_toy, message, status

from grader.codec import Ref
from grader.compare import compare, shape_summary
from grader.runner import describe_mismatch


def test_static_checks_give_no_points_to_stubs_or_missing_functions():
    stub = "import numpy as np\ndef grad(x):\n    '''To do.'''\n    raise NotImplementedError('write me')\n"
    result = grade_toy(stub)
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "not implemented yet" in message(result, "grad/no_autodiff")
    result = grade_toy("import numpy as np\n")
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "missing" in message(result, "grad/no_autodiff")


def test_static_check_passes_for_real_code_and_catches_autodiff():
    assert status(grade_toy(REFERENCE))["grad/no_autodiff"] == "passed"
    cheat = REFERENCE.replace(
        "def grad(x):\n    return 2.0 * np.asarray(x)",
        "def grad(x):\n    import jax\n    return jax.grad(lambda v: (v * v).sum())(x)",
    )
    result = grade_toy(cheat)
    assert status(result)["grad/no_autodiff"] == "failed"
    assert "jax.grad" in message(result, "grad/no_autodiff")


def test_constant_factor_is_named_only_when_it_tells_something():
    assert "constant_factor" not in compare(np.array([20.0]), np.array([44.0])).info
    assert compare(0.25, 0.5).info["constant_factor"] == 2.0  # a missing 1/2 in a scalar loss
    assert compare(3.0, -3.0).info["constant_factor"] == -1.0  # a sign error
    near_one = compare(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]) * (1 + 1e-3))
    assert "constant_factor" not in near_one.info
    assert (
        compare(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])).info["constant_factor"] == 2.0
    )


def test_relative_error_ignores_zero_expectations():
    m = compare(np.array([0.0, 0.0]), np.array([1e-3, 0.0]))
    assert "n/a" in describe_mismatch(m, "en", hidden=False)
    m = compare(np.array([0.0, 2.0]), np.array([1e-3, 3.0]))
    assert m.info["max_rel_error"] == 0.5


def test_inputs_built_by_the_worker_are_described():
    assert shape_summary(Ref("jnp", (np.zeros((3, 2)), "float32"))) == "jax (3, 2) float32"
    assert shape_summary(Ref("key", (7,))) == "key(7)"


def test_compile_caches_are_pruned_least_recently_used_first_and_not_too_often(
    tmp_path, monkeypatch
):
    import os

    from grader.runner import prune_compile_caches

    monkeypatch.setenv("JAXNN_GRADER_CACHE", str(tmp_path))
    root = tmp_path / "jax"
    for age, name in enumerate(["newest", "middle", "oldest"]):
        (root / name).mkdir(parents=True)
        (root / name / "entry").write_bytes(b"x" * 1000)
        os.utime(root / name, (1e9 - age, 1e9 - age))
    prune_compile_caches(max_bytes=2500, min_interval_s=0)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["middle", "newest"]
    prune_compile_caches(max_bytes=0, min_interval_s=3600)  # pruned a moment ago: not again
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["middle", "newest"]
    prune_compile_caches(max_bytes=1500, min_interval_s=0)
    assert [p.name for p in root.iterdir() if p.is_dir()] == ["newest"]


def test_the_graders_own_compile_cache_is_set_before_jax_only(tmp_path):
    import os
    import subprocess

    import jax  # noqa: F401  (imported: too late to choose a cache for this process)

    from grader.runner import use_trusted_compile_cache

    assert use_trusted_compile_cache() is False
    code = (
        "import os; from grader.runner import use_trusted_compile_cache as u; "
        "print(u(), os.environ.get('JAX_COMPILATION_CACHE_DIR')); "
        "import jax; print(jax.config.jax_compilation_cache_dir)"
    )
    env = {**os.environ, "JAXNN_GRADER_CACHE": str(tmp_path)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    folder = str(tmp_path / "jax" / "grader")
    assert out.stdout.split() == ["True", folder, folder], out.stderr
    env["JAX_COMPILATION_CACHE_DIR"] = "/somewhere/else"  # the user's choice is kept
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "/somewhere/else", "/somewhere/else"], out.stderr
