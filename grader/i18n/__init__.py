"""Grader messages in English and French (``--lang fr``).

Every message the grader itself writes has a key in ``en.json`` and in ``fr.json``; a test
checks that both files have the same keys and the same ``{placeholders}``. Check authors
give their hints and judge messages in both languages with :class:`Text`.

    >>> t("status.passed", "fr")
    'réussi'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr")
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = "en", /, **params) -> str:
    """The message ``key`` in ``lang``, formatted with ``params`` (English if a key is missing)."""
    template = catalog(lang).get(key) or catalog("en")[key]
    return template.format(**params)


@dataclass(frozen=True)
class Text:
    """A sentence written by a check's author in English and French."""

    en: str
    fr: str = ""

    def __call__(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" and self.fr else self.en

    def format(self, **params) -> Text:
        return Text(self.en.format(**params), self.fr.format(**params) if self.fr else "")
