"""Organisations endorse a campaign (/endorse, /withdraw), coordinators verify them
(approval cards, /pending, /endorsement), anyone reads the list (/signatories) and
exports it (/export)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import CountryCallback, EndorseFormCallback, EndorsementCallback
from bot.countries import resolve_country
from bot.filters import IsCoordinator
from bot.keyboards import endorse_confirm_keyboard, endorsement_card_keyboard, withdraw_keyboard
from bot.rendering import esc
from bot.services.campaigns import CampaignService
from bot.services.endorsements import (
    DecisionOutcome,
    EndorsementDraft,
    EndorsementError,
    EndorsementProblem,
    EndorsementService,
    EndorsementView,
    FieldError,
    FieldProblem,
    MilestoneText,
    Recipient,
    clean_city,
    clean_email,
    clean_name,
    clean_role,
    clean_website,
)
from bot.services.exports import ExportError, ExportProblem, ExportService
from handlers.common import alert_id_argument, slug_argument
from handlers.country import chosen_code, match_country

logger = logging.getLogger(__name__)

#: The country picker's purpose word in this dialog.
ENDORSE = "endorse"
#: The dialog's questions in order; the optional ones accept /skip.
STEPS = ("name", "city", "country", "website", "email", "signer")
OPTIONAL = frozenset({"city", "website", "signer"})
#: Cards /pending sends at most (the rest follow once these are decided).
PENDING_CARDS = 20


class EndorseForm(StatesGroup):
    name = State()
    city = State()
    country = State()
    website = State()
    email = State()
    signer = State()
    confirm = State()


class RejectForm(StatesGroup):
    reason = State()


STEP_STATES = {step: getattr(EndorseForm, step) for step in STEPS}


def clean_step(step: str, text: str) -> Any:
    """The answer to ``step``, validated; raises FieldError with the reason."""
    match step:
        case "name":
            return clean_name(text)
        case "city":
            return clean_city(text)
        case "website":
            return clean_website(text)
        case "email":
            return clean_email(text)
        case "signer":
            name, _sep, role = text.partition(",")
            return [clean_name(name), clean_role(role) if role.strip() else None]
    raise ValueError(step)


def draft_of(data: dict[str, Any]) -> EndorsementDraft:
    signer = data.get("signer") or [None, None]
    return EndorsementDraft(
        name=str(data["name"]),
        country=str(data["country"]),
        email=str(data["email"]),
        city=data.get("city"),
        website=data.get("website"),
        signer_name=signer[0],
        signer_role=signer[1],
    )


async def ask_next(
    message: Message,
    state: FSMContext,
    endorsements: EndorsementService,
    campaigns: CampaignService,
    locale: str,
    reason: str | None = None,
) -> None:
    """Ask the first unanswered question (after ``reason``, why the last answer was not
    taken); when all are answered, show the confirmation screen."""
    data = await state.get_data()
    prefix = reason + "\n\n" if reason else ""
    for step in STEPS:
        if step not in data:
            await state.set_state(STEP_STATES[step])
            await message.answer(prefix + texts.endorsement_prompt(step))
            return
    draft = draft_of(data)
    slug = str(data["slug"])
    try:
        duplicate = await endorsements.is_duplicate(slug, draft.name, draft.country)
    except EndorsementError as exc:
        await state.clear()
        await message.answer(texts.endorsement_problem(exc))
        return
    if duplicate:
        await state.clear()
        await message.answer(
            texts.endorsement_problem(EndorsementError(EndorsementProblem.DUPLICATE))
        )
        return
    info = await campaigns.info(slug, locale)
    title = info.title if info is not None else slug
    await state.set_state(EndorseForm.confirm)
    await message.answer(
        prefix + texts.endorsement_confirmation(title, draft, locale),
        reply_markup=endorse_confirm_keyboard(),
    )


async def cmd_endorse(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    campaigns: CampaignService,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    slug = slug_argument(command)
    if slug is None:
        await message.answer(
            esc(
                _(
                    "Send /endorse followed by the campaign's name, for example /endorse "
                    "zhanaozen. In one line: /endorse <campaign> Name | City, Country | email"
                )
            )
        )
        return
    info = await campaigns.info(slug, locale) if len(slug) <= 40 else None
    if info is None:
        await message.answer(
            texts.endorsement_problem(EndorsementError(EndorsementProblem.NO_CAMPAIGN))
        )
        return
    if not info.is_active:
        await message.answer(texts.endorsement_problem(EndorsementError(EndorsementProblem.CLOSED)))
        return
    await state.clear()
    await state.set_data({"slug": slug})
    for page in texts.endorsement_intro(info):
        await message.answer(page)
    parts = (command.args or "").split(maxsplit=1)
    reason = None
    if len(parts) > 1:  # "/endorse <campaign> Name | City, Country | email"
        reason = await fill_one_line(state, parts[1], locale)
    await ask_next(message, state, endorsements, campaigns, locale, reason)


async def fill_one_line(state: FSMContext, text: str, locale: str) -> str | None:
    """Take what the one-line form gives; returns why the first bad field was not taken
    (the dialog then asks for it)."""
    fields = [part.strip() for part in text.split("|")]
    if len(fields) != 3:
        return esc(_("In one line, send: /endorse <campaign> Name | City, Country | email"))
    name, place, email = fields
    answers: dict[str, Any] = {"website": None, "signer": None}
    problems: list[str] = []
    for step, value in (("name", name), ("email", email)):
        try:
            answers[step] = clean_step(step, value)
        except FieldError as exc:
            problems.append(texts.field_problem(exc))
    country = resolve_country(place, locale) if place else None
    if country is not None:
        answers["city"] = None
    else:
        city, _sep, country_text = place.rpartition(",")
        country = resolve_country(country_text, locale) if country_text.strip() else None
        with contextlib.suppress(FieldError):
            answers["city"] = clean_city(city) if city.strip() else None
    if country is not None:
        answers["country"] = country
    await state.update_data(answers)
    return problems[0] if problems else None


async def on_step_text(
    message: Message,
    state: FSMContext,
    campaigns: CampaignService,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    current = await state.get_state() or ""
    step = current.partition(":")[2]
    if message.text is None:
        await message.answer(
            texts.field_problem(FieldError(FieldProblem.EMPTY))
            + "\n\n"
            + texts.endorsement_prompt(step)
        )
        return
    if step == "country":
        code = await match_country(message, ENDORSE, locale)
        if code is None:
            return
        value: Any = code
    else:
        try:
            value = clean_step(step, message.text)
        except FieldError as exc:
            reason = texts.field_problem(exc)
            await message.answer(reason + "\n\n" + texts.endorsement_prompt(step))
            return
    await state.update_data({step: value})
    await ask_next(message, state, endorsements, campaigns, locale)


async def on_skip(
    message: Message,
    state: FSMContext,
    campaigns: CampaignService,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    step = (await state.get_state() or "").partition(":")[2]
    if step not in OPTIONAL:
        await message.answer(
            _("This question cannot be skipped.") + "\n\n" + texts.endorsement_prompt(step)
        )
        return
    await state.update_data({step: None})
    await ask_next(message, state, endorsements, campaigns, locale)


async def on_country_pressed(
    query: CallbackQuery,
    callback_data: CountryCallback,
    state: FSMContext,
    campaigns: CampaignService,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    code = chosen_code(callback_data)
    if code is None:
        await query.answer(_("This country is not available."), show_alert=True)
        return
    await query.answer()
    await state.update_data(country=code)
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramAPIError):
            await query.message.edit_reply_markup(reply_markup=None)
        await ask_next(query.message, state, endorsements, campaigns, locale)


async def on_confirm(
    query: CallbackQuery,
    callback_data: EndorseFormCallback,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    data = await state.get_data()
    await state.clear()
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)
    if callback_data.action != "submit":
        if message is not None:
            await message.answer(_("Cancelled. Nothing was saved."))
        return
    try:
        submitted = await endorsements.submit(
            query.from_user.id, locale, str(data["slug"]), draft_of(data)
        )
    except EndorsementError as exc:
        if message is not None:
            await message.answer(texts.endorsement_problem(exc))
        return
    if message is not None:
        await message.answer(texts.endorsement_submitted(submitted.endorsement))
    for reviewer in submitted.reviewers:
        await send_card(bot, i18n, reviewer, submitted.endorsement, submitted.near_duplicates)


async def send_card(
    bot: Bot,
    i18n: I18n,
    reviewer: Recipient,
    view: EndorsementView,
    near: list[EndorsementView],
) -> None:
    """The approval card, in the coordinator's language, one message each."""
    locale = reviewer.locale if reviewer.locale in i18n.available_locales else i18n.default_locale
    try:
        with i18n.use_locale(locale):
            await bot.send_message(
                reviewer.user_id,
                texts.endorsement_card(view, near, locale),
                reply_markup=endorsement_card_keyboard(view),
            )
    except TelegramAPIError as exc:
        logger.info("could not reach a coordinator about endorsement %s: %s", view.id, exc.message)


async def tell(bot: Bot, i18n: I18n, recipient: Recipient, text_of: Any) -> None:
    """Send ``text_of()`` rendered in the recipient's language; an unreachable user is fine."""
    locale = recipient.locale if recipient.locale in i18n.available_locales else i18n.default_locale
    try:
        with i18n.use_locale(locale):
            await bot.send_message(recipient.user_id, text_of())
    except TelegramAPIError as exc:
        logger.info("could not tell a submitter the outcome: %s", exc.message)


def milestone_renderer(i18n: I18n) -> MilestoneText:
    def render(count: int, title: str, slug: str, locale: str) -> str:
        with i18n.use_locale(locale):
            return texts.endorsement_milestone(count, title, slug, locale)

    return render


async def decide(
    bot: Bot,
    i18n: I18n,
    endorsements: EndorsementService,
    actor_id: int,
    endorsement_id: int,
    action: str,
    locale: str,
    reason: str | None = None,
) -> tuple[str, EndorsementView | None]:
    """Approve, reject or remove; tell the submitter. Returns the answer for the coordinator
    and the endorsement when it changed."""
    try:
        decision = await endorsements.decide(
            endorsement_id,
            actor_id,
            action,
            locale,
            reason=reason,
            milestone_text=milestone_renderer(i18n),
        )
    except EndorsementError as exc:
        return texts.endorsement_problem(exc), None
    view = decision.endorsement
    if decision.outcome is DecisionOutcome.ALREADY:
        return texts.endorsement_already_decided(view), None
    told = decision.submitter_view
    if decision.submitter is not None and told is not None:
        await tell(bot, i18n, decision.submitter, lambda: texts.endorsement_outcome(told))
    return texts.endorsement_decided(view), view


async def on_endorsement_button(
    query: CallbackQuery,
    callback_data: EndorsementCallback,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    """Every press is checked against the presser's rights (in the service)."""
    message = query.message if isinstance(query.message, Message) else None
    endorsement_id = callback_data.endorsement_id
    match callback_data.action:
        case "withdraw":
            try:
                view = await endorsements.withdraw(query.from_user.id, endorsement_id, locale)
            except EndorsementError as exc:
                await query.answer(texts.endorsement_problem(exc), show_alert=True)
                return
            await query.answer()
            if message is not None:
                with contextlib.suppress(TelegramAPIError):
                    await message.edit_reply_markup(reply_markup=None)
                await message.answer(texts.endorsement_withdrawn(view))
            return
        case "reason":
            try:
                view = await endorsements.get_for(endorsement_id, query.from_user.id, locale)
            except EndorsementError as exc:
                await query.answer(texts.endorsement_problem(exc), show_alert=True)
                return
            if view.status != "pending":
                await query.answer(texts.endorsement_already_decided(view), show_alert=True)
                return
            await state.set_state(RejectForm.reason)
            await state.update_data(endorsement_id=view.id)
            await query.answer()
            if message is not None:
                await message.answer(
                    _(
                        "Send the reason for rejecting endorsement #{id} ({name}); its "
                        "submitter will read it. Or send /skip to reject it without a reason."
                    ).format(id=view.id, name=esc(view.name))
                )
            return
        case "approve" | "reject" | "remove":
            answer, changed = await decide(
                bot,
                i18n,
                endorsements,
                query.from_user.id,
                endorsement_id,
                callback_data.action,
                locale,
            )
        case _:
            await query.answer()
            return
    if changed is None:
        await query.answer(answer, show_alert=True)
        return
    await query.answer()
    if message is not None:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=endorsement_card_keyboard(changed))
        await message.answer(answer)


async def on_reject_reason(
    message: Message,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    endorsements: EndorsementService,
    locale: str,
) -> None:
    assert message.from_user is not None
    if message.text is None:
        await message.answer(_("Send the reason as text, or /skip."))
        return
    data = await state.get_data()
    await state.clear()
    reason = None if message.text.strip() == "/skip" else message.text
    answer, _changed = await decide(
        bot,
        i18n,
        endorsements,
        message.from_user.id,
        int(data["endorsement_id"]),
        "reject",
        locale,
        reason,
    )
    await message.answer(answer)


async def cmd_withdraw(
    message: Message, command: CommandObject, endorsements: EndorsementService, locale: str
) -> None:
    assert message.from_user is not None
    slug = slug_argument(command)
    if slug is None:
        await message.answer(_("Send /withdraw followed by the campaign's name."))
        return
    try:
        own = await endorsements.own(message.from_user.id, slug[:40], locale)
    except EndorsementError as exc:
        await message.answer(texts.endorsement_problem(exc))
        return
    if not own:
        await message.answer(_("You have no endorsement of this campaign to withdraw."))
        return
    await message.answer(
        _("Which endorsement do you withdraw? It disappears from the list at once."),
        reply_markup=withdraw_keyboard(own),
    )


async def cmd_signatories(
    message: Message, command: CommandObject, endorsements: EndorsementService, locale: str
) -> None:
    slug = slug_argument(command)
    words = (command.args or "").split()
    if slug is None or (len(words) > 1 and words[1].lower() != "by-country"):
        await message.answer(
            esc(_("Send /signatories <campaign>, or /signatories <campaign> by-country."))
        )
        return
    try:
        signatories = await endorsements.signatories(slug[:40], locale)
    except EndorsementError as exc:
        await message.answer(texts.endorsement_problem(exc))
        return
    for page in texts.signatory_pages(signatories, locale, by_country=len(words) > 1):
        await message.answer(page)


async def cmd_export(
    message: Message, command: CommandObject, exports: ExportService, locale: str
) -> None:
    assert message.from_user is not None
    words = (command.args or "").split()
    try:
        if len(words) != 2:
            raise ExportError(ExportProblem.UNKNOWN_KIND)
        exported = await exports.export(
            words[0].lower()[:40], words[1].lower(), locale, message.from_user.id
        )
    except ExportError as exc:
        await message.answer(texts.export_problem(exc, exports.kinds()))
        return
    await message.answer_document(BufferedInputFile(exported.content, exported.filename))


async def cmd_pending(
    message: Message, command: CommandObject, endorsements: EndorsementService, locale: str
) -> None:
    assert message.from_user is not None
    slug = slug_argument(command)
    if slug is None:
        await message.answer(_("Send /pending followed by the campaign's name."))
        return
    try:
        items = await endorsements.pending(slug[:40], message.from_user.id, locale)
    except EndorsementError as exc:
        await message.answer(texts.endorsement_problem(exc))
        return
    await message.answer(
        ngettext(
            "{count} endorsement waits for verification.",
            "{count} endorsements wait for verification.",
            len(items),
        ).format(count=len(items))
    )
    for item in items[:PENDING_CARDS]:
        await message.answer(
            texts.endorsement_card(item.endorsement, item.near_duplicates, locale),
            reply_markup=endorsement_card_keyboard(item.endorsement),
        )


async def cmd_endorsement(
    message: Message, command: CommandObject, endorsements: EndorsementService, locale: str
) -> None:
    assert message.from_user is not None
    words = (command.args or "").split()
    endorsement_id = alert_id_argument(words[0] if words else None)
    if endorsement_id is None:
        await message.answer(
            _(
                "Send /endorsement followed by the endorsement's number, for example "
                "/endorsement 12."
            )
        )
        return
    try:
        view = await endorsements.get_for(endorsement_id, message.from_user.id, locale)
    except EndorsementError as exc:
        await message.answer(texts.endorsement_problem(exc))
        return
    near = await endorsements.near_duplicates(view.id, locale)
    await message.answer(
        texts.endorsement_card(view, near, locale),
        reply_markup=endorsement_card_keyboard(view),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_endorse, Command("endorse"))
    router.message.register(cmd_withdraw, Command("withdraw"))
    router.message.register(cmd_signatories, Command("signatories"))
    router.message.register(cmd_export, Command("export"))
    dialog = StateFilter(*STEP_STATES.values())
    router.message.register(on_skip, dialog, Command("skip"))
    router.message.register(on_step_text, dialog, ~F.text.startswith("/"))
    router.callback_query.register(
        on_country_pressed,
        StateFilter(EndorseForm.country),
        CountryCallback.filter(F.purpose == ENDORSE),
    )
    router.callback_query.register(
        on_confirm, StateFilter(EndorseForm.confirm), EndorseFormCallback.filter()
    )
    # Rights are checked per press, in the service (a forged button changes nothing).
    router.callback_query.register(on_endorsement_button, EndorsementCallback.filter())

    coordinators = Router(name=f"{__name__}.coordinators")
    coordinators.message.filter(IsCoordinator())
    coordinators.message.register(cmd_pending, Command("pending"))
    coordinators.message.register(cmd_endorsement, Command("endorsement"))
    coordinators.message.register(on_reject_reason, RejectForm.reason, Command("skip"))
    coordinators.message.register(on_reject_reason, RejectForm.reason, ~F.text.startswith("/"))
    router.include_router(coordinators)
    return router
