"""Files named as students name them are graded as the exercise they stand for, with a note."""

from __future__ import annotations

import json
from pathlib import Path

from grader import cli, course
from grader.filenames import match_exercise_files
from grader.submission import stage

REPO = Path(__file__).resolve().parents[2]
IDS = course.available()


def _folder(tmp_path: Path, names: list[str]) -> Path:
    for i, name in enumerate(names):
        (tmp_path / name).write_text(f"WHICH = {i}\n")
    return tmp_path


def _which(folder: Path, exercise: str) -> int:
    return int((folder / f"{exercise}.py").read_text().split("=")[1])


def test_case_spaces_prefixes_and_browser_copies(tmp_path):
    names = ["Ex01_Perceptron.py", "ex03.py", "ex04 losses.py", "ex08_backprop (1).py",
             "ex08_backprop (2).py", "ex08_backprop.txt", "helper.py", "ex99.py"]  # fmt: skip
    folder = _folder(tmp_path, names)
    notes = match_exercise_files(folder, IDS)
    assert _which(folder, "ex01_perceptron") == 0
    assert _which(folder, "ex03_gradient_descent") == 1
    assert _which(folder, "ex04_losses") == 2
    assert _which(folder, "ex08_backprop") == 4  # the latest copy
    assert (folder / "helper.py").exists() and (folder / "ex99.py").exists()
    assert (
        "Ex01_Perceptron.py taken as ex01_perceptron.py (name your file ex01_perceptron.py)"
        in notes
    )
    assert "ex08_backprop (1).py left out: ex08_backprop (2).py is taken as ex08_backprop" in notes
    assert len(notes) == 5


def test_the_exactly_named_file_wins(tmp_path):
    folder = _folder(tmp_path, ["ex02_activations.py", "Ex02_Activations (1).py"])
    notes = match_exercise_files(folder, IDS)
    assert _which(folder, "ex02_activations") == 0
    assert notes == [
        "Ex02_Activations (1).py left out: ex02_activations.py is taken as ex02_activations"
    ]


def test_a_misnamed_reference_gets_full_marks_and_the_report_says_why(tmp_path, capsys):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "EX01_perceptron (1).py").write_bytes(
        (REPO / "solutions/ex01_perceptron.py").read_bytes()
    )
    out = tmp_path / "report.json"
    cli.main(["run", str(sub), "-e", "ex01", "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    assert report["score"] == report["max_score"] > 0
    assert any("EX01_perceptron (1).py taken as ex01_perceptron.py" in n for n in report["notes"])


def test_stage_renames_a_converted_notebook_with_its_cell_map(tmp_path):
    nb = {"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "source": ["x = 1\n"],
                     "outputs": [], "execution_count": None}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "Ex05_Counting.ipynb").write_text(json.dumps(nb))
    staged = stage([tmp_path])
    try:
        folder = Path(staged.name)
        assert (folder / "ex05_counting.py").exists()
        assert (folder / "ex05_counting.cells.json").exists()
        assert "Ex05_Counting.py taken as ex05_counting.py" in " ".join(staged.notes)
    finally:
        staged.cleanup()
