"""``grader release OUTDIR`` and ``grader gradescope OUT.zip``: what leaves the instructor's hands.

A student release holds the stubs, the library, the grader and the **public** checks with
their expected outputs frozen to files — no solution source, no hidden checks, no hidden
inputs, no variants (``grader/course/variants/``: correct ones are solutions). A Gradescope
bundle adds the hidden checks with their frozen expectations (still no solution source), a ``setup.sh`` that installs the project and a ``run_autograder`` that
grades ``/autograder/submission`` into ``/autograder/results/results.json``.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from grader import course
from grader.freeze import freeze

REPO = Path(__file__).resolve().parent.parent
# Copied into every release; everything else (solutions/, tests/, bench/, …) stays home.
_TOP_FILES = ("pyproject.toml", "README.md", "LICENSE")
_TOP_DIRS = ("jaxnn", "grader", "exercises", "docs")
# Never shipped to students, wherever they are.
_EXCLUDED = ("__pycache__", "*.pyc", "frozen", "testing.py")


def _copy_tree(src: Path, dst: Path, *, hidden_checks: bool) -> None:
    ignore = list(_EXCLUDED)

    def skip(folder: str, names: list[str]) -> set[str]:
        out = set(shutil.ignore_patterns(*ignore)(folder, names))
        if Path(folder).resolve() == course.COURSE_DIR:
            # The variants include correct ones, that is, solutions: they never leave home.
            out.add("variants")
            if not hidden_checks:
                out.add("hidden")
        return out

    shutil.copytree(src, dst, ignore=skip, dirs_exist_ok=True)


def build_release(
    out_dir: Path,
    solutions_dir: Path,
    *,
    hidden_checks: bool = False,
    seed: int = 0,
    exercises: list[str] | None = None,
) -> Path:
    """Write a student release (or, with ``hidden_checks``, a grading bundle) to ``out_dir``.

    ``exercises`` (ids) limits the release to those exercises; all by default.

    Returns:
      ``out_dir``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and is not empty; choose a new folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in _TOP_FILES:
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, out_dir / name)
    for name in _TOP_DIRS:
        if (REPO / name).is_dir():
            _copy_tree(REPO / name, out_dir / name, hidden_checks=hidden_checks)
    chosen = exercises or course.available()
    for ex_id in set(course.available()) - set(chosen):
        for folder in ("exercises", "grader/course", "grader/course/hidden"):
            (out_dir / folder / f"{ex_id}.py").unlink(missing_ok=True)
    frozen = out_dir / "grader" / "frozen"
    for ex_id in chosen:
        freeze(course.load(ex_id), solutions_dir, seed, frozen, hidden=hidden_checks)
    return out_dir


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-pip python3-venv bubblewrap util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source
# Only the grader reads the checks and the frozen expectations: the worker runs student code
# under another uid, and must not read them even where bubblewrap cannot start.
installed=$(/autograder/venv/bin/python -c 'import grader, pathlib; print(pathlib.Path(grader.__file__).parent)')
chmod -R go-rwx "$installed/course" "$installed/frozen" /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to results/results.json.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
GRADER="${GRADER:-$ROOT/venv/bin/grader}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
"$GRADER" run "$ROOT/submission" --hidden --format gradescope --output "$ROOT/results/results.json"
status=$?
# 0 and 1 are grades; anything else is the grader's own failure, which Gradescope must see.
if [ "$status" -gt 1 ]; then
  printf '{"score": 0, "output": "The autograder failed (status %s); please tell your instructor.", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def build_gradescope_bundle(
    out_zip: Path, solutions_dir: Path, *, seed: int = 0, exercises: list[str] | None = None
) -> Path:
    """A Gradescope autograder zip: setup.sh, run_autograder and the project at its root
    (Gradescope unpacks it into /autograder/source)."""
    out_zip = Path(out_zip)
    with tempfile.TemporaryDirectory() as tmp:
        src = build_release(
            Path(tmp) / "source", solutions_dir, hidden_checks=True, seed=seed, exercises=exercises
        )
        with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                zf.writestr(info, text)
            for path in sorted(src.rglob("*")):
                if path.is_file():
                    zf.write(path, str(path.relative_to(src)))
    return out_zip
