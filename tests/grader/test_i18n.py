"""Every grader message exists in English and French, with the same placeholders."""

from __future__ import annotations

import string

from grader.i18n import catalog, t


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_both_languages_have_the_same_keys_and_placeholders():
    en, fr = catalog("en"), catalog("fr")
    assert set(en) == set(fr)
    for key in en:
        assert _fields(en[key]) == _fields(fr[key]), key
        assert fr[key].strip(), key


def test_french_is_really_french():
    assert t("status.passed", "fr") == "réussi"
    assert "n'est pas encore implémentée" in t(
        "fn.not_implemented", "fr", function="f", file="x.py"
    )


def test_course_checks_have_bilingual_titles_and_hints():
    from grader import course

    for ex_id in course.available():
        ex = course.load(ex_id)
        assert ex.title.en and ex.title.fr, ex_id
        for c in ex.checks:
            if c.hint.en:
                assert c.hint.fr, f"{c.id} has an English hint without French"
