from __future__ import annotations

from bot.rendering import esc, pick_text, truncate
from bot.texts import paginate


def test_esc_escapes_everything_telegram_html_interprets() -> None:
    assert esc("<b>\"Fish\" & 'chips'</b>") == (
        "&lt;b&gt;&quot;Fish&quot; &amp; &#x27;chips&#x27;&lt;/b&gt;"
    )
    assert esc(42) == "42"


def test_pick_text_falls_back_along_campaign_languages() -> None:
    texts = {"en": "Hello", "ru": "Привет", "zh_Hans": "你好"}
    assert pick_text(texts, "ru", ["en", "ru"]) == "Привет"
    assert pick_text(texts, "zh_Hant", ["en", "ru"]) == "你好"  # same base language
    assert pick_text(texts, "de", ["ru", "en"]) == "Привет"  # campaign's primary first
    assert pick_text({}, "de", ["en"]) == ""


def test_truncate() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_paginate_never_exceeds_the_limit_and_keeps_every_line() -> None:
    lines = [f"line {i} " + "x" * (i % 50) for i in range(500)]
    pages = paginate(lines, limit=1000)
    assert all(len(page) <= 1000 for page in pages)
    assert "\n".join(pages).split("\n") == lines
    exact = paginate(["a" * 500, "b" * 499], limit=1000)
    assert exact == ["a" * 500 + "\n" + "b" * 499]  # exactly at the limit: one page
    assert paginate(["a" * 500, "b" * 500], limit=1000) == ["a" * 500, "b" * 500]


def test_strip_controls_keeps_line_breaks_and_tabs_only() -> None:
    from bot.rendering import strip_controls

    assert strip_controls("a\x00b\x1b[31mc\x07\n\td\x7f\x85") == "ab[31mc\n\td"
    assert strip_controls("‏עברית 👩‍👩‍👧") == "‏עברית 👩‍👩‍👧"
