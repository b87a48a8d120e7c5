"""Last in line: anything no other handler took gets a short, localized hint."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import PRIVILEGED_COMMANDS

router = Router(name=__name__)


@router.message(Command(*PRIVILEGED_COMMANDS))
async def on_privileged_command(message: Message) -> None:
    await message.answer(_("This command is not available to you. Send /help to see yours."))


@router.message(F.document)
async def on_document(message: Message) -> None:
    await message.answer(
        _(
            "Only campaign coordinators can send files to the bot. Send /help to see what you "
            "can do."
        )
    )


@router.message(F.text.startswith("/"))
async def on_unknown_command(message: Message) -> None:
    await message.answer(_("I don't know that command. Send /help to see what I can do."))


@router.message(F.text)
async def on_text(message: Message) -> None:
    await message.answer(_("I understand commands only. Send /help to see what I can do."))


@router.message()
async def on_other_content(message: Message) -> None:
    await message.answer(
        _(
            "I can only read text commands, not stickers, photos or other media. "
            "Send /help to see what I can do."
        )
    )


@router.callback_query()
async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button no longer works. Send /help."), show_alert=True)
