"""Supporters as the bot knows them: an id, a language, a country, reachable or not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import SubscriptionRepository, UserRepository
from db.repositories.deliveries import DeliveryRepository


@dataclass(frozen=True)
class UserInfo:
    id: int
    locale: str | None
    country: str | None
    is_active: bool


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.subscriptions = SubscriptionRepository(session)

    async def get(self, user_id: int) -> UserInfo | None:
        user = await self.users.get(user_id)
        if user is None:
            return None
        return UserInfo(user.id, user.locale, user.country, user.is_active)

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.users.upsert_locale(user_id, locale)
        await self.session.commit()

    async def set_country(self, user_id: int, locale: str, country: str | None) -> None:
        """Remember (or, with ``None``, forget) the country the user is in.

        ``locale`` is only used when the user has no row yet."""
        await self.users.upsert_country(user_id, locale, country)
        await self.session.commit()

    async def set_active(self, user_id: int, active: bool) -> bool:
        """Record whether Telegram lets us write to the user (403 / blocked the bot)."""
        changed = await self.users.set_active(user_id, active)
        await self.session.commit()
        return changed

    async def leave_everything(self, user_id: int) -> list[str]:
        """``/stop``: drop every subscription; returns the slugs left."""
        slugs = await self.subscriptions.remove_all(user_id)
        await DeliveryRepository(self.session).withdraw(user_id)
        await self.session.commit()
        return slugs
