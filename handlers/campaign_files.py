"""Coordinators send a campaign file (YAML) as a document to create or update a campaign."""

from __future__ import annotations

import io

from aiogram import Bot, F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.filters import IsCoordinator
from bot.rendering import esc
from bot.services.campaign_file import MAX_FILE_BYTES, CampaignFileError, parse_campaign_file
from bot.services.campaigns import CampaignService
from bot.services.roles import RoleService

YAML_SUFFIXES = (".yaml", ".yml")


async def on_campaign_file(
    message: Message, bot: Bot, campaigns: CampaignService, roles: RoleService
) -> None:
    document = message.document
    assert document is not None and message.from_user is not None
    if not (document.file_name or "").lower().endswith(YAML_SUFFIXES):
        await message.answer(_("Send the campaign file as a .yaml document."))
        return
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1024
        text = _("This file is too large: a campaign file is at most {limit} KB.")
        await message.answer(text.format(limit=limit))
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    try:
        spec = parse_campaign_file(buffer.getvalue())
    except CampaignFileError as exc:
        for page in texts.problems(exc.problems):
            await message.answer(page)
        return
    user_id = message.from_user.id
    exists = await campaigns.exists(spec.slug)
    allowed = await roles.can_coordinate(user_id, spec.slug) if exists else roles.is_owner(user_id)
    if not allowed:
        if exists:
            text = _("You do not coordinate the campaign “{slug}”, so you cannot change it.")
        else:
            text = _("Only the bot's owners can create a new campaign (“{slug}”).")
        await message.answer(text.format(slug=esc(spec.slug)))
        return
    result = await campaigns.load(spec, user_id)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={result.slug}"
    if result.created:
        text = _("Campaign “{slug}” created. Supporters join it with this link: {link}")
    else:
        text = _("Campaign “{slug}” updated. Supporters join it with this link: {link}")
    await message.answer(text.format(slug=esc(result.slug), link=esc(link)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.message.register(on_campaign_file, F.document)
    return router
