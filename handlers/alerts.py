"""Coordinators compose, send, hold, retract and follow alerts."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import AlertCallback
from bot.config import Settings
from bot.filters import IsCoordinator
from bot.keyboards import alert_preview_keyboard, retract_keyboard, translate_keyboard
from bot.rendering import esc
from bot.services.alerts import AlertError, AlertService, AlertView
from bot.services.audit import ALERT_COMPOSE, ALERT_HOLD, AuditService
from bot.services.factory import ServiceFactory
from bot.services.roles import RoleService
from handlers.common import (
    alert_id_argument,
    coordinated_slug,
    html_after_arguments,
    message_html,
)

logger = logging.getLogger(__name__)

#: How often a /report message refreshes itself while the alert is being delivered.
REPORT_REFRESH_SECONDS = 5.0
REPORT_REFRESH_LIMIT = 30 * 60.0


class ComposeAlert(StatesGroup):
    text = State()


async def coordinated_alert(
    message: Message, command: CommandObject, alerts: AlertService, roles: RoleService
) -> AlertView | None:
    """The alert named by the command, if this user coordinates its campaign; else replies."""
    assert message.from_user is not None
    words = (command.args or "").split()
    alert_id = alert_id_argument(words[0] if words else None)
    if alert_id is None:
        await message.answer(
            _("Send /{command} followed by the alert's number, for example /{command} 12.").format(
                command=command.command
            )
        )
        return None
    alert = await alerts.get(alert_id)
    if alert is None or not await roles.can_coordinate(message.from_user.id, alert.slug):
        await message.answer(
            _("There is no alert #{id} in a campaign you coordinate.").format(id=alert_id)
        )
        return None
    return alert


async def cmd_alert(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    locale: str,
) -> None:
    usage = _("Send /alert followed by the campaign's name, and then the alert's text.")
    slug = await coordinated_slug(message, command, roles, usage)
    if slug is None:
        return
    text = html_after_arguments(message, 1)
    if text:  # "/alert <campaign> <text>" in one message
        await compose(message, alerts, audit, slug, text, None, locale)
        return
    await state.set_state(ComposeAlert.text)
    await state.update_data(slug=slug)
    await message.answer(
        _(
            "Send the alert's text for “{slug}” now. You can attach one photo with the text as "
            "its caption. /cancel stops."
        ).format(slug=esc(slug))
    )


async def on_alert_text(
    message: Message, state: FSMContext, alerts: AlertService, audit: AuditService, locale: str
) -> None:
    data = await state.get_data()
    photo = message.photo[-1].file_id if message.photo else None
    if message.text is None and message.caption is None and photo is None:
        await message.answer(_("Send the alert as text, or as one photo with a caption."))
        return
    if await compose(
        message, alerts, audit, str(data["slug"]), message_html(message), photo, locale
    ):
        await state.clear()


async def compose(
    message: Message,
    alerts: AlertService,
    audit: AuditService,
    slug: str,
    text: str,
    photo: str | None,
    locale: str,
) -> bool:
    assert message.from_user is not None
    try:
        alert = await alerts.compose(message.from_user.id, slug, text, photo)
    except AlertError as exc:
        await message.answer(texts.alert_problem(exc))
        return False
    await audit.record(message.from_user.id, slug, ALERT_COMPOSE, f"alert #{alert.id}")
    await send_preview(message, alert, locale)
    return True


async def send_preview(message: Message, alert: AlertView, locale: str) -> None:
    preview = texts.alert_message(alert, alert.text, locale)
    keyboard = alert_preview_keyboard(alert)
    await message.answer(texts.alert_preview_note(alert))
    if alert.photo_file_id:
        await message.answer_photo(alert.photo_file_id, caption=preview, reply_markup=keyboard)
    else:
        await message.answer(preview, reply_markup=keyboard)


async def on_alert_button(
    query: CallbackQuery,
    callback_data: AlertCallback,
    bot: Bot,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    settings: Settings,
    locale: str,
    i18n: I18n,
) -> None:
    """Every press is checked against the presser's rights on the alert's campaign."""
    alert = await alerts.get(callback_data.alert_id)
    if alert is None or not await roles.can_coordinate(query.from_user.id, alert.slug):
        await query.answer(_("You cannot change this alert."), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    try:
        match callback_data.action:
            case "urgent":
                alert = await alerts.set_urgent(alert.id, not alert.urgent)
                await query.answer()
                if message is not None:
                    await refresh_preview(message, alert, locale)
                return
            case "cancel":
                await alerts.cancel(alert.id)
                text = _("Alert #{id} is cancelled; nothing was sent.").format(id=alert.id)
            case "send":
                queued = await alerts.send_now(alert.id)
                text = texts.alert_sending(alert.id, queued, locale)
            case "hold":
                result = await alerts.hold(alert.id, settings.alert_hold_minutes)
                await notify_translators(bot, i18n, alert, result.translators)
                text = texts.alert_held(alert, result, locale)
            case "retract":
                stopped, to_delete = await alerts.retract(alert.id)
                text = texts.alert_retracted(alert.id, stopped, to_delete, locale)
            case _:
                await query.answer()
                return
    except AlertError as exc:
        await query.answer(texts.alert_problem(exc), show_alert=True)
        return
    await audit.record(
        query.from_user.id, alert.slug, f"alert.{callback_data.action}", f"alert #{alert.id}"
    )
    await query.answer()
    if message is not None:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)
        await message.answer(text)


async def refresh_preview(message: Message, alert: AlertView, locale: str) -> None:
    preview = texts.alert_message(alert, alert.text, locale)
    keyboard = alert_preview_keyboard(alert)
    with contextlib.suppress(TelegramAPIError):
        if alert.photo_file_id:
            await message.edit_caption(caption=preview, reply_markup=keyboard)
        else:
            await message.edit_text(preview, reply_markup=keyboard)


async def notify_translators(
    bot: Bot, i18n: I18n, alert: AlertView, translators: list[tuple[int, str]]
) -> None:
    """Each translator gets the source text and a Translate button, in their own language."""
    for user_id, language in translators:
        try:
            with i18n.use_locale(
                language if language in i18n.available_locales else i18n.default_locale
            ):
                await bot.send_message(
                    user_id,
                    texts.translation_request(alert, language),
                    reply_markup=translate_keyboard(alert.id, language),
                )
        except TelegramAPIError as exc:
            logger.info("could not reach a translator for alert %s: %s", alert.id, exc.message)


async def cmd_report(
    message: Message,
    command: CommandObject,
    bot: Bot,
    alerts: AlertService,
    roles: RoleService,
    locale: str,
    i18n: I18n,
    services: ServiceFactory,
    background_tasks: set[asyncio.Task[None]],
) -> None:
    alert = await coordinated_alert(message, command, alerts, roles)
    if alert is None:
        return
    report = await alerts.report(alert.id)
    sent = await message.answer(texts.alert_report(report, locale))
    if report.pending:
        task = asyncio.create_task(keep_report_current(bot, sent, alert.id, locale, i18n, services))
        background_tasks.add(task)
        task.add_done_callback(background_tasks.discard)


async def keep_report_current(
    bot: Bot,
    sent: Message,
    alert_id: int,
    locale: str,
    i18n: I18n,
    services: ServiceFactory,
) -> None:
    """Edit the report in place while the broadcast runs, then once more when it is done."""
    last_text = sent.text or ""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REPORT_REFRESH_LIMIT
    while loop.time() < deadline:
        await asyncio.sleep(REPORT_REFRESH_SECONDS)
        async with services.open() as opened:
            report = await opened.alerts.report(alert_id)
        with i18n.context(), i18n.use_locale(locale):
            text = texts.alert_report(report, locale)
        if text != last_text:
            try:
                await bot.edit_message_text(text, chat_id=sent.chat.id, message_id=sent.message_id)
            except TelegramAPIError as exc:
                logger.info("report %s no longer editable: %s", alert_id, exc.message)
                return
            last_text = text
        if not report.pending:
            return


async def cmd_retract(
    message: Message, command: CommandObject, alerts: AlertService, roles: RoleService
) -> None:
    alert = await coordinated_alert(message, command, alerts, roles)
    if alert is None:
        return
    await message.answer(
        _(
            "Retract alert #{id}? Deliveries not yet sent stop, and the messages already sent are "
            "deleted from supporters' chats (up to 48 hours after sending). This cannot be "
            "undone."
        ).format(id=alert.id),
        reply_markup=retract_keyboard(alert.id),
    )


async def cmd_hold(
    message: Message,
    command: CommandObject,
    bot: Bot,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    locale: str,
    i18n: I18n,
) -> None:
    alert = await coordinated_alert(message, command, alerts, roles)
    if alert is None:
        return
    parts = (command.args or "").split()
    if len(parts) != 2 or not parts[1].isdigit() or not 1 <= int(parts[1]) <= 24 * 60:
        await message.answer(esc(_("Send /hold <alert_id> <minutes>, with 1 to 1440 minutes.")))
        return
    try:
        result = await alerts.hold(alert.id, int(parts[1]), extend=True)
    except AlertError as exc:
        await message.answer(texts.alert_problem(exc))
        return
    assert message.from_user is not None
    await audit.record(
        message.from_user.id, alert.slug, ALERT_HOLD, f"alert #{alert.id}, {parts[1]} min"
    )
    if alert.status == "draft":
        await notify_translators(bot, i18n, alert, result.translators)
    await message.answer(texts.alert_held(alert, result, locale))


async def cmd_alerts(
    message: Message,
    command: CommandObject,
    alerts: AlertService,
    roles: RoleService,
    locale: str,
) -> None:
    usage = _("Send /alerts followed by the campaign's name.")
    slug = await coordinated_slug(message, command, roles, usage)
    if slug is None:
        return
    summaries = await alerts.recent(slug) or []
    for page in texts.alert_list(slug, summaries, locale):
        await message.answer(page)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsCoordinator())
    router.message.register(cmd_alert, Command("alert"))
    router.message.register(on_alert_text, ComposeAlert.text, ~F.text.startswith("/"))
    router.message.register(cmd_report, Command("report"))
    router.message.register(cmd_retract, Command("retract"))
    router.message.register(cmd_hold, Command("hold"))
    router.message.register(cmd_alerts, Command("alerts"))
    # Callbacks are checked per press against the alert's campaign (on_alert_button).
    router.callback_query.register(on_alert_button, AlertCallback.filter())
    return router
