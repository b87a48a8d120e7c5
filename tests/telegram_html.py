"""What Telegram's servers check in a message before accepting it.

The fake Bot API rejects what Telegram would reject, so that every test also checks that
every message the bot sends is valid Telegram HTML within the length limits.
"""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "blockquote",
        "tg-emoji",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._fail(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self._fail(f'Unexpected end tag "{tag}"')
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self._fail(f'Unsupported entity "&{name};"')
        self.visible.append(NAMED_ENTITIES.get(name, "?"))

    def handle_charref(self, name: str) -> None:
        try:
            self.visible.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except ValueError:
            self._fail(f'Bad character reference "&#{name};"')

    def handle_comment(self, data: str) -> None:
        self._fail("Comments are not supported")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def html_error(text: str, limit: int = TEXT_LIMIT) -> str | None:
    """Telegram's "Bad Request" description for ``text`` in HTML parse mode, or None."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.error:
        return f"Can't parse entities: {parser.error}"
    if parser.stack:
        tag = parser.stack[-1]
        return f"Can't parse entities: can't find end tag corresponding to start tag \"{tag}\""
    visible = "".join(parser.visible)
    if not visible.strip():
        return "message text is empty"
    if utf16_length(visible) > limit:
        return "message is too long"
    return None


def plain_error(text: str, limit: int = TEXT_LIMIT) -> str | None:
    if not text.strip():
        return "message text is empty"
    if utf16_length(text) > limit:
        return "message is too long"
    return None
