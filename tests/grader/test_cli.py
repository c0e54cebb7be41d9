"""The command line's contract: DESIGN.md's options, JSON schema and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
EX01 = REPO / "solutions" / "ex01_perceptron.py"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_reference_scores_full_marks_exit_0(capsys):
    code, out, _ = run(
        capsys, "run", str(REPO / "solutions"), "-e", "ex01", "--hidden", "--format", "json"
    )
    report = json.loads(out)
    assert code == 0
    assert report["score"] == report["max_score"] > 0
    assert [e["id"] for e in report["exercises"]] == ["ex01_perceptron"]


def test_stubs_score_zero_exit_1_with_not_implemented(capsys):
    code, out, _ = run(capsys, "run", str(REPO / "exercises"), "-e", "ex01")
    assert code == 1
    assert "not implemented yet" in out and "Score: 0 /" in out


def test_json_report_follows_the_design_schema(capsys):
    _, out, _ = run(capsys, "run", str(REPO / "exercises"), "-e", "ex01", "--format", "json")
    r = json.loads(out)
    assert set(r) >= {
        "submission",
        "score",
        "max_score",
        "seed",
        "suite",
        "sandbox",
        "duration_s",
        "versions",
        "exercises",
    }
    assert set(r["versions"]) >= {"python", "jax", "jaxnn"}
    assert r["sandbox"] in ("bwrap", "rlimits") and len(r["suite"]) == 64
    ex = r["exercises"][0]
    assert set(ex) >= {"id", "score", "max_score", "checks"}
    c = ex["checks"][0]
    assert set(c) >= {
        "id",
        "function",
        "kind",
        "visibility",
        "score",
        "max_score",
        "status",
        "message",
        "duration_s",
    }
    assert c["id"].startswith("ex01_perceptron/") and c["kind"] in (
        "compare",
        "property",
        "static",
        "transform",
        "budget",
    )
    assert all(ch["visibility"] == "public" for ch in ex["checks"])  # no --hidden


def test_single_file_and_zip_and_notebook_submissions(capsys, tmp_path):
    single = tmp_path / "ex01_perceptron.py"
    shutil.copy(EX01, single)
    code, out, _ = run(capsys, "run", str(single), "--format", "json")
    assert code == 0 and json.loads(out)["score"] > 0

    archive = tmp_path / "sub.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(EX01, "student/ex01_perceptron.py")
    code, out, _ = run(capsys, "run", str(archive), "-e", "ex01", "--format", "json")
    assert code == 0

    nb = nbformat.v4.new_notebook()
    source = EX01.read_text()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# My perceptron"),
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip install nothing\nimport numpy as np"),
        nbformat.v4.new_code_cell(source),
    ]
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    nbformat.write(nb, nbdir / "ex01_perceptron.ipynb")
    code, out, _ = run(capsys, "run", str(nbdir), "-e", "ex01", "--format", "json")
    assert code == 0, out
    notes = json.loads(out)["notes"]
    assert any("%matplotlib" in n for n in notes) and any("!pip" in n for n in notes)


def test_notebook_errors_point_to_the_cell(capsys, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("x = 1\ny = undefined_name"),
    ]
    nbformat.write(nb, tmp_path / "ex01_perceptron.ipynb")
    code, out, _ = run(capsys, "run", str(tmp_path), "-e", "ex01", "--format", "json")
    message = json.loads(out)["exercises"][0]["checks"][0]["message"]
    assert code == 1 and "cell 2, line 2" in message, message


@pytest.mark.parametrize(
    "argv, words",
    [
        (["run", "-e", "ex77"], "no exercise matches"),
        (["run", "-e", "ex1"], "known: ex01_perceptron, ex02_activations"),  # not ex10-ex15
        (["selftest", "-e", "ex1"], "give a whole id or its exNN prefix"),
        (["freeze", "--check", "-e", "ex1"], "no exercise matches"),
        (["run", "--course", "/no/such/folder"], "does not exist"),
        (["run", "/no/such/folder"], "does not exist"),
        (["run", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err


@pytest.mark.parametrize("pattern", ["ex01", "ex01_perceptron"])
def test_e_selects_by_id_or_exnn_prefix(capsys, pattern):
    code, out, _ = run(capsys, "run", str(REPO / "solutions"), "-e", pattern, "--format", "json")
    assert code == 0 and [e["id"] for e in json.loads(out)["exercises"]] == ["ex01_perceptron"]


def test_unsafe_zip_is_refused(capsys, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/ex01_perceptron.py", "x = 1")
    code, _, err = run(capsys, "run", str(archive))
    assert code == 2 and "unsafe path" in err


def test_french_table(capsys):
    code, out, _ = run(capsys, "run", str(REPO / "exercises"), "-e", "ex01", "--lang", "fr")
    assert code == 1 and "n'est pas encore implémentée" in out and "Note : 0" in out


def test_list_prints_exercises_and_points(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "ex01_perceptron" in out and "perceptron_fit" in out


def test_the_installed_command_works():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader.cli",
            "run",
            str(REPO / "solutions"),
            "-e",
            "ex01",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


# -- a grader bug costs one check, one submission or one format, never the run -----------------


def test_a_grader_bug_while_judging_costs_that_check_not_the_run(capsys, monkeypatch, tmp_path):
    import grader.runner as runner

    wrong = tmp_path / "ex01_perceptron.py"
    wrong.write_text(EX01.read_text().replace("z > 0", "z >= 0"))

    def broken(*args, **kwargs):
        raise KeyError("expected")  # what a complex64 answer used to raise

    monkeypatch.setattr(runner, "describe_mismatch", broken)
    code, out, _ = run(capsys, "run", str(wrong), "--format", "json")
    assert code == 1  # not 2: the report is written, the other checks are graded
    checks = json.loads(out)["exercises"][0]["checks"]
    grader_errors = [c for c in checks if c.get("cause") == "grader"]
    assert grader_errors and all("KeyError" in c["internal_error"] for c in grader_errors)
    assert any(c["status"] == "passed" for c in checks)


def test_a_broken_report_format_falls_back_to_json(capsys, monkeypatch):
    import grader.report.table as table

    def broken(*args, **kwargs):
        raise RuntimeError("table bug")

    monkeypatch.setattr(table, "render_table", broken)
    code, out, err = run(capsys, "run", str(EX01))
    assert code == 0  # the grade is kept: the reference passes
    assert json.loads(out)["score"] > 0
    assert "table report could not be written" in err and "table bug" in err


def test_a_grader_bug_on_one_submission_costs_that_submission_not_the_batch(
    capsys, monkeypatch, tmp_path
):
    import grader.batch as batch

    klass = tmp_path / "class"
    for name in ("alice", "bob", "carol"):
        (klass / name).mkdir(parents=True)
        shutil.copy(EX01, klass / name / "ex01_perceptron.py")
    real = batch.grade

    def grade(sid, *args, **kwargs):
        if sid == "bob":
            raise KeyError("expected")
        return real(sid, *args, **kwargs)

    monkeypatch.setattr(batch, "grade", grade)
    out = tmp_path / "grades"
    code, text, err = run(capsys, "run", "--batch", str(klass), "-e", "ex01", "--output", str(out))
    assert code == 1 and "internal error while grading bob" in err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert set(rows) == {"alice", "bob", "carol"}
    assert rows["alice"]["total"] == rows["carol"]["total"] == rows["alice"]["max_score"]
    assert rows["bob"]["status"].startswith("not graded: grader error (KeyError('expected'))")
    assert not (out / "bob.json").exists()

    # Fixed grader: bob is graded on the next run, the others are not regraded.
    monkeypatch.setattr(batch, "grade", real)
    code, text, _ = run(capsys, "run", "--batch", str(klass), "-e", "ex01", "--output", str(out))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert code == 0 and rows["bob"]["total"] == rows["alice"]["total"]
    assert "2 unchanged" in text


def test_reports_with_grader_errors_are_regraded(tmp_path):
    from grader.batch import _previous

    report = {"suite": "s", "exercises": [{"checks": [{"status": "passed"}]}]}
    path = tmp_path / "x.json"
    path.write_text(json.dumps(report))
    assert _previous(path) == report
    report["exercises"][0]["checks"].append({"status": "error", "cause": "grader"})
    path.write_text(json.dumps(report))
    assert _previous(path) is None
    path.write_text("{not json")
    assert _previous(path) is None


def test_a_grader_bug_outside_any_check_costs_that_exercise_only(capsys, monkeypatch):
    import grader.runner as runner

    real = runner.grade_exercise

    def grade_exercise(exercise, *args, **kwargs):
        if exercise.id == "ex02_activations":
            raise RuntimeError("set-up bug")
        return real(exercise, *args, **kwargs)

    monkeypatch.setattr(runner, "grade_exercise", grade_exercise)
    argv = ["run", str(REPO / "solutions"), "-e", "ex01", "-e", "ex02", "--format", "json"]
    code, out, _ = run(capsys, *argv)
    assert code == 1
    ex01, ex02 = json.loads(out)["exercises"]
    assert ex01["score"] == ex01["max_score"] > 0
    assert ex02["score"] == 0 and ex02["checks"]
    assert all(
        c["cause"] == "grader" and "set-up bug" in c["internal_error"] for c in ex02["checks"]
    )


def test_messages_quoting_a_students_file_names_send_no_escape_codes(capsys, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../\x1b[2J\x07/ex01_perceptron.py", "x = 1")
    code, _, err = run(capsys, "run", str(archive))
    assert code == 2 and "unsafe path" in err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2J" in err
