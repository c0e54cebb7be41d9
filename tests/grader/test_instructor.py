"""Instructor side: batch grading and the gradebook, report formats, the student release, the
Gradescope bundle, replay."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
REF = REPO / "solutions" / "ex01_perceptron.py"
STUB = REPO / "exercises" / "ex01_perceptron.py"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def klass(tmp_path):
    """A small class: references, stubs, a wrong one, hostile ones, zips good and evil."""
    d = tmp_path / "class"
    d.mkdir()
    for name, src in [("alice", REF), ("bob", STUB)]:
        (d / name).mkdir()
        shutil.copy(src, d / name / "ex01_perceptron.py")
    wrong = REF.read_text().replace("z > 0", "z >= 0")
    (d / "carol").mkdir()
    (d / "carol" / "ex01_perceptron.py").write_text(wrong)
    (d / "mallory").mkdir()
    (d / "mallory" / "ex01_perceptron.py").write_text(
        REF.read_text() + "\n\ndef half_adder(x1, x2):\n    while True:\n        pass\n"
    )
    with zipfile.ZipFile(d / "dave.zip", "w") as zf:
        zf.write(REF, "dave/ex01_perceptron.py")
    with zipfile.ZipFile(d / "eve.zip", "w") as zf:
        zf.writestr("/etc/ex01_perceptron.py", "x = 1")
    return d


def test_batch_gradebook_skip_unchanged_and_force(capsys, klass, tmp_path):
    out = tmp_path / "grades"
    code, text, _ = run(
        capsys, "run", "--batch", klass, "-e", "ex01", "--jobs", "2", "--output", out
    )
    assert code == 1
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert set(rows) == {"alice", "bob", "carol", "mallory", "dave", "eve"}
    assert rows["alice"]["total"] == rows["alice"]["max_score"] == rows["dave"]["total"]
    assert rows["bob"]["total"] == "0"
    assert 0 < float(rows["carol"]["total"]) < float(rows["alice"]["total"])
    assert 0 < float(rows["mallory"]["total"]) < float(rows["alice"]["total"])
    assert "timed out" in rows["mallory"]["status"]
    assert rows["eve"]["status"].startswith("refused") and "unsafe path" in rows["eve"]["status"]
    alice = json.loads((out / "alice.json").read_text())
    assert alice["submission"] == "alice" and len(alice["submission_sha256"]) == 64

    # Unchanged submissions are not regraded; a changed one is; --force regrades all.
    shutil.rmtree(klass / "mallory")  # its 20 s timeout is proven; spare the reruns
    (klass / "bob" / "ex01_perceptron.py").write_text(REF.read_text())
    code, text, _ = run(capsys, "run", "--batch", klass, "-e", "ex01", "--output", out)
    assert "3 unchanged" in text
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert rows["bob"]["total"] == rows["alice"]["total"]
    code, text, _ = run(capsys, "run", "--batch", klass, "-e", "ex01", "--output", out, "--force")
    assert "(0 unchanged" in text


def test_junit_and_csv_formats(capsys, tmp_path):
    code, out, _ = run(capsys, "run", STUB, "--format", "junit")
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert code == 1 and int(suite.get("tests")) == len(cases) > 0
    assert int(suite.get("failures")) == len(cases)
    assert all(c.find("failure") is not None for c in cases)
    code, out, _ = run(capsys, "run", REF, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["total"] == rows[0]["max_score"]


def test_gradescope_results_format(capsys):
    _, out, _ = run(capsys, "run", STUB, "--hidden", "--format", "gradescope")
    data = json.loads(out)
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    assert data["score"] == 0 and isinstance(data["execution_time"], int)
    names = [t["name"] for t in data["tests"]]
    assert len(names) == len(set(names))
    for test in data["tests"]:
        assert set(test) >= {
            "name",
            "number",
            "score",
            "max_score",
            "status",
            "output",
            "visibility",
        }
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_published")
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}


def _function_bodies(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        ast.unparse(ast.Module(body=node.body, type_ignores=[]))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and len(node.body) >= 2
    }


def test_student_release_has_public_checks_only_and_grades_the_same(capsys, tmp_path):
    rel = tmp_path / "release"
    code, _, _ = run(capsys, "release", rel, "-e", "ex01")
    assert code == 0
    files = [p for p in rel.rglob("*") if p.is_file()]
    assert not (rel / "solutions").exists() and not (rel / "tests").exists()
    assert not any("hidden" in p.relative_to(rel).parts for p in files)
    assert (rel / "grader" / "frozen" / "ex01_perceptron.bin").is_file()
    reference_bodies = set().union(
        *(_function_bodies(p) for p in (REPO / "solutions").glob("*.py"))
    )
    # jaxnn is the public library (production versions of what the course teaches, shipped
    # on purpose); everything else must not carry a reference function's body.
    for p in files:
        if p.suffix == ".py" and p.relative_to(rel).parts[0] != "jaxnn":
            leaked = _function_bodies(p) & reference_bodies
            assert not leaked, f"{p} contains reference code"

    # In the release, the references score the same public points as in the full repository.
    copy = tmp_path / "attempt"
    copy.mkdir()
    shutil.copy(REF, copy / "ex01_perceptron.py")
    env = {**os.environ, "PYTHONPATH": str(rel)}
    env.pop("JAXNN_SOLUTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", str(copy), "-e", "ex01", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=rel,
        timeout=300,
    )
    released = json.loads(proc.stdout)
    code, out, _ = run(capsys, "run", copy, "-e", "ex01", "--format", "json")
    full = json.loads(out)
    assert released["score"] == full["score"] == full["max_score"] > 0
    assert [c["id"] for c in released["exercises"][0]["checks"]] == [
        c["id"] for c in full["exercises"][0]["checks"]
    ]

    # No solutions there: hidden checks are refused, and a stale freeze is detected.
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", str(copy), "-e", "ex01", "--hidden"],
        capture_output=True,
        text=True,
        env=env,
        cwd=rel,
        timeout=300,
    )
    assert proc.returncode == 2 and "solutions" in proc.stderr
    course_file = rel / "grader" / "course" / "ex01_perceptron.py"
    course_file.write_text(course_file.read_text() + "\n# edited after the freeze\n")
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", str(copy), "-e", "ex01"],
        capture_output=True,
        text=True,
        env=env,
        cwd=rel,
        timeout=300,
    )
    assert proc.returncode == 2 and "stale" in proc.stderr


def test_gradescope_bundle_runs_in_a_mimicked_autograder_root(capsys, tmp_path):
    bundle = tmp_path / "autograder.zip"
    code, _, _ = run(capsys, "gradescope", bundle, "-e", "ex01")
    assert code == 0
    root = tmp_path / "autograder"
    src = root / "source"
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder", "pyproject.toml"} <= set(names)
        assert not any(n.startswith("solutions/") for n in names)
        assert "grader/frozen/hidden/ex01_perceptron.bin" in names
        zf.extractall(src)
    (root / "submission").mkdir()
    shutil.copy(STUB, root / "submission" / "ex01_perceptron.py")
    shutil.copy(
        REF.parent.parent / "solutions" / "ex01_perceptron.py",
        root / "submission" / "ex01_perceptron.py",
    )
    # Gradescope copies run_autograder to the root; our venv stands in for setup.sh's.
    shutil.copy(src / "run_autograder", root / "run_autograder")
    launcher = tmp_path / "grader-launcher"
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH={src} exec {sys.executable} -m grader.cli "$@"\n')
    launcher.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER": str(launcher)}
    env.pop("JAXNN_SOLUTIONS", None)
    proc = subprocess.run(
        ["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    assert any(t["visibility"] == "after_published" for t in results["tests"])  # hidden checks ran
    for test in results["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= set(
            test
        )


def test_replay_shows_inputs_and_comparison(capsys, tmp_path):
    wrong = tmp_path / "sub"
    wrong.mkdir()
    (wrong / "ex01_perceptron.py").write_text(REF.read_text().replace("z > 0", "z >= 0"))
    report = tmp_path / "report.json"
    code, _, _ = run(
        capsys, "run", wrong, "-e", "ex01", "--hidden", "--format", "json", "--output", report
    )
    assert code == 1
    code, out, _ = run(
        capsys, "replay", report, "ex01_perceptron/perceptron/hidden_boundary_and_jax"
    )
    assert code == 0
    assert "recorded: failed" in out and "now: failed" in out
    assert "inputs: (50, 3) float64" in out and "expected:" in out
    code, _, err = run(capsys, "replay", report, "ex01_perceptron/nope/nope")
    assert code == 2 and "no check" in err


@pytest.mark.parametrize("hidden_checks", [False, True])
def test_no_release_ships_the_variants(tmp_path, hidden_checks):
    """Correct variants are solutions: neither a student release nor a grading bundle has
    them."""
    from grader import course
    from grader.release import build_release

    out = build_release(
        tmp_path / "out",
        REPO / "solutions",
        hidden_checks=hidden_checks,
        exercises=["ex01_perceptron"],
    )
    assert (out / "grader" / "course" / "ex01_perceptron.py").is_file()
    assert (out / "grader" / "course" / "hidden").is_dir() == hidden_checks
    assert not (out / "grader" / "course" / "variants").exists()
    correct = course.variant_module("ex01_perceptron").CORRECT
    bodies = [src.strip() for repl in correct.values() for src in repl.values()]
    texts = [p.read_text(errors="replace") for p in out.rglob("*.py")]
    assert bodies and not any(b in t for b in bodies for t in texts)
