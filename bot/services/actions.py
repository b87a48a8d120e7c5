"""Contact actions: which target each supporter should write to, recording what they
report, and the anonymous totals coordinators see.

A record is (pseudonymous user row, action, target, supporter's country, time). The user
link only makes reports idempotent; erasure sets it to NULL and the totals stay. Nothing
here ever returns who acted: only counts.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.countries import country_name
from bot.rendering import pick_text
from bot.services.directory import DirectoryService, MissionView
from db.models import Campaign
from db.repositories import CampaignRepository, UserRepository
from db.repositories.contacts import CONTACTED, NO_TARGET, UNREACHABLE, ContactRepository

#: Below this many, a country's count is merged into "other countries" in /stats and the
#: CSV, so that a coordinator cannot single out the one supporter of a small country.
MIN_GROUP = 3
#: The chart covers this many days.
CHART_DAYS = 30
#: Countries shown in the chart and the text, by total contacts.
TOP_COUNTRIES = 10
#: The target key of "nothing to contact" (no mission, no fallback).
NO_TARGET_KEY = "none"
KINDS = (CONTACTED, UNREACHABLE, NO_TARGET)


@dataclass(frozen=True)
class Target:
    """Whom to contact: a mission of the directory, a fixed contact or the fallback."""

    key: str
    name: str  # a fixed contact's name; for a mission, composed by the caller from the rest
    source: str  # "mission", "contact" or "fallback"
    kind: str | None = None  # the mission's type (embassy, consulate...)
    operator: str | None = None
    country: str | None = None
    city: str | None = None
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    fax: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class ActionCard:
    """One action as a supporter sees it."""

    id: str
    title: str
    subject: str
    letter_template: str
    letter_language: str
    cc: tuple[str, ...]
    target: Target | None
    embassy_of: str | None
    alternatives: int  # how many targets could serve (the suggestion is the least contacted)
    contacted: int  # supporters who reported contacting for this action
    you_reported: frozenset[str]  # the kinds this supporter already reported


class ActOutcome(enum.Enum):
    OK = "ok"
    NOT_FOUND = "not_found"
    CLOSED = "closed"
    NO_ACTIONS = "no_actions"
    NEED_COUNTRY = "need_country"


@dataclass(frozen=True)
class ActPlan:
    outcome: ActOutcome
    slug: str
    campaign_id: int = 0
    title: str = ""
    timezone: str = "UTC"
    country: str | None = None
    cards: list[ActionCard] = field(default_factory=list)


class RecordOutcome(enum.Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    INVALID = "invalid"  # unknown campaign, action or target, or no country: nothing recorded


@dataclass(frozen=True)
class RecordResult:
    outcome: RecordOutcome
    kind: str = CONTACTED
    others: int = 0  # other supporters who reported the same for this action
    target_name: str = ""


@dataclass(frozen=True)
class TargetStats:
    action_id: str
    target_key: str
    target_name: str
    today: int
    total: int


@dataclass(frozen=True)
class CountryStats:
    country: str | None  # None: merged small countries (or unknown)
    today: int
    total: int


@dataclass(frozen=True)
class CampaignStats:
    slug: str
    title: str
    timezone: str
    subscribers: int
    by_language: list[tuple[str | None, int]]
    by_country: list[tuple[str | None, int]]
    contacts_today: int
    contacts_total: int
    by_target: list[TargetStats]
    by_supporter_country: list[CountryStats]
    unreachable: list[TargetStats]
    no_target: list[CountryStats]
    per_day: list[tuple[str, int]]


def target_key(source: str, contact: Mapping[str, Any]) -> str:
    """A fixed contact's key: stable while its name and email stay the same."""
    digest = hashlib.sha1(
        f"{contact.get('name', '')}\n{contact.get('email', '')}".encode(), usedforsecurity=False
    ).hexdigest()
    return ("f" if source == "fallback" else "c") + digest[:10]


def contact_target(source: str, contact: Mapping[str, Any]) -> Target:
    return Target(
        key=target_key(source, contact),
        name=str(contact.get("name", "")),
        source=source,
        city=contact.get("city"),
        address=contact.get("address"),
        email=contact.get("email"),
        phone=contact.get("phone"),
        fax=contact.get("fax"),
        website=contact.get("website"),
    )


def mission_target(mission: MissionView) -> Target:
    return Target(
        key=mission.qid,
        name=mission_record_name(mission.kind, mission.operator, mission.city, mission.country),
        source="mission",
        kind=mission.kind,
        operator=mission.operator,
        country=mission.country,
        city=mission.city,
        address=mission.address,
        email=mission.email,
        phone=mission.phone,
        website=mission.website,
    )


def mission_record_name(kind: str, operator: str, city: str | None, country: str) -> str:
    """How a mission is named in stats and exports (English, the directory's language)."""
    place = f"{city}, {country}" if city else country
    return f"{kind} of {country_name(operator, 'en')} ({place})"


def letter_language(texts: Mapping[str, str], locale: str, languages: Sequence[str]) -> str:
    """The language :func:`pick_text` picks for ``locale``."""
    if texts.get(locale):
        return locale
    base = locale.split("_", 1)[0]
    for code, text in texts.items():
        if text and code.split("_", 1)[0] == base:
            return code
    for code in languages:
        if texts.get(code):
            return code
    return next((code for code, text in texts.items() if text), locale)


def campaign_today(timezone: str, now: datetime | None = None) -> datetime:
    """Midnight today in the campaign's time zone, as an aware datetime."""
    zone = ZoneInfo(timezone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def suppress_small(rows: Mapping[str | None, int], minimum: int = MIN_GROUP) -> Counter[str | None]:
    """Counts by country with every count below ``minimum`` merged into ``None``."""
    merged: Counter[str | None] = Counter()
    for country, count in rows.items():
        merged[country if country is not None and count >= minimum else None] += count
    return merged


class ActionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.campaigns = CampaignRepository(session)
        self.users = UserRepository(session)
        self.contacts = ContactRepository(session)
        self.directory = DirectoryService(session)

    async def has_actions(self, slug: str) -> bool:
        campaign = await self.campaigns.get_by_slug(slug)
        return campaign is not None and bool(campaign.actions)

    async def candidates(self, action: Mapping[str, Any], country: str) -> list[Target]:
        """Every target that can serve a supporter in ``country``, in the order of the
        lookup (see docs/campaign-file.md); empty when there is nothing to contact."""
        if action.get("embassy_of"):
            missions = await self.directory.missions_for(action["embassy_of"], country)
            if missions:
                return [mission_target(mission) for mission in missions]
            fallback = action.get("fallback")
            return [contact_target("fallback", fallback)] if fallback else []
        return [contact_target("contact", contact) for contact in action.get("contacts") or []]

    async def _suggest(
        self, campaign_id: int, action_id: str, candidates: list[Target]
    ) -> Target | None:
        """The candidate with the fewest recorded contacts (the first one on a tie)."""
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        counts = await self.contacts.contacted_by_target(
            campaign_id, action_id, [target.key for target in candidates]
        )
        return min(candidates, key=lambda target: counts.get(target.key, 0))

    async def plan(self, user_id: int, slug: str, locale: str) -> ActPlan:
        """What ``/act <slug>`` shows this supporter. A supporter whose country has nothing
        to contact is counted (once) for the coordinators."""
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return ActPlan(ActOutcome.NOT_FOUND, slug)
        title = pick_text(campaign.title, locale, campaign.languages)
        if not campaign.is_active:
            return ActPlan(ActOutcome.CLOSED, slug, campaign.id, title)
        if not campaign.actions:
            return ActPlan(ActOutcome.NO_ACTIONS, slug, campaign.id, title)
        user = await self.users.get(user_id)
        country = user.country if user is not None else None
        if not country:
            return ActPlan(ActOutcome.NEED_COUNTRY, slug, campaign.id, title, campaign.timezone)
        cards = []
        for action in campaign.actions:
            candidates = await self.candidates(action, country)
            target = await self._suggest(campaign.id, action["id"], candidates)
            if target is None:
                await self.contacts.add(
                    user_id=user_id,
                    campaign_id=campaign.id,
                    action_id=action["id"],
                    target_key=NO_TARGET_KEY,
                    target_name=f"no mission of {action.get('embassy_of') or '?'}",
                    country=country,
                    kind=NO_TARGET,
                )
            cards.append(await self._card(campaign, action, target, candidates, user_id, locale))
        await self.session.commit()
        return ActPlan(ActOutcome.OK, slug, campaign.id, title, campaign.timezone, country, cards)

    async def _card(
        self,
        campaign: Campaign,
        action: Mapping[str, Any],
        target: Target | None,
        candidates: list[Target],
        user_id: int,
        locale: str,
    ) -> ActionCard:
        languages = campaign.languages
        template = action.get("template") or {}
        return ActionCard(
            id=action["id"],
            title=pick_text(action.get("title") or {}, locale, languages),
            subject=pick_text(action.get("subject") or {}, locale, languages),
            letter_template=pick_text(template, locale, languages),
            letter_language=letter_language(template, locale, languages),
            cc=tuple(action.get("cc") or ()),
            target=target,
            embassy_of=action.get("embassy_of"),
            alternatives=len(candidates),
            contacted=await self.contacts.count(campaign.id, action["id"]),
            you_reported=frozenset(
                await self.contacts.kinds_of(user_id, campaign.id, action["id"])
            ),
        )

    async def record(
        self, user_id: int, campaign_id: int, action_id: str, key: str, kind: str
    ) -> RecordResult:
        """Record "contacted" or "unreachable" for a target, once per supporter, action and
        target. The target is checked against what this supporter can be shown, so a forged
        button records nothing."""
        if kind not in (CONTACTED, UNREACHABLE):
            return RecordResult(RecordOutcome.INVALID, kind)
        campaign = await self.session.get(Campaign, campaign_id)
        if campaign is None or not campaign.is_active:
            return RecordResult(RecordOutcome.INVALID, kind)
        action = next((a for a in campaign.actions if a.get("id") == action_id), None)
        user = await self.users.get(user_id)
        if action is None or user is None or not user.country:
            return RecordResult(RecordOutcome.INVALID, kind)
        target = next(
            (t for t in await self.candidates(action, user.country) if t.key == key), None
        )
        if target is None:
            return RecordResult(RecordOutcome.INVALID, kind)
        added = await self.contacts.add(
            user_id=user_id,
            campaign_id=campaign.id,
            action_id=action_id,
            target_key=target.key,
            target_name=target.name,
            country=user.country,
            kind=kind,
        )
        await self.session.commit()
        total = await self.contacts.count(campaign.id, action_id, kind)
        outcome = RecordOutcome.RECORDED if added else RecordOutcome.ALREADY
        return RecordResult(outcome, kind, max(total - 1, 0), target.name)

    async def stats(
        self, slug: str, locale: str, now: datetime | None = None
    ) -> CampaignStats | None:
        """Counts for coordinators: never who, only how many."""
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        now = now or datetime.now(UTC)
        today = campaign_today(campaign.timezone, now)
        by_language = await self.contacts.subscribers_by(campaign.id, "locale")
        by_country_raw = dict(await self.contacts.subscribers_by(campaign.id, "country"))
        by_country = sorted(
            suppress_small(by_country_raw).items(), key=lambda item: (item[0] is None, -item[1])
        )
        total_rows = await self.contacts.aggregates(campaign.id)
        today_rows = await self.contacts.aggregates(campaign.id, today)

        def per_target(kind: str) -> list[TargetStats]:
            totals: dict[tuple[str, str], list[Any]] = {}
            for action_id, key, name, _country, row_kind, count in total_rows:
                if row_kind == kind:
                    entry = totals.setdefault((action_id, key), [name, 0, 0])
                    entry[2] += count
            for action_id, key, _name, _country, row_kind, count in today_rows:
                if row_kind == kind and (action_id, key) in totals:
                    totals[(action_id, key)][1] += count
            items = [
                TargetStats(action_id, key, name, today_count, total)
                for (action_id, key), (name, today_count, total) in totals.items()
            ]
            return sorted(items, key=lambda t: (-t.total, t.action_id, t.target_name))

        def per_country(kind: str) -> list[CountryStats]:
            total: Counter[str | None] = Counter()
            now_: Counter[str | None] = Counter()
            for *_, country, row_kind, count in total_rows:
                if row_kind == kind:
                    total[country] += count
            for *_, country, row_kind, count in today_rows:
                if row_kind == kind:
                    now_[country] += count
            merged_total = suppress_small(total)
            shown = {country for country in merged_total if country is not None}
            merged_today: Counter[str | None] = Counter()
            for country, count in now_.items():
                merged_today[country if country in shown else None] += count
            items = [
                CountryStats(country, merged_today.get(country, 0), count)
                for country, count in merged_total.items()
            ]
            return sorted(items, key=lambda c: (c.country is None, -c.total, c.country or ""))

        by_target = per_target(CONTACTED)
        start = (today - timedelta(days=CHART_DAYS - 1)).astimezone(UTC)
        return CampaignStats(
            slug=campaign.slug,
            title=pick_text(campaign.title, locale, campaign.languages),
            timezone=campaign.timezone,
            subscribers=sum(count for _value, count in by_language),
            by_language=by_language,
            by_country=by_country,
            contacts_today=sum(t.today for t in by_target),
            contacts_total=sum(t.total for t in by_target),
            by_target=by_target,
            by_supporter_country=per_country(CONTACTED),
            unreachable=per_target(UNREACHABLE),
            no_target=per_country(NO_TARGET),
            per_day=await self.contacts.contacts_per_day(campaign.id, start),
        )

    async def export_rows(
        self, campaign: Campaign
    ) -> tuple[Sequence[object], list[Sequence[object]]]:
        """The ``actions`` export (``/export <slug> actions`` and the CLI ``export``):
        aggregates only, one row per (action, target, supporter country, outcome) with its
        count; countries below MIN_GROUP are merged into an empty country."""
        rows = await self.contacts.aggregates(campaign.id)
        merged: dict[tuple[str, str, str, str, str], int] = {}
        names: dict[tuple[str, str], str] = {}
        groups: dict[tuple[str, str, str], dict[str | None, int]] = {}
        for action_id, key, name, country, kind, count in rows:
            names[(action_id, key)] = name
            groups.setdefault((action_id, key, kind), {})[country] = count
        for (action_id, key, kind), by_country in groups.items():
            for country, count in suppress_small(by_country).items():
                row_key = (action_id, key, names[(action_id, key)], country or "", kind)
                merged[row_key] = merged.get(row_key, 0) + count
        header = (
            "campaign",
            "action",
            "target",
            "target_name",
            "supporter_country",
            "outcome",
            "count",
        )
        return header, [
            (campaign.slug, action_id, key, name, country, kind, count)
            for (action_id, key, name, country, kind), count in sorted(merged.items())
        ]
