"""What Telegram's servers check in a message before accepting it.

The bot checks a coordinator's alert with it before anything is sent, and the tests' fake
Bot API rejects with it what Telegram would reject, so every test also checks that every
message the bot sends is valid Telegram HTML within the length limits.
"""

from __future__ import annotations

from dataclasses import dataclass
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
#: What a text link may point to (inline buttons take only the first three).
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200


@dataclass(frozen=True)
class HtmlProblem:
    """Why Telegram would refuse a text: ``kind`` is one of the keys of DESCRIPTIONS."""

    kind: str
    detail: str = ""

    def __str__(self) -> str:
        return DESCRIPTIONS[self.kind].format(detail=self.detail)


#: Telegram's own wording (the fake Bot API answers with it).
DESCRIPTIONS = {
    "unsupported_tag": 'Can\'t parse entities: Unsupported start tag "{detail}"',
    "unexpected_end_tag": 'Can\'t parse entities: Unexpected end tag "{detail}"',
    "unclosed_tag": (
        "Can't parse entities: can't find end tag corresponding to start tag \"{detail}\""
    ),
    "unsupported_entity": 'Can\'t parse entities: Unsupported entity "{detail}"',
    "comment": "Can't parse entities: comments are not supported",
    "bad_link": "wrong HTTP URL",
    "empty": "message text is empty",
    "too_long": "message is too long",
}


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.problem: HtmlProblem | None = None

    def _fail(self, kind: str, detail: str = "") -> None:
        if self.problem is None:
            self.problem = HtmlProblem(kind, detail)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._fail("unsupported_tag", tag)
        if tag == "a":
            url = dict(attrs).get("href") or ""
            if not url.lower().startswith(LINK_SCHEMES) or any(ch.isspace() for ch in url):
                self._fail("bad_link", url)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self._fail("unexpected_end_tag", tag)
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "&" in data:  # Telegram wants every literal & written as &amp;
            self._fail("unsupported_entity", "&")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self._fail("unsupported_entity", f"&{name};")
        self.visible.append(NAMED_ENTITIES.get(name, "?"))

    def handle_charref(self, name: str) -> None:
        try:
            self.visible.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except ValueError:
            self._fail("unsupported_entity", f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._fail("comment")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str) -> tuple[str, HtmlProblem | None]:
    """The text a reader sees once Telegram has parsed the HTML, and the first problem."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    problem = parser.problem
    if problem is None and parser.stack:
        problem = HtmlProblem("unclosed_tag", parser.stack[-1])
    return "".join(parser.visible), problem


def check_html(text: str, limit: int = TEXT_LIMIT) -> HtmlProblem | None:
    """What Telegram would object to in ``text`` sent with parse_mode HTML, or None."""
    visible, problem = visible_text(text)
    if problem is not None:
        return problem
    if not visible.strip():
        return HtmlProblem("empty")
    if utf16_length(visible) > limit:
        return HtmlProblem("too_long", str(utf16_length(visible)))
    return None


def html_error(text: str, limit: int = TEXT_LIMIT) -> str | None:
    """Telegram's "Bad Request" description for ``text`` in HTML parse mode, or None."""
    problem = check_html(text, limit)
    return str(problem) if problem else None


def plain_error(text: str, limit: int = TEXT_LIMIT) -> str | None:
    if not text.strip():
        return DESCRIPTIONS["empty"]
    if utf16_length(text) > limit:
        return DESCRIPTIONS["too_long"]
    return None
