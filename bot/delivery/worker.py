"""The delivery worker: sends the outbox at Telegram's rate limit, never losing a row.

A claimer leases batches of due rows, senders (many at once, so that network latency does
not cap throughput) pace themselves through the limiter, and a flusher records outcomes in
batches. A row is only ever sent by the worker holding its lease; a worker that dies leaves
leases that expire, and another worker takes the rows over. At most the rows in flight when
a worker dies (sent but not yet recorded) can reach a reader twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.limiter import RateLimiter
from bot.delivery.render import alert_message, alert_reply_markup
from bot.delivery.telegram import BadRequest, BotAPI, Forbidden, RetryAfter, Unavailable
from bot.i18n import Catalogs
from bot.services.alerts import EDIT_WINDOW_SECONDS, AlertService, AlertView
from db.repositories.deliveries import ClaimedDelivery, DeliveryRepository, Outcome

logger = logging.getLogger(__name__)

#: "Bad Request" descriptions that mean the chat is gone for good.
GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")
#: An edit that changes nothing is fine; a message that can no longer be edited stays.
NOT_MODIFIED = "message is not modified"
#: A deletion Telegram refuses (too old, say): the message is still there.
CANNOT_DELETE = "can't be deleted"


@dataclass(frozen=True)
class Rendering:
    language: str  # the language of the text (the reader's, or the fallback)
    text: str
    reply_markup: dict[str, Any]


@dataclass
class WorkerStats:
    sent: int = 0
    edited: int = 0
    deleted: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    rate_limited: int = 0


class DeliveryWorker:
    def __init__(
        self,
        api: BotAPI,
        session_factory: async_sessionmaker[AsyncSession],
        limiter: RateLimiter,
        catalogs: Catalogs,
        *,
        worker_id: str | None = None,
        concurrency: int = 100,
        batch_size: int | None = None,
        lease_seconds: float = 60.0,
        paid_broadcast: bool = False,
        poll_interval: float = 0.5,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api = api
        self.session_factory = session_factory
        self.limiter = limiter
        self.catalogs = catalogs
        self.default_locale = catalogs.default_locale
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.concurrency = concurrency
        self.batch_size = batch_size or max(10, min(500, int(limiter.rate / 2)))
        self.lease_seconds = lease_seconds
        self.paid_broadcast = paid_broadcast
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.stats = WorkerStats()
        self._queue: asyncio.Queue[tuple[ClaimedDelivery, float]] = asyncio.Queue()
        self._outcomes: list[Outcome] = []
        #: Rows claimed and not yet recorded (queued, being sent, or awaiting their flush):
        #: their leases are renewed, and a row already in hand is never queued twice.
        self._in_hand: set[int] = set()
        self._alerts: dict[int, tuple[float, AlertView | None]] = {}
        #: (alert id, reader language) -> (loaded_at of the alert it was made from, rendering)
        self._rendered: dict[tuple[int, str], tuple[float, Rendering]] = {}
        self._idle = asyncio.Event()

    # ------------------------------------------------------------------ running

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Work until ``stop`` is set (or forever); finish the rows in hand before returning."""
        stop = stop or asyncio.Event()
        logger.info(
            "delivery worker %s started at %.0f messages/s", self.worker_id, self.limiter.rate
        )
        senders = [asyncio.create_task(self._sender()) for _ in range(self.concurrency)]
        flushing_done = asyncio.Event()
        flusher = asyncio.create_task(self._flusher(flushing_done))
        renewer = asyncio.create_task(self._renewer())
        try:
            await self._claimer(stop)
            await self._queue.join()  # every claimed row is sent (or its outcome known)
        finally:
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            # Never cancel a flush half-way: outcomes would be lost and rows resent.
            flushing_done.set()
            await flusher
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            # Rows whose outcome could not be recorded are another worker's (or the next
            # run's) once their leases expire.
            self._in_hand.clear()
            await self.api.close()
            logger.info("delivery worker %s stopped", self.worker_id)

    async def drain(self, within: float = 60.0) -> WorkerStats:
        """Run until nothing is due any more (held rows waiting for a translation excepted)."""
        stop = asyncio.Event()
        self._idle.clear()
        task = asyncio.create_task(self.run(stop))
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        finally:
            stop.set()
            await task
        return self.stats

    # ------------------------------------------------------------------ pipeline

    async def _claimer(self, stop: asyncio.Event) -> None:
        next_hold_check = 0.0
        while not stop.is_set():
            now = self.clock()
            if now >= next_hold_check:
                await self._release_expired_holds(now)
                await self._expire_due(now)
                next_hold_check = now + 1.0
            if self._queue.qsize() >= self.batch_size:
                await self._sleep(stop, 0.02)
                continue
            claimed_at = time.monotonic()
            claimed = await self._claim(now)
            for row in claimed:
                if row.id not in self._in_hand:
                    self._in_hand.add(row.id)
                    self._queue.put_nowait((row, claimed_at))
            if not claimed:
                if await self._nothing_left():
                    self._idle.set()
                await self._sleep(stop, self.poll_interval)

    async def _nothing_left(self) -> bool:
        """No row in hand and none left to work in the database."""
        if self._in_hand:
            return False
        async with self.session_factory() as session:
            return await DeliveryRepository(session).pending_total() == 0

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    async def _claim(self, now: float) -> list[ClaimedDelivery]:
        async with self.session_factory() as session:
            rows = await DeliveryRepository(session).claim(
                self.worker_id, self.batch_size, now, self.lease_seconds
            )
            await session.commit()
        return rows

    async def _release_expired_holds(self, now: float) -> None:
        async with self.session_factory() as session:
            released = await DeliveryRepository(session).release_expired_holds(now)
            await session.commit()
        if released:
            logger.info("hold deadline passed: %d deliveries fall back", released)

    async def _expire_due(self, now: float) -> None:
        """Delivered alerts whose campaign's ``delete_after_days`` passed become deletions,
        claimed and sent like any other row."""
        async with self.session_factory() as session:
            expired = await DeliveryRepository(session).expire_due(now)
            await session.commit()
        if expired:
            logger.info("deletion deadline passed: %d delivered alerts to delete", expired)

    async def _sender(self) -> None:
        while True:
            row, claimed_at = await self._queue.get()
            try:
                # Not `self._outcomes.append(await ...)`: that binds the list before the
                # await, and a flush swapping it meanwhile would silently drop the outcome.
                outcome = await self._process(row, claimed_at)
                self._outcomes.append(outcome)
            except Exception:  # never lose a row: it is retried after its lease expires
                logger.exception("delivery %s failed unexpectedly", row.id)
                self._in_hand.discard(row.id)
            finally:
                self._queue.task_done()

    async def _renewer(self) -> None:
        """Keep the leases of rows in hand alive (a long 429 pause may outlast a lease)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            if not self._in_hand:
                continue
            try:
                async with self.session_factory() as session:
                    await DeliveryRepository(session).renew(
                        self.worker_id, sorted(self._in_hand), self.clock() + self.lease_seconds
                    )
                    await session.commit()
            except Exception:
                logger.exception("could not renew leases")

    async def _flusher(self, done: asyncio.Event) -> None:
        """Record outcomes every 0.2 s; after ``done``, record the last ones and return."""
        while not done.is_set():
            await self._sleep(done, 0.2)
            await self._flush()
        while self._outcomes:
            if not await self._flush():
                break

    async def _flush(self) -> bool:
        if not self._outcomes:
            return True
        outcomes, self._outcomes = self._outcomes, []
        try:
            async with self.session_factory() as session:
                await DeliveryRepository(session).apply(self.worker_id, outcomes, self.clock())
                await session.commit()
            self._in_hand.difference_update(outcome.id for outcome in outcomes)
            return True
        except Exception:
            # Kept for the next flush; if this worker dies first, the leases expire and the
            # rows are sent again by another worker (the bounded duplicate window).
            logger.exception("could not record %d outcomes; retrying", len(outcomes))
            self._outcomes = outcomes + self._outcomes
            await asyncio.sleep(1.0)
            return False

    # ------------------------------------------------------------------ one row

    async def _alert(self, alert_id: int, claimed_at: float) -> tuple[float, AlertView | None]:
        """The alert with its translations.

        A cached copy serves only rows claimed after it was loaded: a translation releases its
        held rows when it is saved, so a row claimed later must see that translation.
        """
        cached = self._alerts.get(alert_id)
        if cached is not None and cached[0] >= claimed_at:
            return cached
        loaded_at = time.monotonic()
        async with self.session_factory() as session:
            alert = await AlertService(session, self.default_locale).get(alert_id)
        self._alerts[alert_id] = (loaded_at, alert)
        if len(self._alerts) > 1000:
            horizon = loaded_at - 60
            self._alerts = {k: v for k, v in self._alerts.items() if v[0] > horizon}
            self._rendered = {k: v for k, v in self._rendered.items() if v[0] > horizon}
        return loaded_at, alert

    def _render(self, alert: AlertView, loaded_at: float, language: str) -> Rendering:
        """The message for readers of ``language``, made once per language and alert version."""
        key = (alert.id, language)
        cached = self._rendered.get(key)
        if cached is not None and cached[0] == loaded_at:
            return cached[1]
        locale = self.catalogs.locale_for(language)
        gettext = partial(self.catalogs.gettext, locale)
        text_language, text = alert.text_for(language)
        rendering = Rendering(
            text_language,
            alert_message(alert, text, locale, gettext),
            alert_reply_markup(alert.slug, gettext, has_actions=alert.has_actions),
        )
        self._rendered[key] = (loaded_at, rendering)
        return rendering

    async def _process(self, row: ClaimedDelivery, claimed_at: float) -> Outcome:
        loaded_at, alert = await self._alert(row.alert_id, claimed_at)
        if alert is None:  # deleted with its campaign
            return Outcome(row.id, "failed", error="alert no longer exists")
        await self.limiter.acquire(row.user_id)
        try:
            if row.state in ("delete", "expire"):
                return await self._delete(row)
            rendering = self._render(alert, loaded_at, row.language)
            if row.state == "edit":
                return await self._edit(row, alert, rendering)
            message_id = await self._send(row, alert, rendering)
            self.stats.sent += 1
            return Outcome(
                row.id,
                "sent",
                message_id=message_id,
                language=rendering.language,
                delete_after=alert.delete_after,
            )
        except RetryAfter as exc:
            self.stats.rate_limited += 1
            await self.limiter.apause(exc.retry_after)
            due = self.clock() + exc.retry_after
            return Outcome(row.id, "retry", due_at=due, refund=1, error="429 Too Many Requests")
        except Forbidden as exc:
            self.stats.blocked += 1
            return Outcome(row.id, "blocked", error=exc.description, user_id=row.user_id)
        except BadRequest as exc:
            return self._bad_request(row, exc)
        except Unavailable as exc:
            return self._retry_later(row, str(exc))

    async def _send(self, row: ClaimedDelivery, alert: AlertView, rendering: Rendering) -> int:
        if alert.photo_file_id:
            return await self.api.send_photo(
                row.user_id,
                alert.photo_file_id,
                rendering.text,
                rendering.reply_markup,
                paid=self.paid_broadcast,
            )
        return await self.api.send_message(
            row.user_id, rendering.text, rendering.reply_markup, paid=self.paid_broadcast
        )

    async def _edit(self, row: ClaimedDelivery, alert: AlertView, rendering: Rendering) -> Outcome:
        if row.message_id is None or self._too_old(row):
            return Outcome(row.id, "kept", error="too old to edit")
        try:
            await self.api.edit_message(
                row.user_id,
                row.message_id,
                rendering.text,
                rendering.reply_markup,
                caption=alert.photo_file_id is not None,
            )
        except BadRequest as exc:
            if NOT_MODIFIED not in exc.description.lower():
                return Outcome(row.id, "kept", error=exc.description)
        self.stats.edited += 1
        return Outcome(row.id, "edited", language=rendering.language)

    async def _delete(self, row: ClaimedDelivery) -> Outcome:
        """Delete a retracted alert (``delete``) or one whose deadline passed (``expire``).

        A retracted row is done whatever happens. An expiring row that Telegram will not
        delete any more stays ``sent`` (with the reason), so /report never claims a deletion
        that did not happen; "message to delete not found" means it is gone: done.
        """
        expiring = row.state == "expire"
        if row.message_id is None or self._too_old(row):
            return Outcome(row.id, "kept" if expiring else "deleted", error="too old to delete")
        try:
            await self.api.delete_message(row.user_id, row.message_id)
        except BadRequest as exc:  # already gone, or too old
            refused = CANNOT_DELETE in exc.description.lower()
            kind = "kept" if expiring and refused else "deleted"
            return Outcome(row.id, kind, error=exc.description)
        self.stats.deleted += 1
        return Outcome(row.id, "deleted")

    def _too_old(self, row: ClaimedDelivery) -> bool:
        return row.sent_at is not None and self.clock() - row.sent_at > EDIT_WINDOW_SECONDS

    def _bad_request(self, row: ClaimedDelivery, exc: BadRequest) -> Outcome:
        description = exc.description.lower()
        if any(marker in description for marker in GONE):
            self.stats.blocked += 1
            return Outcome(row.id, "blocked", error=exc.description, user_id=row.user_id)
        self.stats.failed += 1
        return Outcome(row.id, "failed", error=exc.description)

    def _retry_later(self, row: ClaimedDelivery, error: str) -> Outcome:
        if row.attempts >= self.max_attempts:
            self.stats.failed += 1
            return Outcome(row.id, "failed", error=error)
        self.stats.retried += 1
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (row.attempts - 1))
        delay *= random.uniform(0.5, 1.0)  # jitter: retries do not arrive in lockstep
        return Outcome(row.id, "retry", due_at=self.clock() + delay, error=error)
