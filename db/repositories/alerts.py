from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, AlertTranslation, Campaign, Role, Subscription, User
from db.repositories._dialect import insert_for
from db.repositories.roles import TRANSLATOR


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, alert: Alert) -> Alert:
        self.session.add(alert)
        await self.session.flush()
        return alert

    async def get(self, alert_id: int) -> tuple[Alert, Campaign] | None:
        row = (
            await self.session.execute(
                select(Alert, Campaign)
                .join(Campaign, Campaign.id == Alert.campaign_id)
                .where(Alert.id == alert_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def translations(self, alert_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        result: dict[int, dict[str, str]] = {alert_id: {} for alert_id in alert_ids}
        if not alert_ids:
            return result
        rows = await self.session.execute(
            select(
                AlertTranslation.alert_id, AlertTranslation.language, AlertTranslation.text
            ).where(AlertTranslation.alert_id.in_(alert_ids))
        )
        for alert_id, language, text in rows.all():
            result[alert_id][language] = text
        return result

    async def save_translation(
        self, alert_id: int, language: str, text: str, translator_id: int
    ) -> bool:
        """Insert or replace a translation; True when it replaced an earlier one."""
        existed = await self.session.get(AlertTranslation, (alert_id, language)) is not None
        stmt = insert_for(self.session, AlertTranslation).values(
            alert_id=alert_id, language=language, text=text, translator_id=translator_id
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[AlertTranslation.alert_id, AlertTranslation.language],
                set_={"text": text, "translator_id": translator_id},
            )
        )
        return existed

    async def recent(
        self, campaign_id: int, limit: int, statuses: Sequence[str] | None = None
    ) -> list[Alert]:
        stmt = select(Alert).where(Alert.campaign_id == campaign_id)
        if statuses is not None:
            stmt = stmt.where(Alert.status.in_(statuses))
        stmt = stmt.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
        return list(await self.session.scalars(stmt))

    async def reader_languages(self, campaign_id: int, default_locale: str) -> set[str]:
        rows = await self.session.scalars(
            select(func.coalesce(User.locale, default_locale))
            .join(Subscription, Subscription.user_id == User.id)
            .where(Subscription.campaign_id == campaign_id, User.is_active.is_(True))
            .distinct()
        )
        return set(rows)

    async def translators(self, campaign_id: int, languages: set[str]) -> list[tuple[int, str]]:
        """(user id, language) of translators into ``languages`` for this campaign or all."""
        if not languages:
            return []
        rows = await self.session.execute(
            select(Role.user_id, Role.language)
            .where(
                Role.role == TRANSLATOR,
                Role.language.in_(sorted(languages)),
                or_(Role.campaign_id.is_(None), Role.campaign_id == campaign_id),
            )
            .distinct()
            .order_by(Role.language, Role.user_id)
        )
        return [(user_id, language) for user_id, language in rows.all() if language]
