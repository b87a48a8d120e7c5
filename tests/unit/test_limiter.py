"""RateLimiter in virtual time: rates, per-chat limits, pauses and a shared budget.

Every test runs on an event loop whose clock advances only when every task is waiting for a
timer, and then jumps straight to the earliest one: minutes of sends take milliseconds, and
each run is exactly reproducible.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import selectors
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

import pytest

from bot.delivery import limiter as limiter_module
from bot.delivery.limiter import RateLimiter

T = TypeVar("T")
EPOCH = 1_000_000.25  # wall clock at virtual time 0: a quarter into a window
TOLERANCE = 1e-6


class _VirtualSelector(selectors.BaseSelector):
    """Never blocks on a timeout: advances virtual time by it instead."""

    def __init__(self) -> None:
        self._inner = selectors.DefaultSelector()
        self.now = 0.0

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # nothing is ready and no timer is due: every task is stuck
            ready = self._inner.select(5.0)
            if not ready:
                raise RuntimeError("deadlock: every task waits and no timer is scheduled")
            return ready
        if timeout > 0:
            self.now += timeout
        return self._inner.select(0)

    def close(self) -> None:
        self._inner.close()

    def get_map(self) -> Any:
        return self._inner.get_map()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual = _VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


def run(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(coro)


class FakeClock:
    """The loop's virtual time; it advances only while every task sleeps."""

    def __init__(self, epoch: float = EPOCH) -> None:
        self.epoch = epoch
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    def time(self) -> float:
        return self.epoch + self.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)


class MemoryBudget:
    """An in-memory SharedBudget with a little I/O latency, recording every grant."""

    def __init__(self, clock: FakeClock, latency: float = 0.002) -> None:
        self.clock = clock
        self.latency = latency
        self.used: Counter[int] = Counter()
        self.until = 0.0
        self.takes = 0
        self.pause_reads = 0

    async def take(self, want: int, cap: int, now: float) -> int:
        self.takes += 1
        await self.clock.sleep(self.latency)
        window = math.floor(now)
        granted = max(0, min(want, cap - self.used[window]))
        self.used[window] += granted
        return granted

    async def paused_until(self) -> float:
        self.pause_reads += 1
        await self.clock.sleep(self.latency)
        return self.until

    async def pause(self, until: float) -> None:
        await self.clock.sleep(self.latency)
        self.until = max(self.until, until)


async def send_all(
    limiter: RateLimiter, clock: FakeClock, chat_ids: Iterable[int]
) -> list[tuple[int, float]]:
    """Acquire once per chat id, all concurrently; (chat id, time) in order of completion."""
    done: list[tuple[int, float]] = []

    async def one(chat_id: int) -> None:
        await limiter.acquire(chat_id)
        done.append((chat_id, clock.monotonic()))

    await asyncio.gather(*(one(chat_id) for chat_id in chat_ids))
    return done


def max_in_span(times: list[float], span: float) -> int:
    """The most sends in any half-open span [t, t + span)."""
    ordered = sorted(times)
    return max(bisect.bisect_left(ordered, t + span - TOLERANCE) - i for i, t in enumerate(ordered))


def test_steady_rate_fifo_and_no_busy_waiting() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(100, clock=clock)
        done = await send_all(limiter, clock, range(1, 1001))
        times = [t for _, t in done]
        # A burst of capacity (1), then one send every 1/98 s: never more than 100 a second.
        assert times[-1] == pytest.approx(999 / 98)
        assert 1000 / times[-1] >= 0.97 * 100
        assert max_in_span(times, 1.0) <= 100
        assert [chat_id for chat_id, _ in done] == list(range(1, 1001))  # FIFO
        assert len(clock.sleeps) <= 1000
        assert min(clock.sleeps) > 0

    run(main())


def test_sequential_caller_sustains_rate() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(30, clock=clock)
        times = []
        for chat_id in range(1, 301):
            await limiter.acquire(chat_id)
            times.append(clock.monotonic())
        assert 300 / times[-1] >= 0.97 * 30
        assert max_in_span(times, 1.0) <= 30

    run(main())


def test_fractional_rate_never_bursts_past_capacity() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(2.5, clock=clock)
        times = [t for _, t in await send_all(limiter, clock, range(1, 51))]
        assert max_in_span(times, 1.0) <= 2.5 + 1
        assert 50 / times[-1] >= 0.95 * 2.5

    run(main())


def test_private_chat_at_most_one_per_interval() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(30, clock=clock)
        times = [t for _, t in await send_all(limiter, clock, [7] * 6)]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= 1.0 - TOLERANCE for gap in gaps)
        assert times[-1] == pytest.approx(5.0)  # and not slower than that

        slow = RateLimiter(30, clock=clock, private_interval=3.0)
        start = clock.monotonic()
        times = [t - start for _, t in await send_all(slow, clock, [7] * 3)]
        assert times == pytest.approx([0.0, 3.0, 6.0])

    run(main())


def test_group_at_most_twenty_per_rolling_minute() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(30, clock=clock)
        times = [t for _, t in await send_all(limiter, clock, [-100] * 45)]
        assert max_in_span(times, 60.0) <= 20
        assert all(b - a >= 60.0 - TOLERANCE for a, b in zip(times, times[20:], strict=False))
        assert times[-1] < 121.0  # the third batch starts as soon as the minute allows
        assert sum(t < 1.0 for t in times) == 20

        custom = RateLimiter(30, clock=clock, group_per_minute=3)
        start = clock.monotonic()
        times = [t - start for _, t in await send_all(custom, clock, [-5] * 4)]
        assert times[3] == pytest.approx(60.0)

    run(main())


def test_per_chat_waits_do_not_slow_other_chats() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(100, clock=clock)
        # The same chat's callers come first; everyone else must pass them.
        done = await send_all(limiter, clock, [42] * 10 + list(range(1000, 1100)))
        others = [t for chat_id, t in done if chat_id >= 1000]
        # 101 sends after a burst of 1, one per 1/98 s: nobody waited for chat 42.
        assert max(others) == pytest.approx(100 / 98)
        same = [t for chat_id, t in done if chat_id == 42]
        # One a second, each right after its slot: at most behind the few callers already
        # queued for the global bucket when the slot opened (here three tokens of 1/98 s).
        assert all(b - a + 1e-9 >= 1.0 for a, b in itertools.pairwise(same))
        assert all(n <= t <= n + 3 / 98 + 1e-9 for n, t in enumerate(same))

        # A group that used up its minute does not hold anyone back either.
        start = clock.monotonic()
        done = await send_all(limiter, clock, [-9] * 25 + list(range(2000, 2100)))
        others = [t - start for chat_id, t in done if chat_id >= 2000]
        assert max(others) <= (20 + 100 - 10) / 100 + TOLERANCE
        group = [t - start for chat_id, t in done if chat_id == -9]
        assert sum(t < 60 for t in group) == 20
        assert min(group[20:]) == pytest.approx(60.0, abs=0.02)

    run(main())


def test_pause_is_exact() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(100, clock=clock)

        async def too_many_requests() -> None:
            await clock.sleep(0.505)
            limiter.pause(3.0)
            assert limiter.paused_until == pytest.approx(3.505)

        done, _ = await asyncio.gather(send_all(limiter, clock, range(1, 301)), too_many_requests())
        times = [t for _, t in done]
        assert not [t for t in times if 0.505 < t < 3.505]
        resumed = min(t for t in times if t > 0.505)
        assert resumed == pytest.approx(3.505, abs=TOLERANCE)  # right when the pause ends
        assert limiter.paused_until == 0.0
        # After the pause, a burst of the bucket's capacity and the steady rate again.
        assert max_in_span([t for t in times if t >= resumed], 1.0) <= 110

    run(main())


def test_pause_extends_but_never_shortens() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(100, clock=clock)
        limiter.pause(5.0)
        await clock.sleep(1.0)
        limiter.pause(1.0)  # would end at 2: ignored
        assert limiter.paused_until == pytest.approx(5.0)
        await limiter.acquire(1)
        assert clock.monotonic() == pytest.approx(5.0)
        await limiter.apause(2.0)  # extends: now + 2
        assert limiter.paused_until == pytest.approx(7.0)
        await limiter.acquire(2)
        assert clock.monotonic() == pytest.approx(7.0)
        limiter.pause(0.0)
        limiter.pause(-1.0)
        await limiter.acquire(3)  # no pause: just the next token (the bucket holds one)
        assert clock.monotonic() == pytest.approx(7.0 + 1 / 98)

    run(main())


def test_pause_of_a_chat_in_its_per_chat_wait() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(100, clock=clock)
        await limiter.acquire(5)

        async def later() -> None:
            await clock.sleep(0.5)
            limiter.pause(2.0)

        await asyncio.gather(limiter.acquire(5), later())
        assert clock.monotonic() == pytest.approx(2.5)

    run(main())


def test_shared_budget_caps_two_processes_together() -> None:
    async def main() -> None:
        clock = FakeClock()
        budget = MemoryBudget(clock)
        first = RateLimiter(100, clock=clock, shared=budget)
        second = RateLimiter(100, clock=clock, shared=budget)
        done_first, done_second = await asyncio.gather(
            send_all(first, clock, range(1, 1001)), send_all(second, clock, range(1, 1001))
        )
        times = [t for _, t in done_first + done_second]
        per_window = Counter(math.floor(EPOCH + t) for t in times)
        assert max(per_window.values()) <= 100
        assert all(used <= 100 for used in budget.used.values())
        # Both made progress, and together they used >= 95% of the cap.
        assert len(done_first) == len(done_second) == 1000
        elapsed = max(times)
        assert 2000 / elapsed >= 0.95 * 100
        full_windows = sorted(per_window)[1:-1]  # the first and last are partial
        assert all(per_window[w] >= 95 for w in full_windows)
        # Chunks of rate/10: about 10 takes per window, not one per send.
        assert budget.takes <= 2000 / 10 + 2 * len(per_window) + 4
        # The shared pause is read at most every 0.5 s by each limiter.
        assert budget.pause_reads <= 2 * (elapsed / 0.5 + 2)

    run(main())


def test_explicit_chunk_and_a_partly_used_window() -> None:
    async def main() -> None:
        clock = FakeClock()
        budget = MemoryBudget(clock, latency=0.0)
        window = math.floor(clock.time())
        budget.used[window] = 28  # another process used most of this window
        limiter = RateLimiter(30, clock=clock, shared=budget, chunk=5)
        times = [t for _, t in await send_all(limiter, clock, range(1, 8))]
        in_first = [t for t in times if math.floor(EPOCH + t) == window]
        assert len(in_first) == 2
        # The rest waits for the next window, exactly.
        assert min(t for t in times if t not in in_first) == pytest.approx(
            window + 1 - EPOCH, abs=1e-3
        )
        assert budget.used[window] == 30

    run(main())


def test_shared_pause_holds_back_other_processes() -> None:
    async def main() -> None:
        clock = FakeClock()
        budget = MemoryBudget(clock)
        first = RateLimiter(30, clock=clock, shared=budget)
        second = RateLimiter(30, clock=clock, shared=budget)

        async def too_many_requests() -> None:
            await clock.sleep(1.0)
            first.pause(4.0)

        done_first, done_second, _ = await asyncio.gather(
            send_all(first, clock, range(1, 201)),
            send_all(second, clock, range(1, 201)),
            too_many_requests(),
        )
        assert budget.until == pytest.approx(EPOCH + 5.0)
        assert not [t for _, t in done_first if 1.0 < t < 5.0]
        # The other process notices within PAUSE_REFRESH (plus a read's latency).
        assert not [t for _, t in done_second if 1.0 + 0.5 + 0.01 < t < 5.0]
        assert min(t for _, t in done_second if t > 1.0 + 0.51) == pytest.approx(5.0, abs=0.01)
        await first.aclose()

    run(main())


def test_pruning_keeps_per_chat_state_bounded() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(1000, clock=clock)
        sizes = []
        for start in range(0, 10_000, 500):
            await send_all(limiter, clock, range(start + 1, start + 501))
            sizes.append(limiter.tracked_chats)
        # At most one pruning interval of chats plus the last second's.
        assert max(sizes) <= limiter_module.PRUNE_EVERY + 1000
        await send_all(limiter, clock, [-1, -2, 3])
        limiter.forget_chats_older_than(0.0)
        # A private chat is forgotten after its interval; a group only after a minute.
        assert limiter.tracked_chats <= 1000 + 2
        await clock.sleep(1.5)
        limiter.forget_chats_older_than(0.0)
        assert limiter.tracked_chats == 2
        await clock.sleep(30.0)
        limiter.forget_chats_older_than()  # 120 s by default
        assert limiter.tracked_chats == 2
        await clock.sleep(120.0)
        limiter.forget_chats_older_than()
        assert limiter.tracked_chats == 0

    run(main())


def test_forgetting_never_lifts_a_limit() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(30, clock=clock, group_per_minute=2)
        await send_all(limiter, clock, [-3, -3, 4])
        limiter.forget_chats_older_than(0.0)
        await send_all(limiter, clock, [-3, 4])
        assert clock.monotonic() == pytest.approx(60.0)

    run(main())


def test_hundreds_of_concurrent_callers_without_a_pile_of_sleeps() -> None:
    async def main() -> None:
        clock = FakeClock()
        limiter = RateLimiter(30, clock=clock)
        chats = [n % 250 + 1 for n in range(500)]  # each chat twice
        done = await send_all(limiter, clock, chats)
        times = [t for _, t in done]
        assert max_in_span(times, 1.0) <= 30
        assert 500 / times[-1] >= 0.97 * 30
        by_chat: dict[int, list[float]] = {}
        for chat_id, t in done:
            by_chat.setdefault(chat_id, []).append(t)
        assert all(b - a >= 1.0 - TOLERANCE for a, b in by_chat.values())
        assert len(clock.sleeps) <= 2 * len(chats)

    run(main())


@pytest.mark.parametrize(
    "make",
    [
        lambda: RateLimiter(0),
        lambda: RateLimiter(-1),
        lambda: RateLimiter(math.nan),
        lambda: RateLimiter(10, private_interval=-1),
        lambda: RateLimiter(10, group_per_minute=0),
        lambda: RateLimiter(10, chunk=0),
    ],
)
def test_invalid_arguments(make: Callable[[], RateLimiter]) -> None:
    with pytest.raises(ValueError):
        make()


def test_system_clock() -> None:
    clock = limiter_module.SystemClock()
    assert clock.monotonic() > 0
    assert clock.time() > 1_600_000_000

    async def nap() -> None:
        await clock.sleep(0)

    asyncio.run(nap())
