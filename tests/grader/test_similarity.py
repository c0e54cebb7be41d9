"""``grader similarity``: renamed copies are flagged, independent solutions and the stub are not."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.cli import main
from grader.similarity import Pair, compare, similarity

REPO = Path(__file__).resolve().parents[2]
EX = "ex02_activations"
STUB = (REPO / "exercises" / f"{EX}.py").read_text(encoding="utf-8")

# One student's ex02, written with jax.numpy throughout.
ORIGINAL = """import jax.numpy as jnp
import numpy as np


def sigmoid(z):
    z = jnp.asarray(z)
    e = jnp.exp(-jnp.abs(z))
    return jnp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    z = jnp.asarray(z)
    return jnp.maximum(z, 0.0)


def relu_prime(z):
    z = jnp.asarray(z)
    return jnp.where(z > 0, 1.0, 0.0)


def tanh(z):
    return jnp.tanh(jnp.asarray(z))


def leaky_relu(z, alpha=0.01):
    z = jnp.asarray(z)
    return jnp.where(z > 0, z, alpha * z)


def softmax(z, axis=-1):
    z = jnp.asarray(z)
    shifted = z - jnp.max(z, axis=axis, keepdims=True)
    e = jnp.exp(shifted)
    return e / jnp.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    z = jnp.asarray(z)
    shifted = z - jnp.max(z, axis=axis, keepdims=True)
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))
"""

# ORIGINAL with every variable renamed, the functions reordered and comments added.
RENAMED = """import jax.numpy as jnp
import numpy as np


def softmax(logits, axis=-1):
    # shift by the max for stability
    logits = jnp.asarray(logits)
    centred = logits - jnp.max(logits, axis=axis, keepdims=True)
    ex = jnp.exp(centred)
    return ex / jnp.sum(ex, axis=axis, keepdims=True)


def sigmoid(x):
    # stable sigmoid
    x = jnp.asarray(x)
    t = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


def relu(x):
    x = jnp.asarray(x)
    return jnp.maximum(x, 0.0)


def sigmoid_prime(x):
    sx = sigmoid(x)
    return sx * (1.0 - sx)


def relu_prime(x):
    x = jnp.asarray(x)
    return jnp.where(x > 0, 1.0, 0.0)


def leaky_relu(x, alpha=0.01):
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, alpha * x)


def tanh(x):
    return jnp.tanh(jnp.asarray(x))


def log_softmax(logits, axis=-1):
    logits = jnp.asarray(logits)
    centred = logits - jnp.max(logits, axis=axis, keepdims=True)
    return centred - jnp.log(jnp.sum(jnp.exp(centred), axis=axis, keepdims=True))
"""

# An independent correct ex02: clipping instead of |z|, tanh from exp(-2|z|), softmax
# from log_softmax, a float-conversion helper.
INDEPENDENT = """import jax.numpy as jnp
import numpy as np


def _as_float(values):
    arr = jnp.array(values)
    if not jnp.issubdtype(arr.dtype, jnp.floating):
        arr = arr.astype(jnp.float32)
    return arr


def sigmoid(z):
    v = _as_float(z)
    pos = 1 / (1 + jnp.exp(-jnp.clip(v, 0, None)))
    ez = jnp.exp(jnp.clip(v, None, 0))
    neg = ez / (ez + 1)
    return jnp.where(v < 0, neg, pos)


def sigmoid_prime(z):
    v = _as_float(z)
    q = jnp.exp(-jnp.abs(v))
    return q / jnp.square(1 + q)


def relu(z):
    v = _as_float(z)
    return v * (v > 0)


def relu_prime(z):
    return (_as_float(z) > 0).astype(_as_float(z).dtype)


def tanh(z):
    v = _as_float(z)
    q = jnp.exp(-2 * jnp.abs(v))
    return jnp.sign(v) * (1 - q) / (1 + q)


def leaky_relu(z, alpha=0.01):
    v = _as_float(z)
    return jnp.maximum(v, 0) + alpha * jnp.minimum(v, 0)


def log_softmax(z, axis=-1):
    v = _as_float(z)
    top = jnp.max(v, axis=axis, keepdims=True)
    lse = top + jnp.log(jnp.exp(v - top).sum(axis=axis, keepdims=True))
    return v - lse


def softmax(z, axis=-1):
    return jnp.exp(log_softmax(z, axis=axis))
"""


def _class(tmp_path: Path, **students: str) -> Path:
    """A class folder: one sub-folder per student holding its ``ex02_activations.py``."""
    root = tmp_path / "class"
    for name, source in students.items():
        (root / name).mkdir(parents=True)
        (root / name / f"{EX}.py").write_text(source, encoding="utf-8")
    return root


def _pairs(report) -> dict[frozenset, Pair]:
    [ex] = [e for e in report.exercises if e.exercise == EX]
    return {frozenset((p.a, p.b)): p for p in ex.pairs}


def test_a_renamed_reordered_copy_is_flagged_both_ways(tmp_path):
    report = similarity(_class(tmp_path, alice=ORIGINAL, bob=RENAMED), [EX], 0.5)
    pair = _pairs(report)[frozenset(("alice", "bob"))]
    assert pair.similarity_a > 0.85 and pair.similarity_b > 0.85
    assert pair.overlap_tokens_a > 100 and pair.overlap_tokens_b > 100
    assert report.exercises[0].compared == 1


def test_independent_correct_solutions_are_not_flagged(tmp_path):
    root = _class(tmp_path, alice=ORIGINAL, bob=RENAMED, carol=INDEPENDENT)
    report = similarity(root, [EX], 0.0)  # threshold 0: every pair with any overlap listed
    pairs = _pairs(report)
    assert report.exercises[0].compared == 3
    for other in ("alice", "bob"):
        pair = pairs.get(frozenset((other, "carol")))
        assert pair is None or pair.score < 0.25, pair
    flagged = similarity(root, [EX], 0.5)
    assert set(_pairs(flagged)) == {frozenset(("alice", "bob"))}


def test_the_stubs_code_does_not_count(tmp_path):
    # Two students handing in the untouched stub (identical files) share nothing of their own.
    report = similarity(_class(tmp_path, alice=STUB, bob=STUB), [EX], 0.0)
    assert _pairs(report) == {}
    # Two independent solutions written into the stub (its docstrings and signatures kept).
    alice = STUB + "\n" + ORIGINAL
    carol = STUB + "\n" + INDEPENDENT
    report = similarity(_class(tmp_path / "2", alice=alice, carol=carol), [EX], 0.0)
    pair = _pairs(report).get(frozenset(("alice", "carol")))
    assert pair is None or pair.score < 0.25, pair
    # Without the stub as boilerplate, the given code alone makes them look alike.
    files = {
        "alice": tmp_path / "2/class/alice" / f"{EX}.py",
        "carol": tmp_path / "2/class/carol" / f"{EX}.py",
    }
    (tmp_path / "work").mkdir()
    [pair], compared, _ = compare(files, None, 0.5, tmp_path / "work")
    assert compared == 1 and pair.score > 0.5


def test_notebooks_misnamed_files_and_zips_are_read_and_broken_ones_skipped(tmp_path):
    root = _class(tmp_path, alice=ORIGINAL)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(RENAMED)]
    (root / "bob").mkdir()
    nbformat.write(nb, str(root / "bob" / f"{EX}.ipynb"))
    (root / "dave").mkdir()
    (root / "dave" / "Ex02_Activations (1).py").write_text(RENAMED, encoding="utf-8")
    with zipfile.ZipFile(root / "erin.zip", "w") as zf:
        zf.writestr(f"erin/{EX}.py", ORIGINAL)
    (root / "frank.zip").write_bytes(b"not a zip")
    report = similarity(root, [EX], 0.5)
    assert set(report.exercises[0].submissions) == {"alice", "bob", "dave", "erin"}
    assert "frank" in report.skipped and "not a readable zip" in report.skipped["frank"]
    assert "dave: Ex02_Activations (1).py taken as ex02_activations.py" in " ".join(report.notes)
    assert len(_pairs(report)) == 6  # four copies of one code: every pair flagged


def test_cli_writes_the_text_json_and_html_reports_and_exits_0(tmp_path, capsys):
    hostile = "<img src=x onerror=alert(1)>"
    payload = RENAMED + 'NOTE = "</code></pre><script>alert(1)</script>"\n'
    root = _class(tmp_path, alice=ORIGINAL, bob=RENAMED, carol=INDEPENDENT, **{hostile: payload})
    out = tmp_path / "out"
    code = main(["similarity", str(root), "--output", str(out), "-e", "ex02"])
    printed = capsys.readouterr().out
    assert code == 0
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert data["grades_changed"] is False and data["threshold"] == 0.5
    [ex] = data["exercises"]
    assert ex["exercise"] == EX and ex["html"] == f"{EX}.html" and ex["compared"] == 6
    flagged = {frozenset((p["a"], p["b"])) for p in ex["pairs"]}
    assert flagged == {
        frozenset(p) for p in [("alice", "bob"), ("alice", hostile), ("bob", hostile)]
    }
    text = (out / "similarity.txt").read_text(encoding="utf-8")
    assert text in printed and "3 over 50%" in text and "alice  ~  bob" in text
    html = (out / f"{EX}.html").read_text(encoding="utf-8")
    assert "alice.py" in html and "carol.py" in html
    assert "<img src=x" not in html  # file names are made safe before copydetect shows them
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html  # code is escaped


def test_a_moodle_download_zip_is_read_per_participant(tmp_path, capsys):
    pytest.importorskip("grader.moodle.download")
    download = tmp_path / "Course-Assignment-12345.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(f"Jean Dupont_1234501_assignsubmission_file_/{EX}.py", ORIGINAL)
        zf.writestr(f"Marie Curie_1234502_assignsubmission_file_/work/{EX}.py", RENAMED)
        zf.writestr(f"Paul Martin_1234503_assignsubmission_file_{EX}.py", INDEPENDENT)
        zf.writestr("Paul Martin_1234503_assignsubmission_onlinetext_/onlinetext.html", "<p>hi</p>")
    out = tmp_path / "out"
    assert main(["similarity", str(download), "--output", str(out), "-e", EX]) == 0
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert data["submissions"] == ["1234501", "1234502", "1234503"]
    assert data["names"]["1234502"] == "Marie Curie"
    [ex] = data["exercises"]
    assert [(p["a"], p["b"]) for p in ex["pairs"]] == [("1234501", "1234502")]
    assert "Jean Dupont (1234501)  ~  Marie Curie (1234502)" in capsys.readouterr().out


def test_a_zip_that_is_no_moodle_download_is_refused(tmp_path, capsys):
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as zf:
        zf.writestr(f"alice/{EX}.py", ORIGINAL)
    code = main(["similarity", str(tmp_path / "class.zip"), "--output", str(tmp_path / "o")])
    assert code == 2 and "not a Moodle" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--threshold", "1.5"], "--threshold must be between 0 and 1"),
        (["-e", "ex99"], "ex99"),
    ],
)
def test_cli_refuses_bad_options(tmp_path, capsys, argv, message):
    root = _class(tmp_path, alice=ORIGINAL)
    code = main(["similarity", str(root), "--output", str(tmp_path / "out"), *argv])
    assert code == 2 and message in capsys.readouterr().err


def test_a_missing_class_folder_is_a_usage_error(tmp_path, capsys):
    code = main(["similarity", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out")])
    assert code == 2 and "needs a folder" in capsys.readouterr().err
