"""Small parsing helpers shared by handlers."""

from __future__ import annotations

import re

from aiogram.filters import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.rendering import esc, strip_controls
from bot.services.campaign_file import SLUG_RE
from bot.services.roles import RoleService

#: Longest argument any command takes; longer input gets a clear reply, not a lookup.
MAX_ARGUMENT_LENGTH = 200
#: Something that looks like an HTML tag: "<b>", "</i>", '<a href="…">'.
TYPED_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?>")


def slug_argument(command: CommandObject) -> str | None:
    """The campaign slug given to a command, normalised; None when absent."""
    if not command.args or not command.args.strip():
        return None
    return command.args.split()[0].strip().lower()


def too_long(command: CommandObject) -> bool:
    return command.args is not None and len(command.args) > MAX_ARGUMENT_LENGTH


def alert_id_argument(word: str | None) -> int | None:
    """An alert's number as typed ("12" or "#12"); None when it is not one."""
    if not word or len(word) > 12 or not word.lstrip("#").isdigit():
        return None
    return int(word.lstrip("#"))


def message_html(message: Message) -> str:
    """The text of a coordinator's or translator's message as Telegram HTML.

    Formatting made in the Telegram app arrives as entities and is kept. Without it, a text
    that contains tags is taken as HTML typed by hand (and checked before it is accepted);
    any other text is plain, so "Workers & families <3" is escaped, not refused.
    """
    text = message.text if message.text is not None else message.caption or ""
    entities = message.entities if message.text is not None else message.caption_entities
    formatted = any(
        entity.type not in ("bot_command", "url", "mention") for entity in entities or []
    )
    if formatted:
        return strip_controls(message.html_text)
    text = strip_controls(text)
    if TYPED_TAG.search(text):
        return text
    return esc(text)


def html_after_arguments(message: Message, arguments: int) -> str:
    """The message's HTML after the command and its first ``arguments`` words: the free text
    of "/alert <campaign> <text>" or "/translate <id> <language> <text>"."""
    parts = message_html(message).split(maxsplit=arguments + 1)
    return parts[arguments + 1].strip() if len(parts) > arguments + 1 else ""


async def coordinated_slug(
    message: Message, command: CommandObject, roles: RoleService, usage: str
) -> str | None:
    """The campaign named first in the command, if this user coordinates it; else replies."""
    assert message.from_user is not None
    slug = slug_argument(command)
    if slug is None:
        await message.answer(usage)
        return None
    if not await roles.can_coordinate(message.from_user.id, slug):
        await message.answer(
            _("You do not coordinate the campaign “{slug}”.").format(slug=esc(slug[:40]))
        )
        return None
    if not SLUG_RE.fullmatch(slug):  # an owner "coordinates" every name, even impossible ones
        await message.answer(_("There is no campaign called “{slug}”.").format(slug=esc(slug[:40])))
        return None
    return slug
