"""A CSV reader that keeps every field's exact text, so a file can be written back unchanged.

Python's :mod:`csv` gives values only: writing them back re-quotes the fields its own way
(Moodle's PHP ``fputcsv`` quotes every field holding a space, Python does not), and an
instructor diffing the worksheet would see every line changed. Here each field keeps its raw
text and each record its line ending; only the fields that are replaced are re-quoted.

    >>> table = parse('"Participant 1",12.5\\r\\n"Participant 2",\\r\\n', ",")
    >>> [[f.value for f in r.fields] for r in table]
    [['Participant 1', '12.5'], ['Participant 2', '']]
    >>> render(table, ",") == '"Participant 1",12.5\\r\\n"Participant 2",\\r\\n'
    True
"""

from __future__ import annotations

from dataclasses import dataclass, replace


class CsvSyntaxError(ValueError):
    """The text is not CSV: a quoted field is never closed."""


@dataclass(frozen=True)
class Field:
    """One cell: its value and the exact text it was read from."""

    value: str
    raw: str

    @property
    def quoted(self) -> bool:
        return self.raw.startswith('"')


@dataclass(frozen=True)
class Record:
    """One line of the file (a quoted cell may span several): its cells and its line ending."""

    fields: tuple[Field, ...]
    end: str
    line: int

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(f.value for f in self.fields)

    @property
    def blank(self) -> bool:
        return all(not f.value.strip() for f in self.fields)


def decode(data: bytes) -> tuple[str, str]:
    """The encoding of a CSV file's bytes (as Python names it) and its text.

    UTF-8 with a byte order mark (Excel's "CSV UTF-8"), UTF-8, then Windows-1252 (Excel's
    "CSV" on a French Windows) and ISO-8859-1, which decodes anything.

    >>> decode("é;1".encode("cp1252")), decode(b"\\xef\\xbb\\xbf\\xc3\\xa9")
    (('cp1252', 'é;1'), ('utf-8-sig', 'é'))

    Raises:
      CsvSyntaxError: the bytes start with a UTF-8 byte order mark but are not UTF-8.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return "utf-8-sig", data[3:].decode("utf-8")
        except UnicodeDecodeError as e:
            raise CsvSyntaxError(
                f"it starts with a UTF-8 mark but byte {e.start + 3} is not UTF-8: save it "
                "again as 'CSV UTF-8', or download it again"
            ) from None
    for encoding in ("utf-8", "cp1252"):
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return "latin-1", data.decode("latin-1")


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (as :func:`decode` named it); a character the encoding lacks
    becomes an HTML character reference (the only new text is Moodle feedback, HTML).

    >>> encode("≤ é", "cp1252"), encode("é", "utf-8-sig")
    (b'&#8804; \\xe9', b'\\xef\\xbb\\xbf\\xc3\\xa9')
    """
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="xmlcharrefreplace")
    return text.encode(encoding, errors="xmlcharrefreplace")


def parse(text: str, delimiter: str) -> list[Record]:
    """The records of ``text``, split on ``delimiter`` (RFC 4180, leniently).

    A quote inside an unquoted field is kept as text; text after a closing quote is appended
    to the value (as spreadsheets do). Line endings may be ``\\r\\n``, ``\\n`` or ``\\r``.

    Args:
      text: the decoded file.
      delimiter: one character, e.g. ``","`` or ``";"``.

    Returns:
      The records in order; a final line ending does not make an extra empty record.

    Raises:
      CsvSyntaxError: a quoted field is not closed before the end of the text.
    """
    records: list[Record] = []
    fields: list[Field] = []
    i, n, line, start_line = 0, len(text), 1, 1
    while True:
        start = i
        if i < n and text[i] == '"':
            value, i, line = _quoted(text, i, line)
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                value += text[i]
                i += 1
        else:
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                i += 1
            value = text[start:i]
        fields.append(Field(value, text[start:i]))
        if i < n and text[i] == delimiter:
            i += 1
            continue
        end = "\r\n" if text.startswith("\r\n", i) else text[i : i + 1]
        i += len(end)
        records.append(Record(tuple(fields), end, start_line))
        fields = []
        line += 1 if end else 0
        start_line = line
        if i >= n:
            return records


def _quoted(text: str, i: int, line: int) -> tuple[str, int, int]:
    """The value of the quoted field opening at ``text[i]``, the index after it, the line."""
    parts = []
    first_line = line
    i += 1
    while True:
        close = text.find('"', i)
        if close < 0:
            raise CsvSyntaxError(
                f"line {first_line}: a quoted field is never closed (a '\"' is missing)"
            )
        chunk = text[i:close]
        line += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
        parts.append(chunk)
        if text.startswith('""', close):
            parts.append('"')
            i = close + 2
            continue
        return "".join(parts), close + 1, line


def quote(value: str, delimiter: str, *, force: bool = False) -> str:
    """``value`` as a CSV field, quoted the way PHP's ``fputcsv`` (Moodle's writer) does.

    ``fputcsv`` quotes a field holding the delimiter, a quote, a space, a tab or a line break.

    >>> quote('<p>Total 12</p>', ';')
    '"<p>Total 12</p>"'
    >>> quote('12,5', ';')
    '12,5'
    """
    if force or any(c in value for c in (delimiter, '"', " ", "\t", "\r", "\n", "\\")):
        return '"' + value.replace('"', '""') + '"'
    return value


def with_value(record: Record, index: int, value: str, delimiter: str) -> Record:
    """``record`` with its field ``index`` holding ``value`` (quoted if the old one was)."""
    fields = list(record.fields)
    old = fields[index]
    fields[index] = Field(value, quote(value, delimiter, force=old.quoted))
    return replace(record, fields=tuple(fields))


def render(records: list[Record], delimiter: str) -> str:
    """The text of ``records``: every untouched field and line ending exactly as read."""
    return "".join(delimiter.join(f.raw for f in r.fields) + r.end for r in records)
