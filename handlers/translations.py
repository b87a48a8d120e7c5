"""Translators (and coordinators) translate alerts: a button, then the text; or /translate."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import TranslateCallback
from bot.filters import IsTranslator
from bot.i18n import language_name
from bot.rendering import esc
from bot.services.alerts import AlertError, AlertService
from bot.services.audit import ALERT_TRANSLATE, AuditService
from bot.services.roles import RoleService
from handlers.common import alert_id_argument, html_after_arguments, message_html


class TranslateAlert(StatesGroup):
    text = State()


#: Every translation request ends with "/translate <id> <language>" (kept in every catalog),
#: so a reply to the request says which alert and language it translates.
REQUEST = re.compile(r"/translate (\d{1,12}) ([A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,4})?)\b")


def replied_request(message: Message, bot: Bot) -> dict[str, Any] | bool:
    """Filter: a reply to one of the bot's translation requests; gives its alert and language."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
        return False
    found = REQUEST.search(replied.text or replied.caption or "")
    if found is None or (message.text or "").startswith("/"):
        return False
    return {"request_alert_id": int(found.group(1)), "request_language": found.group(2)}


async def save_translation(
    message: Message,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    alert_id: int,
    language: str,
    text: str,
    locale: str,
) -> bool:
    assert message.from_user is not None
    alert = await alerts.get(alert_id)
    if alert is None or not await roles.can_translate(message.from_user.id, alert.slug, language):
        await message.answer(
            _("There is no alert #{id} that you can translate into this language.").format(
                id=alert_id
            )
        )
        return False
    try:
        result = await alerts.add_translation(alert_id, language, text, message.from_user.id)
    except AlertError as exc:
        await message.answer(texts.alert_problem(exc, alert))
        return False
    await audit.record(
        message.from_user.id, alert.slug, ALERT_TRANSLATE, f"alert #{alert_id}, {language}"
    )
    await message.answer(texts.translation_saved(alert_id, language, result, locale))
    return True


async def on_translate_button(
    query: CallbackQuery,
    callback_data: TranslateCallback,
    state: FSMContext,
    alerts: AlertService,
    roles: RoleService,
) -> None:
    alert = await alerts.get(callback_data.alert_id)
    if alert is None or not await roles.can_translate(
        query.from_user.id, alert.slug, callback_data.language
    ):
        await query.answer(_("You cannot translate this alert."), show_alert=True)
        return
    await state.set_state(TranslateAlert.text)
    await state.update_data(alert_id=alert.id, language=callback_data.language)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "Send the {language} translation of alert #{id} now. Keep the formatting you "
                "want; /cancel stops."
            ).format(language=language_name(callback_data.language), id=alert.id)
        )


async def on_translation_text(
    message: Message,
    state: FSMContext,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    locale: str,
) -> None:
    data = await state.get_data()
    if message.text is None and message.caption is None:
        await message.answer(_("Send the translation as text."))
        return
    if await save_translation(
        message,
        alerts,
        roles,
        audit,
        int(data["alert_id"]),
        str(data["language"]),
        message_html(message),
        locale,
    ):
        await state.clear()


async def on_reply_to_request(
    message: Message,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    locale: str,
    request_alert_id: int,
    request_language: str,
) -> None:
    """The translator answered the request message itself with the translation."""
    if message.text is None and message.caption is None:
        await message.answer(_("Send the translation as text."))
        return
    await save_translation(
        message,
        alerts,
        roles,
        audit,
        request_alert_id,
        request_language,
        message_html(message),
        locale,
    )


async def cmd_translate(
    message: Message,
    command: CommandObject,
    alerts: AlertService,
    roles: RoleService,
    audit: AuditService,
    locale: str,
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    alert_id = alert_id_argument(parts[0]) if parts else None
    text = html_after_arguments(message, 2)
    if alert_id is None or len(parts) < 3 or not text:
        usage = _(
            "Send /translate <alert_id> <language> <text>, for example /translate 12 ru Срочно: …"
        )
        await message.answer(esc(usage))
        return
    await save_translation(message, alerts, roles, audit, alert_id, parts[1], text, locale)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsTranslator())
    router.message.register(cmd_translate, Command("translate"))
    router.message.register(on_translation_text, TranslateAlert.text, ~F.text.startswith("/"))
    router.message.register(on_reply_to_request, replied_request)
    router.callback_query.register(on_translate_button, TranslateCallback.filter())
    return router
