"""Drive the real Dispatcher with real Update objects; Telegram is the fake Bot API."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from bot.i18n import create_i18n
from bot.middlewares import ThrottlingMiddleware
from tests.fakeapi import Call, FakeBotAPI

OWNER_ID = 1000
SUPPORTER_ID = 2000
COORDINATOR_ID = 3000

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user_dict(user_id: int, language_code: str | None = "en") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Tester"}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def message_update(
    user_id: int,
    text: str | None = None,
    *,
    language_code: str | None = "en",
    chat_type: str = "private",
    **content: Any,
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user_id, "type": chat_type}
    if chat_type != "private":
        chat = {"id": -100123, "type": chat_type, "title": "A group"}
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": user_dict(user_id, language_code),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": next(_update_ids), "message": message}


def callback_update(
    user_id: int, data: str, *, language_code: str | None = "en", message_id: int = 1
) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "chat_instance": "ci",
            "from": user_dict(user_id, language_code),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": 42, "is_bot": True, "first_name": "Solidarity"},
                "text": "…",
            },
        },
    }


@dataclass
class BotHarness:
    bot: Bot
    dispatcher: Dispatcher
    api: FakeBotAPI
    i18n: I18n
    session_factory: async_sessionmaker[AsyncSession]
    sent: list[Call] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        api: FakeBotAPI,
    ) -> BotHarness:
        i18n = create_i18n(settings.locales_dir, settings.default_locale)
        bot = create_bot(settings)
        dispatcher = create_dispatcher(settings, session_factory, i18n)
        for middleware in dispatcher.update.outer_middleware:
            if isinstance(middleware, ThrottlingMiddleware):
                # Tests type faster than people: on this clock each update comes a second
                # after the last, as in a real chat. Flood tests set their own clock.
                middleware.clock = itertools.count().__next__
        return cls(bot, dispatcher, api, i18n, session_factory)

    async def close(self) -> None:
        await self.bot.session.close()

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        """Feed one update through the dispatcher; return the API calls it caused."""
        before = len(self.api.calls)
        await self.dispatcher.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )
        return self.api.calls[before:]

    async def send(self, user_id: int, text: str, **kwargs: Any) -> list[Call]:
        return await self.feed(message_update(user_id, text, **kwargs))

    async def press(self, user_id: int, data: str, **kwargs: Any) -> list[Call]:
        return await self.feed(callback_update(user_id, data, **kwargs))

    def t(self, message: str, locale: str = "en", **params: Any) -> str:
        """The catalog's translation of ``message`` in ``locale``, formatted."""
        text = self.i18n.gettext(message, locale=locale)
        return text.format(**params) if params else text


def texts(calls: list[Call], method: str = "sendMessage") -> list[str]:
    return [call.text or "" for call in calls if call.method == method]


def reply(calls: list[Call]) -> str:
    """The text of the messages sent, joined: what the user reads."""
    return "\n".join(texts(calls))
