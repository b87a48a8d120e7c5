"""What the bot stores about a person (/mydata), and erasing it (/forget)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import RoleRepository, UserRepository
from db.repositories.erasure import erase_user, rows_about
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.team import TeamRepository


@dataclass(frozen=True)
class MyData:
    user_id: int
    stored: bool  # a user row exists
    locale: str | None = None
    country: str | None = None
    is_active: bool = True
    since: datetime | None = None
    subscriptions: list[str] = field(default_factory=list)
    #: (role, language, campaign slug or None for every campaign, from the campaign file)
    roles: list[tuple[str, str | None, str | None, bool]] = field(default_factory=list)
    display_name: str | None = None
    #: table name -> rows that hold the user's id
    records: dict[str, int] = field(default_factory=dict)


class PrivacyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def my_data(self, user_id: int) -> MyData:
        user = await UserRepository(self.session).get(user_id)
        slugs = await SubscriptionRepository(self.session).slugs_of(user_id)
        roles = [
            (role.role, role.language, slug, role.source == "file")
            for role, slug in await RoleRepository(self.session).of_user(user_id)
        ]
        return MyData(
            user_id=user_id,
            stored=user is not None,
            locale=user.locale if user else None,
            country=user.country if user else None,
            is_active=user.is_active if user else True,
            since=user.created_at if user else None,
            subscriptions=slugs,
            roles=roles,
            display_name=await TeamRepository(self.session).display_name(user_id),
            records=await rows_about(self.session, user_id),
        )

    async def forget(self, user_id: int) -> None:
        """Erase the user everywhere (db.repositories.erasure), all or nothing."""
        try:
            await erase_user(self.session, user_id)
            await self.session.commit()
        except BaseException:
            await self.session.rollback()
            raise
