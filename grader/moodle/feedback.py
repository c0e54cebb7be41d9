"""Feedback for Moodle: the zip for "Upload multiple feedback files in a zip", and the comment.

The zip holds one folder per participant, named as Moodle names a student's folder in
"Download all submissions" (``mod/assign/classes/downloader.php``, ``get_student_prefix``;
``locallib.php`` ``download_submissions`` before 4.1): the full name with ``_`` made a space,
``_``, the participant id, ``_``, the plugin (``assignsubmission_file``), and a trailing
``_`` as Moodle < 4.1 wrote it. The importer (``mod/assign/feedback/file/importziplib.php``,
``is_valid_filename_for_import``) splits each path part on ``_`` (at most 5 pieces) and takes
the first part with at least 4 pieces whose second is a known participant id and whose third
and fourth name an installed plugin; it accepts the folder with or without the trailing ``_``
(Moodle >= 4.1 drops it; older ones require it) and ignores files whose name starts with
``.`` or ``~``. Each file in the folder becomes that participant's feedback file.

    >>> folder_name("Jean_Dupont", 1234501)
    'Jean Dupont_1234501_assignsubmission_file_'
    >>> parse_folder_name('Jean Dupont_1234501_assignsubmission_file_')
    '1234501'
"""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from grader.expect import _atomic_write
from grader.i18n import t
from grader.report.printable import clean_text

#: The largest report file put in the zip (Moodle's upload limit is often 20 MiB in all).
MAX_FILE_BYTES = 20 * 1024 * 1024
PLUGIN = "assignsubmission_file"
# clean_filename (PARAM_FILE in lib/moodlelib.php, clean_param) removes these and controls.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def folder_name(full_name: str, participant_id: str | int) -> str:
    """The folder Moodle's importer reads as participant ``participant_id``'s feedback.

    Args:
      full_name: the name in the worksheet's Full name column ('' under blind marking:
        Moodle then writes "Participant").
      participant_id: the number in "Participant 1234501".

    Returns:
      ``Full Name_1234501_assignsubmission_file_``.

    Raises:
      ValueError: ``participant_id`` is not a number.
    """
    pid = str(participant_id).strip()
    if not pid.isdigit():
        raise ValueError(
            f"a participant id is a number (as in 'Participant 1234501'), not {participant_id!r}"
        )
    name = " ".join(_UNSAFE.sub(" ", full_name.replace("_", " ")).split())[:100]
    return f"{name or 'Participant'}_{int(pid)}_{PLUGIN}_"


def parse_folder_name(part: str) -> str | None:
    """The participant id that Moodle's importer reads in one path part, or None.

    The same rule as ``is_valid_filename_for_import``: split on ``_`` into at most 5 pieces,
    at least 4, the second a number, the third and fourth a plugin's subtype and type.

    >>> parse_folder_name("Participant_42_assignfeedback_file"), parse_folder_name("ex01_x.py")
    ('42', None)
    """
    info = part.split("_", 4)
    if len(info) < 4 or not info[1].isdigit():
        return None
    if info[2] not in ("assignsubmission", "assignfeedback") or not info[3]:
        return None
    return str(int(info[1]))


def _file_name(name: str) -> str:
    base = re.split(r"[/\\]", name)[-1]
    base = " ".join(_UNSAFE.sub("_", base).split()).lstrip(".~ ")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:120]
    return base or "report.txt"


def write_feedback_zip(
    path: str | os.PathLike, reports: Mapping[str | int, tuple[str, Mapping[str, bytes]]]
) -> Path:
    """Write the feedback zip: for each participant, a folder holding their report files.

    Args:
      path: the zip to write, e.g. ``OUTPUT_DIR/moodle-feedback.zip`` (written atomically).
      reports: participant id → (full name, {file name: content}). A file name keeps only its
        last path component; a name Moodle would ignore (``.x``, ``~x``) or that holds
        characters Moodle removes is cleaned; two equal names get ``-2``, ``-3``...

    Returns:
      The path written.

    Raises:
      ValueError: a participant id is not a number, or a file is over
        :data:`MAX_FILE_BYTES`.
    """
    path = Path(path)
    entries: list[tuple[str, bytes]] = []
    folders: set[str] = set()
    for pid, (full_name, files) in reports.items():
        folder = folder_name(full_name, pid)
        if folder.casefold() in folders:
            raise ValueError(f"participant {pid} is given twice")
        folders.add(folder.casefold())
        used: set[str] = set()
        for name, content in files.items():
            if len(content) > MAX_FILE_BYTES:
                raise ValueError(
                    f"the report {name!r} of participant {pid} is over "
                    f"{MAX_FILE_BYTES // 2**20} MiB: too large for Moodle's upload"
                )
            entries.append((f"{folder}/{_unique(_file_name(name), used)}", bytes(content)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, content in entries:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content)
    _atomic_write(path, buffer.getvalue())
    return path


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    used.add(candidate.casefold())
    return candidate


def _brief(text: str, limit: int = 300) -> str:
    text = " ".join(clean_text(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def feedback_html(report: Mapping, lang: str = "en", *, max_fixes: int = 3) -> str:
    """The Feedback comments cell: the score per exercise and what to fix first, in HTML.

    Args:
      report: a JSON report (``Report.to_json()``) in the language ``lang``.
      lang: ``"en"`` or ``"fr"``, for the labels (the checks' messages are the report's).
      max_fixes: how many failing exercises to name, first failing check of each, in order
        (checks the grader itself failed to judge are not the student's to fix).

    Returns:
      One line of HTML: a table of exercises and scores, the total, then what to fix.

    >>> r = {"score": 1, "max_score": 3, "exercises": [
    ...     {"id": "ex01", "score": 1, "max_score": 1, "checks": []},
    ...     {"id": "ex02", "score": 0, "max_score": 2, "checks": [{"id": "ex02/f/a",
    ...      "function": "f", "status": "failed", "message": "got 1 < 2", "hint": ""}]}]}
    >>> h = feedback_html(r)
    >>> "<td>ex02</td><td>0 / 2</td>" in h, "<li>ex02, f(): got 1 &lt; 2</li>" in h
    (True, True)
    """
    esc = html.escape
    rows = [
        f"<tr><th>{esc(t('report.exercise', lang))}</th><th>{esc(t('report.score', lang))}</th></tr>"
    ]
    for ex in report.get("exercises", []):
        rows.append(
            f"<tr><td>{esc(str(ex.get('id', '')))}</td>"
            f"<td>{float(ex.get('score', 0)):g} / {float(ex.get('max_score', 0)):g}</td></tr>"
        )
    rows.append(
        f"<tr><th>{esc(t('report.total', lang))}</th>"
        f"<th>{float(report.get('score', 0)):g} / {float(report.get('max_score', 0)):g}</th></tr>"
    )
    checks = [c for ex in report.get("exercises", []) for c in ex.get("checks", [])]
    failing = [c for c in checks if c.get("status") not in ("passed", "skipped")]
    if failing:
        summary = t("report.failed_count", lang, failed=len(failing), total=len(checks))
    else:
        summary = t("report.all_passed", lang)
    out = "<table>" + "".join(rows) + "</table>" + f"<p>{esc(summary)}</p>"
    fixes = []
    for ex in report.get("exercises", []):
        first = next(
            (
                c
                for c in ex.get("checks", [])
                if c.get("status") not in ("passed", "skipped") and c.get("cause") != "grader"
            ),
            None,
        )
        if first is None:
            continue
        where = f"{ex.get('id', '')}, {first.get('function', '')}()"
        item = f"{esc(where)}: {esc(_brief(first.get('message')))}"
        if first.get("hint"):
            item += f" <em>{esc(t('report.hint', lang))}: {esc(_brief(first['hint']))}</em>"
        fixes.append(f"<li>{item}</li>")
        if len(fixes) >= max_fixes:
            break
    if fixes:
        out += f"<p><strong>{esc(t('report.message', lang))}</strong></p><ul>{''.join(fixes)}</ul>"
    return out
