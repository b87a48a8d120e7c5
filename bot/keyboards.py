"""Inline keyboards. Labels are translated when built, inside the reader's locale."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    AlertCallback,
    ContactCallback,
    CountryCallback,
    EndorseFormCallback,
    EndorsementCallback,
    ForgetCallback,
    LanguageCallback,
    MenuCallback,
    SubscriptionCallback,
    TakeActionCallback,
    TeamCallback,
    TranslateCallback,
)
from bot.countries import country_label
from bot.i18n import language_name
from bot.rendering import truncate
from bot.services.actions import ActionCard
from bot.services.alerts import AlertView
from bot.services.campaigns import CampaignSummary
from bot.services.endorsements import EndorsementView

BUTTON_TITLE_LIMIT = 40


def language_keyboard(locales: Iterable[str], current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in locales:
        label = language_name(code)
        if code == current:
            label = "• " + label
        builder.button(text=label, callback_data=LanguageCallback(code=code))
    builder.adjust(2)
    return builder.as_markup()


def welcome_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Campaigns"), callback_data=MenuCallback(item="campaigns"))
    builder.button(text=_("Language"), callback_data=MenuCallback(item="language"))
    return builder.as_markup()


def subscription_button_text(campaign: CampaignSummary) -> str:
    title = truncate(campaign.title, BUTTON_TITLE_LIMIT)
    if campaign.subscribed:
        return _("Unsubscribe: {title}").format(title=title)
    return _("Subscribe: {title}").format(title=title)


def campaigns_keyboard(campaigns: Iterable[CampaignSummary]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for campaign in campaigns:
        builder.button(
            text=subscription_button_text(campaign),
            callback_data=SubscriptionCallback(
                action="off" if campaign.subscribed else "on", slug=campaign.slug
            ),
        )
    builder.adjust(1)
    return builder.as_markup()


def subscribe_keyboard(slug: str, subscribed: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Unsubscribe") if subscribed else _("Subscribe"),
        callback_data=SubscriptionCallback(
            action="off" if subscribed else "on", slug=slug, view="card"
        ),
    )
    return builder.as_markup()


def alert_preview_keyboard(alert: AlertView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    urgent = _("Remove the urgent mark") if alert.urgent else _("Mark as urgent")
    builder.button(text=urgent, callback_data=AlertCallback(action="urgent", alert_id=alert.id))
    builder.button(
        text=_("Send now"), callback_data=AlertCallback(action="send", alert_id=alert.id)
    )
    builder.button(
        text=_("Hold for translations"),
        callback_data=AlertCallback(action="hold", alert_id=alert.id),
    )
    builder.button(
        text=_("Cancel"), callback_data=AlertCallback(action="cancel", alert_id=alert.id)
    )
    builder.adjust(1, 2, 1)
    return builder.as_markup()


def retract_keyboard(alert_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, retract alert #{id}").format(id=alert_id),
        callback_data=AlertCallback(action="retract", alert_id=alert_id),
    )
    return builder.as_markup()


def translate_keyboard(alert_id: int, language: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Translate"), callback_data=TranslateCallback(alert_id=alert_id, language=language)
    )
    return builder.as_markup()


def country_keyboard(
    codes: Iterable[str], locale: str, purpose: str, *, clear: bool = False
) -> InlineKeyboardMarkup:
    """Countries to pick from (flag and localized name); ``clear`` adds "Forget my country"."""
    builder = InlineKeyboardBuilder()
    for code in codes:
        builder.button(
            text=country_label(code, locale),
            callback_data=CountryCallback(purpose=purpose, code=code),
        )
    if clear:
        builder.button(
            text=_("Forget my country"), callback_data=CountryCallback(purpose=purpose, code="")
        )
    builder.adjust(2)
    return builder.as_markup()


def endorse_confirm_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Submit"), callback_data=EndorseFormCallback(action="submit"))
    builder.button(text=_("Cancel"), callback_data=EndorseFormCallback(action="cancel"))
    return builder.as_markup()


def endorsement_card_keyboard(view: EndorsementView) -> InlineKeyboardMarkup | None:
    """What a coordinator can still do: decide a pending endorsement, remove an approved one."""
    builder = InlineKeyboardBuilder()
    if view.status == "pending":
        for action, label in (
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("reason", _("Reject with a reason")),
        ):
            builder.button(
                text=label,
                callback_data=EndorsementCallback(action=action, endorsement_id=view.id),
            )
        builder.adjust(2, 1)
    elif view.status == "approved":
        builder.button(
            text=_("Remove from the list"),
            callback_data=EndorsementCallback(action="remove", endorsement_id=view.id),
        )
    else:
        return None
    return builder.as_markup()


def withdraw_keyboard(views: Iterable[EndorsementView]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for view in views:
        builder.button(
            text=_("Withdraw: {name}").format(name=truncate(view.name, BUTTON_TITLE_LIMIT)),
            callback_data=EndorsementCallback(action="withdraw", endorsement_id=view.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def action_keyboard(campaign_id: int, card: ActionCard) -> InlineKeyboardMarkup | None:
    """*I contacted them* and *No contact works* under an action's card."""
    if card.target is None:
        return None
    builder = InlineKeyboardBuilder()
    done = "✅ " if "contacted" in card.you_reported else ""
    for kind, label in (("d", done + _("I contacted them")), ("x", _("No contact works"))):
        builder.button(
            text=label,
            callback_data=ContactCallback(
                kind=kind, campaign=campaign_id, action=card.id, target=card.target.key
            ),
        )
    builder.adjust(1)
    return builder.as_markup()


def team_keyboard(removable: Iterable[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """A "Remove" button per (role id, label); None when nobody can be removed here."""
    builder = InlineKeyboardBuilder()
    for role_id, label in removable:
        builder.button(
            text=_("Remove {member}").format(member=truncate(label, BUTTON_TITLE_LIMIT)),
            callback_data=TeamCallback(role_id=role_id),
        )
    builder.adjust(1)
    markup = builder.as_markup()
    return markup if markup.inline_keyboard else None


def forget_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, erase my data"), callback_data=ForgetCallback(confirm=True))
    builder.button(text=_("No, keep it"), callback_data=ForgetCallback(confirm=False))
    builder.adjust(1)
    return builder.as_markup()


def take_action_keyboard(slug: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Take action"), callback_data=TakeActionCallback(slug=slug))
    return builder.as_markup()
