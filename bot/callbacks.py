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


class TeamCallback(CallbackData, prefix="team"):
    """Remove a team member's role (checked per press against the presser's rights)."""

    role_id: int


class ForgetCallback(CallbackData, prefix="forget"):
    """Confirm erasure: it always erases the presser, never an id carried in the data."""

    confirm: bool
