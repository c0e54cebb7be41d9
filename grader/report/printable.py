"""Text from student code made safe for every report: printable, encodable, well-formed.

A student's output and exception messages reach the reports verbatim. Raw, they break
them: ``\\x00`` or ``\\x01`` make JUnit XML unparsable, a lone surrogate (``\\ud800``) cannot
be written as UTF-8 (the JSON file fails to save), ``\\x1b[2J`` clears the instructor's
terminal and bidirectional overrides (U+202E) make text read other than it is. Each such
character is replaced by its Python escape, visible and harmless (``\\x1b[2J`` shows as the
six characters ``\\x1b[2J``); newlines and tabs stay. The result is idempotent.

    >>> clean_text("a\\x00b\\x1b[2Jc\\r\\nd\\ud800")
    'a\\\\x00b\\\\x1b[2Jc\\nd\\\\ud800'
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls (U+009B is a CSI on some terminals),
# lone surrogates, XML's non-characters, and the bidirectional controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_text(text: Any) -> str:
    """``text`` (made a ``str``) with every unsafe character replaced by its escape.

    Args:
      text: anything; non-strings are converted with ``str``.

    Returns:
      A string that is valid UTF-8, valid in XML 1.0, and moves no terminal cursor.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n")
    return _UNSAFE.sub(_escape, text)


def clean_tree(data: Any) -> Any:
    """``data`` (JSON-like: dicts, lists, tuples, strings, numbers) with every string cleaned.

    Args:
      data: a report's plain data, e.g. ``Report.to_json()``.

    Returns:
      The same structure, dict keys included, with :func:`clean_text` applied to strings.
    """
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {clean_tree(k): clean_tree(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [clean_tree(v) for v in data]
    return data
