"""The shared send budgets on real backends: SQLite and PostgreSQL, and Redis.

Concurrent takes come from two engines (or two Redis clients), as two worker processes
would make them: the grants of a window must add up to its cap, never more.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.limiter import (
    CLEANUP_EVERY,
    WINDOW_KEEP,
    DatabaseBudget,
    RateLimiter,
    RedisBudget,
    SharedBudget,
)
from db.engine import create_engine, create_session_factory
from db.models import SendWindow

REDIS_URL = "redis://127.0.0.1:6379/15"
PREFIX = "test:limiter"
NOW = 1_700_000_000.0


async def take_concurrently(budgets: list[SharedBudget], calls: int, now: float) -> list[int]:
    return list(
        await asyncio.gather(
            *(budgets[n % len(budgets)].take(7, 50, now + n / 1000) for n in range(calls))
        )
    )


async def check_budget(budgets: list[SharedBudget]) -> None:
    """The properties every SharedBudget has, with one budget per simulated process."""
    first = budgets[0]

    # Concurrent takes never grant more than the cap.
    grants = await take_concurrently(budgets, 20, NOW)
    assert sum(grants) == 50
    assert all(0 <= granted <= 7 for granted in grants)
    assert await first.take(1, 50, NOW + 0.9) == 0

    # Windows are independent; a smaller grant is partial, and want/cap <= 0 grant nothing.
    assert await first.take(45, 50, NOW + 1) == 45
    assert await first.take(10, 50, NOW + 1.5) == 5
    assert await first.take(10, 50, NOW + 2.999) == 10
    assert await first.take(0, 50, NOW + 3) == 0
    assert await first.take(3, 0, NOW + 3) == 0
    grants = await take_concurrently(budgets, 12, NOW + 4)
    assert sum(grants) == 50

    # A pause is extended, never shortened.
    assert await first.paused_until() == 0.0
    await first.pause(NOW + 10.25)
    await budgets[-1].pause(NOW + 5)
    assert await budgets[-1].paused_until() == NOW + 10.25
    await budgets[-1].pause(NOW + 12.5)
    assert await first.paused_until() == NOW + 12.5
    await asyncio.gather(*(budgets[n % 2 - 1].pause(NOW + n) for n in range(30)))
    assert await first.paused_until() == NOW + 29


@pytest.fixture
async def second_session_factory(
    database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A second engine on the same database: another worker process."""
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_database_budget(
    session_factory: async_sessionmaker[AsyncSession],
    second_session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await check_budget([DatabaseBudget(session_factory), DatabaseBudget(second_session_factory)])
    async with session_factory() as session:
        used = await session.scalar(select(SendWindow.used).where(SendWindow.window == NOW))
    assert used == 50


async def test_database_budget_names_have_their_own_pause(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    telegram, other = DatabaseBudget(session_factory), DatabaseBudget(session_factory, "other")
    await telegram.pause(NOW + 3)
    assert await other.paused_until() == 0.0
    assert await telegram.paused_until() == NOW + 3


async def test_database_budget_deletes_old_windows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async def windows() -> list[int]:
        async with session_factory() as session:
            rows = await session.scalars(select(SendWindow.window).order_by(SendWindow.window))
            return list(rows)

    budget = DatabaseBudget(session_factory)
    start = int(NOW)
    for second in range(0, 2 * WINDOW_KEEP, 7):
        assert await budget.take(1, 30, start + second) == 1
    # Deletions run every CLEANUP_EVERY seconds and keep the last WINDOW_KEEP seconds.
    latest = start + max(range(0, 2 * WINDOW_KEEP, 7))
    assert min(await windows()) >= latest - WINDOW_KEEP - CLEANUP_EVERY
    await budget.take(1, 30, latest + 2 * WINDOW_KEEP)
    assert await windows() == [latest + 2 * WINDOW_KEEP]
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(SendWindow)) == 1


async def test_limiters_share_a_database_budget(
    session_factory: async_sessionmaker[AsyncSession],
    second_session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Two limiters in real time, with more to send than one window allows."""
    limiters = [
        RateLimiter(50, shared=DatabaseBudget(factory))
        for factory in (session_factory, second_session_factory)
    ]
    await asyncio.gather(*(limiters[n % 2].acquire(n + 1) for n in range(75)))
    async with session_factory() as session:
        used = list(await session.scalars(select(SendWindow.used)))
    assert len(used) >= 2
    assert max(used) <= 50
    assert sum(used) >= 75


@pytest.fixture
async def redis_db() -> AsyncIterator[aioredis.Redis]:
    """Database 15 of the local Redis, flushed. Unreachable is a failure: CI runs Redis."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def test_redis_budget(redis_db: aioredis.Redis) -> None:
    budgets = [RedisBudget(REDIS_URL, PREFIX), RedisBudget(REDIS_URL, PREFIX)]
    try:
        await check_budget(list(budgets))
        key = f"{PREFIX}:w:{int(NOW)}"
        assert await redis_db.get(key) == b"50"
        # Old windows clean themselves up.
        assert 0 < await redis_db.ttl(key) <= 5
        assert await redis_db.get(f"{PREFIX}:pause") == repr(NOW + 29).encode()
        # Another prefix is another budget.
        other = RedisBudget(REDIS_URL, "test:other")
        try:
            assert await other.take(7, 50, NOW) == 7
            assert await other.paused_until() == 0.0
        finally:
            await other.close()
    finally:
        for budget in budgets:
            await budget.close()
