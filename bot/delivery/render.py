"""How an alert looks in a supporter's chat. Shared by the worker (which runs without
aiogram) and the bot (/updates, previews): plain functions of a gettext callable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import fmt_datetime
from bot.rendering import esc
from bot.services.alerts import AlertView

Gettext = Callable[[str], str]


def alert_message(alert: AlertView, text: str, locale: str, _: Gettext) -> str:
    """Mark, campaign and time in the reader's locale and the campaign's time zone, then the
    text. ``text`` is the coordinator's (or translator's) checked HTML; the title is escaped."""
    moment = fmt_datetime(alert.created_at, locale, alert.timezone)
    header = f"<b>{esc(alert.title(locale))}</b> · <i>{esc(moment)}</i>"
    if alert.urgent:
        header = "🔴 <b>" + _("URGENT") + "</b>\n" + header
    return f"{header}\n\n{text}"


def unsubscribe_callback(slug: str) -> str:
    """Callback data of the Unsubscribe button under an alert: the packed form of
    ``SubscriptionCallback(action="off", slug=slug, view="alert")`` (a test holds them equal)."""
    return f"sub:off:{slug}:alert"


def take_action_callback(slug: str) -> str:
    """Callback data of the Take action button: the packed form of
    ``TakeActionCallback(slug=slug)`` (a test holds them equal)."""
    return f"act:{slug}"


def alert_reply_markup(slug: str, _: Gettext, *, has_actions: bool = False) -> dict[str, Any]:
    """What a supporter can do next, under every alert, as Bot API JSON: take the
    campaign's actions (when it has some), or unsubscribe."""
    rows = []
    if has_actions:
        rows.append([{"text": _("Take action"), "callback_data": take_action_callback(slug)}])
    rows.append([{"text": _("Unsubscribe"), "callback_data": unsubscribe_callback(slug)}])
    return {"inline_keyboard": rows}
