"""Moodle's "Download all submissions" read into participants, and graded by ``--batch``.

The downloads are built here as Moodle names them (``assign::download_submissions()`` in
``mod/assign/locallib.php``): folders ``Full Name_<id>_assignsubmission_file_/``, the flat
layout, blind marking, team prefixes, online text.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from grader.moodle.download import is_moodle_download, parse_entry, read_download
from grader.submission import MAX_FILE_BYTES, SubmissionError

REPO = Path(__file__).resolve().parents[2]
REF = (REPO / "solutions" / "ex01_perceptron.py").read_bytes()
STUB = (REPO / "exercises" / "ex01_perceptron.py").read_bytes()

FOLDERS = {
    "Jean Dupont_1234501_assignsubmission_file_/ex01_perceptron.py": b"jean = 1\n",
    "Jean Dupont_1234501_assignsubmission_file_/extra/ex02_mlp.py": b"jean = 2\n",
    "Jean Dupont_1234501_assignsubmission_file_/rapport.pdf": b"%PDF-1.4",
    "Jean Dupont_1234501_assignsubmission_onlinetext_/onlinetext.html": b"<p>hello</p>",
    "Élodie Bérard_1234502_assignsubmission_file_/ex01_perceptron.py": b"elodie = 1\n",
    "Zoé Martin_1234503_assignsubmission_onlinetext_/onlinetext.html": b"<p>only text</p>",
}
FLAT = {
    "Jean Dupont_1234501_assignsubmission_file_ex01_perceptron.py": b"jean = 1\n",
    "Élodie Bérard_1234502_assignsubmission_file_ex01_perceptron.py": b"elodie = 1\n",
    "Élodie Bérard_1234502_assignsubmission_file_notebook.ipynb": b"{}",
}


def write_folder(root: Path, entries: dict[str, bytes]) -> Path:
    for name, data in entries.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def summary(people) -> list[tuple]:
    """What a record says, free of where the staging folder is."""
    return [
        (
            p.participant_id,
            p.full_name,
            p.group,
            {f.relative_to(p.folder).as_posix(): f.read_bytes() for f in p.files},
            p.notes,
            p.error,
        )
        for p in people
    ]


def test_folder_layout_one_record_per_participant_with_its_files(tmp_path):
    download = write_folder(tmp_path / "download", FOLDERS)
    assert is_moodle_download(download)
    people = read_download(download, tmp_path / "staging")
    assert [p.participant_id for p in people] == ["1234501", "1234502", "1234503"]
    jean, elodie, zoe = people
    assert jean.full_name == "Jean Dupont" and elodie.full_name == "Élodie Bérard"
    assert jean.prefix == "Jean Dupont_1234501"
    rel = {f.relative_to(jean.folder).as_posix(): f.read_bytes() for f in jean.files}
    assert rel == {"ex01_perceptron.py": b"jean = 1\n", "extra/ex02_mlp.py": b"jean = 2\n"}
    assert jean.folder == tmp_path / "staging" / "1234501"
    # The online text and the PDF are not graded, and the report says so.
    assert "onlinetext submission not graded" in jean.notes
    assert any("rapport.pdf" in n for n in jean.notes)
    # Online text only: a participant with no file to grade, not a missing one.
    assert zoe.files == [] and zoe.folder.is_dir() and zoe.full_name == "Zoé Martin"


def test_flat_layout_without_folders(tmp_path):
    download = write_folder(tmp_path / "download", FLAT)
    people = read_download(download, tmp_path / "staging")
    got = {p.participant_id: sorted(f.name for f in p.files) for p in people}
    assert got == {
        "1234501": ["ex01_perceptron.py"],
        "1234502": ["ex01_perceptron.py", "notebook.ipynb"],
    }
    assert people[1].full_name == "Élodie Bérard"


def test_blind_marking_and_team_prefixes(tmp_path):
    entries = {
        "Participant_1234510_assignsubmission_file_/ex01_perceptron.py": b"a = 1\n",
        "Team A-Participant_1234511_assignsubmission_file_/ex01_perceptron.py": b"b = 1\n",
        "Team B-Jean-Pierre Roux_1234512_assignsubmission_file_/ex01_perceptron.py": b"c\n",
        "Participante_1234513_assignsubmission_file_ex01_perceptron.py": b"d = 1\n",
    }
    people = read_download(write_zip(tmp_path / "d.zip", entries), tmp_path / "staging")
    who = {p.participant_id: (p.full_name, p.group) for p in people}
    assert who == {
        "1234510": (None, None),
        "1234511": (None, "Team A"),
        # Moodle joins team and name with "-", as names do: the name is kept as written.
        "1234512": ("Team B-Jean-Pierre Roux", None),
        "1234513": (None, None),
    }
    assert all(len(p.files) == 1 for p in people)


def test_parse_entry_refuses_other_names():
    assert parse_entry("alice") is None
    assert parse_entry("alice.zip") is None
    assert parse_entry("Jean Dupont_abc_assignsubmission_file_") is None
    assert parse_entry("Jean_Dupont_12_assignsubmission_file_") is None  # "_" is never in a name
    e = parse_entry("Jean Dupont_12_assignsubmission_file_ex01_perceptron.py")
    assert (e.participant_id, e.plugin, e.rest) == (
        "12",
        "assignsubmission_file",
        "ex01_perceptron.py",
    )


def test_zip_and_its_unzipped_folder_give_the_same_records(tmp_path):
    folder = write_folder(tmp_path / "download", FOLDERS)
    zipped = write_zip(tmp_path / "download.zip", FOLDERS)
    from_folder = read_download(folder, tmp_path / "s1")
    from_zip = read_download(zipped, tmp_path / "s2")
    assert summary(from_folder) == summary(from_zip)
    assert len(from_zip) == 3


def _clear_utf8_flag(path: Path) -> None:
    """Rewrite a zip's names as bare UTF-8 bytes without the UTF-8 flag (bit 11), as some zip
    tools write them."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offsets = [i.header_offset for i in zf.infolist()]
    for off in offsets:
        assert data[off : off + 4] == b"PK\x03\x04"
        data[off + 7] &= ~0x08  # flag bits are at +6 (little-endian): bit 11 is 0x08 of +7
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 9] &= ~0x08
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))


def test_accented_names_unflagged_utf8_and_decomposed(tmp_path):
    zipped = write_zip(tmp_path / "d.zip", {k: v for k, v in FOLDERS.items() if "lodie" in k})
    _clear_utf8_flag(zipped)
    with zipfile.ZipFile(zipped) as zf:  # what zipfile alone would make of it
        assert not zf.infolist()[0].flag_bits & 0x800
        assert "Élodie" not in zf.namelist()[0]
    (person,) = read_download(zipped, tmp_path / "staging")
    assert person.full_name == "Élodie Bérard" and person.participant_id == "1234502"
    # A macOS folder holds decomposed names (E + combining acute): the name is NFC.
    decomposed = "E\u0301lodie Be\u0301rard_1234502_assignsubmission_file_/ex01_perceptron.py"
    folder = write_folder(tmp_path / "mac", {decomposed: b"x = 1\n"})
    (person,) = read_download(folder, tmp_path / "staging2")
    assert person.full_name == "Élodie Bérard"


@pytest.mark.parametrize(
    "evil",
    [
        "Jean Dupont_1_assignsubmission_file_/../../evil.py",
        "/tmp/Jean Dupont_1_assignsubmission_file_evil.py",
        "..\\Jean Dupont_1_assignsubmission_file_evil.py",
    ],
)
def test_zip_slip_is_refused_and_nothing_is_written_outside(tmp_path, evil):
    entries = {"Anne Roy_2_assignsubmission_file_/ex01_perceptron.py": b"a = 1\n", evil: b"x"}
    zipped = write_zip(tmp_path / "d.zip", entries)
    staging = tmp_path / "work" / "staging"
    staging.mkdir(parents=True)
    with pytest.raises(SubmissionError, match="unsafe path"):
        read_download(zipped, staging)
    assert not list(tmp_path.rglob("evil.py"))


def test_a_link_in_the_zip_is_refused(tmp_path):
    zipped = tmp_path / "d.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        info = zipfile.ZipInfo("Anne Roy_2_assignsubmission_file_/ex01_perceptron.py")
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError, match="link"):
        read_download(zipped, tmp_path / "staging")


def test_oversized_file_refuses_that_participant_only(tmp_path):
    entries = {
        "Anne Roy_2_assignsubmission_file_/ex01_perceptron.py": b"#" * (MAX_FILE_BYTES + 1),
        "Paul Roy_3_assignsubmission_file_/ex01_perceptron.py": b"p = 1\n",
    }
    anne, paul = read_download(write_zip(tmp_path / "d.zip", entries), tmp_path / "staging")
    assert anne.error and "bytes" in anne.error and anne.files == []
    assert not list(anne.folder.iterdir())
    assert paul.error is None and len(paul.files) == 1


def test_not_a_moodle_download(tmp_path):
    plain = tmp_path / "class"
    (plain / "alice").mkdir(parents=True)
    (plain / "alice" / "ex01_perceptron.py").write_bytes(REF)
    assert not is_moodle_download(plain)
    with pytest.raises(SubmissionError, match="not a Moodle"):
        read_download(plain, tmp_path / "staging")
    zipped = write_zip(tmp_path / "one.zip", {"alice/ex01_perceptron.py": REF})
    assert not is_moodle_download(zipped)
    with pytest.raises(SubmissionError, match="Full Name_<id>_assignsubmission_file_"):
        read_download(zipped, tmp_path / "staging")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    assert not is_moodle_download(tmp_path / "broken.zip")


def test_a_download_zipped_again_in_a_folder_of_its_own(tmp_path):
    wrapped = {f"COURSE-Devoir 1-42/{k}": v for k, v in FOLDERS.items()}
    zipped = write_zip(tmp_path / "again.zip", wrapped)
    assert is_moodle_download(zipped)
    again = read_download(zipped, tmp_path / "s1")
    assert summary(again) == summary(
        read_download(write_folder(tmp_path / "f", FOLDERS), tmp_path / "s2")
    )
    folder = write_folder(tmp_path / "outer", wrapped)
    assert is_moodle_download(folder)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_batch_grades_a_moodle_zip_and_its_folder_by_participant_id(capsys, tmp_path):
    entries = {
        "Élodie Bérard_1234502_assignsubmission_file_/ex01_perceptron.py": REF,
        "Jean Dupont_1234501_assignsubmission_file_ex01_perceptron.py": STUB,
        "Jean Dupont_1234501_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "Participant_1234503_assignsubmission_file_/ex01_perceptron.py": REF,
        "=cmd Evil_1234504_assignsubmission_file_/ex01_perceptron.py": b"#" * (MAX_FILE_BYTES + 9),
    }
    zipped = write_zip(tmp_path / "COURSE-Devoir 1-42.zip", entries)
    out = tmp_path / "grades"
    code, text, err = run(capsys, "run", "--batch", zipped, "-e", "ex01", "--output", out)
    assert code == 1, err
    book = (out / "gradebook.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(book)))
    assert header[:3] == ["id", "participant_id", "full_name"]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(book))}
    assert set(rows) == {"1234501", "1234502", "1234503", "1234504"}
    assert {r["participant_id"] for r in rows.values()} == set(rows)
    assert rows["1234502"]["full_name"] == "Élodie Bérard"
    assert rows["1234501"]["full_name"] == "Jean Dupont"
    assert rows["1234503"]["full_name"] == ""  # blind marking: no name
    assert rows["1234504"]["full_name"] == "'=cmd Evil"  # stays text in a spreadsheet
    assert rows["1234504"]["status"].startswith("refused")
    assert rows["1234502"]["total"] == rows["1234502"]["max_score"] == rows["1234503"]["total"]
    assert rows["1234501"]["total"] == "0"
    report = json.loads((out / "1234501.json").read_text(encoding="utf-8"))
    assert report["submission"] == "1234501"
    assert report["participant"]["full_name"] == "Jean Dupont"
    assert "onlinetext submission not graded" in report["notes"]
    assert "Élodie Bérard" in text and "1234502" in text

    # The unzipped folder is the same download: the same files, nothing to regrade.
    folder = write_folder(tmp_path / "unzipped", entries)
    code, text, _ = run(capsys, "run", "--batch", folder, "-e", "ex01", "--output", out)
    assert "3 unchanged" in text
    again = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert again == rows


def test_batch_refuses_a_zip_that_is_not_a_moodle_download(capsys, tmp_path):
    zipped = write_zip(tmp_path / "class.zip", {"alice/ex01_perceptron.py": REF})
    code, _, err = run(capsys, "run", "--batch", zipped, "-e", "ex01", "--output", tmp_path / "g")
    assert code != 0 and "not a Moodle" in err
    assert not (tmp_path / "g" / "gradebook.csv").exists()
