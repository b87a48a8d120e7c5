"""Owners (ADMIN_IDS) grant roles; owners and a campaign's coordinators revoke them."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.filters import IsOwner
from bot.i18n import language_name
from bot.rendering import esc
from bot.services.campaign_file import SLUG_RE, is_locale_code
from bot.services.roles import COORDINATOR, TRANSLATOR, GrantOutcome, RoleService


@dataclass(frozen=True)
class RoleArgs:
    user_id: int
    role: str
    slug: str | None
    language: str | None


def parse_role_args(command: str, args: str | None) -> RoleArgs | str:
    """``<user_id> coordinator <slug>`` or ``<user_id> translator <lang> [slug]``.

    Returns the parsed arguments, or a localized explanation of what is wrong.
    """
    parts = (args or "").split()
    if len(parts) < 3 or len(parts) > 4:
        usage = _(
            "Usage: /{command} <user_id> coordinator <campaign>, or "
            "/{command} <user_id> translator <language> [campaign]"
        )
        return esc(usage.format(command=command))
    raw_id, role, *rest = parts
    if not raw_id.isdigit() or int(raw_id) <= 0 or len(raw_id) > 20:
        return _("“{value}” is not a Telegram user id (a number).").format(value=esc(raw_id[:40]))
    role = role.lower()
    slug: str | None
    language: str | None
    if role == COORDINATOR and len(rest) == 1:
        slug, language = rest[0].lower(), None
    elif role == TRANSLATOR:
        language = rest[0]
        slug = rest[1].lower() if len(rest) == 2 else None
        if not is_locale_code(language):
            return _("“{value}” is not a known language code.").format(value=esc(rest[0][:40]))
    else:
        return _("Unknown role “{value}”: use coordinator or translator.").format(
            value=esc(role[:40])
        )
    if slug is not None and not SLUG_RE.fullmatch(slug):
        return _("There is no campaign called “{slug}”.").format(slug=esc(slug[:40]))
    return RoleArgs(int(raw_id), role, slug, language)


def describe_role(args: RoleArgs) -> str:
    if args.role == COORDINATOR:
        return _("coordinator of {campaign}").format(campaign=esc(args.slug))
    language = language_name(args.language or "", None)
    if args.slug:
        return _("translator into {language} for {campaign}").format(
            language=language, campaign=esc(args.slug)
        )
    return _("translator into {language} for every campaign").format(language=language)


async def cmd_grant_or_revoke(message: Message, command: CommandObject, roles: RoleService) -> None:
    parsed = parse_role_args(command.command, command.args)
    if isinstance(parsed, str):
        await message.answer(parsed)
        return
    assert message.from_user is not None
    actor = message.from_user.id
    if command.command == "grant":
        outcome = await roles.grant(
            parsed.user_id, parsed.role, parsed.slug, parsed.language, actor_id=actor
        )
    elif not await roles.can_manage_team(actor, parsed.slug):
        await message.answer(_("You can only change the team of a campaign you coordinate."))
        return
    else:
        outcome = await roles.revoke(
            parsed.user_id, parsed.role, parsed.slug, parsed.language, actor_id=actor
        )
    role = describe_role(parsed)
    user = f"<code>{parsed.user_id}</code>"
    match (command.command, outcome):
        case (_cmd, GrantOutcome.NO_CAMPAIGN):
            text = _("There is no campaign called “{slug}”.").format(slug=esc(parsed.slug))
        case (_cmd, GrantOutcome.FROM_FILE):
            text = texts.role_from_file()
        case ("grant", GrantOutcome.DONE):
            text = _("Done: {user} is now {role}.").format(user=user, role=role)
        case ("grant", GrantOutcome.UNCHANGED):
            text = _("{user} is already {role}.").format(user=user, role=role)
        case (_cmd, GrantOutcome.DONE):
            text = _("Done: {user} is no longer {role}.").format(user=user, role=role)
        case _:
            text = _("{user} was not {role}.").format(user=user, role=role)
    await message.answer(text)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOwner())
    router.message.register(cmd_grant_or_revoke, Command("grant"))
    return router
