from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User, utcnow
from db.repositories._dialect import insert_for


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def ensure(self, user_id: int, locale: str) -> None:
        """Create the user with ``locale`` unless they exist; an existing row is untouched."""
        stmt = insert_for(self.session, User).values(id=user_id, locale=locale, is_active=True)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=[User.id]))

    async def upsert_locale(self, user_id: int, locale: str) -> None:
        stmt = insert_for(self.session, User).values(id=user_id, locale=locale, is_active=True)
        stmt = stmt.on_conflict_do_update(
            index_elements=[User.id], set_={"locale": locale, "updated_at": utcnow()}
        )
        await self.session.execute(stmt)

    async def upsert_country(self, user_id: int, locale: str, country: str | None) -> None:
        stmt = insert_for(self.session, User).values(
            id=user_id, locale=locale, country=country, is_active=True
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[User.id], set_={"country": country, "updated_at": utcnow()}
        )
        await self.session.execute(stmt)

    async def set_active(self, user_id: int, active: bool) -> bool:
        """Set the active flag; True when a row changed."""
        result = await self.session.execute(
            update(User)
            .where(User.id == user_id, User.is_active.is_not(active))
            .values(is_active=active, updated_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, user_id: int) -> None:
        await self.session.execute(delete(User).where(User.id == user_id))
