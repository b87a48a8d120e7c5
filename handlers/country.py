"""The country picker: typed names in any supported language, codes and aliases, with
suggestions as buttons when the input is not exact. ``/country`` sets the supporter's own
country (used to find the embassy they should contact); other dialogs reuse
:func:`match_country` and :func:`send_country_suggestions` with their own ``purpose``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import CountryCallback
from bot.countries import COUNTRY_CODES, country_label, resolve_country, search_countries
from bot.keyboards import country_keyboard
from bot.rendering import esc, truncate
from bot.services.users import UserService

#: Longest country name we look up; longer input is answered without a search.
MAX_COUNTRY_INPUT = 100
#: Suggestions offered when the input is not an exact name.
SUGGESTIONS = 8
#: The picker's purpose for the user's own country (``/country``).
USER_COUNTRY = "user"


class CountryForm(StatesGroup):
    name = State()


def country_prompt() -> str:
    return _(
        "Type the name of the country you are in, in any language, or its two-letter code "
        "(for example DE or Germany)."
    )


async def match_country(message: Message, purpose: str, locale: str) -> str | None:
    """The country the message names, or ``None`` after answering with suggestions or a
    reason, so the caller simply waits for the next message or a button press."""
    text = (message.text or "").strip()
    if not text:
        await message.answer(_("Please type the country's name as text."))
        return None
    if len(text) > MAX_COUNTRY_INPUT:
        await message.answer(
            _("That is too long for a country name (at most {limit} characters).").format(
                limit=MAX_COUNTRY_INPUT
            )
        )
        return None
    code = resolve_country(text, locale)
    if code is not None:
        return code
    await send_country_suggestions(message, text, purpose, locale)
    return None


async def send_country_suggestions(message: Message, text: str, purpose: str, locale: str) -> None:
    suggestions = search_countries(text, locale, limit=SUGGESTIONS)
    shown = esc(truncate(text, 40))
    if suggestions:
        await message.answer(
            _("Which country do you mean by “{text}”? Choose one, or type the name again.").format(
                text=shown
            ),
            reply_markup=country_keyboard(suggestions, locale, purpose),
        )
    else:
        await message.answer(
            _(
                "I don't know a country called “{text}”. Try another spelling, its name in "
                "English, or its two-letter code (for example DE)."
            ).format(text=shown)
        )


def chosen_code(callback_data: CountryCallback) -> str | None:
    """The pressed country, if it is one we know (callback data can be forged)."""
    code = callback_data.code.upper()
    return code if code in COUNTRY_CODES else None


async def cmd_country(message: Message, state: FSMContext, users: UserService, locale: str) -> None:
    assert message.from_user is not None
    user = await users.get(message.from_user.id)
    current = user.country if user is not None else None
    if current:
        intro = _(
            "Your country: {country}. It is used only to show you the right embassy to "
            "contact; /forget erases it."
        ).format(country=esc(country_label(current, locale)))
    else:
        intro = _(
            "You have not told me your country. It is used only to show you the right "
            "embassy to contact."
        )
    await state.set_state(CountryForm.name)
    await message.answer(
        intro + "\n\n" + country_prompt() + "\n" + _("Send /cancel to keep it as it is."),
        reply_markup=country_keyboard([], locale, USER_COUNTRY, clear=True) if current else None,
    )


async def save_country(user_id: int, code: str | None, users: UserService, locale: str) -> str:
    await users.set_country(user_id, locale, code)
    if code is None:
        return _("Done: I no longer know your country.")
    return _("Your country is now {country}. Send /country to change it.").format(
        country=esc(country_label(code, locale))
    )


async def on_country_typed(
    message: Message, state: FSMContext, users: UserService, locale: str
) -> None:
    assert message.from_user is not None
    code = await match_country(message, USER_COUNTRY, locale)
    if code is None:
        return
    await state.clear()
    await message.answer(await save_country(message.from_user.id, code, users, locale))


async def on_country_pressed(
    query: CallbackQuery,
    callback_data: CountryCallback,
    state: FSMContext,
    users: UserService,
    locale: str,
) -> None:
    code = chosen_code(callback_data)
    if callback_data.code and code is None:
        await query.answer(_("This country is not available."), show_alert=True)
        return
    if await state.get_state() == CountryForm.name.state:
        await state.clear()
    confirmation = await save_country(query.from_user.id, code, users, locale)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(confirmation)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_country, Command("country"))
    router.message.register(
        on_country_typed, StateFilter(CountryForm.name), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(
        on_country_pressed, CountryCallback.filter(F.purpose == USER_COUNTRY)
    )
    return router
