from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, Subscription, utcnow

#: The slug column's width (campaign files allow at most 40 characters).
MAX_SLUG_LENGTH = 40


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_slug(self, slug: str) -> Campaign | None:
        # Whatever a user typed: a word no slug can be is not looked up (PostgreSQL refuses
        # a NUL character outright, and a 10,000-character word is no name).
        if len(slug) > MAX_SLUG_LENGTH or "\x00" in slug:
            return None
        return await self.session.scalar(select(Campaign).where(Campaign.slug == slug))

    async def save(self, slug: str, fields: dict[str, Any]) -> tuple[Campaign, bool]:
        """Insert or update the campaign with ``slug``; returns it and whether it is new."""
        campaign = await self.get_by_slug(slug)
        created = campaign is None
        if campaign is None:
            campaign = Campaign(slug=slug, **fields)
            self.session.add(campaign)
        else:
            for name, value in fields.items():
                setattr(campaign, name, value)
            campaign.updated_at = utcnow()
        await self.session.flush()
        return campaign, created

    async def list_with_counts(self, *, active_only: bool) -> Sequence[tuple[Campaign, int]]:
        """Campaigns (oldest first) with their number of subscribers."""
        counts = (
            select(Subscription.campaign_id, func.count().label("n"))
            .group_by(Subscription.campaign_id)
            .subquery()
        )
        stmt = (
            select(Campaign, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.campaign_id == Campaign.id)
            .order_by(Campaign.created_at, Campaign.id)
        )
        if active_only:
            stmt = stmt.where(Campaign.is_active.is_(True))
        rows = await self.session.execute(stmt)
        return [(campaign, int(n)) for campaign, n in rows.all()]
