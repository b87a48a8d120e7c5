"""Locale negotiation, native language names, and Babel formatting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import (
    SUPPORTED_LOCALES,
    fmt_date,
    fmt_datetime,
    fmt_list,
    fmt_number,
    language_name,
    negotiate_locale,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-hant", "zh_Hant"),
        ("zh-hk", "zh_Hant"),
        ("zh-tw", "zh_Hant"),
        ("ru", "ru"),
        ("uk-UA", "uk"),
        ("en-GB", "en"),
        ("pt-br", "fr"),  # no Portuguese catalog: the default
        ("tlh", "fr"),
        ("", "fr"),
        (None, "fr"),
    ],
)
def test_negotiate_locale(code: str | None, expected: str) -> None:
    assert negotiate_locale(code, SUPPORTED_LOCALES, "fr") == expected


def test_pt_br_maps_to_pt_when_present() -> None:
    assert negotiate_locale("pt-br", (*SUPPORTED_LOCALES, "pt"), "en") == "pt"
    assert negotiate_locale("pt-BR", ("en", "pt_BR", "pt"), "en") == "pt_BR"


def test_language_names_are_native_cldr_names() -> None:
    names = {code: language_name(code) for code in SUPPORTED_LOCALES}
    assert names["kk"] == "Қазақ тілі"
    assert names["zh_Hans"] == "简体中文"
    assert names["zh_Hant"] == "繁體中文"
    assert names["ru"] == "Русский"
    assert names["ar"] == "العربية"
    assert language_name("kk", "en") == "Kazakh"


def test_formatting_follows_the_locale() -> None:
    assert fmt_number(1203, "en") == "1,203"
    assert fmt_number(1203, "de") == "1.203"
    assert fmt_number(1203, "fr") == "1\u202f203"
    assert fmt_list(["A", "B", "C"], "en") == "A, B, and C"
    assert fmt_list(["A", "B", "C"], "ru") == "A, B и C"
    moment = datetime(2026, 12, 18, 22, 5, tzinfo=UTC)
    assert fmt_date(moment, "en") == "December 18, 2026"
    assert fmt_date(moment, "de") == "18. Dezember 2026"
    assert "23:05" in fmt_datetime(moment, "de", "Europe/Berlin")
    assert "03:05" in fmt_datetime(moment, "ru", "Asia/Aqtau")  # UTC+5, next day
