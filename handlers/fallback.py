"""Last in line: anything no other handler took gets a short, localized hint."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import PRIVILEGED_COMMANDS


async def on_privileged_command(message: Message) -> None:
    await message.answer(_("This command is not available to you. Send /help to see yours."))


async def on_document(message: Message) -> None:
    await message.answer(
        _(
            "Only campaign coordinators can send files to the bot. Send /help to see what you "
            "can do."
        )
    )


async def on_unknown_command(message: Message) -> None:
    await message.answer(_("I don't know that command. Send /help to see what I can do."))


async def on_text(message: Message) -> None:
    await message.answer(_("I understand commands only. Send /help to see what I can do."))


async def on_other_content(message: Message) -> None:
    await message.answer(
        _(
            "I can only read text commands, not stickers, photos or other media. "
            "Send /help to see what I can do."
        )
    )


async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button no longer works. Send /help."), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_privileged_command, Command(*PRIVILEGED_COMMANDS))
    router.message.register(on_document, F.document)
    router.message.register(on_unknown_command, F.text.startswith("/"))
    router.message.register(on_text, F.text)
    router.message.register(on_other_content)
    router.callback_query.register(on_stale_button)
    return router
