"""Building the delivery worker from settings (no aiogram here: see bot.delivery.telegram)."""

from __future__ import annotations

import asyncio
import signal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.limiter import DatabaseBudget, RateLimiter, RedisBudget, SharedBudget
from bot.delivery.telegram import BotAPI
from bot.delivery.worker import DeliveryWorker
from bot.i18n import Catalogs
from db.engine import create_engine, create_session_factory


def create_limiter(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> RateLimiter:
    """The send limiter, shared by every worker: through Redis when REDIS_URL is set, else
    through the database."""
    shared: SharedBudget
    if settings.redis_url:
        shared = RedisBudget(settings.redis_url)
    else:
        shared = DatabaseBudget(session_factory)
    return RateLimiter(settings.send_rate, shared=shared)


def create_worker(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    catalogs: Catalogs | None = None,
) -> DeliveryWorker:
    return DeliveryWorker(
        BotAPI(settings.require_token(), settings.telegram_api_url),
        session_factory,
        create_limiter(settings, session_factory),
        catalogs or Catalogs(settings.locales_dir, settings.default_locale),
        lease_seconds=settings.delivery_lease_seconds,
        paid_broadcast=settings.paid_broadcast,
    )


async def run_worker(settings: Settings) -> None:
    """``python -m bot worker``: only deliver. Any number may run beside the bot."""
    engine = create_engine(settings.database_url)
    worker = create_worker(settings, create_session_factory(engine))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await worker.run(stop)
    finally:
        await worker.limiter.aclose()
        await engine.dispose()
