"""The bot at run time: long polling or a webhook server, on one shared set-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.commands import register_commands
from bot.config import Settings
from bot.delivery.factory import create_worker
from bot.delivery.worker import DeliveryWorker
from bot.factory import create_bot, create_dispatcher
from bot.i18n import create_i18n
from bot.keys import configure_encryption
from db.engine import create_engine, create_session_factory

logger = logging.getLogger(__name__)


@dataclass
class Application:
    bot: Bot
    dispatcher: Dispatcher
    worker: DeliveryWorker


@contextlib.asynccontextmanager
async def application(settings: Settings, *, commands: bool = True) -> AsyncIterator[Application]:
    configure_encryption(settings)
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    i18n = create_i18n(settings.locales_dir, settings.default_locale)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, session_factory, i18n)
    worker = create_worker(settings, session_factory)
    try:
        if commands:
            await register_commands(bot, i18n, settings.admin_ids)
        yield Application(bot, dispatcher, worker)
    finally:
        # Reports that keep themselves current end with the process.
        background: set[asyncio.Task[None]] = dispatcher["background_tasks"]
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await worker.limiter.aclose()
        await bot.session.close()
        await engine.dispose()


@contextlib.asynccontextmanager
async def delivering(worker: DeliveryWorker) -> AsyncIterator[None]:
    """Run the delivery worker beside the bot, so one process is enough for a campaign."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def run_polling(settings: Settings) -> None:
    async with application(settings) as app, delivering(app.worker):
        # A webhook left over from `web` would make getUpdates fail with 409 Conflict.
        await app.bot.delete_webhook(drop_pending_updates=False)
        logger.info("polling for updates")
        await app.dispatcher.start_polling(
            app.bot, allowed_updates=app.dispatcher.resolve_used_update_types()
        )


async def run_webhook(settings: Settings) -> None:
    url = settings.require_webhook_url()
    path = urlsplit(url).path or "/"
    secret = settings.webhook_secret_token()
    async with application(settings) as app:
        web_app = web.Application()
        # Requests without the secret token are answered 401 before the update is parsed.
        SimpleRequestHandler(app.dispatcher, app.bot, secret_token=secret).register(
            web_app, path=path
        )
        web_app.router.add_get("/healthz", _healthz)
        setup_application(web_app, app.dispatcher, bot=app.bot)
        await app.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        runner = web.AppRunner(web_app)
        await runner.setup()
        site = web.TCPSite(runner, host="0.0.0.0", port=settings.port)
        await site.start()
        logger.info("webhook server listening on port %d, path %s", settings.port, path)
        try:
            await _until_stopped()
        finally:
            await runner.cleanup()
            logger.info("webhook server stopped")


async def _healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM (what process managers send to stop a service)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
