"""``grader new``: a new exercise in a temporary course root, graded end to end."""

from __future__ import annotations

import json

import pytest

from grader import course
from grader.cli import main
from grader.scaffold import new_exercise, paths

EX = "ex96_scale"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def root(tmp_path):
    yield tmp_path
    course.forget(tmp_path / "grader" / "course")


def test_new_then_reference_full_marks_stub_zero_selftest_passes_until_weakened(capsys, root):
    code, out, _ = run(capsys, "new", EX, "Scaling", "--root", root)
    assert code == 0 and "grader selftest -e ex96_scale --course" in out
    written = sorted(p for p in root.rglob("*") if p.is_file())
    assert written == sorted(paths(root, EX).values())  # nothing else, nothing edited
    checks = [paths(root, EX)[k] for k in ("checks", "hidden", "variants")]
    assert sum(len(p.read_text().splitlines()) for p in checks) <= 40

    where = ["--course", root / "grader" / "course", "--solutions", root / "solutions"]
    code, out, _ = run(
        capsys, "run", root / "solutions", "--hidden", "-e", EX, *where, "--format", "json"
    )
    report = json.loads(out)
    assert code == 0 and report["score"] == report["max_score"] > 0
    assert any(c["visibility"] == "hidden" for c in report["exercises"][0]["checks"])
    code, out, _ = run(capsys, "run", root / "exercises", "-e", "ex96", *where, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["score"] == 0
    assert all("not implemented yet" in c["message"] for c in report["exercises"][0]["checks"])
    code, out, _ = run(capsys, "selftest", "-e", EX, *where)
    assert code == 0 and "scale: proven" in out and "selftest: passed" in out

    # A weakened check: all-zero inputs, on which the wrong variant (identity) is right too.
    course.forget(root / "grader" / "course")
    for key in ("checks", "hidden"):
        p = paths(root, EX)[key]
        text = p.read_text().replace("rng.normal(size=n)", "0.0 * rng.normal(size=n)")
        p.write_text(text.replace("rng.normal(size=(3, 4))", "0.0 * rng.normal(size=(3, 4))"))
    code, out, _ = run(capsys, "selftest", "-e", EX, *where, "--quiet")
    assert code == 1 and "scale: NOT PROVEN" in out, out
    assert "identity: scale: wrong code got full marks" in out


@pytest.mark.parametrize(
    "exercise_id, words",
    [
        ("scale", "exNN_name form"),
        ("ex1_scale", "exNN_name form"),
        ("ex16_Scale", "exNN_name form"),
        ("ex16_class", "exNN_name form"),  # a keyword cannot name the function
        ("ex01_other", "ex01 is already ex01_perceptron"),
    ],
)
def test_a_bad_id_is_refused_with_how_to_fix_it(capsys, root, exercise_id, words):
    code, _, err = run(capsys, "new", exercise_id, "T", "--root", root)
    assert code == 2 and words in err
    assert not any(root.iterdir())


def test_nothing_is_overwritten(root):
    stub = paths(root, EX)["stub"]
    stub.parent.mkdir(parents=True)
    stub.write_text("mine\n")
    with pytest.raises(ValueError, match=r"refusing to overwrite .*ex96_scale\.py"):
        new_exercise(EX, "T", root)
    assert stub.read_text() == "mine\n"
    assert not paths(root, EX)["reference"].exists()
