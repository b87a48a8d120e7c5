"""Factories: everything is built here, at start-up, never at import time."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import DEFAULT_API_URL, Settings
from bot.middlewares import DatabaseMiddleware, UserLocaleMiddleware
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
    dispatcher = Dispatcher(settings=settings, services=services, background_tasks=background_tasks)
    dispatcher.update.outer_middleware(DatabaseMiddleware(services))
    UserLocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(*get_routers())
    return dispatcher
