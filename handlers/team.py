"""A campaign's team: /invite links, joining by them, /team, /revoke, /audit."""

from __future__ import annotations

import unicodedata

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import TeamCallback
from bot.filters import IsCoordinator
from bot.keyboards import team_keyboard
from bot.rendering import esc
from bot.services.audit import AuditService
from bot.services.campaign_file import is_locale_code
from bot.services.roles import COORDINATOR, TRANSLATOR, RoleService
from bot.services.team import (
    DISPLAY_NAME_LIMIT,
    InviteOutcome,
    TeamService,
    is_invite_token,
)
from handlers.common import coordinated_slug, too_long
from handlers.owners import cmd_grant_or_revoke


class JoinTeam(StatesGroup):
    display_name = State()


def is_invite(message: Message, command: CommandObject) -> bool:
    return command.args is not None and is_invite_token(command.args)


async def cmd_start_invite(
    message: Message, command: CommandObject, state: FSMContext, team: TeamService
) -> None:
    assert message.from_user is not None and command.args is not None
    result = await team.accept(command.args, message.from_user.id)
    if result.outcome is InviteOutcome.JOINED:
        await state.set_state(JoinTeam.display_name)
    await message.answer(texts.join_result(result))


def clean_name(text: str) -> str:
    """A display name without control characters or surrounding space."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


async def on_display_name(message: Message, state: FSMContext, team: TeamService) -> None:
    assert message.from_user is not None
    name = clean_name(message.text or "")
    if not name or len(name) > DISPLAY_NAME_LIMIT:
        await message.answer(
            _("Send a name of 1 to {limit} characters, or /cancel to skip.").format(
                limit=DISPLAY_NAME_LIMIT
            )
        )
        return
    await team.set_display_name(message.from_user.id, name)
    await state.clear()
    await message.answer(_("Thank you. The team sees you as “{name}”.").format(name=esc(name)))


async def cmd_invite(
    message: Message, command: CommandObject, bot: Bot, roles: RoleService, team: TeamService
) -> None:
    assert message.from_user is not None
    usage = esc(
        _("Usage: /invite <campaign> coordinator, or /invite <campaign> translator <language>")
    )
    parts = (command.args or "").split()
    if too_long(command) or len(parts) not in (2, 3):
        await message.answer(usage)
        return
    role = parts[1].lower()
    language = parts[2] if len(parts) == 3 else None
    if not (role == COORDINATOR and language is None) and not (
        role == TRANSLATOR and language is not None
    ):
        await message.answer(usage)
        return
    if language is not None and not is_locale_code(language):
        await message.answer(
            _("“{value}” is not a known language code.").format(value=esc(language[:40]))
        )
        return
    slug = await coordinated_slug(message, command, roles, usage)
    if slug is None:
        return
    token = await team.invite(message.from_user.id, slug, role, language)
    if token is None:
        await message.answer(_("There is no campaign called “{slug}”.").format(slug=esc(slug)))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={token}"
    await message.answer(texts.invite_link(link, role, language, slug))


async def cmd_team(
    message: Message, command: CommandObject, roles: RoleService, team: TeamService
) -> None:
    assert message.from_user is not None
    slug = await coordinated_slug(
        message, command, roles, _("Send /team followed by the campaign's name.")
    )
    if slug is None:
        return
    members = await team.members(slug)
    if members is None:
        await message.answer(_("There is no campaign called “{slug}”.").format(slug=esc(slug)))
        return
    owner = roles.is_owner(message.from_user.id)
    removable = [
        (member.role_id, member.display_name or str(member.user_id))
        for member in members
        if not member.from_file and (owner or not member.every_campaign)
    ]
    pages = texts.team_list(slug, members)
    for page in pages[:-1]:
        await message.answer(page)
    await message.answer(pages[-1], reply_markup=team_keyboard(removable))


async def on_remove_member(
    query: CallbackQuery, callback_data: TeamCallback, roles: RoleService, team: TeamService
) -> None:
    """Every press is checked: the presser must manage the team the role belongs to."""
    found = await team.role(callback_data.role_id)
    if found is None:
        await query.answer(_("This member was already removed."), show_alert=True)
        return
    member, slug = found
    if not await roles.can_manage_team(query.from_user.id, slug):
        await query.answer(_("You cannot change this team."), show_alert=True)
        return
    if member.from_file:
        await query.answer(texts.role_from_file(), show_alert=True)
        return
    await roles.revoke(
        member.user_id, member.role, slug, member.language, actor_id=query.from_user.id
    )
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Done: {member} is no longer {role}.").format(
                member=texts.member_label(member.display_name, member.user_id),
                role=texts.role_name(member.role, member.language, slug),
            )
        )


async def cmd_audit(
    message: Message, command: CommandObject, roles: RoleService, audit: AuditService, locale: str
) -> None:
    slug = await coordinated_slug(
        message, command, roles, _("Send /audit followed by the campaign's name.")
    )
    if slug is None:
        return
    entries = await audit.latest(slug)
    if entries is None:
        await message.answer(_("There is no campaign called “{slug}”.").format(slug=esc(slug)))
        return
    for page in texts.audit_list(slug, entries, locale):
        await message.answer(page)


def create_router() -> Router:
    router = Router(name=__name__)
    joining = Router(name=__name__ + ".joining")
    joining.message.register(
        cmd_start_invite, CommandStart(deep_link=True, magic=F.args), is_invite
    )
    joining.message.register(on_display_name, JoinTeam.display_name, ~F.text.startswith("/"))
    managing = Router(name=__name__ + ".managing")
    managing.message.filter(IsCoordinator())
    managing.message.register(cmd_invite, Command("invite"))
    managing.message.register(cmd_team, Command("team"))
    managing.message.register(cmd_audit, Command("audit"))
    # Owners revoke anything; coordinators within their campaigns (checked in the handler).
    managing.message.register(cmd_grant_or_revoke, Command("revoke"))
    # Presses are checked per press against the role's campaign (on_remove_member).
    router.callback_query.register(on_remove_member, TeamCallback.filter())
    router.include_routers(joining, managing)
    return router
