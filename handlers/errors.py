"""No exception leaves a user without an answer; a 403 marks the user unreachable."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.services.factory import ServiceFactory

logger = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, services: ServiceFactory) -> None:
    update = event.update
    user = None
    chat_id = None
    if update.message is not None:
        user, chat_id = update.message.from_user, update.message.chat.id
    elif update.callback_query is not None:
        user = update.callback_query.from_user
        message = update.callback_query.message
        chat_id = message.chat.id if message is not None else user.id
    if isinstance(event.exception, TelegramForbiddenError):
        # The user blocked the bot (or was deactivated): stop writing to them.
        if user is not None:
            async with services.open() as opened:
                await opened.users.set_active(user.id, False)
        # Never log who: a seized server's logs must not list the supporters.
        logger.info("a user is unreachable: %s", event.exception)
        return
    logger.exception("update %s failed", update.update_id, exc_info=event.exception)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, _("Sorry, something went wrong. Please try again later."))
    except TelegramAPIError:
        logger.warning("could not tell chat %s about the error", chat_id)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
