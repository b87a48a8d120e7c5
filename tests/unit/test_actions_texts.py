"""Action cards: the mailto: link (RFC 6068), long letters, and Telegram's limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot import texts
from bot.config import LOCALES_DIR
from bot.i18n import create_i18n
from bot.rendering import mailto_url
from bot.services.actions import ActionCard, Target, suppress_small
from bot.telegram_html import html_error

TODAY = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n(LOCALES_DIR, "en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def card(template: str, *, email: str | None = "kz@example.de") -> ActionCard:
    target = Target(
        key="Q1",
        name="",
        source="mission",
        kind="embassy",
        operator="KZ",
        country="DE",
        city="Berlin",
        email=email,
    )
    return ActionCard(
        id="embassy",
        title="Protest <now>",
        subject="Free them & now?",
        letter_template=template,
        letter_language="en",
        cc=("a@example.org", "b@example.org"),
        target=target,
        embassy_of="KZ",
        alternatives=1,
        contacted=0,
        you_reported=frozenset(),
    )


def test_mailto_url_encodes_every_field() -> None:
    url = mailto_url(
        "kz@example.de",
        subject="Free them & now?",
        body="Line 1\nLine 2 = 100%",
        cc=["a@example.org", "b@example.org"],
    )
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and parts.path == "kz@example.de"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Free them & now?"]
    assert query["cc"] == ["a@example.org,b@example.org"]
    assert query["body"] == ["Line 1\r\nLine 2 = 100%"]
    assert " " not in url and "\n" not in url


def test_card_links_the_whole_letter() -> None:
    (page,) = texts.action_card(card("Dear {target}, from {country} on {date}."), "DE", TODAY, "en")
    assert html_error(page, 4096) is None
    assert "Protest &lt;now&gt;" in page
    href = page.split('<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    body = parse_qs(urlsplit(href).query)["body"][0]
    assert body == "Dear Embassy of Kazakhstan, from Germany on November 24, 2026."
    assert "Copy to: a@example.org, b@example.org" in page


def test_a_long_letter_is_linked_without_its_body_and_stays_within_limits() -> None:
    long_letter = ("Workers & families <3 " * 140).strip()  # ~3,000 characters
    pages = texts.action_card(card(long_letter), "DE", TODAY, "en")
    for page in pages:
        assert html_error(page, 4096) is None
    last = pages[-1]
    href = last.split('<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "body=" not in href and len(href) < 2000
    assert unquote(href).startswith("mailto:kz@example.de?subject=Free them & now?")
    assert "copy it from above" in last
    assert "Workers &amp; families &lt;3" in "".join(pages)


def test_a_target_without_email_gets_no_link() -> None:
    (page,) = texts.action_card(card("Hi", email=None), "DE", TODAY, "en")
    assert "mailto:" not in page and "This address has no email" in page


def test_small_countries_are_merged() -> None:
    merged = suppress_small({"DE": 5, "KZ": 2, "FR": 1, None: 4, "CA": 3})
    assert merged == {"DE": 5, "CA": 3, None: 7}
