"""Messages the bot composes. Call inside an i18n context; returns Telegram HTML."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.commands import commands_for
from bot.i18n import fmt_date, fmt_list, fmt_number, language_name
from bot.rendering import MESSAGE_LIMIT, esc
from bot.services.campaign_file import Problem
from bot.services.campaigns import CampaignInfo, CampaignSummary, Contact
from bot.services.roles import UserRoles


def welcome() -> str:
    return "\n\n".join(
        [
            _(
                "<b>Welcome!</b> This bot connects you with solidarity campaigns for workers "
                "who face arrests and repression for defending their rights."
            ),
            _(
                "Subscribe to a campaign to receive its urgent updates in your language, "
                "and the bot will show you how to help."
            ),
            _(
                "We keep only your Telegram id, your language and your subscriptions: never "
                "your name, username or phone number. /stop leaves every campaign."
            ),
            _(
                "/campaigns: active campaigns\n/language: change the language\n/help: "
                "everything you can do"
            ),
        ]
    )


def supporters(count: int, locale: str) -> str:
    return ngettext("{count} supporter", "{count} supporters", count).format(
        count=fmt_number(count, locale)
    )


def help_text(roles: UserRoles) -> str:
    lines = ["<b>" + _("What you can do") + "</b>", ""]
    for spec in commands_for(roles):
        usage = " " + esc(spec.usage) if spec.usage else ""
        lines.append(f"/{spec.name}{usage} — {spec.description}")
    if roles.is_coordinator:
        lines += [
            "",
            "<b>" + _("For coordinators") + "</b>",
            _("Send a campaign file (.yaml) as a document to create or update a campaign."),
        ]
        if roles.coordinator_of:
            lines.append(
                _("You coordinate: {campaigns}").format(
                    campaigns=esc(", ".join(sorted(roles.coordinator_of)))
                )
            )
    if roles.is_translator:
        languages = sorted({language for language, _slug in roles.translator_for})
        lines += [
            "",
            "<b>" + _("For translators") + "</b>",
            _("You translate alerts into: {languages}").format(
                languages=esc(", ".join(language_name(code) for code in languages))
            ),
        ]
    return "\n".join(lines)


def campaign_list(campaigns: Sequence[CampaignSummary], locale: str) -> str:
    if not campaigns:
        return _("There are no active campaigns right now.")
    lines = ["<b>" + _("Active campaigns") + "</b>"]
    for campaign in campaigns:
        mark = "✅ " if campaign.subscribed else ""
        lines.append("")
        lines.append(f"{mark}<b>{esc(campaign.title)}</b>")
        lines.append(
            _("{supporters} · details: /info {slug}").format(
                supporters=supporters(campaign.subscribers, locale), slug=esc(campaign.slug)
            )
        )
    return "\n".join(lines)


def _contact_line(contact: Contact) -> str:
    name = f"<b>{esc(contact.name)}</b>"
    if contact.role:
        name += f", {esc(contact.role)}"
    parts = [name]
    if contact.email:
        parts.append(esc(contact.email))
    if contact.phone:
        parts.append(_("phone {number}").format(number=esc(contact.phone)))
    if contact.fax:
        parts.append(_("fax {number}").format(number=esc(contact.fax)))
    if contact.website:
        parts.append(esc(contact.website))
    if contact.address:
        parts.append(esc(contact.address))
    return "• " + " · ".join(parts)


def campaign_info(info: CampaignInfo, locale: str) -> list[str]:
    """The /info card, split into messages that each fit Telegram's limit."""
    lines = [f"<b>{esc(info.title)}</b>"]
    if not info.is_active:
        lines.append("<i>" + _("This campaign is closed.") + "</i>")
    if info.summary:
        lines += ["", esc(info.summary)]
    if info.demands:
        lines += ["", "<b>" + _("Demands") + "</b>"]
        lines += [f"{n}. {esc(demand)}" for n, demand in enumerate(info.demands, start=1)]
    if info.contacts:
        lines += ["", "<b>" + _("Contacts") + "</b>"]
        lines += [_contact_line(contact) for contact in info.contacts]
    languages = fmt_list([language_name(code) for code in info.languages], locale)
    lines += [
        "",
        "<i>"
        + _("{supporters}. Languages: {languages}. Updated {date}.").format(
            supporters=supporters(info.subscribers, locale),
            languages=esc(languages),
            date=fmt_date(info.updated_at, locale),
        )
        + "</i>",
    ]
    return paginate(lines)


def problems(items: Sequence[Problem]) -> list[str]:
    header = ngettext(
        "The campaign file was not loaded: {count} problem.",
        "The campaign file was not loaded: {count} problems.",
        len(items),
    ).format(count=len(items))
    body = [f"• <code>{esc(item.path)}</code>: {esc(item.message)}" for item in items]
    return paginate([header, "", *body])


def paginate(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as possible, none longer than ``limit``.

    A single line longer than the limit is cut at the limit (callers keep lines short).
    """
    pages: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pages.append(current)
        current = line
    if current.strip():
        pages.append(current)
    return pages
