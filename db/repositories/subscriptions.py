from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Campaign, Subscription
from db.repositories._dialect import insert_for


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, user_id: int, campaign_id: int) -> bool:
        """Subscribe; False when the subscription already existed."""
        stmt = insert_for(self.session, Subscription).values(
            user_id=user_id, campaign_id=campaign_id
        )
        result = await self.session.execute(stmt.on_conflict_do_nothing())
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def remove(self, user_id: int, campaign_id: int) -> bool:
        result = await self.session.execute(
            delete(Subscription).where(
                Subscription.user_id == user_id, Subscription.campaign_id == campaign_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def slugs_of(self, user_id: int) -> list[str]:
        return list(
            await self.session.scalars(
                select(Campaign.slug)
                .join(Subscription, Subscription.campaign_id == Campaign.id)
                .where(Subscription.user_id == user_id)
                .order_by(Campaign.slug)
            )
        )

    async def remove_all(self, user_id: int) -> list[str]:
        """Remove every subscription of the user; returns the slugs they left."""
        slugs = await self.slugs_of(user_id)
        await self.session.execute(delete(Subscription).where(Subscription.user_id == user_id))
        return slugs

    async def campaign_ids_of(self, user_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(Subscription.campaign_id).where(Subscription.user_id == user_id)
        )
        return set(rows)

    async def count(self, campaign_id: int) -> int:
        result = await self.session.scalar(
            select(func.count())
            .select_from(Subscription)
            .where(Subscription.campaign_id == campaign_id)
        )
        return int(result or 0)
