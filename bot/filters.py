"""Permission filters, attached once to privileged routers (see RoleService for the rules)."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject, User

from bot.services.roles import RoleService


class IsOwner(Filter):
    async def __call__(
        self, event: TelegramObject, roles: RoleService, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and roles.is_owner(event_from_user.id)


class IsCoordinator(Filter):
    """An owner, or a coordinator of at least one campaign."""

    async def __call__(
        self, event: TelegramObject, roles: RoleService, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and await roles.is_coordinator(event_from_user.id)


class IsTranslator(Filter):
    """A translator of any language, or anyone who coordinates (they may translate too)."""

    async def __call__(
        self, event: TelegramObject, roles: RoleService, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and await roles.is_translator(event_from_user.id)
