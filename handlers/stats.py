"""/stats <campaign> for coordinators: counts only, as text and a chart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.charts import chart_data, render_chart
from bot.filters import IsCoordinator
from bot.rendering import esc, truncate
from bot.services.actions import CHART_DAYS, TOP_COUNTRIES, ActionService
from bot.services.endorsements import EndorsementService
from bot.services.roles import RoleService
from handlers.common import coordinated_slug


async def cmd_stats(
    message: Message,
    command: CommandObject,
    actions: ActionService,
    endorsements: EndorsementService,
    roles: RoleService,
    locale: str,
) -> None:
    assert message.from_user is not None
    usage = _("Which campaign? Send /{command} followed by the campaign's name.").format(
        command="stats"
    )
    slug = await coordinated_slug(message, command, roles, usage)
    if slug is None:
        return
    now = datetime.now(UTC)
    stats = await actions.stats(slug, locale, now)
    if stats is None:  # owners coordinate every campaign, even one that does not exist
        await message.answer(
            _("There is no campaign called “{slug}”.").format(slug=esc(truncate(slug, 40)))
        )
        return
    sections = texts.stats_sections(stats, locale)
    counts = await endorsements.status_counts(slug, message.from_user.id)
    sections.insert(2, texts.endorsement_stats(counts, locale))
    for page in texts.campaign_stats(sections):
        await message.answer(page)
    if not stats.contacts_total:
        return
    data = chart_data(
        stats.per_day,
        [(item.country, item.total) for item in stats.by_supporter_country],
        now.date(),  # the days are UTC days
        CHART_DAYS,
        TOP_COUNTRIES,
    )
    chart = await asyncio.to_thread(render_chart, data)
    await message.answer_photo(
        BufferedInputFile(chart.png, filename=f"{slug}-stats.png"),
        caption=texts.stats_chart_caption(CHART_DAYS),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.message.register(cmd_stats, Command("stats"))
    return router
