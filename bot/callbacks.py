"""Callback data of every inline button, one class per purpose."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


class SubscriptionCallback(CallbackData, prefix="sub"):
    action: str  # "on" or "off"
    slug: str
    view: str = "list"  # where the button sits: the "list" of campaigns or one "card"


class MenuCallback(CallbackData, prefix="menu"):
    item: str  # "language" or "campaigns"


class AlertCallback(CallbackData, prefix="alert"):
    action: str  # send, hold, cancel, urgent, retract
    alert_id: int


class TranslateCallback(CallbackData, prefix="tr"):
    alert_id: int
    language: str


class CountryCallback(CallbackData, prefix="country"):
    """A country chosen in the picker. ``purpose`` says which dialog asked ("user" for
    /country; other dialogs use their own word); ``code`` is ISO 3166-1 alpha-2, or ""
    to clear the user's country."""

    purpose: str
    code: str


class EndorsementCallback(CallbackData, prefix="endo"):
    """A button about one endorsement: approve, reject, reason (reject with a reason) and
    remove for coordinators; withdraw for its submitter. Rights are checked on every press."""

    action: str
    endorsement_id: int


class EndorseFormCallback(CallbackData, prefix="endf"):
    action: str  # "submit" or "cancel": the confirmation screen of the /endorse dialog


class TeamCallback(CallbackData, prefix="team"):
    """Remove a team member's role (checked per press against the presser's rights)."""

    role_id: int


class ForgetCallback(CallbackData, prefix="forget"):
    """Confirm erasure: it always erases the presser, never an id carried in the data."""

    confirm: bool


class TakeActionCallback(CallbackData, prefix="act"):
    """*Take action* under an alert: opens /act for the campaign."""

    slug: str


class ContactCallback(CallbackData, prefix="ct"):
    """A supporter's report on an action's target: ``kind`` "d" (I contacted them) or "x"
    (no contact works). Re-checked against what this supporter can be shown."""

    kind: str
    campaign: int
    action: str
    target: str
