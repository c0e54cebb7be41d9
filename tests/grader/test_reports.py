"""Every report format stays valid whatever the student printed or raised, and says whose
errors are whose; a format that breaks loses no grade."""

from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from toy import grade_toy

from grader.i18n import Text
from grader.report import render
from grader.report.csv import gradebook_rows, render_csv_rows
from grader.report.gradescope import render_gradescope
from grader.report.printable import clean_text, clean_tree
from grader.results import Report

HOSTILE = "\x00\x01\x1b[2J\ud800\x1b[31mred\x1b[0m\u202eevil\x9b2J\r"
# Every character that must never reach a report raw.
RAW = ("\x00", "\x01", "\x1b[2J", "\ud800", "\u202e", "\x9b", "\r")

HOSTILE_SOURCE = f"""
import numpy as np
H = {HOSTILE!r}

def double(x):
    print("out:" + H)
    return 3.0 * np.asarray(x)

def add(a, b):
    raise ValueError("bad:" + H)

def pair():
    print(H)
    return np.arange(3.0), 8

def grad(x):
    return 2.0 * np.asarray(x)
"""


@pytest.fixture(scope="module")
def hostile_report() -> Report:
    result = grade_toy(HOSTILE_SOURCE)
    # The toy's title is a plain string; the reports want the course's bilingual Text.
    result = replace(result, exercise=replace(result.exercise, title=Text("toy", "jouet")))
    # The hostile text really reached the results (escaped), so the formats are tested on it.
    assert any("\\x1b[2J" in r.output for r in result.checks)
    assert any("\\x1b[2J" in r.message for r in result.checks)
    return Report(
        submission="student" + HOSTILE,  # a folder name is the student's choice too
        seed=0,
        suite="0" * 64,
        sandbox="bwrap",
        duration_s=1.0,
        versions={"python": "3"},
        exercises=[result],
        notes=["notebook note" + HOSTILE],
    )


def _no_raw(text: str) -> None:
    for bad in RAW:
        assert bad not in text, repr(bad)
    text.encode("utf-8")  # no lone surrogate


def test_clean_text_escapes_what_is_unsafe_keeps_the_rest_and_is_idempotent():
    cleaned = clean_text("a\tb\nc" + HOSTILE + "é€😀")
    _no_raw(cleaned)
    assert cleaned.startswith("a\tb\nc\\x00\\x01\\x1b[2J\\ud800")
    assert "\\u202eevil" in cleaned and cleaned.endswith("\\x0dé€😀")
    assert clean_text(cleaned) == cleaned
    assert clean_text("x\r\ny") == "x\ny"
    assert clean_tree({"k\x00": ["v\x1b", ("w\ud800", 3)]}) == {
        "k\\x00": ["v\\x1b", ["w\\ud800", 3]]
    }


def test_junit_stays_parsable_and_keeps_the_students_text_visible(hostile_report):
    text = render([hostile_report], "junit")
    _no_raw(text)
    root = ET.fromstring(text.encode("utf-8"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert "bad:\\x00\\x01\\x1b[2J" in cases["add/values"].find("error").text
    assert "out:\\x00" in cases["double/values"].find("system-out").text
    assert cases["double/values"].find("failure") is not None


@pytest.mark.parametrize("fmt", ["json", "gradescope"])
def test_json_formats_are_valid_utf8_json(hostile_report, fmt):
    text = render([hostile_report], fmt)
    _no_raw(text)
    data = json.loads(text.encode("utf-8"))
    assert "\\x1b[2J" in json.dumps(data, ensure_ascii=False)


def test_csv_gradebook_is_clean_and_formula_proof(hostile_report):
    text = render([hostile_report], "csv")
    _no_raw(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["id"].startswith("student\\x00")
    data = hostile_report.to_json()
    data["submission"] = '=HYPERLINK("http://x")'
    row = gradebook_rows([data])[0]
    assert row["id"].startswith("'=")


@pytest.mark.parametrize("color", [False, True])
def test_table_sends_no_escape_sequence_of_the_students(hostile_report, color):
    text = render([hostile_report], "table", color=color)
    _no_raw(text)
    assert "\\x1b[2J" in text  # shown escaped, so the instructor sees what was printed
    if not color:
        assert "\x1b" not in text


def test_a_check_that_cannot_be_drawn_is_named_and_the_others_are_drawn(
    hostile_report, monkeypatch
):
    import grader.report.table as table

    real = table._row

    def broken(r, lang):
        if r.check.function == "add":
            raise RuntimeError("cannot draw")
        return real(r, lang)

    monkeypatch.setattr(table, "_row", broken)
    text = render([hostile_report], "table")
    assert "could not be shown" in text and "RuntimeError" in text  # (wrapped in its cell)
    assert "pair() must return" in text  # the other rows are there


def _with_grader_error(report: Report) -> Report:
    """``report`` where one erroring check is the grader's fault."""
    from grader.runner import grader_fault

    checks = report.exercises[0].checks
    i = next(i for i, r in enumerate(checks) if r.check.function == "double")
    try:
        {}["expected"]
    except KeyError as exc:
        res = grader_fault(checks[i].check, exc, "en")
    exercise = replace(
        report.exercises[0], checks=[res if j == i else r for j, r in enumerate(checks)]
    )
    return replace(report, exercises=[exercise])


def test_reports_say_whose_errors_they_are(hostile_report):
    from grader.report.table import render_table

    report = _with_grader_error(hostile_report)
    table = render_table(report, width=400)  # wide: no sentence wrapped across lines
    assert "grader error" in table and "error in the code" in table
    assert "Errors: 1 in the submission's code, 1 in the grader itself" in table
    assert "Grader's internal error (for the instructor): KeyError: 'expected'" in table
    checks = json.loads(render([report], "json"))["exercises"][0]["checks"]
    causes = {c["function"]: c.get("cause") for c in checks}
    assert causes["double"] == "grader" and causes["add"] == "student"
    assert causes["pair"] is None  # a failed answer is nobody's error
    double = next(c for c in checks if c["function"] == "double")
    assert "KeyError" in double["internal_error"] and double["hint"] == ""
    root = ET.fromstring(render([report], "junit"))
    errors = {c.get("name"): c.find("error") for c in root.iter("testcase")}
    assert errors["double/values"].get("type") == "error (grader)"
    assert errors["add/values"].get("type") == "error (student)"
    row = gradebook_rows([report.to_json()])[0]
    assert row["status"] == "graded (1 errored in the code, 1 not judged: grader error)"
    gradescope = json.loads(render_gradescope(report))
    assert "1 in the grader itself" in gradescope["output"]
    test = next(
        t for t in gradescope["tests"] if t["extra_data"]["check_id"].endswith("double/values")
    )
    assert (
        test["extra_data"]["cause"] == "grader"
        and "Traceback" in test["extra_data"]["internal_error"]
    )
    assert "Traceback" not in test["output"]  # the student sees that it is not their fault, only


def test_french_table_names_the_grader_error(hostile_report):
    from grader.report.table import render_table

    report = _with_grader_error(hostile_report)
    report.lang = "fr"
    text = render_table(report, width=400)
    assert "erreur du correcteur" in text and "Erreurs : 1 dans le code rendu" in text


def test_gradebook_rows_for_submissions_the_grader_could_not_grade():
    rows = gradebook_rows([], refused={"eve": "unsafe path"}, failed={"zed": "KeyError('x')"})
    text = render_csv_rows(rows)
    by_id = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert by_id["eve"]["status"] == "refused: unsafe path"
    assert by_id["zed"]["status"].startswith("not graded: grader error (KeyError('x'))")
