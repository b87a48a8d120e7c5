"""Campaigns: loading their definition files, listing them, subscribing to them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.rendering import pick_text
from bot.services import audit
from bot.services.campaign_file import CampaignSpec
from db.models import Campaign
from db.repositories import (
    CampaignRepository,
    RoleRepository,
    SubscriptionRepository,
    UserRepository,
)
from db.repositories.audit import AuditRepository
from db.repositories.deliveries import DeliveryRepository
from db.repositories.roles import COORDINATOR


@dataclass(frozen=True)
class CampaignSummary:
    slug: str
    title: str
    is_active: bool
    subscribers: int
    subscribed: bool = False


@dataclass(frozen=True)
class Contact:
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    fax: str | None = None
    website: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class CampaignInfo:
    slug: str
    title: str
    summary: str
    statement: str
    demands: list[str]
    contacts: list[Contact]
    languages: list[str]
    timezone: str
    is_active: bool
    subscribers: int
    updated_at: datetime
    #: Alerts are deleted from supporters' chats this many days after delivery (None: kept).
    delete_after_days: float | None = None


@dataclass(frozen=True)
class LoadResult:
    slug: str
    created: bool
    coordinators_added: int
    coordinators_removed: int


class SubscribeOutcome(enum.Enum):
    SUBSCRIBED = "subscribed"
    ALREADY = "already"
    UNSUBSCRIBED = "unsubscribed"
    NOT_SUBSCRIBED = "not_subscribed"
    NOT_FOUND = "not_found"
    CLOSED = "closed"


@dataclass(frozen=True)
class SubscribeResult:
    outcome: SubscribeOutcome
    slug: str
    title: str = ""


class CampaignService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.campaigns = CampaignRepository(session)
        self.subscriptions = SubscriptionRepository(session)
        self.users = UserRepository(session)
        self.roles = RoleRepository(session)
        self.deliveries = DeliveryRepository(session)

    async def exists(self, slug: str) -> bool:
        return await self.campaigns.get_by_slug(slug) is not None

    async def load(
        self, spec: CampaignSpec, actor_id: int | None = None, via: str = "upload"
    ) -> LoadResult:
        """Create or update a campaign from a validated file, all or nothing (and audited:
        ``actor_id`` None is the command line)."""
        try:
            campaign, created = await self.campaigns.save(
                spec.slug,
                {
                    "is_active": spec.is_active,
                    "languages": spec.languages,
                    "timezone": spec.timezone,
                    "title": spec.title,
                    "summary": spec.summary,
                    "statement": spec.statement,
                    "demands": spec.demands,
                    "contacts": spec.contacts,
                    "endorsement_milestones": spec.endorsement_milestones,
                    "actions": spec.actions,
                    "delete_after_days": spec.delete_after_days,
                },
            )
            wanted = set(spec.coordinators)
            current = await self.roles.file_coordinators(campaign.id)
            added = 0
            for user_id in sorted(wanted - current):
                added += await self.roles.add(user_id, COORDINATOR, campaign.id, None, "file")
            await self.roles.remove_file_coordinators(campaign.id, current - wanted)
            verb = "created" if created else "updated"
            await AuditRepository(self.session).add(
                actor_id, campaign.id, audit.CAMPAIGN_LOAD, f"{verb} ({via})"
            )
            await self.session.commit()
        except BaseException:
            await self.session.rollback()
            raise
        return LoadResult(spec.slug, created, added, len(current - wanted))

    async def list(
        self, locale: str, user_id: int | None = None, *, active_only: bool = True
    ) -> list[CampaignSummary]:
        rows = await self.campaigns.list_with_counts(active_only=active_only)
        mine = await self.subscriptions.campaign_ids_of(user_id) if user_id else set()
        return [
            CampaignSummary(
                slug=campaign.slug,
                title=pick_text(campaign.title, locale, campaign.languages),
                is_active=campaign.is_active,
                subscribers=count,
                subscribed=campaign.id in mine,
            )
            for campaign, count in rows
        ]

    async def info(self, slug: str, locale: str) -> CampaignInfo | None:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        return self._info(campaign, locale, await self.subscriptions.count(campaign.id))

    @staticmethod
    def _info(campaign: Campaign, locale: str, subscribers: int) -> CampaignInfo:
        langs = campaign.languages
        return CampaignInfo(
            slug=campaign.slug,
            title=pick_text(campaign.title, locale, langs),
            summary=pick_text(campaign.summary, locale, langs),
            statement=pick_text(campaign.statement, locale, langs),
            demands=[pick_text(demand, locale, langs) for demand in campaign.demands],
            contacts=[Contact(**contact) for contact in campaign.contacts],
            languages=list(langs),
            timezone=campaign.timezone,
            is_active=campaign.is_active,
            subscribers=subscribers,
            updated_at=campaign.updated_at,
            delete_after_days=campaign.delete_after_days,
        )

    async def subscribe(self, user_id: int, slug: str, locale: str) -> SubscribeResult:
        """Subscribe; a user row is created only now, with the language they use."""
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return SubscribeResult(SubscribeOutcome.NOT_FOUND, slug)
        title = pick_text(campaign.title, locale, campaign.languages)
        if not campaign.is_active:
            return SubscribeResult(SubscribeOutcome.CLOSED, slug, title)
        await self.users.ensure(user_id, locale)
        added = await self.subscriptions.add(user_id, campaign.id)
        await self.session.commit()
        outcome = SubscribeOutcome.SUBSCRIBED if added else SubscribeOutcome.ALREADY
        return SubscribeResult(outcome, slug, title)

    async def unsubscribe(self, user_id: int, slug: str, locale: str) -> SubscribeResult:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return SubscribeResult(SubscribeOutcome.NOT_FOUND, slug)
        removed = await self.subscriptions.remove(user_id, campaign.id)
        await self.deliveries.withdraw(user_id, campaign.id)
        await self.session.commit()
        title = pick_text(campaign.title, locale, campaign.languages)
        outcome = SubscribeOutcome.UNSUBSCRIBED if removed else SubscribeOutcome.NOT_SUBSCRIBED
        return SubscribeResult(outcome, slug, title)
