"""Moodle out: the offline grading worksheet filled and written back, the feedback files zip.

Fixtures are written as Moodle writes them (``fputcsv``: fields with spaces quoted, ``\\n``
line ends; grades with the user's decimal separator) and as Excel re-saves a French one
(semicolons, cp1252, ``\\r\\n``).
"""

from __future__ import annotations

import csv
import doctest
import io
import zipfile

import pytest

from grader.moodle import csvtext, feedback, worksheet
from grader.moodle.feedback import feedback_html, folder_name, write_feedback_zip
from grader.moodle.worksheet import (
    Grade,
    WorksheetError,
    fill,
    read_worksheet,
    write_worksheet,
)

EN = (
    'Identifier,"Full name","Email address",Status,Grade,"Maximum grade",'
    '"Grade can be changed","Last modified (submission)","Online text",'
    '"Last modified (grade)","Feedback comments"\n'
    '"Participant 1234501","Jean Dupont",jean.dupont@univ.fr,"Submitted for grading",,100.00,'
    'Yes,"Friday, 4 December 2026, 9:15 AM",,-,\n'
    '"Participant 1234502","Zoé Martin",zoe@univ.fr,"No submission",,100.00,Yes,-,,-,\n'
    '"Participant 1234503","Ali Ben Salah",ali@univ.fr,"Submitted for grading",55.00,100.00,'
    'Yes,"Thursday, 3 December 2026, 10:00 AM","<p>my ""text""</p>","Thursday, 3 December '
    '2026, 11:00 AM","<p>Seen,\nthanks</p>"\n'
)

FR = (
    "Identifiant;Nom complet;Adresse de courriel;Statut;Note;Note maximale;"
    "La note peut être modifiée;Dernière modification (travail remis);"
    "Dernière modification (note);Feedback par commentaires\r\n"
    "Participant1234501;Jean Dupont;jean.dupont@univ.fr;Remis pour évaluation;;20,00;Oui;"
    "vendredi 4 décembre 2026, 09:15;-;\r\n"
    "Participant1234502;Zoé Martin;zoe@univ.fr;Aucun travail remis;;20,00;Oui;-;-;\r\n"
    "Participant1234503;Hélène Noël;helene@univ.fr;Remis pour évaluation;8,5;20,00;Non;"
    "jeudi 3 décembre 2026, 10:00;jeudi 3 décembre 2026, 11:00;Vu\r\n"
)


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _cells(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def test_english_worksheet_round_trip(tmp_path):
    path = _write(tmp_path, "worksheet.csv", EN.encode("utf-8"))
    ws = read_worksheet(path)
    assert (ws.encoding, ws.delimiter, ws.decimal, ws.decimals, ws.language) == (
        "utf-8",
        ",",
        ".",
        2,
        "en",
    )
    assert ws.participants() == {"1234501": 0, "1234502": 1, "1234503": 2}
    note = "<p>ex01: 10 / 10</p>\n<ul><li>ex02, f(): got 1 &lt; 2, expected 2</li></ul>"
    out = fill(ws, {"1234501": Grade(135, 270, note), 1234503: Grade(270, 270, "<p>All good</p>")})
    written = write_worksheet(out, tmp_path / "moodle-worksheet.csv").read_bytes()

    before, after = EN.encode().split(b"\n"), written.split(b"\n")
    assert after[0] == before[0], "the header line is unchanged"
    assert after[2] == before[2], "an ungraded participant's line is unchanged, byte for byte"
    rows = _cells(written, "utf-8", ",")
    old = _cells(EN.encode(), "utf-8", ",")
    assert rows[1][4] == "50.00" and rows[3][4] == "100.00"
    assert (
        rows[1][10] == "<p>ex01: 10 / 10</p> <ul><li>ex02, f(): got 1 &lt; 2, expected 2</li></ul>"
    )
    assert rows[3][10] == "<p>All good</p>"
    for new, orig in ((rows[1], old[1]), (rows[3], old[3])):
        assert [c for i, c in enumerate(new) if i not in (4, 10)] == [
            c for i, c in enumerate(orig) if i not in (4, 10)
        ]
    # Quoting as Moodle's fputcsv: the unchanged cells keep their quotes, a cell with spaces
    # is quoted, a plain number is not.
    assert after[1] == (
        b'"Participant 1234501","Jean Dupont",jean.dupont@univ.fr,"Submitted for grading",50.00,'
        b'100.00,Yes,"Friday, 4 December 2026, 9:15 AM",,-,"<p>ex01: 10 / 10</p> <ul><li>ex02, '
        b'f(): got 1 &lt; 2, expected 2</li></ul>"'
    )
    again = read_worksheet(tmp_path / "moodle-worksheet.csv")
    assert again.cell(0, "grade") == "50.00" and again.cell(1, "grade") == ""
    assert out.notes == ()


def test_french_cp1252_semicolon_round_trip(tmp_path):
    data = FR.encode("cp1252")
    ws = read_worksheet(_write(tmp_path, "feuille.csv", data))
    assert (ws.encoding, ws.delimiter, ws.decimal, ws.decimals, ws.language) == (
        "cp1252",
        ";",
        ",",
        2,
        "fr",
    )
    html = "<p>Note : 135 / 216 ; à corriger : x ≤ 0</p>"
    out = fill(
        ws, {"1234501": Grade(135, 216, html), "1234503": Grade(200, 216, "<p>Très bien</p>")}
    )
    written = write_worksheet(out, tmp_path / "moodle-worksheet.csv").read_bytes()

    assert written.count(b"\r\n") == 4 and b"\n" not in written.replace(b"\r\n", b"")
    before, after = data.split(b"\r\n"), written.split(b"\r\n")
    assert after[0] == before[0] and after[2] == before[2] and after[4] == before[4] == b""
    rows = _cells(written, "cp1252", ";")
    assert rows[1][4] == "12,50", "135 / 216 of 20, with the sheet's decimal comma"
    # ≤ is not in cp1252: written as an HTML character reference, which Moodle shows as ≤.
    assert rows[1][9] == "<p>Note : 135 / 216 ; à corriger : x &#8804; 0</p>"
    # "La note peut être modifiée" is Non: Moodle would skip the grade; the feedback goes in.
    assert rows[3][4] == "8,5" and rows[3][9] == "<p>Très bien</p>"
    assert any("1234503" in n and "locked" in n for n in out.notes)
    old = _cells(data, "cp1252", ";")
    assert [c for i, c in enumerate(rows[1]) if i not in (4, 9)] == [
        c for i, c in enumerate(old[1]) if i not in (4, 9)
    ]


def test_french_utf8_bom_comma_quoted_decimals(tmp_path):
    text = (
        '"Identifiant","Nom complet",Statut,Note,"Note maximale","Dernière modification (note)",'
        '"Feedback par commentaires"\n'
        '"Participant 7","Zoé Martin","Aucun travail remis",,"20,00",-,\n'
        '"Participant 8","Jean Dupont","Remis pour évaluation",,"20,00",-,\n'
    )
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    ws = read_worksheet(_write(tmp_path, "ws.csv", data))
    assert (ws.encoding, ws.delimiter, ws.decimal) == ("utf-8-sig", ",", ",")
    out = fill(ws, {"8": Grade(3, 4, "<p>Bien joué</p>")})
    written = write_worksheet(out, tmp_path / "out.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and written.count(b"\xef\xbb\xbf") == 1
    lines = written[3:].split(b"\n")
    assert lines[:2] == text.encode().split(b"\n")[:2]
    assert (
        lines[2]
        == '"Participant 8","Jean Dupont","Remis pour évaluation","15,00","20,00",-,"<p>Bien joué</p>"'.encode()
    )


def test_scale_and_its_limits(tmp_path):
    ws = read_worksheet(_write(tmp_path, "w.csv", FR.encode("cp1252")))
    out = fill(ws, {"1234502": Grade(1, 3, "")}, scale=10)
    assert out.cell(1, "grade") == "3,33", "1/3 of 10, rounded to the sheet's 2 decimals"
    assert out.cell(1, "feedback") == "", "no feedback given: the cell stays empty"
    with pytest.raises(WorksheetError, match=r"scale 30 is above .*Maximum grade 20,00"):
        fill(ws, {"1234502": Grade(1, 3, "")}, scale=30)
    over = fill(ws, {"1234502": Grade(5, 3, "")})
    assert over.cell(1, "grade") == "20,00", "a score over the maximum is capped"


def test_participants_missing_from_the_sheet_are_noted(tmp_path):
    ws = read_worksheet(_write(tmp_path, "w.csv", EN.encode()))
    out = fill(ws, {"999": Grade(1, 1, "<p>x</p>")})
    assert out.records == ws.records
    assert len(out.notes) == 1 and "999" in out.notes[0] and "download it again" in out.notes[0]


def test_custom_scale_sheet_refuses_numbers(tmp_path):
    text = (
        'Identifier,"Full name",Status,Grade,Scale,"Grade can be changed",'
        '"Last modified (grade)","Feedback comments"\n'
        '"Participant 1",A,"No submission",,"Poor\nGood",Yes,-,\n'
    )
    ws = read_worksheet(_write(tmp_path, "w.csv", text.encode()))
    assert ws.participants() == {"1": 0}
    with pytest.raises(WorksheetError, match=r"custom scale.*'Scale' column"):
        fill(ws, {"1": Grade(1, 2)})


def test_duplicate_participant_is_an_error(tmp_path):
    text = EN + EN.split("\n")[1] + "\n"
    ws = read_worksheet(_write(tmp_path, "w.csv", text.encode()))
    with pytest.raises(WorksheetError, match=r"participant 1234501 appears twice .*lines 2 and 6"):
        fill(ws, {"1234501": Grade(1, 1)})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"First name,Last name,ID number,Email address,Assignment: TP1 (Real)\nA,B,1,a@b,12\n",
            r"no 'Identifier' or 'Identifiant' column \(its first line has 'First name', "
            r"'Last name'.*Download grading worksheet",
        ),
        (
            b'Identifier,"Full name",Grade,"Maximum grade"\n"Participant 1",A,,10\n',
            r"no 'Last modified \(grade\)' or 'Dernière modification \(note\)' column",
        ),
        (
            "Identifiant;Note;Dernière modification (note)\nParticipant1;;-\n".encode("cp1252"),
            r"no 'Maximum grade' or 'Note maximale' column",
        ),
        (b"PK\x03\x04\x14\x00rest-of-an-xlsx", r"spreadsheet or binary file, not CSV"),
        (b"  \n", r"is empty"),
        (b'Identifier,Grade\n"Participant 1,\n', r"line 2: a quoted field is never closed"),
    ],
)
def test_files_that_are_not_worksheets(tmp_path, data, expected):
    with pytest.raises(WorksheetError, match=expected):
        read_worksheet(_write(tmp_path, "bad.csv", data))


def test_missing_file_and_bad_ids(tmp_path):
    with pytest.raises(WorksheetError, match="cannot read the worksheet"):
        read_worksheet(tmp_path / "nope.csv")
    ws = read_worksheet(_write(tmp_path, "w.csv", EN.encode()))
    with pytest.raises(WorksheetError, match="participant id is a number"):
        fill(ws, {"Jean Dupont": Grade(1, 1)})


def _importer_ids(arcname: str) -> tuple[str, str] | None:
    """Moodle's is_valid_filename_for_import, re-read: (participant id, file name) or None."""
    parts = arcname.split("/")
    if parts[-1].startswith((".", "~")):
        return None
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not info[1].isdigit():
            continue
        if info[2] not in ("assignsubmission", "assignfeedback"):
            continue
        parts.insert(0, info[4] if len(info) == 5 else "")
        return str(int(info[1])), "/".join(parts)
    return None


def test_feedback_zip_folders_parse_back_to_participants(tmp_path):
    reports = {
        "1234501": ("Jean Dupont", {"report.html": b"<html>jean</html>", "report.txt": b"jean"}),
        "1234502": ("Marie_Claire O'Neil", {"report.html": b"<html>mc</html>"}),
        "1234503": (
            "",
            {"../../etc/passwd": b"x", ".hidden": b"h", "~tmp": b"t", "a\\b.txt": b"b"},
        ),
        1234504: ('Zoé Ünal/Ärger: "x"', {"rapport.html": "é".encode()}),
    }
    path = write_feedback_zip(tmp_path / "moodle-feedback.zip", reports)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        contents = {n: zf.read(n) for n in names}
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)
    got: dict[str, dict[str, bytes]] = {}
    for n in names:
        parsed = _importer_ids(n)
        assert parsed is not None, f"Moodle's importer would ignore {n}"
        pid, filename = parsed
        got.setdefault(pid, {})[filename.lstrip("/")] = contents[n]
    assert got == {
        "1234501": {"report.html": b"<html>jean</html>", "report.txt": b"jean"},
        "1234502": {"report.html": b"<html>mc</html>"},
        "1234503": {"passwd": b"x", "hidden": b"h", "tmp": b"t", "b.txt": b"b"},
        "1234504": {"rapport.html": "é".encode()},
    }
    assert "Marie Claire O'Neil_1234502_assignsubmission_file_/report.html" in names
    assert "Participant_1234503_assignsubmission_file_/passwd" in names
    assert (
        folder_name('Zoé Ünal/Ärger: "x"', 1234504)
        == "Zoé Ünal Ärger x_1234504_assignsubmission_file_"
    )
    assert feedback.parse_folder_name(folder_name("A_B_C_D", 5)) == "5"


def test_feedback_zip_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError, match="participant id is a number"):
        write_feedback_zip(tmp_path / "f.zip", {"../x": ("A", {"r.txt": b""})})
    big = b"x" * (feedback.MAX_FILE_BYTES + 1)
    with pytest.raises(ValueError, match="over 20 MiB"):
        write_feedback_zip(tmp_path / "f.zip", {"1": ("A", {"r.txt": big})})
    assert not (tmp_path / "f.zip").exists() and list(tmp_path.iterdir()) == []
    path = write_feedback_zip(tmp_path / "f.zip", {"1": ("A", {"r.txt": b"1", "R.TXT": b"2"})})
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == [
            "A_1_assignsubmission_file_/R-2.TXT",
            "A_1_assignsubmission_file_/r.txt",
        ]


def _report(**kw):
    checks = [
        {"id": "ex01/a", "function": "step", "status": "passed", "message": "", "hint": ""},
        {
            "id": "ex02/b",
            "function": "fit",
            "status": "error",
            "cause": "grader",
            "message": "grader broke",
            "hint": "",
        },
        {
            "id": "ex02/c",
            "function": "loss",
            "status": "failed",
            "message": "valeurs fausses <script>",
            "hint": "divisez par n",
        },
        {"id": "ex03/d", "function": "g", "status": "timeout", "message": "trop lent", "hint": ""},
    ]
    return {
        "score": 1.5,
        "max_score": 6,
        "exercises": [
            {"id": "ex01", "score": 1, "max_score": 1, "checks": checks[:1]},
            {"id": "ex02", "score": 0.5, "max_score": 3, "checks": checks[1:3]},
            {"id": "ex03", "score": 0, "max_score": 2, "checks": checks[3:]},
        ],
        **kw,
    }


def test_feedback_html_scores_and_what_to_fix_first():
    h = feedback_html(_report(), "fr")
    assert "<th>Exercice</th><th>Note</th>" in h
    assert "<tr><td>ex02</td><td>0.5 / 3</td></tr>" in h
    assert "<tr><th>Total</th><th>1.5 / 6</th></tr>" in h
    assert "<p>3 tests sur 4 ne sont pas réussis.</p>" in h
    assert "<strong>À corriger</strong>" in h
    # ex02's first failing check is the grader's own error: not the student's to fix.
    assert (
        "<li>ex02, loss(): valeurs fausses &lt;script&gt; <em>Indice: divisez par n</em></li>" in h
    )
    assert "grader broke" not in h and "<script>" not in h
    assert h.index("ex02, loss()") < h.index("ex03, g()")
    assert "\n" not in h
    only_one = feedback_html(_report(), "en", max_fixes=1)
    assert "ex02, loss()" in only_one and "ex03, g()" not in only_one
    assert "<th>Exercise</th>" in only_one


def test_feedback_html_all_passed():
    r = {"score": 1, "max_score": 1, "exercises": [_report()["exercises"][0]]}
    h = feedback_html(r, "en")
    assert "<p>Every check passed.</p>" in h and "What to fix" not in h


def test_csvtext_keeps_raw_text():
    text = 'a,"b ""q""",c\r\n"multi\nline",,\n\nlast'
    records = csvtext.parse(text, ",")
    assert [r.values for r in records] == [
        ("a", 'b "q"', "c"),
        ("multi\nline", "", ""),
        ("",),
        ("last",),
    ]
    assert [r.line for r in records] == [1, 2, 4, 5]
    assert csvtext.render(records, ",") == text


@pytest.mark.parametrize("module", [csvtext, worksheet, feedback])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_excel_resaved_sheet_tab_and_latin1_round_trip(tmp_path):
    # Excel's "CSV" quotes only what needs it and ends lines with \r\n; a byte cp1252 lacks
    # (0x81) makes it latin-1. Both come back unchanged but for the filled cells.
    head = (
        "Identifier,Full name,Grade,Maximum grade,Grade can be changed,"
        "Last modified (grade),Feedback comments\r\n"
    )
    data = (
        head + "Participant 5,Ren\xe9 \x81,,10.0,Yes,-,\r\nParticipant 6,B,,10.0,Yes,-,\r\n"
    ).encode("latin-1")
    ws = read_worksheet(_write(tmp_path, "w.csv", data))
    assert (ws.encoding, ws.decimals) == ("latin-1", 1)
    written = worksheet.render(fill(ws, {"6": Grade(1, 4, "<p>€ \ud800</p>")}))
    lines = written.split(b"\r\n")
    assert lines[:2] == data.split(b"\r\n")[:2]
    assert lines[2] == b'Participant 6,B,2.5,10.0,Yes,-,"<p>&#8364; &#55296;</p>"'
    tabbed = head.replace(",", "\t") + "Participant 5\tA\t\t10\tYes\t-\t\r\n"
    ws = read_worksheet(_write(tmp_path, "t.tsv", tabbed.encode()))
    assert ws.delimiter == "\t" and ws.decimal == "." and ws.participants() == {"5": 0}
    assert worksheet.render(fill(ws, {"5": Grade(1, 1)})).endswith(b"\t10.00\t10\tYes\t-\t\r\n")


def test_other_language_headers_and_upload_hint(tmp_path):
    german = "Kennung,Vollständiger Name,Bewertung\nTeilnehmer/in1,A,\n".encode()
    with pytest.raises(WorksheetError, match="read in English or French"):
        read_worksheet(_write(tmp_path, "de.csv", german))
    ws = read_worksheet(_write(tmp_path, "fr.csv", FR.encode("cp1252")))
    hint = worksheet.upload_hint(ws)
    assert "Encoding WINDOWS-1252" in hint and "Separator ; (semicolon)" in hint
    ws = read_worksheet(_write(tmp_path, "en.csv", EN.encode()))
    assert "Encoding UTF-8, Separator , (comma)" in worksheet.upload_hint(ws)


def test_feedback_html_cleans_control_characters():
    r = _report()
    r["exercises"][2]["checks"][0]["message"] = "got \x1b[2J\x00 and " + "x" * 400
    h = feedback_html(r, "en")
    assert "\x1b" not in h and "\x00" not in h and "\\x1b[2J" in h
    shown = h[h.index("ex03, g(): ") + len("ex03, g(): ") : h.rindex("</li>")]
    assert len(shown) == 300 and shown.endswith("x…"), "a long message is cut at 300 characters"
