"""Telegram tells us when a supporter blocks or unblocks the bot."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated

from bot.services.users import UserService


async def on_my_chat_member(update: ChatMemberUpdated, users: UserService) -> None:
    status = update.new_chat_member.status
    if status == ChatMemberStatus.KICKED:
        await users.set_active(update.from_user.id, False)
    elif status == ChatMemberStatus.MEMBER:
        await users.set_active(update.from_user.id, True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(on_my_chat_member, F.chat.type == ChatType.PRIVATE)
    return router
