"""Moodle's offline grading worksheet: read it, fill in grades and feedback, write it back.

The instructor downloads the worksheet from the assignment (Moodle 4: *Submissions*, then
*Actions* → *Download grading worksheet*; Moodle 3: *View all submissions*, *Grading action*
→ *Download grading worksheet*; the assignment's *Feedback types* must include *Offline
grading worksheet*), the grader fills it, and the instructor uploads it back with *Upload
grading worksheet*. Everything but the Grade and Feedback comments cells of the graded
participants is written back byte for byte: columns, rows, quoting, encoding (UTF-8 with or
without BOM, cp1252 or latin-1 as Excel saves it), delimiter and decimal separator.

Column headers are the language strings of the Moodle user who downloaded the file; the
importer (``mod/assign/feedback/offline/importgradeslib.php``, ``init()``) finds its columns
by those same strings: ``recordid`` (Identifier), ``gradenoun`` (Grade), ``lastmodifiedgrade``
and the feedback plugins' editor field names (``assignfeedback_comments`` → Feedback
comments). The columns' order and contents come from ``mod/assign/gradingtable.php``: the
Identifier is ``get_string('hiddenuser', 'assign')`` + the participant id ("Participant
1234501", French "Participant1234501"), a grade is ``format_float`` with the user's decimal
separator, read back by ``unformat_float``; a grade above the maximum, or for a participant
whose "Grade can be changed" is No, is skipped by ``process_import_grades`` in
``mod/assign/feedback/offline/locallib.php``.

    >>> ws = parse_worksheet(
    ...     b'Identifier,"Full name",Grade,"Maximum grade","Grade can be changed",'
    ...     b'"Last modified (grade)","Feedback comments"\\n'
    ...     b'"Participant 1234501","Jean Dupont",,100.00,Yes,-,\\n'
    ... )
    >>> ws.participants()
    {'1234501': 0}
    >>> out = fill(ws, {"1234501": Grade(135, 270, "<p>ok</p>")})
    >>> render(out).decode().splitlines()[1]
    '"Participant 1234501","Jean Dupont",50.00,100.00,Yes,-,<p>ok</p>'
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.expect import _atomic_write
from grader.moodle import csvtext

#: The largest worksheet read: a class of thousands is a few hundred kilobytes.
MAX_BYTES = 20 * 1024 * 1024

# Column roles and their headers, English (lang/en) then French (AMOS fr pack): assign.php's
# recordid, status, maxgrade, scale, gradecanbechanged, lastmodifiedsubmission,
# lastmodifiedgrade; moodle.php's fullname, email, gradenoun (grade before Moodle 4.1);
# assignfeedback_comments.php's pluginname.
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("Identifier", "Identifiant"),
    "fullname": ("Full name", "Nom complet"),
    "email": ("Email address", "Adresse de courriel"),
    "status": ("Status", "Statut"),
    "grade": ("Grade", "Note"),
    "maxgrade": ("Maximum grade", "Note maximale"),
    "scale": ("Scale", "Barème"),
    "canchange": ("Grade can be changed", "La note peut être modifiée"),
    "modified_submission": ("Last modified (submission)", "Dernière modification (travail remis)"),
    "modified_grade": ("Last modified (grade)", "Dernière modification (note)"),
    "feedback": ("Feedback comments", "Feedback par commentaires"),
}
#: The columns Moodle's importer cannot do without (it refuses the file otherwise).
REQUIRED = ("id", "grade", "modified_grade")
_NO = {"no", "non"}
_DELIMITERS = (",", ";", "\t")
# Python's codec names → the names in Moodle's Encoding menu (core_text::get_encodings).
_MOODLE_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "WINDOWS-1252",
    "latin-1": "ISO-8859-1",
}
_HOW = (
    "Download it from the assignment in Moodle: Submissions (Moodle 3: View all submissions), "
    "then Actions or Grading action → Download grading worksheet; 'Offline grading "
    "worksheet' must be ticked in the assignment's Feedback types."
)


class WorksheetError(ValueError):
    """The file is not a grading worksheet, or cannot take the grades given."""


@dataclass(frozen=True)
class Grade:
    """One participant's result: the grader's score and the feedback comment (HTML)."""

    score: float
    max_score: float
    feedback_html: str = ""


@dataclass(frozen=True)
class Worksheet:
    """A grading worksheet as read, with how it was written (to write it back the same).

    ``headers`` and ``rows`` are the cell values; ``columns`` maps a role (``id``,
    ``grade``, ``maxgrade``, ``feedback``... the keys of :data:`HEADERS`) to its index;
    ``notes`` says what :func:`fill` could not do (a participant missing, a locked grade).
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    columns: dict[str, int]
    encoding: str
    delimiter: str
    decimal: str
    decimals: int
    language: str
    notes: tuple[str, ...] = ()
    records: tuple[csvtext.Record, ...] = field(default=(), repr=False)

    def participants(self) -> dict[str, int]:
        """Each participant id in the sheet and the index of its row in ``rows``."""
        out = {}
        for i, row in enumerate(self.rows):
            pid = participant_id(_cell(row, self.columns["id"]))
            if pid is not None:
                out.setdefault(pid, i)
        return out

    def cell(self, row: int, role: str) -> str:
        """The value of column ``role`` in row ``row`` ('' where the row is short)."""
        return _cell(self.rows[row], self.columns[role])


def participant_id(identifier: str) -> str | None:
    """The participant id in an Identifier cell ("Participant 1234501"), or None.

    The importer strips ``get_string('hiddenuser', 'assign')`` ("Participant " in English,
    "Participant" in French) and reads the number left; the trailing digits are that number
    in every language.

    >>> participant_id("Participant 1234501"), participant_id("Participant0042"), participant_id("")
    ('1234501', '42', None)
    """
    m = re.search(r"(\d+)\s*$", identifier)
    return str(int(m.group(1))) if m else None


def read_worksheet(path: str | os.PathLike) -> Worksheet:
    """The worksheet in the file ``path``.

    Args:
      path: the CSV file downloaded from Moodle (possibly re-saved by Excel or LibreOffice).

    Returns:
      The parsed :class:`Worksheet`.

    Raises:
      WorksheetError: the file is missing, too large, or not a grading worksheet (the message
        says which column is missing and how to download the right file).
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise WorksheetError(f"cannot read the worksheet {path}: {e.strerror or e}") from None
    return parse_worksheet(data, source=str(path))


def parse_worksheet(data: bytes, *, source: str = "the worksheet") -> Worksheet:
    """The worksheet in ``data`` (the bytes of the CSV file); see :func:`read_worksheet`."""
    if len(data) > MAX_BYTES:
        raise WorksheetError(f"{source} is larger than {MAX_BYTES // 2**20} MiB: not a worksheet")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise WorksheetError(
            f"{source} is a spreadsheet or binary file, not CSV: download the worksheet again "
            f"(Moodle gives CSV), or save it from your spreadsheet as CSV. {_HOW}"
        )
    try:
        encoding, text = csvtext.decode(data)
    except csvtext.CsvSyntaxError as e:
        raise WorksheetError(f"{source}: {e}") from None
    if not text.strip():
        raise WorksheetError(f"{source} is empty. {_HOW}")
    best: tuple[list[csvtext.Record], str, dict[str, int]] | None = None
    for delimiter in _DELIMITERS:
        try:
            records = csvtext.parse(text, delimiter)
        except csvtext.CsvSyntaxError as e:
            raise WorksheetError(f"{source}: {e}") from None
        columns = _columns(records[0].values)
        if best is None or len(columns) > len(best[2]):
            best = (records, delimiter, columns)
    assert best is not None
    records, delimiter, columns = best
    headers = records[0].values
    missing = [role for role in REQUIRED if role not in columns]
    if "maxgrade" not in columns and "scale" not in columns:
        missing.append("maxgrade")
    if missing:
        names = " or ".join(repr(h) for h in HEADERS[missing[0]])
        shown = ", ".join(repr(h) for h in headers[:12]) + (", ..." if len(headers) > 12 else "")
        raise WorksheetError(
            f"{source} is not a Moodle grading worksheet: it has no {names} column (its "
            f"first line has {shown}). Headers are read in English or French: switch your Moodle "
            f"language to one of them before downloading. {_HOW}"
        )
    rows = tuple(r.values for r in records[1:])
    language = "fr" if headers[columns["id"]].strip().casefold() == "identifiant" else "en"
    decimal, decimals = _number_style(rows, columns, delimiter, language)
    return Worksheet(
        headers=headers,
        rows=rows,
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        decimals=decimals,
        language=language,
        records=tuple(records),
    )


def _columns(headers: tuple[str, ...]) -> dict[str, int]:
    wanted = {name.casefold(): role for role, names in HEADERS.items() for name in names}
    columns: dict[str, int] = {}
    for i, header in enumerate(headers):
        role = wanted.get(header.strip().casefold())
        if role is not None:
            columns.setdefault(role, i)
    return columns


def _cell(row: tuple[str, ...], index: int) -> str:
    return row[index] if index < len(row) else ""


def _number_style(
    rows: tuple[tuple[str, ...], ...], columns: dict[str, int], delimiter: str, language: str
) -> tuple[str, int]:
    """The decimal separator and the number of decimals of the sheet's grades."""
    for role in ("maxgrade", "grade"):
        if role not in columns:
            continue
        for row in rows:
            m = re.fullmatch(r"\s*-?\d+([.,])(\d+)\s*", _cell(row, columns[role]))
            if m:
                return m.group(1), len(m.group(2))
    return ("," if delimiter == ";" or language == "fr" else "."), 2


def _number(text: str, decimal: str) -> float | None:
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if decimal == ",":
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def format_grade(value: float, ws: Worksheet) -> str:
    """``value`` written as the sheet writes grades ("12,50" in a French sheet).

    >>> ws = parse_worksheet("Identifiant;Note;Note maximale;Dernière modification (note)\\n"
    ...                      "Participant1;;20,00;-\\n".encode("cp1252"))
    >>> format_grade(12.5, ws), ws.encoding, ws.delimiter
    ('12,50', 'cp1252', ';')
    """
    text = f"{value:.{ws.decimals}f}"
    return text.replace(".", ws.decimal) if ws.decimal != "." else text


def fill(
    ws: Worksheet, grades: Mapping[str | int, Grade], *, scale: float | None = None
) -> Worksheet:
    """``ws`` with the Grade and Feedback comments of the participants in ``grades`` filled.

    A grade is the score scaled to that row's Maximum grade (or to ``scale``), rounded as the
    sheet writes grades; the feedback is written on one line. A participant whose grade cannot be changed in Moodle keeps the sheet's
    grade (the importer would skip it) but gets the feedback; a graded participant missing from
    the sheet is listed in ``notes``.

    Args:
      ws: the worksheet read.
      grades: participant id ("1234501") → :class:`Grade`.
      scale: grade out of this instead of each row's Maximum grade (at most that maximum).

    Returns:
      A new worksheet; every other cell and row is unchanged.

    Raises:
      WorksheetError: the assignment is graded on a custom scale (no number can be
        imported), a row has no usable Maximum grade, ``scale`` exceeds it, or a participant
        appears twice.
    """
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        raise WorksheetError(f"the scale must be a positive number, not {scale!r}")
    wanted = {_normal_id(pid): g for pid, g in grades.items()}
    if wanted and "maxgrade" not in ws.columns:
        raise WorksheetError(
            "this assignment is graded on a custom scale (the worksheet has a "
            f"{ws.headers[ws.columns['scale']]!r} column): Moodle imports only that scale's "
            "words, not numbers. Change the assignment's Grade type to Point and download the "
            "worksheet again."
        )
    rows_of = _rows_by_participant(ws)
    records = list(ws.records)
    notes = list(ws.notes)
    for pid, grade in wanted.items():
        if pid not in rows_of:
            notes.append(
                f"participant {pid} was graded but is not in the worksheet: download it again "
                "(with all participants shown, no group or filter selected)"
            )
            continue
        row = rows_of[pid]
        record = _padded(records[row + 1], len(ws.headers))
        if "canchange" in ws.columns and ws.cell(row, "canchange").strip().casefold() in _NO:
            notes.append(
                f"participant {pid}: the grade is locked or overridden in the gradebook "
                "('Grade can be changed' is No): feedback filled, grade left as it was"
            )
        else:
            value = _scaled(ws, row, grade, scale)
            record = csvtext.with_value(
                record, ws.columns["grade"], format_grade(value, ws), ws.delimiter
            )
        if grade.feedback_html and "feedback" in ws.columns:
            html = " ".join(grade.feedback_html.split())
            record = csvtext.with_value(record, ws.columns["feedback"], html, ws.delimiter)
        records[row + 1] = record
    if any(g.feedback_html for g in wanted.values()) and "feedback" not in ws.columns:
        notes.append(
            "the worksheet has no 'Feedback comments' column: tick 'Feedback comments' in the "
            "assignment's Feedback types and download the worksheet again to import feedback"
        )
    return replace(
        ws, rows=tuple(r.values for r in records[1:]), records=tuple(records), notes=tuple(notes)
    )


def _normal_id(pid: str | int) -> str:
    text = str(pid).strip()
    if not text.isdigit():
        raise WorksheetError(
            f"a participant id is a number (as in 'Participant 1234501'), not {pid!r}"
        )
    return str(int(text))


def _rows_by_participant(ws: Worksheet) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, row in enumerate(ws.rows):
        pid = participant_id(_cell(row, ws.columns["id"]))
        if pid is None:
            continue
        if pid in seen:
            raise WorksheetError(
                f"participant {pid} appears twice in the worksheet (lines {ws.records[seen[pid] + 1].line} "
                f"and {ws.records[i + 1].line}): download it again rather than editing it"
            )
        seen[pid] = i
    return seen


def _padded(record: csvtext.Record, width: int) -> csvtext.Record:
    missing = width - len(record.fields)
    if missing <= 0:
        return record
    return replace(record, fields=record.fields + (csvtext.Field("", ""),) * missing)


def _scaled(ws: Worksheet, row: int, grade: Grade, scale: float | None) -> float:
    line = ws.records[row + 1].line
    if not (math.isfinite(grade.score) and math.isfinite(grade.max_score) and grade.max_score > 0):
        raise WorksheetError(
            f"line {line}: cannot scale a score of {grade.score} / {grade.max_score}"
        )
    maximum = _number(ws.cell(row, "maxgrade"), ws.decimal)
    if maximum is None or maximum <= 0:
        raise WorksheetError(
            f"line {line}: the Maximum grade {ws.cell(row, 'maxgrade')!r} is not a positive "
            "number: download the worksheet again, unedited"
        )
    if scale is not None and scale > maximum + 1e-9:
        raise WorksheetError(
            f"the scale {scale:g} is above the assignment's Maximum grade "
            f"{format_grade(maximum, ws)} (line {line}): Moodle skips such grades. Use a scale "
            "of at most the Maximum grade, or raise it in the assignment's settings"
        )
    target = maximum if scale is None else scale
    ratio = min(max(grade.score / grade.max_score, 0.0), 1.0)
    return round(ratio * target, ws.decimals)


def render(ws: Worksheet) -> bytes:
    """The bytes of the worksheet file, in its encoding; feedback characters the encoding
    lacks are written as HTML character references (the cell is HTML)."""
    return csvtext.encode(csvtext.render(list(ws.records), ws.delimiter), ws.encoding)


def upload_hint(ws: Worksheet) -> str:
    """What to choose in Moodle's *Upload grading worksheet* form to import ``ws`` as written.

    >>> ws = parse_worksheet(b"Identifier;Grade;Maximum grade;Last modified (grade)\\n")
    >>> "Encoding UTF-8, Separator ; (semicolon)" in upload_hint(ws)
    True
    """
    encoding = _MOODLE_ENCODINGS[ws.encoding]
    separator = {",": ", (comma)", ";": "; (semicolon)", "\t": "tab"}[ws.delimiter]
    return (
        "In Moodle: the assignment's Submissions, Actions (Moodle 3: Grading action) → "
        f"Upload grading worksheet, Encoding {encoding}, Separator {separator} (a Moodle "
        "without these fields reads only UTF-8 with commas). Leave 'Allow updating records "
        "that have been modified more recently in Moodle' unticked unless you mean to "
        "overwrite grades changed in Moodle since the worksheet was downloaded."
    )


def write_worksheet(ws: Worksheet, path: str | os.PathLike) -> Path:
    """Write ``ws`` to ``path`` (atomically: a reader never sees half a file).

    Args:
      ws: the worksheet, usually from :func:`fill`.
      path: the file to write, e.g. ``OUTPUT_DIR/moodle-worksheet.csv``.

    Returns:
      The path written.
    """
    path = Path(path)
    _atomic_write(path, render(ws))
    return path
