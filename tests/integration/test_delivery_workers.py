"""Several workers and crashing workers: every subscriber is served, never twice (beyond the
in-flight window of a worker that died)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.factory import create_worker
from bot.services.alerts import AlertService
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.engine import create_engine, create_session_factory
from db.models import Delivery, Subscription, User
from tests.campaigns import campaign_data
from tests.e2e.process import bot_env, spawn
from tests.fakeapi import FakeBotAPI


async def broadcast_to(session_factory: async_sessionmaker[AsyncSession], readers: int) -> int:
    """A campaign with ``readers`` subscribers and one alert released to all of them."""
    async with session_factory() as session:
        await CampaignService(session).load(validate_campaign(campaign_data()))
        await session.execute(
            insert(User), [{"id": 10_000 + n, "locale": "en"} for n in range(readers)]
        )
        await session.execute(
            insert(Subscription),
            [{"user_id": 10_000 + n, "campaign_id": 1} for n in range(readers)],
        )
        await session.commit()
        alerts = AlertService(session, "en")
        alert = await alerts.compose(3000, "zhanaozen", "Strike update")
        assert await alerts.send_now(alert.id) == readers
        return alert.id


def sends_per_chat(api: FakeBotAPI) -> Counter[int]:
    return Counter(c.chat_id for c in api.calls if c.method == "sendMessage" and c.chat_id)


async def states(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as session:
        rows = await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        return dict(rows.all())  # type: ignore[arg-type]


@pytest.mark.parametrize("budget", ["database", "redis"])
async def test_two_workers_share_the_queue_without_sending_a_row_twice(
    fake_api: FakeBotAPI, database_url: str, settings: Settings, budget: str
) -> None:
    """Two workers (two engines, as two processes would have) on one queue and one send
    budget, shared through the database or Redis."""
    readers = 400
    redis_url = "redis://127.0.0.1:6379/14" if budget == "redis" else None
    fast = settings.model_copy(
        update={"send_rate": 1000.0, "paid_broadcast": True, "redis_url": redis_url}
    )
    engines = [create_engine(database_url) for _ in range(2)]  # two "processes"
    factories = [create_session_factory(engine) for engine in engines]
    await broadcast_to(factories[0], readers)
    workers = [create_worker(fast, factory) for factory in factories]
    for worker in workers:
        worker.batch_size = 25  # small batches: the workers interleave many times
    try:
        stats = await asyncio.gather(*(worker.drain(within=60) for worker in workers))
    finally:
        for worker in workers:
            await worker.limiter.aclose()
        for engine in engines:
            await engine.dispose()
    per_chat = sends_per_chat(fake_api)
    assert len(per_chat) == readers
    assert set(per_chat.values()) == {1}
    assert all(s.sent > 0 for s in stats), "both workers took part"
    assert await states(create_session_factory(create_engine(database_url))) == {"sent": readers}


async def test_a_killed_worker_is_finished_by_another(
    fake_api: FakeBotAPI, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    readers = 240
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    await broadcast_to(factory, readers)
    env = bot_env(
        database_url,
        fake_api.base_url,
        SEND_RATE="20",
        DELIVERY_LEASE_SECONDS="3",
        LOG_LEVEL="WARNING",
    )
    process = await spawn(("worker",), env, tmp_path, merge_stderr=True)
    try:
        deadline = time.monotonic() + 60
        while sum(sends_per_chat(fake_api).values()) < 40:
            assert time.monotonic() < deadline, "the first worker never got going"
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)  # no goodbye: leases stay, outcomes unrecorded
        await process.wait()
    sent_by_first = sum(sends_per_chat(fake_api).values())
    assert sent_by_first < readers, "the first worker was killed mid-broadcast"

    worker = create_worker(settings, factory)
    try:
        await worker.drain(within=90)
    finally:
        await worker.limiter.aclose()
    per_chat = sends_per_chat(fake_api)
    assert len(per_chat) == readers, "every subscriber was served"
    duplicates = sum(per_chat.values()) - readers
    # Only rows the dead worker had sent but not yet recorded can go out twice: at most its
    # in-flight window (two claimed batches of max(10, rate/2) rows at 20/s).
    assert duplicates <= 2 * 10
    assert await states(factory) == {"sent": readers}
    await engine.dispose()
