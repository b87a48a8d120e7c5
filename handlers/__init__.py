"""Handlers: one aiogram Router per feature, collected here in the order they must match."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers import (
    actions,
    alerts,
    campaign_files,
    campaigns,
    country,
    endorsements,
    errors,
    fallback,
    language,
    membership,
    owners,
    privacy,
    start,
    stats,
    team,
    translations,
)


def get_routers() -> list[Router]:
    """Feature routers in matching order; the privileged ones before the catch-all."""
    private = Router(name="private-chats")
    # The bot talks to people one to one; it stays silent if added to a group.
    private.message.filter(F.chat.type == ChatType.PRIVATE)
    private.include_routers(
        team.create_router(),
        start.create_router(),
        privacy.create_router(),
        language.create_router(),
        country.create_router(),
        campaigns.create_router(),
        endorsements.create_router(),
        actions.create_router(),
        owners.create_router(),
        alerts.create_router(),
        stats.create_router(),
        translations.create_router(),
        campaign_files.create_router(),
        fallback.create_router(),
    )
    return [errors.create_router(), membership.create_router(), private]
