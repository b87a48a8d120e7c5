"""Text rendering. The one place user-supplied text is HTML-escaped: ``esc``.

Every message the bot sends uses HTML parse mode, so anything that did not come from our
own catalogs (campaign texts, names, slugs typed by users) goes through ``esc`` first.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from urllib.parse import quote

#: Telegram's limit for one text message.
MESSAGE_LIMIT = 4096


def esc(value: object) -> str:
    """Escape user-supplied text for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=True)


#: Control characters kept in user text: line breaks and tabs. The others (NUL, escape
#: sequences, bells) are dropped on the way in: PostgreSQL refuses NUL in text outright.
_KEPT_CONTROLS = {"\n", "\t"}
_CONTROLS = {
    code: None
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
    if chr(code) not in _KEPT_CONTROLS
}


def strip_controls(text: str) -> str:
    """User-typed text without control characters other than line breaks and tabs."""
    return text.translate(_CONTROLS)


def pick_text(texts: Mapping[str, str], locale: str, languages: Sequence[str]) -> str:
    """A campaign text in the reader's locale, else in the campaign's languages in order."""
    if texts.get(locale):
        return texts[locale]
    base = locale.split("_", 1)[0]
    for code, text in texts.items():
        if text and code.split("_", 1)[0] == base:
            return text
    for code in languages:
        if texts.get(code):
            return texts[code]
    return next((text for text in texts.values() if text), "")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def mailto_url(to: str, *, subject: str = "", body: str = "", cc: Sequence[str] = ()) -> str:
    """A ``mailto:`` URL (RFC 6068): address, then percent-encoded subject, cc and body.

    Line breaks in the body are sent as CRLF (``%0D%0A``), as RFC 6068 asks."""
    fields = []
    if subject:
        fields.append("subject=" + quote(subject, safe=""))
    if cc:
        fields.append("cc=" + ",".join(quote(address, safe="@") for address in cc))
    if body:
        fields.append("body=" + quote(body.replace("\r\n", "\n").replace("\n", "\r\n"), safe=""))
    url = "mailto:" + quote(to, safe="@")
    return url + ("?" + "&".join(fields) if fields else "")
