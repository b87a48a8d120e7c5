from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, Role, TeamInvite, TeamMember, utcnow
from db.repositories._dialect import insert_for


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_invite(
        self,
        token_hash: str,
        campaign_id: int,
        role: str,
        language: str | None,
        created_by: int,
        expires_at: datetime,
    ) -> None:
        self.session.add(
            TeamInvite(
                token_hash=token_hash,
                campaign_id=campaign_id,
                role=role,
                language=language,
                created_by=created_by,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def invite_by_hash(self, token_hash: str) -> tuple[TeamInvite, str] | None:
        row = (
            await self.session.execute(
                select(TeamInvite, Campaign.slug)
                .join(Campaign, Campaign.id == TeamInvite.campaign_id)
                .where(TeamInvite.token_hash == token_hash)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def use_invite(self, invite_id: int) -> bool:
        """Mark the invite used; False when another press used it first (single use)."""
        result = await self.session.execute(
            update(TeamInvite)
            .where(TeamInvite.id == invite_id, TeamInvite.used_at.is_(None))
            .values(used_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_display_name(self, user_id: int, name: str) -> None:
        stmt = insert_for(self.session, TeamMember).values(user_id=user_id, display_name=name)
        stmt = stmt.on_conflict_do_update(
            index_elements=[TeamMember.user_id], set_={"display_name": stmt.excluded.display_name}
        )
        await self.session.execute(stmt)

    async def display_name(self, user_id: int) -> str | None:
        member = await self.session.get(TeamMember, user_id)
        return None if member is None else member.display_name

    async def members(self, campaign_id: int) -> Sequence[tuple[Role, str | None]]:
        """Roles of the campaign (and every-campaign translators) with display names."""
        rows = await self.session.execute(
            select(Role, TeamMember.display_name)
            .outerjoin(TeamMember, TeamMember.user_id == Role.user_id)
            .where((Role.campaign_id == campaign_id) | Role.campaign_id.is_(None))
            .order_by(Role.role, Role.language, Role.id)
        )
        return [(role, name) for role, name in rows.all()]

    async def role(self, role_id: int) -> tuple[Role, str | None] | None:
        row = (
            await self.session.execute(
                select(Role, Campaign.slug)
                .outerjoin(Campaign, Campaign.id == Role.campaign_id)
                .where(Role.id == role_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])
