"""Campaigns for supporters: /campaigns, /info, /subscribe, /unsubscribe, /stop."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot import texts
from bot.callbacks import SubscriptionCallback
from bot.keyboards import campaigns_keyboard, subscribe_keyboard
from bot.rendering import esc, truncate
from bot.services.alerts import AlertService
from bot.services.campaigns import (
    CampaignService,
    SubscribeOutcome,
    SubscribeResult,
)
from bot.services.users import UserService
from handlers.common import slug_argument, too_long


async def send_campaign_list(
    message: Message, campaigns: CampaignService, user_id: int, locale: str
) -> None:
    items = await campaigns.list(locale, user_id)
    await message.answer(
        texts.campaign_list(items, locale),
        reply_markup=campaigns_keyboard(items) if items else None,
    )


def subscription_text(result: SubscribeResult) -> str:
    title = esc(result.title)
    slug = esc(truncate(result.slug, 40))
    match result.outcome:
        case SubscribeOutcome.SUBSCRIBED:
            return _(
                "You are subscribed to <b>{title}</b>. Updates will reach you here. "
                "/unsubscribe {slug} stops them."
            ).format(title=title, slug=slug)
        case SubscribeOutcome.ALREADY:
            return _("You are already subscribed to <b>{title}</b>.").format(title=title)
        case SubscribeOutcome.UNSUBSCRIBED:
            return _(
                "You will no longer receive updates from <b>{title}</b>. "
                "/subscribe {slug} brings them back."
            ).format(title=title, slug=slug)
        case SubscribeOutcome.NOT_SUBSCRIBED:
            return _("You were not subscribed to <b>{title}</b>.").format(title=title)
        case SubscribeOutcome.CLOSED:
            return _("The campaign <b>{title}</b> is closed and takes no new subscribers.").format(
                title=title
            )
        case SubscribeOutcome.NOT_FOUND:
            return _("There is no campaign called “{slug}”.").format(slug=slug)


async def reply_subscription(
    message: Message, result: SubscribeResult, campaigns: CampaignService, locale: str
) -> None:
    await message.answer(subscription_text(result))
    if result.outcome is SubscribeOutcome.NOT_FOUND:
        assert message.from_user is not None
        await send_campaign_list(message, campaigns, message.from_user.id, locale)


async def cmd_campaigns(message: Message, campaigns: CampaignService, locale: str) -> None:
    assert message.from_user is not None
    await send_campaign_list(message, campaigns, message.from_user.id, locale)


async def cmd_campaign_action(
    message: Message, command: CommandObject, campaigns: CampaignService, locale: str
) -> None:
    """/subscribe, /unsubscribe and /info all take one campaign name."""
    assert message.from_user is not None
    if too_long(command):
        await message.answer(_("That is too long to be a campaign name."))
        return
    slug = slug_argument(command)
    if slug is None:
        await message.answer(
            _("Which campaign? Send /{command} followed by the campaign's name.").format(
                command=command.command
            )
        )
        await send_campaign_list(message, campaigns, message.from_user.id, locale)
        return
    if command.command == "info":
        info = await campaigns.info(slug, locale)
        if info is None:
            result = SubscribeResult(SubscribeOutcome.NOT_FOUND, slug)
            await reply_subscription(message, result, campaigns, locale)
            return
        subscribed = any(
            item.slug == slug and item.subscribed
            for item in await campaigns.list(locale, message.from_user.id, active_only=False)
        )
        pages = texts.campaign_info(info, locale)
        for page in pages[:-1]:
            await message.answer(page)
        markup = subscribe_keyboard(slug, subscribed) if info.is_active else None
        await message.answer(pages[-1], reply_markup=markup)
        return
    if command.command == "subscribe":
        result = await campaigns.subscribe(message.from_user.id, slug, locale)
    else:
        result = await campaigns.unsubscribe(message.from_user.id, slug, locale)
    await reply_subscription(message, result, campaigns, locale)


async def cmd_stop(message: Message, users: UserService) -> None:
    assert message.from_user is not None
    left = await users.leave_everything(message.from_user.id)
    if not left:
        await message.answer(_("You are not subscribed to any campaign."))
        return
    await message.answer(
        ngettext(
            "You left {count} campaign: {campaigns}. You will receive no more updates. "
            "/campaigns lets you come back at any time.",
            "You left {count} campaigns: {campaigns}. You will receive no more updates. "
            "/campaigns lets you come back at any time.",
            len(left),
        ).format(count=len(left), campaigns=esc(", ".join(left)))
    )


async def on_subscription_button(
    query: CallbackQuery,
    callback_data: SubscriptionCallback,
    campaigns: CampaignService,
    locale: str,
) -> None:
    user_id = query.from_user.id
    if callback_data.action == "on":
        result = await campaigns.subscribe(user_id, callback_data.slug, locale)
    else:
        result = await campaigns.unsubscribe(user_id, callback_data.slug, locale)
    if result.outcome in (SubscribeOutcome.NOT_FOUND, SubscribeOutcome.CLOSED):
        await query.answer(_("This campaign is no longer available."), show_alert=True)
    else:
        await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.answer(subscription_text(result))
    # Refresh the buttons of the list (or card) that was pressed.
    items = await campaigns.list(locale, user_id)
    if callback_data.view in ("card", "alert"):
        subscribed = any(item.slug == callback_data.slug and item.subscribed for item in items)
        markup = subscribe_keyboard(callback_data.slug, subscribed)
    else:
        markup = campaigns_keyboard(items)
    await query.message.edit_reply_markup(reply_markup=markup)


async def cmd_updates(
    message: Message,
    command: CommandObject,
    alerts: AlertService,
    campaigns: CampaignService,
    locale: str,
) -> None:
    """Supporters read a campaign's recent alerts again, in their language."""
    assert message.from_user is not None
    slug = slug_argument(command)
    if slug is None or too_long(command):
        await message.answer(
            _("Which campaign? Send /{command} followed by the campaign's name.").format(
                command=command.command
            )
        )
        await send_campaign_list(message, campaigns, message.from_user.id, locale)
        return
    published = await alerts.published(slug)
    if published is None:
        result = SubscribeResult(SubscribeOutcome.NOT_FOUND, slug)
        await reply_subscription(message, result, campaigns, locale)
        return
    if not published:
        await message.answer(_("No alerts have been sent in this campaign yet."))
        return
    for alert in reversed(published):
        _language, text = alert.text_for(locale)
        body = texts.alert_message(alert, text, locale)
        if alert.photo_file_id:
            await message.answer_photo(alert.photo_file_id, caption=body)
        else:
            await message.answer(body)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_campaigns, Command("campaigns"))
    router.message.register(cmd_campaign_action, Command("subscribe", "unsubscribe", "info"))
    router.message.register(cmd_stop, Command("stop"))
    router.message.register(cmd_updates, Command("updates"))
    router.callback_query.register(on_subscription_button, SubscriptionCallback.filter())
    return router
