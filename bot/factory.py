"""Factories: everything is built here, at start-up, never at import time."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_API_URL, Settings
from bot.middlewares import DatabaseMiddleware, ThrottlingMiddleware, UserLocaleMiddleware
from bot.services.factory import ServiceFactory
from handlers import get_routers


def create_bot(settings: Settings) -> Bot:
    session = None
    if settings.telegram_api_url != DEFAULT_API_URL:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], i18n: I18n
) -> Dispatcher:
    background_tasks: set[asyncio.Task[None]] = set()
    services = ServiceFactory(session_factory, settings)
    dispatcher = Dispatcher(
        storage=create_storage(settings),
        settings=settings,
        services=services,
        background_tasks=background_tasks,
    )
    dispatcher.update.outer_middleware(
        ThrottlingMiddleware(i18n, settings.throttle_updates, settings.throttle_seconds)
    )
    dispatcher.update.outer_middleware(DatabaseMiddleware(services))
    UserLocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(*get_routers())
    return dispatcher


def create_storage(settings: Settings) -> BaseStorage:
    """Where dialog state (an alert being written, a translation) lives: in Redis when
    REDIS_URL is set, so that several web processes share it; else in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url, state_ttl=86400, data_ttl=86400)
    return MemoryStorage()
