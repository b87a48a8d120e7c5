from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        actor_id: int | None,
        campaign_id: int | None,
        action: str,
        detail: str,
        subject_id: int | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                actor_id=actor_id,
                campaign_id=campaign_id,
                action=action,
                subject_id=subject_id,
                detail=detail,
            )
        )
        await self.session.flush()

    async def latest(self, campaign_id: int, limit: int) -> Sequence[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.campaign_id == campaign_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def count_about(self, user_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where((AuditEntry.actor_id == user_id) | (AuditEntry.subject_id == user_id))
            )
            or 0
        )
