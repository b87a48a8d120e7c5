from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ContactRecord, Subscription, User
from db.repositories._dialect import insert_for

CONTACTED = "contacted"
UNREACHABLE = "unreachable"
NO_TARGET = "no_target"


class ContactRepository:
    """Contact records: counts only ever leave this class, never who acted."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        user_id: int,
        campaign_id: int,
        action_id: str,
        target_key: str,
        target_name: str,
        country: str | None,
        kind: str,
    ) -> bool:
        """Record once per (user, action, target, kind); False when it already existed."""
        stmt = insert_for(self.session, ContactRecord).values(
            user_id=user_id,
            campaign_id=campaign_id,
            action_id=action_id,
            target_key=target_key,
            target_name=target_name[:300],
            country=country,
            kind=kind,
        )
        result = await self.session.execute(stmt.on_conflict_do_nothing())
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def contacted_by_target(
        self, campaign_id: int, action_id: str, keys: Iterable[str]
    ) -> dict[str, int]:
        keys = list(keys)
        rows = await self.session.execute(
            select(ContactRecord.target_key, func.count())
            .where(
                ContactRecord.campaign_id == campaign_id,
                ContactRecord.action_id == action_id,
                ContactRecord.kind == CONTACTED,
                ContactRecord.target_key.in_(keys),
            )
            .group_by(ContactRecord.target_key)
        )
        return {key: int(n) for key, n in rows.all()}

    async def count(self, campaign_id: int, action_id: str, kind: str = CONTACTED) -> int:
        result = await self.session.scalar(
            select(func.count())
            .select_from(ContactRecord)
            .where(
                ContactRecord.campaign_id == campaign_id,
                ContactRecord.action_id == action_id,
                ContactRecord.kind == kind,
            )
        )
        return int(result or 0)

    async def kinds_of(self, user_id: int, campaign_id: int, action_id: str) -> set[str]:
        rows = await self.session.scalars(
            select(ContactRecord.kind).where(
                ContactRecord.user_id == user_id,
                ContactRecord.campaign_id == campaign_id,
                ContactRecord.action_id == action_id,
            )
        )
        return set(rows)

    async def aggregates(
        self, campaign_id: int, since: datetime | None = None
    ) -> Sequence[tuple[str, str, str, str | None, str, int]]:
        """(action, target key, target name, supporter country, kind, count) rows."""
        stmt = select(
            ContactRecord.action_id,
            ContactRecord.target_key,
            func.max(ContactRecord.target_name),
            ContactRecord.country,
            ContactRecord.kind,
            func.count(),
        ).where(ContactRecord.campaign_id == campaign_id)
        if since is not None:
            stmt = stmt.where(ContactRecord.created_at >= since)
        stmt = stmt.group_by(
            ContactRecord.action_id,
            ContactRecord.target_key,
            ContactRecord.country,
            ContactRecord.kind,
        ).order_by(ContactRecord.action_id, ContactRecord.target_key, ContactRecord.country)
        rows = await self.session.execute(stmt)
        return [(a, k, name, c, kind, int(n)) for a, k, name, c, kind, n in rows.all()]

    async def contacts_per_day(self, campaign_id: int, since: datetime) -> list[tuple[str, int]]:
        """Contacts reported per UTC day since ``since``: ("2026-11-24", 12) rows."""
        day = func.date(ContactRecord.created_at)  # date() is SQLite's and PostgreSQL's
        rows = await self.session.execute(
            select(day, func.count())
            .where(
                ContactRecord.campaign_id == campaign_id,
                ContactRecord.kind == CONTACTED,
                ContactRecord.created_at >= since,
            )
            .group_by(day)
            .order_by(day)
        )
        return [(str(d), int(n)) for d, n in rows.all()]

    async def subscribers_by(self, campaign_id: int, column: str) -> list[tuple[str | None, int]]:
        """Subscribers grouped by ``users.locale`` or ``users.country``."""
        field = User.locale if column == "locale" else User.country
        rows = await self.session.execute(
            select(field, func.count())
            .select_from(Subscription)
            .join(User, User.id == Subscription.user_id)
            .where(Subscription.campaign_id == campaign_id)
            .group_by(field)
            .order_by(func.count().desc(), field)
        )
        return [(value, int(n)) for value, n in rows.all()]
