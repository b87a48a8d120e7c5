"""Endorsements and announced milestones. Private fields are read, never filtered on."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Endorsement, EndorsementMilestone, Role, utcnow
from db.repositories._dialect import insert_for
from db.repositories.roles import COORDINATOR

#: Statuses that hold an organisation's place (and its dedup key).
ACTIVE_STATUSES = ("pending", "approved")


class DuplicateEndorsement(Exception):
    """The organisation already has a pending or approved endorsement of this campaign."""


class EndorsementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, endorsement: Endorsement) -> Endorsement:
        """Insert; raises DuplicateEndorsement when the dedup key is taken (even by a
        concurrent submission), leaving the session usable."""
        try:
            async with self.session.begin_nested():
                self.session.add(endorsement)
                await self.session.flush()
        except IntegrityError:
            raise DuplicateEndorsement from None
        return endorsement

    async def get(self, endorsement_id: int) -> Endorsement | None:
        return await self.session.get(Endorsement, endorsement_id)

    async def transition(
        self,
        endorsement_id: int,
        from_statuses: Sequence[str],
        to_status: str,
        *,
        decided_by: int | None = None,
        reason: str | None = None,
    ) -> bool:
        """Compare-and-set the status; False when someone else changed it first."""
        values: dict[str, object] = {"status": to_status}
        if to_status not in ACTIVE_STATUSES:
            values["dedup_key"] = None
        if decided_by is not None:
            values["decided_by"] = decided_by
            values["decided_at"] = utcnow()
        if reason is not None:
            values["reason"] = reason
        result = await self.session.execute(
            update(Endorsement)
            .where(Endorsement.id == endorsement_id, Endorsement.status.in_(from_statuses))
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def active_of_campaign(self, campaign_id: int) -> list[Endorsement]:
        """Pending and approved endorsements (for duplicate checks), oldest first."""
        return list(
            await self.session.scalars(
                select(Endorsement)
                .where(
                    Endorsement.campaign_id == campaign_id,
                    Endorsement.status.in_(ACTIVE_STATUSES),
                )
                .order_by(Endorsement.created_at, Endorsement.id)
            )
        )

    async def by_status(self, campaign_id: int, status: str) -> list[Endorsement]:
        """Endorsements in ``status``, in signing order."""
        return list(
            await self.session.scalars(
                select(Endorsement)
                .where(Endorsement.campaign_id == campaign_id, Endorsement.status == status)
                .order_by(Endorsement.created_at, Endorsement.id)
            )
        )

    async def of_submitter(self, campaign_id: int, user_id: int) -> list[Endorsement]:
        return list(
            await self.session.scalars(
                select(Endorsement)
                .where(
                    Endorsement.campaign_id == campaign_id,
                    Endorsement.submitter_id == user_id,
                    Endorsement.status.in_(ACTIVE_STATUSES),
                )
                .order_by(Endorsement.created_at, Endorsement.id)
            )
        )

    async def count_approved(self, campaign_id: int) -> int:
        result = await self.session.scalar(
            select(func.count())
            .select_from(Endorsement)
            .where(Endorsement.campaign_id == campaign_id, Endorsement.status == "approved")
        )
        return int(result or 0)

    async def count_by_status(self, campaign_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(Endorsement.status, func.count())
            .where(Endorsement.campaign_id == campaign_id)
            .group_by(Endorsement.status)
        )
        return {status: int(count) for status, count in rows}

    async def claim_milestone(self, campaign_id: int, count: int) -> bool:
        """Record a milestone as announced; False when it already was (by anyone)."""
        stmt = insert_for(self.session, EndorsementMilestone).values(
            campaign_id=campaign_id, count=count
        )
        result = await self.session.execute(stmt.on_conflict_do_nothing())
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_milestone_alert(self, campaign_id: int, count: int, alert_id: int) -> None:
        await self.session.execute(
            update(EndorsementMilestone)
            .where(
                EndorsementMilestone.campaign_id == campaign_id,
                EndorsementMilestone.count == count,
            )
            .values(alert_id=alert_id)
        )

    async def coordinator_ids(self, campaign_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(Role.user_id)
            .where(Role.campaign_id == campaign_id, Role.role == COORDINATOR)
            .distinct()
            .order_by(Role.user_id)
        )
        return list(rows)

    async def all_of_campaign(self, campaign_id: int) -> list[Endorsement]:
        """Every endorsement of the campaign, whatever its status, oldest first."""
        return list(
            await self.session.scalars(
                select(Endorsement)
                .where(Endorsement.campaign_id == campaign_id)
                .order_by(Endorsement.created_at, Endorsement.id)
            )
        )
