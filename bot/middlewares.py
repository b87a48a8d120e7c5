"""Middlewares: one database session per update, and the reader's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import negotiate_locale
from bot.services.factory import ServiceFactory
from bot.services.users import UserInfo

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseMiddleware(BaseMiddleware):
    """Opens one session per update and hands handlers the services built on it."""

    def __init__(self, services: ServiceFactory) -> None:
        self.services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.services.open() as services:
            data["users"] = services.users
            data["campaigns"] = services.campaigns
            data["roles"] = services.roles
            data["alerts"] = services.alerts
            data["actions"] = services.actions
            from_user: User | None = data.get("event_from_user")
            user: UserInfo | None = None
            if from_user is not None:
                user = await services.users.get(from_user.id)
                writes_to_us = isinstance(event, Update) and (
                    event.message is not None or event.callback_query is not None
                )
                if user is not None and not user.is_active and writes_to_us:
                    # They talk to us again, so they unblocked the bot.
                    await services.users.set_active(from_user.id, True)
            data["user"] = user
            return await handler(event, data)


class UserLocaleMiddleware(I18nMiddleware):
    """The reader's saved language, else Telegram's language_code mapped to a catalog."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        available = self.i18n.available_locales
        user: UserInfo | None = data.get("user")
        if user is not None and user.locale in available:
            locale = user.locale
        else:
            from_user: User | None = data.get("event_from_user")
            code = from_user.language_code if from_user is not None else None
            locale = negotiate_locale(code, available, self.i18n.default_locale)
        data["locale"] = locale
        return locale
