from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, Role

COORDINATOR = "coordinator"
TRANSLATOR = "translator"


class RoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_user(self, user_id: int) -> Sequence[tuple[Role, str | None]]:
        """The user's roles with the slug of their campaign (None when global)."""
        rows = await self.session.execute(
            select(Role, Campaign.slug)
            .outerjoin(Campaign, Campaign.id == Role.campaign_id)
            .where(Role.user_id == user_id)
            .order_by(Role.role, Campaign.slug, Role.language)
        )
        return [(role, slug) for role, slug in rows.all()]

    def _match(
        self, user_id: int, role: str, campaign_id: int | None, language: str | None
    ) -> list[object]:
        return [
            Role.user_id == user_id,
            Role.role == role,
            Role.campaign_id.is_(None) if campaign_id is None else Role.campaign_id == campaign_id,
            Role.language.is_(None) if language is None else Role.language == language,
        ]

    async def find(
        self, user_id: int, role: str, campaign_id: int | None, language: str | None
    ) -> Role | None:
        return await self.session.scalar(
            select(Role).where(and_(*self._match(user_id, role, campaign_id, language)))  # type: ignore[arg-type]
        )

    async def add(
        self,
        user_id: int,
        role: str,
        campaign_id: int | None,
        language: str | None,
        source: str = "grant",
    ) -> bool:
        """Grant a role; False when it was already held."""
        if await self.find(user_id, role, campaign_id, language) is not None:
            return False
        self.session.add(
            Role(
                user_id=user_id,
                role=role,
                campaign_id=campaign_id,
                language=language,
                source=source,
            )
        )
        await self.session.flush()
        return True

    async def remove(
        self, user_id: int, role: str, campaign_id: int | None, language: str | None
    ) -> bool:
        result = await self.session.execute(
            delete(Role).where(and_(*self._match(user_id, role, campaign_id, language)))  # type: ignore[arg-type]
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def file_coordinators(self, campaign_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(Role.user_id).where(
                Role.campaign_id == campaign_id,
                Role.role == COORDINATOR,
                Role.source == "file",
            )
        )
        return set(rows)

    async def remove_file_coordinators(self, campaign_id: int, user_ids: set[int]) -> None:
        if user_ids:
            await self.session.execute(
                delete(Role).where(
                    Role.campaign_id == campaign_id,
                    Role.role == COORDINATOR,
                    Role.source == "file",
                    Role.user_id.in_(user_ids),
                )
            )

    async def is_coordinator(self, user_id: int, campaign_id: int | None = None) -> bool:
        stmt = select(Role.id).where(Role.user_id == user_id, Role.role == COORDINATOR)
        if campaign_id is not None:
            stmt = stmt.where(Role.campaign_id == campaign_id)
        return await self.session.scalar(stmt.limit(1)) is not None
