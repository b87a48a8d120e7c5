"""Middlewares: a flood limit, one database session per update, the reader's language."""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

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
            data["endorsements"] = services.endorsements
            data["exports"] = services.exports
            data["audit"] = services.audit
            data["team"] = services.team
            data["privacy"] = services.privacy
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


class ThrottlingMiddleware(BaseMiddleware):
    """Per-user flood limit: at most ``limit`` updates per ``window`` seconds.

    Past the limit the user gets one polite notice and then silence until the window has
    passed; their updates are dropped before a database session is opened. In memory, per
    process (docs/security.md): with several web processes each counts its own share.
    """

    def __init__(
        self,
        i18n: I18n,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.i18n = i18n
        self.limit = limit
        self.window = window
        self.clock = clock
        self.seen: dict[int, deque[float]] = {}
        self.notified: set[int] = set()
        self._next_sweep = 0.0

    def _sweep(self, now: float) -> None:
        """Forget users quiet for a whole window, so memory stays small."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        for user_id in [u for u, times in self.seen.items() if times[-1] <= now - self.window]:
            del self.seen[user_id]
            self.notified.discard(user_id)

    def allow(self, user_id: int) -> bool | None:
        """True: go on. False: over the limit, notify once. None: over it, stay silent."""
        now = self.clock()
        self._sweep(now)
        times = self.seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self.notified.discard(user_id)
            return True
        if user_id in self.notified:
            return None
        self.notified.add(user_id)
        return False

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: User | None = data.get("event_from_user")
        if from_user is None or not isinstance(event, Update):
            return await handler(event, data)
        verdict = self.allow(from_user.id)
        if verdict:
            return await handler(event, data)
        if verdict is False:
            locale = negotiate_locale(
                from_user.language_code, self.i18n.available_locales, self.i18n.default_locale
            )
            with self.i18n.context(), self.i18n.use_locale(locale):
                notice = _(
                    "You are sending too much at once. Please wait a few seconds; I will "
                    "answer again then."
                )
            with contextlib.suppress(TelegramAPIError):
                if event.callback_query is not None:
                    await event.callback_query.answer(notice, show_alert=True)
                elif event.message is not None:
                    await event.message.answer(notice)
        return None
