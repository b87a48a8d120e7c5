"""/language: the reader picks the bot's language, shown by each language's own name."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LanguageCallback
from bot.i18n import SUPPORTED_LOCALES, language_name
from bot.keyboards import language_keyboard
from bot.services.users import UserService


def offered_locales(i18n: I18n) -> list[str]:
    available = set(i18n.available_locales)
    known = [code for code in SUPPORTED_LOCALES if code in available]
    return known + sorted(available - set(known))


async def send_language_picker(message: Message, locale: str, i18n: I18n) -> None:
    await message.answer(
        _("Choose your language:"), reply_markup=language_keyboard(offered_locales(i18n), locale)
    )


async def cmd_language(message: Message, locale: str, i18n: I18n) -> None:
    await send_language_picker(message, locale, i18n)


async def on_language_chosen(
    query: CallbackQuery, callback_data: LanguageCallback, users: UserService, i18n: I18n
) -> None:
    code = callback_data.code
    if code not in i18n.available_locales:
        await query.answer(_("This language is not available."), show_alert=True)
        return
    await users.set_locale(query.from_user.id, code)
    with i18n.use_locale(code):
        confirmation = _("Language: {language}. Send /campaigns to see active campaigns.").format(
            language=language_name(code)
        )
        await query.answer(language_name(code))
        if isinstance(query.message, Message):
            await query.message.edit_text(
                confirmation,
                reply_markup=language_keyboard(offered_locales(i18n), code),
            )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, Command("language"))
    router.callback_query.register(on_language_chosen, LanguageCallback.filter())
    return router
