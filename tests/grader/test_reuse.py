"""A worker child serves the next exercise only if the previous one left it as it found it.

Each test loads a module ``first`` that does something to its process, then a module
``second`` whose ``observe()`` reports what it sees, and compares that with what a fresh
child sees: whatever the first module did, the second one's view must be a fresh child's.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from grader.sandbox import SandboxConfig, Worker

OBSERVER = """
import os, random, sys, warnings
import jax.numpy as jnp
import numpy as np

def observe():
    import helper
    return {
        "np_random": float(np.random.rand()),
        "random": random.random(),
        "errstate": np.geterr()["divide"],
        "precision": int(np.get_printoptions()["precision"]),
        "cwd": os.getcwd(),
        "env": os.environ.get("STUDENT_VAR", ""),
        "path_tail": sys.path[-1],
        "recursion": sys.getrecursionlimit(),
        "warnings": len(warnings.filters),
        "exp": float(np.exp(0.0)),
        "dtype": str(jnp.ones(1).dtype),
        "helper": helper.counter,
    }
"""


def _worker(tmp_path: Path, first: str) -> Worker:
    (tmp_path / "first.py").write_text(textwrap.dedent(first) + "\ndef f():\n    return 1\n")
    (tmp_path / "second.py").write_text(OBSERVER)
    (tmp_path / "helper.py").write_text("counter = 0\n")
    tmp_path.chmod(0o755)  # readable by the sandbox's private uid
    worker = Worker(tmp_path, SandboxConfig())
    worker.spawn(120)
    return worker


def _observe(worker: Worker) -> tuple[dict, bool]:
    ready = worker.load("second.py", "second", ["observe"], 60)
    assert not hasattr(ready, "kind"), ready
    out = worker.run("observe", "observe", "call", [{"args": (), "kwargs": {}}], 60)
    assert out.status == "ok" and out.cases[0].error is None, out
    return out.cases[0].value, ready.fresh


def _after(tmp_path: Path, first: str) -> tuple[dict, bool, str | None, dict]:
    """(second's view after first, whether second got a fresh child, why, a fresh view).

    Python reseeds ``random`` in every forked child, so the views' ``random`` entries are
    compared apart (see the side effects test).
    """
    with _worker(tmp_path, first) as worker:
        fresh_view, fresh = _observe(worker)
        assert fresh
        worker.release()
        ready = worker.load("first.py", "first", ["f"], 60)
        assert worker.run("f", "f", "call", [{"args": (), "kwargs": {}}], 60).status == "ok"
        assert not ready.fresh  # the observer left the child clean
        reason = worker.release()
        view, fresh = _observe(worker)
    if reason is None:  # restored exactly
        assert view["random"] == fresh_view["random"]
    view.pop("random"), fresh_view.pop("random")
    return view, fresh, reason, fresh_view


def test_a_clean_module_hands_its_child_to_the_next_one(tmp_path):
    view, fresh, reason, fresh_view = _after(tmp_path, "import numpy as np\nx = np.ones(3)\n")
    assert reason is None and not fresh
    assert view == fresh_view


def test_ordinary_side_effects_are_undone_before_the_next_module(tmp_path):
    first = """
    import os, random, sys, warnings
    import numpy as np
    import helper
    np.random.seed(123)
    random.seed(123)
    np.seterr(divide="raise")
    np.set_printoptions(precision=2)
    os.chdir("/")
    os.environ["STUDENT_VAR"] = "set"
    sys.path.append("/nowhere")
    sys.setrecursionlimit(123)
    warnings.simplefilter("error")
    helper.counter = 5
    """
    seeded = random.Random(123).random()
    view, fresh, reason, fresh_view = _after(tmp_path, first)
    assert reason is None and not fresh  # all of that can be undone: the child is reused
    assert view == fresh_view
    with _worker(tmp_path, first) as worker:  # and random's state is not the student's seed
        worker.load("first.py", "first", ["f"], 60)
        assert worker.release() is None
        assert _observe(worker)[0]["random"] != seeded


@pytest.mark.parametrize(
    "first, why",
    [
        ("import numpy as np\nnp.exp = lambda x: 0.0\n", "numpy.exp was rebound"),
        ("import jax\njax.config.update('jax_enable_x64', True)\n", "JAX configuration"),
        (
            "import threading, time\n"
            "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
            "thread",
        ),
        ("import subprocess\nsubprocess.Popen(['sleep', '60'])\n", "process"),
        (
            "import sys\nclass Finder:\n    def find_spec(self, *a):\n        return None\n"
            "sys.meta_path.insert(0, Finder())\n",
            "import system",
        ),
        ("import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\n", "signal"),
        ("import builtins\nbuiltins.pow = lambda *a: 0\n", "builtins.pow was rebound"),
        ("import sys, types\nsys.modules['math'] = types.ModuleType('math')\n", "math"),
        ("import json\njson.dumps = lambda *a, **k: '{}'\n", "json.dumps was rebound"),
        ("import struct\nstruct.pack = lambda *a: b''\n", "struct.pack was rebound"),
        (
            "import builtins\n_imp = builtins.__import__\n"
            "builtins.__import__ = lambda *a, **k: _imp(*a, **k)\n",
            "__import__",
        ),
    ],
    ids=[
        "monkeypatch",
        "x64",
        "thread",
        "process",
        "import_hook",
        "signal",
        "builtins",
        "module",
        "json",
        "struct",
        "import",
    ],
)
def test_what_cannot_be_undone_gives_the_next_module_a_fresh_child(tmp_path, first, why):
    view, fresh, reason, fresh_view = _after(tmp_path, first)
    assert reason is not None and why in reason, reason
    assert fresh
    assert view == fresh_view  # in particular np.exp(0) == 1 and float32 by default


def test_import_error_ends_the_child_and_the_next_module_still_loads(tmp_path):
    with _worker(tmp_path, "raise ValueError('broken at import')\n") as worker:
        failure = worker.load("first.py", "first", ["f"], 60)
        assert failure.kind == "import_error"
        view, fresh = _observe(worker)
    assert fresh and view["exp"] == 1.0


def test_side_effects_of_one_exercise_cost_the_next_nothing(tmp_path):
    """Through the runner: ex01 enables x64 and monkeypatches numpy, json and struct at
    import, ex02 (which needs float32 and np.exp) still gets full marks, from a fresh child,
    and so does ex01 itself (the worker's codec does not use the patched names)."""
    from grader.options import Options
    from grader.runner import grade

    solutions = Path(__file__).resolve().parents[2] / "solutions"
    ids = ["ex01_perceptron", "ex02_activations"]
    for name in ids:
        (tmp_path / f"{name}.py").write_text((solutions / f"{name}.py").read_text())
    with open(tmp_path / "ex01_perceptron.py", "a") as f:
        f.write(
            "\nimport jax\njax.config.update('jax_enable_x64', True)\nnp.exp = lambda x: 0 * x\n"
            "import json, struct\njson.dumps = json.loads = struct.pack = struct.unpack = None\n"
        )
    tmp_path.chmod(0o755)
    report = grade("side effects", tmp_path, ids, Options(solutions_dir=solutions))
    assert [(e.score, e.max_score) for e in report.exercises] == [
        (e.max_score, e.max_score) for e in report.exercises
    ]
