"""The Moodle round trip through the command line: a download graded with ``--batch``, the
grading worksheet filled (French, as Excel saves it) and the feedback files zipped."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from grader import cli
from grader.moodle.feedback import parse_folder_name

REPO = Path(__file__).resolve().parents[2]
REF = (REPO / "solutions" / "ex01_perceptron.py").read_bytes()
STUB = (REPO / "exercises" / "ex01_perceptron.py").read_bytes()

DOWNLOAD = {
    "Élodie Bérard_1234502_assignsubmission_file_/ex01_perceptron.py": REF,
    "Jean Dupont_1234501_assignsubmission_file_ex01_perceptron.py": STUB,
}
WORKSHEET_FR = (
    "Identifiant;Nom complet;Adresse de courriel;Statut;Note;Note maximale;"
    "La note peut être modifiée;Dernière modification (travail remis);"
    "Dernière modification (note);Feedback par commentaires\r\n"
    "Participant1234501;Jean Dupont;jean@univ.fr;Remis pour évaluation;;20,00;Oui;"
    "vendredi 4 décembre 2026, 09:15;-;\r\n"
    "Participant1234502;Élodie Bérard;elodie@univ.fr;Remis pour évaluation;;20,00;Oui;"
    "vendredi 4 décembre 2026, 09:20;-;\r\n"
    "Participant1234509;Zoé Martin;zoe@univ.fr;Aucun travail remis;;20,00;Oui;-;-;\r\n"
)


def _grade(capsys, tmp_path: Path, *extra: str):
    zipped = tmp_path / "INF-Devoir 1-42.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for name, data in DOWNLOAD.items():
            z.writestr(name, data)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(WORKSHEET_FR.encode("cp1252"))
    out = tmp_path / "grades"
    argv = ["run", "--batch", str(zipped), "-e", "ex01", "--output", str(out), "--quiet"]
    code = cli.main([*argv, "--moodle-worksheet", str(sheet), *extra])
    return code, out, capsys.readouterr()


def test_grades_and_feedback_go_back_into_the_worksheet_and_the_zip(capsys, tmp_path):
    code, out, captured = _grade(capsys, tmp_path, "--lang", "fr")
    assert code == 1, captured.err  # the stub's checks fail
    written = (out / "moodle-worksheet.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(written.decode("cp1252"), newline=""), delimiter=";"))
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["Participant1234502"][4] == "20,00"  # full marks, out of the row's 20
    assert by_id["Participant1234501"][4] == "0,00"
    assert by_id["Participant1234509"] == rows[3]  # not graded: the row as it came
    assert by_id["Participant1234509"][4] == ""
    feedback = by_id["Participant1234501"][9]
    assert feedback.startswith("<") and "ex01" in feedback
    assert "Identifiant;Nom complet" in written.decode("cp1252").splitlines()[0]

    with zipfile.ZipFile(out / "moodle-feedback.zip") as z:
        names = z.namelist()
        folders = {n.split("/")[0] for n in names}
        assert {parse_folder_name(f) for f in folders} == {"1234501", "1234502"}
        text = z.read(next(n for n in names if "1234501" in n)).decode("utf-8")
    assert "ex01_perceptron" in text and "pas encore implémenté" in text.lower()
    assert "moodle-worksheet.csv" in captured.err


def test_a_file_that_is_not_a_worksheet_is_refused_before_any_grading(capsys, tmp_path):
    sheet = tmp_path / "gradebook.csv"
    sheet.write_text("id,total\nalice,3\n", encoding="utf-8")
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    out = tmp_path / "grades"
    argv = ["run", "--batch", str(folder), "--output", str(out), "--moodle-worksheet", str(sheet)]
    assert cli.main(argv) == 2
    assert "worksheet" in capsys.readouterr().err.lower()
    assert not (out / "gradebook.csv").exists()


def test_the_worksheet_needs_a_batch(capsys, tmp_path):
    argv = ["run", str(tmp_path), "--moodle-worksheet", str(tmp_path / "w.csv")]
    assert cli.main(argv) == 2
    assert "--batch" in capsys.readouterr().err
