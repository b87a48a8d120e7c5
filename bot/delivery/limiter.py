"""Pacing Telegram sends: a global token bucket, per-chat limits and 429 pauses.

Telegram allows about 30 messages a second per bot (more with paid broadcasts), one a second
to a private chat and 20 a minute to a group; above that it answers 429 with ``retry_after``.

:class:`RateLimiter` enforces all three inside one process. When several worker processes
run at once, a :class:`SharedBudget` (:class:`DatabaseBudget` or :class:`RedisBudget`) keeps
the global cap across all of them: the sends of every process together stay within ``rate``
per one-second window of wall-clock time, and a 429 seen by one process pauses them all.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from typing import Final, Protocol

import redis.asyncio as aioredis
from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import SendPause, SendWindow
from db.repositories._dialect import insert_for

logger = logging.getLogger(__name__)

GROUP_WINDOW: Final = 60.0
"""Seconds of the rolling window in which a group may receive ``group_per_minute`` messages."""
PAUSE_REFRESH: Final = 0.5
"""Seconds between two reads of the shared pause."""
PRUNE_EVERY: Final = 4096
"""Acquires between two automatic prunings of the per-chat state."""
WINDOW_KEEP: Final = 60
"""Seconds of send windows kept in the database; older rows are deleted."""
CLEANUP_EVERY: Final = 30
"""Seconds between two deletions of old windows by one :class:`DatabaseBudget`."""

_TOKEN_EPSILON: Final = 1e-9  # tolerance for float error in the token arithmetic
_WINDOW_MARGIN: Final = 1e-4  # wake this much past a window boundary, never just before it


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float:
        """Epoch seconds (wall clock), used for shared windows and pauses."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clocks and :func:`asyncio.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SharedBudget(Protocol):
    """Send budget shared by every worker process, in one-second windows of wall-clock time."""

    async def take(self, want: int, cap: int, now: float) -> int:
        """Grant up to ``want`` sends in the window ``int(now)`` without the window's total
        exceeding ``cap``; return the number granted (0..want)."""
        ...

    async def paused_until(self) -> float:
        """Epoch seconds until which all workers hold back (0 if none)."""
        ...

    async def pause(self, until: float) -> None:
        """Extend the shared pause to ``until`` (never shorten it)."""
        ...


class DatabaseBudget:
    """A :class:`SharedBudget` in the ``send_windows`` and ``send_pauses`` tables.

    Works on PostgreSQL and SQLite. Each :meth:`take` is one short transaction whose first
    statement locks the window's row (PostgreSQL: the upsert's row lock; SQLite: the database
    write lock), so concurrent callers in any number of processes are serialised per window.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], name: str = "telegram"
    ) -> None:
        self._session_factory = session_factory
        self._name = name
        self._cleaned_at: int | None = None

    async def take(self, want: int, cap: int, now: float) -> int:
        if want <= 0 or cap <= 0:
            return 0
        window = math.floor(now)
        async with self._session_factory() as session, session.begin():
            # Insert the window, or lock it with a no-op update, and read what it has used.
            stmt = insert_for(session, SendWindow).values(window=window, used=0)
            stmt = stmt.on_conflict_do_update(
                index_elements=[SendWindow.window], set_={"used": SendWindow.used}
            ).returning(SendWindow.used)
            used = int((await session.execute(stmt)).scalar_one())
            granted = max(0, min(want, cap - used))
            if granted:
                await session.execute(
                    update(SendWindow)
                    .where(SendWindow.window == window)
                    .values(used=SendWindow.used + granted)
                )
        if self._cleaned_at is None or window - self._cleaned_at >= CLEANUP_EVERY:
            self._cleaned_at = window
            await self._delete_windows_before(window - WINDOW_KEEP)
        return granted

    async def _delete_windows_before(self, window: int) -> None:
        # A transaction of its own, so the hot row is never locked while old ones are deleted.
        async with self._session_factory() as session, session.begin():
            await session.execute(delete(SendWindow).where(SendWindow.window < window))

    async def paused_until(self) -> float:
        async with self._session_factory() as session:
            until = await session.scalar(
                select(SendPause.until).where(SendPause.name == self._name)
            )
        return float(until) if until is not None else 0.0

    async def pause(self, until: float) -> None:
        async with self._session_factory() as session, session.begin():
            stmt = insert_for(session, SendPause).values(name=self._name, until=until)
            stmt = stmt.on_conflict_do_update(
                index_elements=[SendPause.name],
                set_={
                    "until": case(
                        (SendPause.until < stmt.excluded.until, stmt.excluded.until),
                        else_=SendPause.until,
                    )
                },
            )
            await session.execute(stmt)


_TAKE_SCRIPT: Final = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if granted <= 0 then
    return 0
end
redis.call('INCRBY', KEYS[1], granted)
redis.call('EXPIRE', KEYS[1], 5)
return granted
"""

_PAUSE_SCRIPT: Final = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
    redis.call('SET', KEYS[1], ARGV[1])
end
return 0
"""


class RedisBudget:
    """A :class:`SharedBudget` in Redis: one key per window (expiring after 5 s) and one for
    the pause, each changed by a Lua script so that every change is atomic."""

    def __init__(self, url: str, prefix: str = "solidarity:limiter") -> None:
        self._redis = aioredis.from_url(url)
        self._prefix = prefix
        self._pause_key = f"{prefix}:pause"
        self._take = self._redis.register_script(_TAKE_SCRIPT)
        self._pause = self._redis.register_script(_PAUSE_SCRIPT)

    async def take(self, want: int, cap: int, now: float) -> int:
        if want <= 0 or cap <= 0:
            return 0
        key = f"{self._prefix}:w:{math.floor(now)}"
        return int(await self._take(keys=[key], args=[want, cap]))

    async def paused_until(self) -> float:
        value = await self._redis.get(self._pause_key)
        return float(value) if value is not None else 0.0

    async def pause(self, until: float) -> None:
        await self._pause(keys=[self._pause_key], args=[repr(float(until))])

    async def close(self) -> None:
        await self._redis.aclose()


class _ChatGate:
    """Serialises the callers of one chat; exists only while one of them is in acquire()."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class RateLimiter:
    """Waits until Telegram will accept one more message to a chat.

    In :meth:`acquire` a caller first waits for its chat's slot (one send per
    ``private_interval`` to a private chat, ``group_per_minute`` per rolling minute to a group,
    ``chat_id < 0``), holding nothing that other chats need; then it queues (FIFO) for the
    global token bucket, which holds every caller back during a pause. The head of the queue
    sleeps exactly until the next token, window or pause end, so there is no busy waiting.

    With ``shared``, each send also needs a permit from the shared budget: permits are taken in
    chunks for the current one-second window and used only in that window, so all processes
    together send at most ``int(rate)`` messages in any second of wall-clock time.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Clock | None = None,
        shared: SharedBudget | None = None,
        private_interval: float = 1.0,
        group_per_minute: int = 20,
        chunk: int | None = None,
    ) -> None:
        if not rate > 0 or math.isinf(rate):
            raise ValueError(f"rate must be a positive number, not {rate!r}")
        if not private_interval >= 0:
            raise ValueError(f"private_interval must be >= 0, not {private_interval!r}")
        if group_per_minute < 1:
            raise ValueError(f"group_per_minute must be >= 1, not {group_per_minute!r}")
        if chunk is not None and chunk < 1:
            raise ValueError(f"chunk must be >= 1, not {chunk!r}")
        self._rate = float(rate)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._shared = shared
        self._private_interval = float(private_interval)
        self._group_limit = group_per_minute

        # The local token bucket.
        # A bucket lets through at most fill*1s + capacity in any one-second span; Telegram
        # counts sends per sliding second, so the two add up to `rate`, never more. With a
        # burst of one (small rates) a 2% margin absorbs network jitter instead.
        self._capacity = max(1.0, self._rate / 100)
        self._fill = self._rate - self._capacity if self._capacity > 1 else self._rate * 0.98
        self._tokens = self._capacity
        self._refilled_at: float | None = None
        self._gate = asyncio.Lock()

        # Shared permits: granted for one window, used only in it.
        self._window_cap = max(1, int(self._rate))
        # Four round trips a second to the shared budget (measured: more stall the senders,
        # fetching ahead in the background was slower still); a chunk left at the end of a
        # window is lost to this process, never handed out twice.
        self._chunk = chunk if chunk is not None else max(1, int(self._rate / 4))
        self._permit_window = -1
        self._permits = 0
        self._exhausted_window = -1

        # Pauses, in monotonic time.
        self._pause_end = 0.0
        self._shared_pause_end = 0.0
        self._pause_checked_at = -math.inf
        self._pending: set[asyncio.Task[None]] = set()

        # Per-chat state, each dict ordered by the time of the chat's last send.
        self._private: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._chat_gates: dict[int, _ChatGate] = {}
        self._acquired = 0

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def paused_until(self) -> float:
        """Monotonic time at which the local pause ends (0 if not paused)."""
        return self._pause_end if self._pause_end > self._clock.monotonic() else 0.0

    @property
    def tracked_chats(self) -> int:
        """Chats with per-chat state (recent sends or callers in :meth:`acquire`)."""
        return len(self._private) + len(self._groups) + len(self._chat_gates)

    async def acquire(self, chat_id: int) -> None:
        """Wait until one send to ``chat_id`` is allowed, and count it as sent."""
        gate = self._chat_gates.get(chat_id)
        if gate is None:
            gate = self._chat_gates[chat_id] = _ChatGate()
        gate.users += 1
        try:
            async with gate.lock:
                await self._sleep_until(self._chat_ready_at(chat_id))
                await self._take_token()
                self._record(chat_id, self._clock.monotonic())
        finally:
            gate.users -= 1
            if not gate.users:
                del self._chat_gates[chat_id]
        self._acquired += 1
        if self._acquired % PRUNE_EVERY == 0:
            self.forget_chats_older_than(0.0)

    def pause(self, seconds: float) -> None:
        """Hold every send back for ``seconds`` from now (Telegram's ``retry_after``).

        With a shared budget, the shared pause is extended by a background task; call this
        from the event loop, or await :meth:`apause` instead."""
        self._pause_locally(seconds)
        if self._shared is not None:
            task = asyncio.get_running_loop().create_task(
                self._shared.pause(self._clock.time() + seconds)
            )
            self._pending.add(task)
            task.add_done_callback(self._shared_pause_done)

    async def apause(self, seconds: float) -> None:
        """Like :meth:`pause`, but wait until the shared pause is stored."""
        self._pause_locally(seconds)
        if self._shared is not None:
            await self._shared.pause(self._clock.time() + seconds)

    async def aclose(self) -> None:
        """Wait for shared pauses that :meth:`pause` scheduled."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def forget_chats_older_than(self, seconds: float = 120.0) -> None:
        """Drop the state of chats that received nothing for ``seconds``.

        State that still limits a chat (a send within ``private_interval``, or within the last
        minute for a group) is always kept, whatever ``seconds`` says."""
        now = self._clock.monotonic()
        cutoff = now - max(seconds, self._private_interval)
        stale = []
        for chat_id, last in self._private.items():
            if last > cutoff:
                break
            stale.append(chat_id)
        for chat_id in stale:
            del self._private[chat_id]
        cutoff = now - max(seconds, GROUP_WINDOW)
        stale.clear()
        for chat_id, sends in self._groups.items():
            if sends[-1] > cutoff:
                break
            stale.append(chat_id)
        for chat_id in stale:
            del self._groups[chat_id]

    # Per-chat limits.

    def _chat_ready_at(self, chat_id: int) -> float:
        if chat_id < 0:
            sends = self._groups.get(chat_id)
            if sends is None or len(sends) < self._group_limit:
                return -math.inf
            return sends[0] + GROUP_WINDOW
        last = self._private.get(chat_id)
        return -math.inf if last is None else last + self._private_interval

    def _record(self, chat_id: int, now: float) -> None:
        # Re-inserting keeps each dict ordered by last send, so pruning stops at the first
        # recent chat instead of scanning them all.
        if chat_id < 0:
            sends = self._groups.pop(chat_id, None)
            if sends is None:
                sends = deque(maxlen=self._group_limit)
            sends.append(now)
            self._groups[chat_id] = sends
        else:
            self._private.pop(chat_id, None)
            self._private[chat_id] = now

    async def _sleep_until(self, deadline: float) -> None:
        while (now := self._clock.monotonic()) < deadline:
            await self._clock.sleep(deadline - now)

    # The global bucket, shared permits and pauses.

    async def _take_token(self) -> None:
        async with self._gate:
            while True:
                now = self._clock.monotonic()
                if self._shared is not None and now - self._pause_checked_at >= PAUSE_REFRESH:
                    await self._refresh_shared_pause(now)
                    continue
                pause_end = max(self._pause_end, self._shared_pause_end)
                if now < pause_end:
                    await self._clock.sleep(pause_end - now)
                    continue
                self._refill(now)
                if self._tokens < 1 - _TOKEN_EPSILON:
                    await self._clock.sleep((1 - self._tokens) / self._fill)
                    continue
                if self._shared is not None and not self._has_permit():
                    await self._fetch_permits()
                    continue
                # No await since the checks above: nothing can have changed.
                self._tokens -= 1
                if self._shared is not None:
                    self._permits -= 1
                return

    def _refill(self, now: float) -> None:
        if self._refilled_at is None:
            self._refilled_at = now
        elif now > self._refilled_at:
            elapsed = now - self._refilled_at
            self._tokens = min(self._capacity, self._tokens + elapsed * self._fill)
            self._refilled_at = now

    def _has_permit(self) -> bool:
        return self._permits > 0 and self._permit_window == math.floor(self._clock.time())

    async def _fetch_permits(self) -> None:
        """Take a chunk of the current window, or sleep until the next one if it is spent."""
        assert self._shared is not None
        wall = self._clock.time()
        window = math.floor(wall)
        if window == self._exhausted_window:
            await self._clock.sleep(window + 1 - wall + _WINDOW_MARGIN)
            return
        granted = await self._shared.take(self._chunk, self._window_cap, wall)
        if granted > 0:
            # Permits left from an earlier window are dropped: they count in that window.
            self._permit_window, self._permits = window, granted
        else:
            self._exhausted_window = window

    async def _refresh_shared_pause(self, now: float) -> None:
        assert self._shared is not None
        self._pause_checked_at = now
        until = await self._shared.paused_until()
        wall, mono = self._clock.time(), self._clock.monotonic()
        self._shared_pause_end = mono + (until - wall) if until > wall else 0.0

    def _pause_locally(self, seconds: float) -> None:
        self._pause_end = max(self._pause_end, self._clock.monotonic() + max(0.0, seconds))

    def _shared_pause_done(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.warning("Could not store the shared send pause", exc_info=exc)
