"""Alerts: compose, hold for translations, release with fallback, retract, report."""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.rendering import pick_text
from bot.telegram_html import CAPTION_LIMIT, TEXT_LIMIT, HtmlProblem, check_html
from db.models import Alert, Campaign, utcnow
from db.repositories import CampaignRepository
from db.repositories.alerts import AlertRepository
from db.repositories.deliveries import OPEN_STATES, DeliveryRepository

#: Room kept for the header the bot adds (urgent mark, campaign title, time).
HEADER_ROOM = 296
ALERT_TEXT_LIMIT = TEXT_LIMIT - HEADER_ROOM
ALERT_CAPTION_LIMIT = CAPTION_LIMIT - HEADER_ROOM
#: Telegram lets bots edit and delete their messages for 48 hours.
EDIT_WINDOW_SECONDS = 48 * 3600


class AlertProblem(enum.Enum):
    NO_CAMPAIGN = "no_campaign"
    CLOSED = "closed"
    NOT_FOUND = "not_found"
    BAD_HTML = "bad_html"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    WRONG_STATE = "wrong_state"
    LANGUAGE_NOT_USED = "language_not_used"


class AlertError(Exception):
    def __init__(
        self,
        problem: AlertProblem,
        *,
        html: HtmlProblem | None = None,
        length: int = 0,
        limit: int = 0,
        status: str = "",
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.html = html
        self.length = length
        self.limit = limit
        self.status = status


@dataclass(frozen=True)
class AlertView:
    id: int
    slug: str
    campaign_id: int
    campaign_title: dict[str, str]
    campaign_languages: list[str]
    timezone: str
    status: str
    language: str
    text: str
    photo_file_id: str | None
    urgent: bool
    created_at: datetime
    hold_until: datetime | None
    released_at: datetime | None
    translations: dict[str, str] = field(default_factory=dict)
    has_actions: bool = False  # the campaign has contact actions: alerts offer Take action
    #: Seconds after delivery at which the campaign has its alerts deleted (None: never).
    delete_after: float | None = None

    def title(self, locale: str) -> str:
        return pick_text(self.campaign_title, locale, self.campaign_languages)

    def text_for(self, reader_language: str) -> tuple[str, str]:
        """(language, text) a reader gets: their language, else the campaign's languages in
        order, else the source."""
        return pick_alert_text(
            self.language, self.text, self.translations, self.campaign_languages, reader_language
        )


def pick_alert_text(
    source_language: str,
    source_text: str,
    translations: dict[str, str],
    campaign_languages: Sequence[str],
    reader_language: str,
) -> tuple[str, str]:
    texts = {**translations, source_language: source_text}
    for language in (reader_language, *campaign_languages):
        if texts.get(language):
            return language, texts[language]
    return source_language, source_text


@dataclass(frozen=True)
class HoldResult:
    waiting_for: list[str]
    released_rows: int
    held_rows: int
    translators: list[tuple[int, str]]
    hold_until: datetime | None


@dataclass(frozen=True)
class TranslationResult:
    replaced: bool
    released_rows: int
    edits: int


@dataclass(frozen=True)
class LanguageReport:
    language: str
    sent: int = 0
    pending: int = 0
    failed: int = 0
    blocked: int = 0
    retracted: int = 0
    #: Of ``sent``: deleted from the chat at the campaign's ``delete_after_days``.
    deleted: int = 0


@dataclass(frozen=True)
class AlertReport:
    alert: AlertView
    languages: list[LanguageReport]
    elapsed: float | None
    rate: float
    eta: float | None

    @property
    def pending(self) -> int:
        return sum(item.pending for item in self.languages)

    @property
    def deleted(self) -> int:
        return sum(item.deleted for item in self.languages)

    @property
    def total(self) -> int:
        return sum(
            item.sent + item.pending + item.failed + item.blocked + item.retracted
            for item in self.languages
        )


@dataclass(frozen=True)
class AlertSummary:
    alert: AlertView
    open_rows: int


def check_alert_text(text: str, has_photo: bool) -> None:
    """Refuse what Telegram would refuse, or cut: length is checked on the visible text."""
    limit = ALERT_CAPTION_LIMIT if has_photo else ALERT_TEXT_LIMIT
    problem = check_html(text, limit)
    if problem is None:
        return
    if problem.kind == "too_long":
        raise AlertError(AlertProblem.TOO_LONG, length=int(problem.detail), limit=limit)
    if problem.kind == "empty":
        raise AlertError(AlertProblem.EMPTY)
    raise AlertError(AlertProblem.BAD_HTML, html=problem)


class AlertService:
    def __init__(self, session: AsyncSession, default_locale: str) -> None:
        self.session = session
        self.default_locale = default_locale
        self.alerts = AlertRepository(session)
        self.campaigns = CampaignRepository(session)
        self.deliveries = DeliveryRepository(session)

    @staticmethod
    def _view(alert: Alert, campaign: Campaign, translations: dict[str, str]) -> AlertView:
        return AlertView(
            id=alert.id,
            slug=campaign.slug,
            campaign_id=campaign.id,
            campaign_title=campaign.title,
            campaign_languages=list(campaign.languages),
            timezone=campaign.timezone,
            status=alert.status,
            language=alert.language,
            text=alert.text,
            photo_file_id=alert.photo_file_id,
            urgent=alert.urgent,
            created_at=alert.created_at,
            hold_until=alert.hold_until,
            released_at=alert.released_at,
            translations=translations,
            has_actions=bool(campaign.actions),
            delete_after=(
                campaign.delete_after_days * 86400 if campaign.delete_after_days else None
            ),
        )

    async def get(self, alert_id: int) -> AlertView | None:
        found = await self.alerts.get(alert_id)
        if found is None:
            return None
        alert, campaign = found
        translations = (await self.alerts.translations([alert.id]))[alert.id]
        return self._view(alert, campaign, translations)

    async def _load(self, alert_id: int) -> tuple[Alert, Campaign]:
        found = await self.alerts.get(alert_id)
        if found is None:
            raise AlertError(AlertProblem.NOT_FOUND)
        return found

    async def compose(
        self, author_id: int, slug: str, text: str, photo_file_id: str | None = None
    ) -> AlertView:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            raise AlertError(AlertProblem.NO_CAMPAIGN)
        if not campaign.is_active:
            raise AlertError(AlertProblem.CLOSED)
        check_alert_text(text, photo_file_id is not None)
        alert = await self.alerts.add(
            Alert(
                campaign_id=campaign.id,
                author_id=author_id,
                language=campaign.languages[0],
                text=text,
                photo_file_id=photo_file_id,
                urgent=False,
                status="draft",
                created_at=utcnow(),
            )
        )
        await self.session.commit()
        return self._view(alert, campaign, {})

    async def set_urgent(self, alert_id: int, urgent: bool) -> AlertView:
        alert, campaign = await self._load(alert_id)
        if alert.status != "draft":
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        alert.urgent = urgent
        await self.session.commit()
        return self._view(alert, campaign, {})

    async def cancel(self, alert_id: int) -> None:
        alert, _campaign = await self._load(alert_id)
        if alert.status != "draft":
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        alert.status = "cancelled"
        await self.session.commit()

    async def send_now(self, alert_id: int) -> int:
        """Release every language at once (with fallback); returns the deliveries queued."""
        alert, campaign = await self._load(alert_id)
        now = time.time()
        if alert.status == "draft":
            rows = await self.deliveries.fan_out(
                alert.id, campaign.id, None, self.default_locale, now
            )
        elif alert.status == "holding":
            rows = await self.deliveries.release([alert.id], now)
        else:
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        alert.status = "released"
        alert.released_at = utcnow()
        alert.hold_until = None
        await self.session.commit()
        return rows

    async def hold(self, alert_id: int, minutes: int, *, extend: bool = False) -> HoldResult:
        """Queue the alert; languages that a translation is expected for wait for it.

        With ``extend``, an alert already holding waits ``minutes`` from now instead.
        """
        alert, campaign = await self._load(alert_id)
        if extend and alert.status == "holding":
            alert.hold_until = utcnow() + timedelta(minutes=minutes)
            await self.session.commit()
            counts = await self.deliveries.counts(alert.id)
            waiting = sorted({lang for (lang, state), n in counts.items() if state == "held" and n})
            held_rows = sum(n for (_lang, state), n in counts.items() if state == "held")
            return HoldResult(waiting, 0, held_rows, [], alert.hold_until)
        if alert.status != "draft":
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        readers = await self.alerts.reader_languages(campaign.id, self.default_locale)
        translated = set((await self.alerts.translations([alert.id]))[alert.id])
        translators = await self.alerts.translators(campaign.id, readers)
        expected = set(campaign.languages) | {language for _user, language in translators}
        waiting = sorted((readers & expected) - {alert.language} - translated)
        now = time.time()
        released = readers - set(waiting)
        rows = await self.deliveries.fan_out(
            alert.id, campaign.id, released, self.default_locale, now
        )
        counts = await self.deliveries.counts(alert.id)
        held = sum(n for (_language, state), n in counts.items() if state == "held")
        if waiting:
            alert.status = "holding"
            alert.hold_until = utcnow() + timedelta(minutes=minutes)
        else:
            alert.status = "released"
            alert.released_at = utcnow()
        await self.session.commit()
        asked = [(user, language) for user, language in translators if language in waiting]
        return HoldResult(waiting, rows - held, held, asked, alert.hold_until)

    async def add_translation(
        self, alert_id: int, language: str, text: str, translator_id: int
    ) -> TranslationResult:
        alert, campaign = await self._load(alert_id)
        if language not in campaign.languages or language == alert.language:
            raise AlertError(AlertProblem.LANGUAGE_NOT_USED)
        if alert.status in ("cancelled", "retracted"):
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        check_alert_text(text, alert.photo_file_id is not None)
        replaced = await self.alerts.save_translation(alert.id, language, text, translator_id)
        released = edits = 0
        if alert.status in ("holding", "released"):
            now = time.time()
            released = await self.deliveries.release([alert.id], now, language)
            edits = await self.deliveries.schedule_edits(
                alert.id, language, now, not_before=now - EDIT_WINDOW_SECONDS, again=replaced
            )
        await self.session.commit()
        return TranslationResult(replaced, released, edits)

    async def retract(self, alert_id: int) -> tuple[int, int]:
        alert, _campaign = await self._load(alert_id)
        if alert.status not in ("holding", "released"):
            raise AlertError(AlertProblem.WRONG_STATE, status=alert.status)
        now = time.time()
        result = await self.deliveries.retract(alert.id, now, now - EDIT_WINDOW_SECONDS)
        alert.status = "retracted"
        alert.retracted_at = utcnow()
        await self.session.commit()
        return result

    async def report(self, alert_id: int) -> AlertReport:
        view = await self.get(alert_id)
        if view is None:
            raise AlertError(AlertProblem.NOT_FOUND)
        counts = await self.deliveries.counts(alert_id)
        by_language: dict[str, dict[str, int]] = {}
        for (language, state), n in counts.items():
            bucket = by_language.setdefault(language, {})
            if state == "expired":  # delivered, then deleted at the deadline
                bucket["deleted"] = bucket.get("deleted", 0) + n
            key = "pending" if state in OPEN_STATES else state
            if state in ("expire", "expired"):
                key = "sent"
            bucket[key] = bucket.get(key, 0) + n
        languages = [
            LanguageReport(
                language,
                sent=values.get("sent", 0),
                pending=values.get("pending", 0),
                failed=values.get("failed", 0),
                blocked=values.get("blocked", 0),
                retracted=values.get("retracted", 0),
                deleted=values.get("deleted", 0),
            )
            for language, values in sorted(by_language.items())
        ]
        now = time.time()
        window = 30.0
        rate = await self.deliveries.sent_since(alert_id, now - window) / window
        pending = sum(item.pending for item in languages)
        elapsed = None
        if view.released_at is not None:
            released = view.released_at.timestamp()
            last = await self.deliveries.last_sent_at(alert_id)
            end = now if pending or last is None else last
            elapsed = max(0.0, end - released)
        eta = pending / rate if rate > 0 and pending else None
        return AlertReport(view, languages, elapsed, rate, eta)

    async def recent(self, slug: str, limit: int = 10) -> list[AlertSummary] | None:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        alerts = await self.alerts.recent(campaign.id, limit)
        translations = await self.alerts.translations([alert.id for alert in alerts])
        open_rows = await self.deliveries.open_counts(alert.id for alert in alerts)
        return [
            AlertSummary(
                self._view(alert, campaign, translations[alert.id]), open_rows.get(alert.id, 0)
            )
            for alert in alerts
        ]

    async def published(self, slug: str, limit: int = 5) -> list[AlertView] | None:
        """Alerts supporters may read again: released and not retracted, newest first."""
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        alerts = await self.alerts.recent(campaign.id, limit, statuses=("released",))
        translations = await self.alerts.translations([alert.id for alert in alerts])
        return [self._view(alert, campaign, translations[alert.id]) for alert in alerts]
