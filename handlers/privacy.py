"""Your data: /mydata shows what the bot stores about you, /forget erases it."""

from __future__ import annotations

import contextlib

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import ForgetCallback
from bot.keyboards import forget_keyboard
from bot.services.privacy import PrivacyService


async def cmd_mydata(
    message: Message, state: FSMContext, privacy: PrivacyService, locale: str
) -> None:
    assert message.from_user is not None
    data = await privacy.my_data(message.from_user.id)
    dialog = await state.get_state() is not None
    for page in texts.my_data(data, locale, dialog):
        await message.answer(page)


async def cmd_forget(message: Message) -> None:
    await message.answer(
        _(
            "Erase everything this bot stores about you? Your subscriptions, language, country, "
            "team roles and anything you are in the middle of are deleted; alerts you wrote "
            "stay without your name. This cannot be undone."
        ),
        reply_markup=forget_keyboard(),
    )


async def on_forget(
    query: CallbackQuery, callback_data: ForgetCallback, state: FSMContext, privacy: PrivacyService
) -> None:
    """Erases the presser, whoever pressed: the button carries no id to forge."""
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)
    if not callback_data.confirm:
        await query.answer()
        if message is not None:
            await message.answer(_("Nothing was erased."))
        return
    await privacy.forget(query.from_user.id)
    await state.clear()
    await query.answer()
    if message is not None:
        await message.answer(
            _(
                "Done: the bot no longer stores anything about you. If you write to it again, "
                "it starts afresh."
            )
        )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_mydata, Command("mydata"))
    router.message.register(cmd_forget, Command("forget"))
    router.callback_query.register(on_forget, ForgetCallback.filter())
    return router
