"""Endorsements: organisations sign a campaign's statement, coordinators verify them, and
the approved ones are published as the signatory list.

Every coordinator action (approve, reject, remove) goes through :meth:`EndorsementService.decide`,
the one place to add an audit record. The private fields (contact email, signer's name and
role) are stored and shown to coordinators, never used to look anything up: duplicates are
found by the organisation's normalised name and country.
"""

from __future__ import annotations

import difflib
import enum
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from bot.locales import SUPPORTED_LOCALES
from bot.rendering import pick_text
from bot.services.audit import ENDORSEMENT_APPROVE, ENDORSEMENT_REJECT, ENDORSEMENT_REMOVE
from bot.services.campaign_file import EMAIL_RE
from bot.services.roles import RoleService
from db.models import Alert, AlertTranslation, Campaign, Endorsement, utcnow
from db.repositories import CampaignRepository, UserRepository
from db.repositories.alerts import AlertRepository
from db.repositories.audit import AuditRepository
from db.repositories.deliveries import DeliveryRepository
from db.repositories.endorsements import DuplicateEndorsement, EndorsementRepository

NAME_MIN, NAME_MAX = 2, 200
CITY_MAX = 100
ROLE_MAX = 200
WEBSITE_MAX = 300
EMAIL_MAX = 254
REASON_MAX = 1000
#: The audit log's name for each coordinator decision.
AUDITED = {
    "approve": ENDORSEMENT_APPROVE,
    "reject": ENDORSEMENT_REJECT,
    "remove": ENDORSEMENT_REMOVE,
}
#: Author and translator id of the alerts the bot writes itself (milestones).
BOT_AUTHOR_ID = 0
#: Legal-form words that do not make two organisations different ("Acme Ltd" = "Acme").
LEGAL_SUFFIXES = frozenset(
    {"inc", "ltd", "llc", "llp", "plc", "gmbh", "ev", "ag", "sa", "srl", "co", "corp", "ooo"}
)
#: Two normalised names at least this similar (difflib ratio) are near-duplicates.
SIMILARITY = 0.88
_WORD = re.compile(r"[^\W_]+")


class FieldProblem(enum.Enum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_PRINTABLE = "not_printable"
    NO_LETTERS = "no_letters"
    BAD_EMAIL = "bad_email"
    BAD_URL = "bad_url"


class FieldError(ValueError):
    def __init__(self, problem: FieldProblem, limit: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


class EndorsementProblem(enum.Enum):
    NO_CAMPAIGN = "no_campaign"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"


class EndorsementError(Exception):
    def __init__(self, problem: EndorsementProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# ---------------------------------------------------------------- validation (pure)


def _printable_text(value: str, low: int, high: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise FieldError(FieldProblem.EMPTY)
    if len(text) < low:
        raise FieldError(FieldProblem.TOO_SHORT, low)
    if len(text) > high:
        raise FieldError(FieldProblem.TOO_LONG, high)
    if not text.isprintable():
        raise FieldError(FieldProblem.NOT_PRINTABLE)
    return text


def clean_name(value: str) -> str:
    """An organisation's (or signer's) name: 2-200 printable characters, with letters or
    digits; runs of spaces become one."""
    text = _printable_text(value, NAME_MIN, NAME_MAX)
    if len(name_key(text)) < 2:
        raise FieldError(FieldProblem.NO_LETTERS)
    return text


def clean_city(value: str) -> str:
    text = _printable_text(value, 1, CITY_MAX)
    if not name_key(text):
        raise FieldError(FieldProblem.NO_LETTERS)
    return text


def clean_role(value: str) -> str:
    return _printable_text(value, 1, ROLE_MAX)


def clean_email(value: str) -> str:
    text = value.strip()
    if not text:
        raise FieldError(FieldProblem.EMPTY)
    if len(text) > EMAIL_MAX:
        raise FieldError(FieldProblem.TOO_LONG, EMAIL_MAX)
    if not EMAIL_RE.fullmatch(text) or not text.isprintable():
        raise FieldError(FieldProblem.BAD_EMAIL)
    return text


def clean_website(value: str) -> str:
    """An http(s) URL with a host name that has a dot, at most 300 characters."""
    text = value.strip()
    if not text:
        raise FieldError(FieldProblem.EMPTY)
    if len(text) > WEBSITE_MAX:
        raise FieldError(FieldProblem.TOO_LONG, WEBSITE_MAX)
    if any(ch.isspace() for ch in text) or not text.isprintable() or any(c in text for c in '<>"'):
        raise FieldError(FieldProblem.BAD_URL)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise FieldError(FieldProblem.BAD_URL) from None
    labels = host.split(".")
    if (
        parts.scheme.lower() not in ("http", "https")
        or "." not in host
        or not all(labels)
        or parts.username is not None
    ):
        raise FieldError(FieldProblem.BAD_URL)
    return text


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _WORD.findall(folded)
    # "e.V." and "S.A." arrive as single letters: join a trailing run of them.
    while len(words) >= 2 and len(words[-1]) == 1 and len(words[-2]) == 1:
        words[-2:] = [words[-2] + words[-1]]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return words


def name_key(name: str) -> str:
    """The organisation's name compared case-, accent-, space- and punctuation-insensitively,
    without a trailing legal form: "Acme Workers' Union, Ltd." -> "acmeworkersunion"."""
    return "".join(_words(name))


def is_near_duplicate(name_a: str, country_a: str, name_b: str, country_b: str) -> bool:
    """Worth a coordinator's second look: the same name in another country, names that
    differ by one word, or names that are spelled almost alike."""
    key_a, key_b = name_key(name_a), name_key(name_b)
    if key_a == key_b:
        return country_a != country_b  # same country: an exact duplicate, not a near one
    words_a, words_b = set(_words(name_a)), set(_words(name_b))
    one_word_apart = len(words_a - words_b) <= 1 and len(words_b - words_a) <= 1
    if one_word_apart and words_a & words_b and max(len(words_a), len(words_b)) >= 2:
        return True
    return difflib.SequenceMatcher(None, key_a, key_b).ratio() >= SIMILARITY


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class EndorsementDraft:
    name: str
    country: str
    email: str
    city: str | None = None
    website: str | None = None
    signer_name: str | None = None
    signer_role: str | None = None


@dataclass(frozen=True)
class EndorsementView:
    """An endorsement as handlers see it. The private fields are for coordinators only."""

    id: int
    slug: str
    campaign_title: str
    name: str
    city: str | None
    country: str
    website: str | None
    status: str
    created_at: datetime
    contact_email: str
    signer_name: str | None
    signer_role: str | None
    reason: str | None
    submitter_id: int | None

    @property
    def draft(self) -> EndorsementDraft:
        """What was submitted, as the confirmation screen and the coordinator's card show it."""
        return EndorsementDraft(
            name=self.name,
            country=self.country,
            email=self.contact_email,
            city=self.city,
            website=self.website,
            signer_name=self.signer_name,
            signer_role=self.signer_role,
        )


@dataclass(frozen=True)
class Recipient:
    user_id: int
    locale: str


@dataclass(frozen=True)
class Submitted:
    endorsement: EndorsementView
    near_duplicates: list[EndorsementView]
    reviewers: list[Recipient]


class DecisionOutcome(enum.Enum):
    DONE = "done"
    ALREADY = "already"  # someone decided first; the current status is in the view


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    endorsement: EndorsementView
    submitter: Recipient | None = None
    #: The endorsement as its submitter reads it (the campaign title in their language).
    submitter_view: EndorsementView | None = None
    milestone: int | None = None


@dataclass(frozen=True)
class PendingItem:
    endorsement: EndorsementView
    near_duplicates: list[EndorsementView]


@dataclass(frozen=True)
class Signatories:
    slug: str
    title: str
    endorsements: list[EndorsementView] = field(default_factory=list)

    @property
    def countries(self) -> int:
        return len({item.country for item in self.endorsements})


#: Renders the milestone announcement: (approved count, campaign title, slug, locale) ->
#: Telegram HTML in that locale.
MilestoneText = Callable[[int, str, str, str], str]


class EndorsementService:
    def __init__(
        self, session: AsyncSession, owner_ids: frozenset[int], default_locale: str
    ) -> None:
        self.session = session
        self.owner_ids = owner_ids
        self.default_locale = default_locale
        self.endorsements = EndorsementRepository(session)
        self.campaigns = CampaignRepository(session)
        self.users = UserRepository(session)
        self.roles = RoleService(session, owner_ids)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _view(endorsement: Endorsement, campaign: Campaign, locale: str) -> EndorsementView:
        return EndorsementView(
            id=endorsement.id,
            slug=campaign.slug,
            campaign_title=pick_text(campaign.title, locale, campaign.languages),
            name=endorsement.name,
            city=endorsement.city,
            country=endorsement.country,
            website=endorsement.website,
            status=endorsement.status,
            created_at=endorsement.created_at,
            contact_email=endorsement.contact_email,
            signer_name=endorsement.signer_name,
            signer_role=endorsement.signer_role,
            reason=endorsement.reason,
            submitter_id=endorsement.submitter_id,
        )

    async def _campaign(self, slug: str) -> Campaign:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            raise EndorsementError(EndorsementProblem.NO_CAMPAIGN)
        return campaign

    async def status_counts(self, slug: str, actor_id: int) -> dict[str, int]:
        """Endorsements of the campaign per status (for its coordinators' /stats)."""
        campaign = await self._coordinated(slug, actor_id)
        return await self.endorsements.count_by_status(campaign.id)

    async def _open_campaign(self, slug: str) -> Campaign:
        campaign = await self._campaign(slug)
        if not campaign.is_active:
            raise EndorsementError(EndorsementProblem.CLOSED)
        return campaign

    async def _coordinated(self, slug: str, actor_id: int) -> Campaign:
        campaign = await self._campaign(slug)
        if not await self.roles.can_coordinate(actor_id, campaign.slug):
            raise EndorsementError(EndorsementProblem.FORBIDDEN)
        return campaign

    async def _recipient(self, user_id: int) -> Recipient:
        user = await self.users.get(user_id)
        locale = user.locale if user is not None and user.locale else self.default_locale
        return Recipient(user_id, locale)

    def _near(
        self,
        endorsement: Endorsement,
        others: Sequence[Endorsement],
        campaign: Campaign,
        locale: str,
    ) -> list[EndorsementView]:
        return [
            self._view(other, campaign, locale)
            for other in others
            if other.id != endorsement.id
            and is_near_duplicate(endorsement.name, endorsement.country, other.name, other.country)
        ]

    # ------------------------------------------------------------ signing on

    async def check_open(self, slug: str) -> None:
        """Raise unless ``slug`` is a campaign that takes endorsements."""
        await self._open_campaign(slug)

    async def is_duplicate(self, slug: str, name: str, country: str) -> bool:
        campaign = await self._open_campaign(slug)
        key = f"{name_key(name)}|{country}"
        return any(
            item.dedup_key == key
            for item in await self.endorsements.active_of_campaign(campaign.id)
        )

    async def submit(
        self, user_id: int, locale: str, slug: str, draft: EndorsementDraft
    ) -> Submitted:
        """Store a pending endorsement; returns it, its near-duplicates and who reviews it."""
        campaign = await self._open_campaign(slug)
        key = name_key(draft.name)
        dedup = f"{key}|{draft.country}"
        existing = await self.endorsements.active_of_campaign(campaign.id)
        if any(item.dedup_key == dedup for item in existing):
            raise EndorsementError(EndorsementProblem.DUPLICATE)
        await self.users.ensure(user_id, locale)
        try:
            endorsement = await self.endorsements.add(
                Endorsement(
                    campaign_id=campaign.id,
                    submitter_id=user_id,
                    name=draft.name,
                    name_key=key[:200],
                    city=draft.city,
                    country=draft.country,
                    website=draft.website,
                    contact_email=draft.email,
                    signer_name=draft.signer_name,
                    signer_role=draft.signer_role,
                    status="pending",
                    dedup_key=dedup,
                    created_at=utcnow(),
                )
            )
        except DuplicateEndorsement:
            await self.session.rollback()
            raise EndorsementError(EndorsementProblem.DUPLICATE) from None
        reviewer_ids = await self.endorsements.coordinator_ids(campaign.id) or sorted(
            self.owner_ids
        )
        reviewers = [await self._recipient(reviewer) for reviewer in reviewer_ids]
        near = self._near(endorsement, existing, campaign, locale)
        view = self._view(endorsement, campaign, locale)
        await self.session.commit()
        return Submitted(view, near, reviewers)

    async def own(self, user_id: int, slug: str, locale: str) -> list[EndorsementView]:
        """The user's pending and approved endorsements of the campaign."""
        campaign = await self._campaign(slug)
        return [
            self._view(item, campaign, locale)
            for item in await self.endorsements.of_submitter(campaign.id, user_id)
        ]

    async def withdraw(self, user_id: int, endorsement_id: int, locale: str) -> EndorsementView:
        """The submitter takes their endorsement back (pending or approved)."""
        endorsement = await self.endorsements.get(endorsement_id)
        if endorsement is None or endorsement.submitter_id != user_id:
            raise EndorsementError(EndorsementProblem.NOT_FOUND)
        campaign = await self.session.get(Campaign, endorsement.campaign_id)
        assert campaign is not None
        if not await self.endorsements.transition(
            endorsement.id, ("pending", "approved"), "withdrawn"
        ):
            await self.session.rollback()
            raise EndorsementError(EndorsementProblem.NOT_FOUND)
        await self.session.commit()
        await self.session.refresh(endorsement)
        return self._view(endorsement, campaign, locale)

    # ------------------------------------------------------------ verification

    async def get_for(self, endorsement_id: int, actor_id: int, locale: str) -> EndorsementView:
        """An endorsement a coordinator of its campaign may see."""
        endorsement = await self.endorsements.get(endorsement_id)
        if endorsement is None:
            raise EndorsementError(EndorsementProblem.NOT_FOUND)
        campaign = await self.session.get(Campaign, endorsement.campaign_id)
        assert campaign is not None
        if not await self.roles.can_coordinate(actor_id, campaign.slug):
            raise EndorsementError(EndorsementProblem.FORBIDDEN)
        return self._view(endorsement, campaign, locale)

    async def decide(
        self,
        endorsement_id: int,
        actor_id: int,
        action: str,
        locale: str,
        *,
        reason: str | None = None,
        milestone_text: MilestoneText | None = None,
    ) -> Decision:
        """approve (pending), reject (pending) or remove (approved), if ``actor_id``
        coordinates the endorsement's campaign. The one door for coordinators' decisions."""
        transitions = {
            "approve": ("pending", "approved"),
            "reject": ("pending", "rejected"),
            "remove": ("approved", "removed"),
        }
        if action not in transitions:
            raise EndorsementError(EndorsementProblem.NOT_FOUND)
        endorsement = await self.endorsements.get(endorsement_id)
        if endorsement is None:
            raise EndorsementError(EndorsementProblem.NOT_FOUND)
        campaign = await self.session.get(Campaign, endorsement.campaign_id)
        assert campaign is not None
        if not await self.roles.can_coordinate(actor_id, campaign.slug):
            raise EndorsementError(EndorsementProblem.FORBIDDEN)
        source, target = transitions[action]
        if reason is not None:
            reason = reason.strip()[:REASON_MAX] or None
        changed = await self.endorsements.transition(
            endorsement.id, (source,), target, decided_by=actor_id, reason=reason
        )
        if not changed:
            await self.session.rollback()
            await self.session.refresh(endorsement)
            await self.session.refresh(campaign)
            return Decision(DecisionOutcome.ALREADY, self._view(endorsement, campaign, locale))
        milestone = None
        if action == "approve":
            milestone = await self._milestone(campaign, milestone_text)
        submitter = (
            await self._recipient(endorsement.submitter_id)
            if endorsement.submitter_id is not None
            else None
        )
        # The record is part of the decision's transaction: no decision without its record.
        await AuditRepository(self.session).add(
            actor_id, campaign.id, AUDITED[action], f"#{endorsement.id}"
        )
        await self.session.commit()
        await self.session.refresh(endorsement)
        view = self._view(endorsement, campaign, locale)
        submitter_view = (
            self._view(endorsement, campaign, submitter.locale) if submitter is not None else None
        )
        return Decision(DecisionOutcome.DONE, view, submitter, submitter_view, milestone)

    async def _milestone(self, campaign: Campaign, render: MilestoneText | None) -> int | None:
        """Record every milestone the approved count has reached; announce the highest one
        not announced before to every subscriber, through the delivery outbox."""
        milestones = sorted(int(m) for m in campaign.endorsement_milestones or [])
        if not milestones:
            return None
        count = await self.endorsements.count_approved(campaign.id)
        newly = [
            m
            for m in milestones
            if m <= count and await self.endorsements.claim_milestone(campaign.id, m)
        ]
        if not newly or render is None:
            return None
        milestone = newly[-1]
        alert_id = await self._announce(campaign, milestone, render)
        await self.endorsements.set_milestone_alert(campaign.id, milestone, alert_id)
        return milestone

    async def _announce(self, campaign: Campaign, milestone: int, render: MilestoneText) -> int:
        primary = campaign.languages[0] if campaign.languages else self.default_locale
        source = primary if primary in SUPPORTED_LOCALES else self.default_locale

        def title(locale: str) -> str:
            return pick_text(campaign.title, locale, campaign.languages)

        alert = await AlertRepository(self.session).add(
            Alert(
                campaign_id=campaign.id,
                author_id=BOT_AUTHOR_ID,
                language=source,
                text=render(milestone, title(source), campaign.slug, source),
                urgent=False,
                status="released",
                created_at=utcnow(),
                released_at=utcnow(),
            )
        )
        for locale in SUPPORTED_LOCALES:
            if locale != source:
                self.session.add(
                    AlertTranslation(
                        alert_id=alert.id,
                        language=locale,
                        text=render(milestone, title(locale), campaign.slug, locale),
                        translator_id=BOT_AUTHOR_ID,
                    )
                )
        await self.session.flush()
        await DeliveryRepository(self.session).fan_out(
            alert.id, campaign.id, None, self.default_locale, time.time()
        )
        return alert.id

    async def pending(self, slug: str, actor_id: int, locale: str) -> list[PendingItem]:
        campaign = await self._coordinated(slug, actor_id)
        active = await self.endorsements.active_of_campaign(campaign.id)
        return [
            PendingItem(
                self._view(item, campaign, locale), self._near(item, active, campaign, locale)
            )
            for item in active
            if item.status == "pending"
        ]

    async def near_duplicates(self, endorsement_id: int, locale: str) -> list[EndorsementView]:
        endorsement = await self.endorsements.get(endorsement_id)
        if endorsement is None:
            return []
        campaign = await self.session.get(Campaign, endorsement.campaign_id)
        assert campaign is not None
        active = await self.endorsements.active_of_campaign(campaign.id)
        return self._near(endorsement, active, campaign, locale)

    # ------------------------------------------------------------ publication

    async def signatories(self, slug: str, locale: str) -> Signatories:
        campaign = await self._campaign(slug)
        approved = await self.endorsements.by_status(campaign.id, "approved")
        return Signatories(
            campaign.slug,
            pick_text(campaign.title, locale, campaign.languages),
            [self._view(item, campaign, locale) for item in approved],
        )
