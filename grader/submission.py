"""Turning what a student hands in (a folder, .py files, a .zip) into a staged, read-only folder.

Only Python files are staged, flat, with size limits; a zip is read member by member and
anything odd in it (absolute paths, ``..``, links, too many or too large files) is refused
with the reason. The staged folder is what the sandbox mounts at ``/submission``.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 2 * 2**20
MAX_TOTAL_BYTES = 32 * 2**20
MAX_FILES = 500
STAGED_SUFFIXES = (".py",)


class SubmissionError(ValueError):
    """The submission cannot be read; the message says why and what is expected."""


def _check_size(name: str, size: int, total: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SubmissionError(
            f"{name} is {size} bytes; files over {MAX_FILE_BYTES} bytes are refused"
        )
    if total > MAX_TOTAL_BYTES:
        raise SubmissionError(f"the submission is over {MAX_TOTAL_BYTES} bytes in all")


def _copy_file(src: Path, dest_dir: Path, total: int) -> int:
    st = src.lstat()
    if not stat.S_ISREG(st.st_mode):
        return total  # links and special files are not staged
    total += st.st_size
    _check_size(src.name, st.st_size, total)
    shutil.copyfile(src, dest_dir / src.name)
    return total


def _extract_zip(path: Path, dest_dir: Path) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a readable zip file: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_FILES:
            raise SubmissionError(
                f"{path.name} holds {len(infos)} entries; at most {MAX_FILES} are accepted"
            )
        total = 0
        for info in infos:
            name = info.filename
            p = PurePosixPath(name.replace("\\", "/"))
            if (
                p.is_absolute()
                or name.startswith(("/", "\\"))
                or ".." in p.parts
                or ":" in p.parts[0]
            ):
                raise SubmissionError(f"{path.name} contains the unsafe path {name!r}; refused")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise SubmissionError(f"{path.name} contains the link {name!r}; links are refused")
            if info.is_dir() or p.suffix not in (*STAGED_SUFFIXES, ".ipynb"):
                continue
            if p.name.startswith(".") or "__MACOSX" in p.parts:
                continue
            total += info.file_size
            _check_size(name, info.file_size, total)
            target = dest_dir / p.name
            if target.exists():
                raise SubmissionError(f"{path.name} holds two files named {p.name}; keep one")
            with zf.open(info) as src, open(target, "wb") as out:
                # Read at most the declared size + 1: a lying header cannot inflate past the cap.
                data = src.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise SubmissionError(f"{name} expands beyond {MAX_FILE_BYTES} bytes; refused")
                out.write(data)


def stage(paths: list[str | Path]) -> tempfile.TemporaryDirectory:
    """Copy the submission's Python files into a fresh folder readable by the sandbox user.

    Args:
      paths: one folder, one or more ``.py``/``.ipynb`` files, or one ``.zip``.

    Returns:
      A TemporaryDirectory (use ``.name``; clean it up when done) with ``.notes``, a list of
      remarks for the report (e.g. IPython magics dropped from a notebook).
    """
    staged = tempfile.TemporaryDirectory(prefix="submission-")
    dest = Path(staged.name)
    try:
        total = 0
        for raw in paths:
            p = Path(raw)
            if not p.exists():
                raise SubmissionError(
                    f"{p} does not exist: give an exercises folder, .py files or a .zip"
                )
            if p.is_dir():
                for child in sorted(p.iterdir()):
                    if child.suffix in (*STAGED_SUFFIXES, ".ipynb") and not child.name.startswith(
                        "."
                    ):
                        total = _copy_file(child, dest, total)
            elif p.suffix == ".zip":
                _extract_zip(p, dest)
            elif p.suffix in (*STAGED_SUFFIXES, ".ipynb"):
                total = _copy_file(p, dest, total)
            else:
                raise SubmissionError(
                    f"{p} is neither a folder, a .py file, a .ipynb notebook nor a .zip"
                )
        from grader import course
        from grader.filenames import match_exercise_files
        from grader.notebook import convert_notebooks

        staged.notes = convert_notebooks(dest)  # what was dropped from notebooks, for the report
        staged.notes += match_exercise_files(dest, course.available())  # Ex01.py, ex03 (1).py
        os.chmod(dest, 0o755)
        for f in dest.iterdir():
            os.chmod(f, 0o644)
    except BaseException:
        staged.cleanup()
        raise
    return staged
