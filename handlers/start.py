"""First contact: /start (also from a t.me/<bot>?start=<campaign> deep link) and /help."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import MenuCallback
from bot.keyboards import welcome_keyboard
from bot.services.campaigns import CampaignService
from bot.services.roles import RoleService
from handlers.campaigns import reply_subscription, send_campaign_list
from handlers.common import slug_argument, too_long
from handlers.language import send_language_picker


async def cmd_start_deep_link(
    message: Message, command: CommandObject, campaigns: CampaignService, locale: str
) -> None:
    slug = slug_argument(command)
    await message.answer(texts.welcome(), reply_markup=welcome_keyboard())
    if slug is None or too_long(command):
        return
    assert message.from_user is not None
    result = await campaigns.subscribe(message.from_user.id, slug, locale)
    await reply_subscription(message, result, campaigns, locale)


async def cmd_start(message: Message) -> None:
    await message.answer(texts.welcome(), reply_markup=welcome_keyboard())


async def cmd_help(message: Message, roles: RoleService) -> None:
    assert message.from_user is not None
    user_roles = await roles.roles_of(message.from_user.id)
    await message.answer(texts.help_text(user_roles))


async def on_menu(
    query: CallbackQuery,
    callback_data: MenuCallback,
    campaigns: CampaignService,
    locale: str,
    i18n: I18n,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.item == "language":
        await send_language_picker(query.message, locale, i18n)
    else:
        await send_campaign_list(query.message, campaigns, query.from_user.id, locale)


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
        return
    await state.clear()
    await message.answer(_("Cancelled. Nothing was saved."))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start_deep_link, CommandStart(deep_link=True))
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_cancel, Command("cancel"))
    router.callback_query.register(on_menu, MenuCallback.filter())
    return router
