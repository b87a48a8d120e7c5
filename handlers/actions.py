"""Contact actions for supporters: /act <campaign>, the Take action button under alerts,
the country question (asked once), and the reports *I contacted them* / *No contact works*.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import ContactCallback, CountryCallback, TakeActionCallback
from bot.keyboards import action_keyboard
from bot.rendering import esc, truncate
from bot.services.actions import ActionService, ActOutcome, RecordOutcome
from bot.services.campaign_file import SLUG_RE
from bot.services.users import UserService
from handlers.common import slug_argument, too_long
from handlers.country import chosen_code, country_prompt, match_country, save_country

#: The country picker's purpose for /act: "act." + the campaign's slug (":" is reserved).
PURPOSE_PREFIX = "act."
CONTACT_KINDS = {"d": "contacted", "x": "unreachable"}


class ActForm(StatesGroup):
    country = State()


async def show_actions(
    message: Message,
    user_id: int,
    slug: str,
    actions: ActionService,
    state: FSMContext,
    locale: str,
) -> None:
    """Every action of the campaign for this supporter, or what stands in the way."""
    plan = await actions.plan(user_id, slug, locale)
    match plan.outcome:
        case ActOutcome.NOT_FOUND:
            await message.answer(
                _("There is no campaign called “{slug}”.").format(slug=esc(truncate(slug, 40)))
            )
            return
        case ActOutcome.CLOSED:
            await message.answer(_("This campaign is no longer available."))
            return
        case ActOutcome.NO_ACTIONS:
            await message.answer(
                _("<b>{title}</b> asks for no contact actions at the moment.").format(
                    title=esc(plan.title)
                )
            )
            return
        case ActOutcome.NEED_COUNTRY:
            await state.set_state(ActForm.country)
            await state.update_data(act_slug=slug)
            await message.answer(
                _(
                    "To show you whom to contact, I need to know which country you are in. "
                    "I ask only once; /country changes it."
                )
                + "\n\n"
                + country_prompt()
            )
            return
    assert plan.country is not None
    today = datetime.now(UTC).astimezone(ZoneInfo(plan.timezone))
    await message.answer(texts.act_intro(plan.title, len(plan.cards)))
    for card in plan.cards:
        pages = texts.action_card(card, plan.country, today, locale)
        for page in pages[:-1]:
            await message.answer(page, disable_web_page_preview=True)
        await message.answer(
            pages[-1],
            reply_markup=action_keyboard(plan.campaign_id, card),
            disable_web_page_preview=True,
        )


async def cmd_act(
    message: Message,
    command: CommandObject,
    actions: ActionService,
    state: FSMContext,
    locale: str,
) -> None:
    assert message.from_user is not None
    slug = None if too_long(command) else slug_argument(command)
    if slug is None:
        await message.answer(
            _("Which campaign? Send /{command} followed by the campaign's name.").format(
                command="act"
            )
            + "\n"
            + _("/campaigns lists them.")
        )
        return
    await show_actions(message, message.from_user.id, slug, actions, state, locale)


async def on_country_typed(
    message: Message,
    state: FSMContext,
    users: UserService,
    actions: ActionService,
    locale: str,
) -> None:
    assert message.from_user is not None
    slug = str((await state.get_data()).get("act_slug", ""))
    code = await match_country(message, PURPOSE_PREFIX + slug, locale)
    if code is None:
        return
    await state.clear()
    await message.answer(await save_country(message.from_user.id, code, users, locale))
    await show_actions(message, message.from_user.id, slug, actions, state, locale)


async def on_country_pressed(
    query: CallbackQuery,
    callback_data: CountryCallback,
    state: FSMContext,
    users: UserService,
    actions: ActionService,
    locale: str,
) -> None:
    code = chosen_code(callback_data)
    slug = callback_data.purpose.removeprefix(PURPOSE_PREFIX)
    if code is None or not SLUG_RE.fullmatch(slug):
        await query.answer(_("This country is not available."), show_alert=True)
        return
    if await state.get_state() == ActForm.country.state:
        await state.clear()
    confirmation = await save_country(query.from_user.id, code, users, locale)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(confirmation)
        await show_actions(query.message, query.from_user.id, slug, actions, state, locale)


async def on_take_action(
    query: CallbackQuery,
    callback_data: TakeActionCallback,
    actions: ActionService,
    state: FSMContext,
    locale: str,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_actions(
            query.message, query.from_user.id, callback_data.slug, actions, state, locale
        )


async def on_contact_report(
    query: CallbackQuery, callback_data: ContactCallback, actions: ActionService, locale: str
) -> None:
    kind = CONTACT_KINDS.get(callback_data.kind, "")
    result = await actions.record(
        query.from_user.id, callback_data.campaign, callback_data.action, callback_data.target, kind
    )
    if result.outcome is RecordOutcome.INVALID:
        await query.answer(_("This action is no longer available."), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts.record_result(result, locale))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_act, Command("act"))
    router.message.register(
        on_country_typed, StateFilter(ActForm.country), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(
        on_country_pressed, CountryCallback.filter(F.purpose.startswith(PURPOSE_PREFIX))
    )
    router.callback_query.register(on_take_action, TakeActionCallback.filter())
    router.callback_query.register(on_contact_report, ContactCallback.filter())
    return router
