"""Messages the bot composes. Call inside an i18n context; returns Telegram HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.commands import commands_for
from bot.countries import country_label, country_name
from bot.delivery import render
from bot.i18n import fmt_date, fmt_datetime, fmt_list, fmt_number, language_name
from bot.rendering import MESSAGE_LIMIT, esc, mailto_url, truncate
from bot.services.actions import (
    MIN_GROUP,
    ActionCard,
    CampaignStats,
    CountryStats,
    RecordOutcome,
    RecordResult,
    Target,
    TargetStats,
)
from bot.services.alerts import (
    AlertError,
    AlertProblem,
    AlertReport,
    AlertSummary,
    AlertView,
    HoldResult,
    TranslationResult,
)
from bot.services.audit import AuditLine
from bot.services.campaign_file import Problem
from bot.services.campaigns import CampaignInfo, CampaignSummary, Contact
from bot.services.directory import type_tier
from bot.services.endorsements import (
    EndorsementDraft,
    EndorsementError,
    EndorsementProblem,
    EndorsementView,
    FieldError,
    FieldProblem,
    Signatories,
)
from bot.services.exports import ExportError, ExportProblem
from bot.services.privacy import MyData
from bot.services.roles import COORDINATOR, UserRoles
from bot.services.team import DISPLAY_NAME_LIMIT, InviteOutcome, JoinResult, TeamEntry
from bot.telegram_html import HtmlProblem, utf16_length, visible_text


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
    if info.delete_after_days:
        hours = round(info.delete_after_days * 24)
        lines += [
            "",
            "🕑 "
            + ngettext(
                "For your safety, this campaign's alerts are deleted from your chat {count} "
                "hour after they arrive.",
                "For your safety, this campaign's alerts are deleted from your chat {count} "
                "hours after they arrive.",
                hours,
            ).format(count=fmt_number(hours, locale)),
        ]
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


def paginate(
    lines: Sequence[str], limit: int = MESSAGE_LIMIT, measure: Callable[[str], int] = len
) -> list[str]:
    """Join lines into as few messages as possible, none longer than ``limit``.

    ``measure`` counts a message's length (``utf16_length`` counts like Telegram). A single
    line longer than the limit is cut at the limit (callers keep lines short).
    """
    pages: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pages.append(current)
        current = line
    if current.strip():
        pages.append(current)
    return pages


def alert_message(alert: AlertView, text: str, locale: str) -> str:
    """An alert as a supporter reads it (the worker renders it the same way)."""
    return render.alert_message(alert, text, locale, _)


def alert_problem(error: AlertError, alert: AlertView | None = None) -> str:
    match error.problem:
        case AlertProblem.NO_CAMPAIGN:
            return _("There is no such campaign.")
        case AlertProblem.CLOSED:
            return _("This campaign is closed: it sends no more alerts.")
        case AlertProblem.NOT_FOUND:
            return _("There is no such alert.")
        case AlertProblem.EMPTY:
            return _("The alert is empty: send its text.")
        case AlertProblem.TOO_LONG:
            return _(
                "This text is {length} characters long, but an alert can have at most {limit} "
                "(Telegram's limit, less room for the alert's heading). Shorten it and send it "
                "again; nothing was cut or sent."
            ).format(
                length=fmt_number(error.length, current_locale()),
                limit=fmt_number(error.limit, current_locale()),
            )
        case AlertProblem.BAD_HTML:
            return _(
                "Telegram would refuse this text: {problem}. Fix the formatting and send it "
                "again; nothing was sent."
            ).format(problem=esc(html_problem(error.html)))
        case AlertProblem.LANGUAGE_NOT_USED:
            names = [language_name(code) for code in alert.campaign_languages[1:]] if alert else []
            languages = fmt_list(names, current_locale()) if names else ""
            return _(
                "This campaign does not use that language. Translations can be made into: "
                "{languages}."
            ).format(languages=esc(languages or "—"))
        case AlertProblem.WRONG_STATE:
            return _("This alert can no longer be changed (status: {status}).").format(
                status=alert_status(error.status)
            )


def current_locale() -> str:
    return get_i18n().current_locale


def html_problem(problem: HtmlProblem | None) -> str:
    if problem is None:
        return ""
    match problem.kind:
        case "unsupported_tag":
            return _("the tag <{tag}> is not supported").format(tag=problem.detail)
        case "unexpected_end_tag":
            return _("the closing tag </{tag}> does not match an opening tag").format(
                tag=problem.detail
            )
        case "unclosed_tag":
            return _("the tag <{tag}> is never closed").format(tag=problem.detail)
        case "unsupported_entity":
            return _("{entity} is not supported; write &amp; for a literal &").format(
                entity=problem.detail
            )
        case "comment":
            return _("HTML comments are not supported")
        case "bad_link":
            return _(
                "the link “{url}” cannot be sent: links must start with https://, http://, "
                "tg:// or mailto:"
            ).format(url=esc(truncate(problem.detail, 60)))
        case _:
            return str(problem)


def alert_status(status: str) -> str:
    labels = {
        "draft": _("draft"),
        "holding": _("waiting for translations"),
        "released": _("sent"),
        "cancelled": _("cancelled"),
        "retracted": _("retracted"),
    }
    return labels.get(status, status)


def alert_preview_note(alert: AlertView) -> str:
    return _(
        "Preview of alert #{id} for “{slug}”, in {language}. Check it, then choose: send now "
        "to everyone (each reader gets their language when a translation exists, else the "
        "closest one), or hold it for translations."
    ).format(id=alert.id, slug=esc(alert.slug), language=language_name(alert.language))


def alert_sending(alert_id: int, queued: int, locale: str) -> str:
    return ngettext(
        "Alert #{id} is on its way to {count} subscriber. /report {id} shows its progress.",
        "Alert #{id} is on its way to {count} subscribers. /report {id} shows its progress.",
        queued,
    ).format(id=alert_id, count=fmt_number(queued, locale))


def alert_held(alert: AlertView, result: HoldResult, locale: str) -> str:
    if not result.waiting_for or result.hold_until is None:
        return alert_sending(alert.id, result.released_rows, locale)
    languages = fmt_list([language_name(code) for code in result.waiting_for], locale)
    deadline = fmt_datetime(result.hold_until, locale, alert.timezone)
    return _(
        "Alert #{id} waits for translations into {languages} until {deadline}; then those "
        "readers get the closest language available. Already on their way in other "
        "languages: {released}. Translators asked: {translators}."
    ).format(
        id=alert.id,
        languages=esc(languages),
        deadline=esc(deadline),
        released=fmt_number(result.released_rows, locale),
        translators=fmt_number(len(result.translators), locale),
    )


def alert_retracted(alert_id: int, stopped: int, to_delete: int, locale: str) -> str:
    return _(
        "Alert #{id} is retracted. Deliveries stopped: {stopped}. Sent messages being deleted: "
        "{deleted}."
    ).format(
        id=alert_id, stopped=fmt_number(stopped, locale), deleted=fmt_number(to_delete, locale)
    )


def translation_request(alert: AlertView, language: str) -> str:
    return "\n\n".join(
        [
            _("Please translate alert #{id} of “{slug}” into {language}:").format(
                id=alert.id, slug=esc(alert.slug), language=language_name(language)
            ),
            alert.text,
            _(
                "Press Translate and send the text, or send /translate {id} {language_code} "
                "followed by the translation."
            ).format(id=alert.id, language_code=language),
        ]
    )


def translation_saved(alert_id: int, language: str, result: TranslationResult, locale: str) -> str:
    return _(
        "Thank you! The {language} translation of alert #{id} is saved. Deliveries released: "
        "{released}. Messages already sent that will be updated: {edits}."
    ).format(
        language=language_name(language),
        id=alert_id,
        released=fmt_number(result.released_rows, locale),
        edits=fmt_number(result.edits, locale),
    )


def _duration(seconds: float, locale: str) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return _("{minutes} min {seconds} s").format(
        minutes=fmt_number(minutes, locale), seconds=fmt_number(secs, locale)
    )


def alert_report(report: AlertReport, locale: str) -> str:
    alert = report.alert
    lines = [
        "<b>" + _("Alert #{id} · {slug}").format(id=alert.id, slug=esc(alert.slug)) + "</b>",
        _("Status: {status}").format(status=alert_status(alert.status)),
        "",
    ]
    for item in report.languages:
        lines.append(
            _(
                "{language}: {sent} sent, {pending} pending, {failed} failed, {blocked} blocked"
            ).format(
                language=language_name(item.language),
                sent=fmt_number(item.sent, locale),
                pending=fmt_number(item.pending, locale),
                failed=fmt_number(item.failed, locale),
                blocked=fmt_number(item.blocked, locale),
            )
        )
    if not report.languages:
        lines.append(_("Nothing queued yet."))
    if report.deleted:
        lines.append(
            ngettext(
                "Of these, {count} message was deleted from its chat when the campaign's "
                "delete_after_days passed.",
                "Of these, {count} messages were deleted from their chats when the campaign's "
                "delete_after_days passed.",
                report.deleted,
            ).format(count=fmt_number(report.deleted, locale))
        )
    lines.append("")
    if report.elapsed is not None:
        lines.append(_("Elapsed: {time}").format(time=_duration(report.elapsed, locale)))
    if report.pending:
        rate = fmt_number(round(report.rate, 1), locale)
        if report.eta is not None:
            lines.append(
                _("Rate: {rate}/s · remaining about {time}").format(
                    rate=rate, time=_duration(report.eta, locale)
                )
            )
        else:
            lines.append(_("Rate: {rate}/s").format(rate=rate))
    elif report.total:
        lines.append(_("Delivery finished."))
    return "\n".join(lines)


def alert_list(slug: str, summaries: Sequence[AlertSummary], locale: str) -> list[str]:
    if not summaries:
        return [_("No alerts in “{slug}” yet. /alert {slug} writes one.").format(slug=esc(slug))]
    lines = ["<b>" + _("Recent alerts of “{slug}”").format(slug=esc(slug)) + "</b>", ""]
    for summary in summaries:
        alert = summary.alert
        visible, _problem = visible_text(alert.text)
        excerpt = esc(truncate(" ".join(visible.split()), 80))
        moment = esc(fmt_datetime(alert.created_at, locale, alert.timezone))
        status = alert_status(alert.status)
        if summary.open_rows:
            status += " · " + _("pending: {count}").format(
                count=fmt_number(summary.open_rows, locale)
            )
        urgent = "🔴 " if alert.urgent else ""
        lines.append(f"{urgent}#{alert.id} · {moment} · {status}\n{excerpt}")
    return paginate(lines)


# ---------------------------------------------------------------- endorsements


def endorsement_intro(info: CampaignInfo) -> list[str]:
    """What an organisation signs: the statement and the numbered demands."""
    lines = [
        "<b>" + _("Endorse “{title}”").format(title=esc(info.title)) + "</b>",
        "",
        _("By endorsing, your organisation signs this statement:"),
    ]
    if info.statement:
        lines += ["", "<i>" + esc(info.statement) + "</i>"]
    if info.demands:
        lines += ["", "<b>" + _("Demands") + "</b>"]
        lines += [f"{n}. {esc(demand)}" for n, demand in enumerate(info.demands, start=1)]
    lines += [
        "",
        _(
            "A few questions follow; /cancel leaves at any time. Coordinators check every "
            "endorsement before it is published."
        ),
    ]
    return paginate(lines)


def endorsement_prompt(step: str) -> str:
    prompts = {
        "name": _("What is the organisation's name? (2 to 200 characters)"),
        "city": _("In which city is it based? Send /skip to leave the city out."),
        "country": _(
            "In which country is it based? Type the country's name in any language, or its "
            "two-letter code (for example DE or Germany)."
        ),
        "website": _("Its website or public page (starting with https:// or http://), or /skip."),
        "email": _(
            "A contact email of the organisation. It stays private: only the campaign's "
            "coordinators see it."
        ),
        "signer": _(
            "Who signs for the organisation? Send the signer's name and role separated by a "
            "comma (for example: Jane Doe, general secretary), or /skip. Only the campaign's "
            "coordinators see it."
        ),
    }
    return prompts[step]


def field_problem(error: FieldError) -> str:
    match error.problem:
        case FieldProblem.EMPTY:
            return _("Please send it as text.")
        case FieldProblem.TOO_SHORT:
            return _("That is too short: at least {limit} characters.").format(limit=error.limit)
        case FieldProblem.TOO_LONG:
            return _("That is too long: at most {limit} characters.").format(limit=error.limit)
        case FieldProblem.NOT_PRINTABLE:
            return _("Please send it on one line, without control characters.")
        case FieldProblem.NO_LETTERS:
            return _("It must contain letters or digits.")
        case FieldProblem.BAD_EMAIL:
            return _("That is not a valid email address (for example contact@example.org).")
        case FieldProblem.BAD_URL:
            return _(
                "That is not a web address. Send one starting with https:// or http://, for "
                "example https://example.org."
            )


def endorsement_problem(error: EndorsementError) -> str:
    match error.problem:
        case EndorsementProblem.NO_CAMPAIGN:
            return _("There is no such campaign.")
        case EndorsementProblem.CLOSED:
            return _("This campaign is closed: it takes no more endorsements.")
        case EndorsementProblem.DUPLICATE:
            return _(
                "This organisation has already endorsed this campaign (or its endorsement is "
                "waiting for verification)."
            )
        case EndorsementProblem.NOT_FOUND:
            return _("There is no such endorsement.")
        case EndorsementProblem.FORBIDDEN:
            return _("Only the campaign's coordinators can do this.")


def signatory_line(name: str, city: str | None, country: str | None, locale: str) -> str:
    """``Name (City, Country)`` with the country in the reader's language, escaped."""
    place = [part for part in (city, country_name(country, locale) if country else None) if part]
    where = f" ({esc(', '.join(place))})" if place else ""
    return f"{esc(name)}{where}"


def endorsement_status(status: str) -> str:
    labels = {
        "pending": _("waiting for verification"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "withdrawn": _("withdrawn"),
        "removed": _("removed"),
    }
    return labels.get(status, status)


def endorsement_details(draft: EndorsementDraft, locale: str) -> list[str]:
    none = "—"
    signer = ", ".join(part for part in (draft.signer_name, draft.signer_role) if part)
    return [
        _("Organisation: {name}").format(name=esc(draft.name)),
        _("City: {city}").format(city=esc(draft.city or none)),
        _("Country: {country}").format(country=esc(country_label(draft.country, locale))),
        _("Website: {website}").format(website=esc(draft.website or none)),
        _("Contact email (private): {email}").format(email=esc(draft.email)),
        _("Signed by (private): {signer}").format(signer=esc(signer or none)),
    ]


def endorsement_confirmation(title: str, draft: EndorsementDraft, locale: str) -> str:
    return "\n".join(
        [
            "<b>"
            + _("Please check your endorsement of “{title}”:").format(title=esc(title))
            + "</b>",
            "",
            *endorsement_details(draft, locale),
            "",
            _("The list shows: {line}").format(
                line=signatory_line(draft.name, draft.city, draft.country, locale)
            ),
        ]
    )


def endorsement_submitted(view: EndorsementView) -> str:
    return _(
        "Thank you! The endorsement of <b>{name}</b> is waiting for verification by the "
        "campaign's coordinators; you will be told their decision here. /withdraw {slug} "
        "takes it back."
    ).format(name=esc(view.name), slug=esc(view.slug))


def endorsement_card(view: EndorsementView, near: Sequence[EndorsementView], locale: str) -> str:
    """What a coordinator verifies: every field, and the look-alikes already on file."""
    lines = [
        "<b>"
        + _("Endorsement #{id} of “{title}”").format(id=view.id, title=esc(view.campaign_title))
        + "</b>",
        _("Status: {status}").format(status=endorsement_status(view.status)),
        "",
        *endorsement_details(view.draft, locale),
    ]
    if near:
        lines += ["", "⚠️ <b>" + _("Similar organisations already on file:") + "</b>"]
        for other in near[:5]:
            lines.append(
                "• "
                + signatory_line(other.name, other.city, other.country, locale)
                + " · "
                + _("#{id}, {status}").format(id=other.id, status=endorsement_status(other.status))
            )
    return "\n".join(truncate(line, 600) for line in lines)


def endorsement_decided(view: EndorsementView) -> str:
    messages = {
        "approved": _("Endorsement #{id} ({name}) is approved and published."),
        "rejected": _("Endorsement #{id} ({name}) is rejected."),
        "removed": _("Endorsement #{id} ({name}) is removed from the list."),
    }
    return messages.get(view.status, _("Endorsement #{id} ({name}) is {status}.")).format(
        id=view.id, name=esc(view.name), status=endorsement_status(view.status)
    )


def endorsement_already_decided(view: EndorsementView) -> str:
    return _("Someone already decided on endorsement #{id}: it is {status}.").format(
        id=view.id, status=endorsement_status(view.status)
    )


def endorsement_outcome(view: EndorsementView) -> str:
    """What the submitter is told, in their own language."""
    if view.status == "approved":
        return _(
            "Your endorsement of “{title}” by <b>{name}</b> was verified and is now on the "
            "signatory list: /signatories {slug}"
        ).format(title=esc(view.campaign_title), name=esc(view.name), slug=esc(view.slug))
    if view.status == "removed":
        return _(
            "The coordinators removed <b>{name}</b> from the signatory list of “{title}”."
        ).format(title=esc(view.campaign_title), name=esc(view.name))
    text = _(
        "The coordinators did not accept the endorsement of “{title}” by <b>{name}</b>."
    ).format(title=esc(view.campaign_title), name=esc(view.name))
    if view.reason:
        text += "\n" + _("Reason: {reason}").format(reason=esc(view.reason))
    return text


def endorsement_withdrawn(view: EndorsementView) -> str:
    return _("The endorsement of <b>{name}</b> is withdrawn.").format(name=esc(view.name))


def signatories_headline(organisations: int, countries: int, locale: str) -> str:
    return _("{organisations} {countries}").format(
        organisations=ngettext(
            "{count} organisation", "{count} organisations", organisations
        ).format(count=fmt_number(organisations, locale)),
        countries=ngettext("from {count} country", "from {count} countries", countries).format(
            count=fmt_number(countries, locale)
        ),
    )


def signatory_pages(signatories: Signatories, locale: str, *, by_country: bool) -> list[str]:
    """The approved endorsers in signing order (or grouped by country), in pages that each
    fit in one Telegram message."""
    items = signatories.endorsements
    if not items:
        return [
            _("No organisation has endorsed “{title}” yet. /endorse {slug} signs it on.").format(
                title=esc(signatories.title), slug=esc(signatories.slug)
            )
        ]
    lines = [
        "<b>" + _("Signatories of “{title}”").format(title=esc(signatories.title)) + "</b>",
        signatories_headline(len(items), signatories.countries, locale),
    ]
    if by_country:
        groups: dict[str, list[EndorsementView]] = {}
        for item in items:
            groups.setdefault(item.country, []).append(item)
        order = sorted(groups, key=lambda code: country_name(code, locale).casefold())
        for code in order:
            lines += ["", f"<b>{esc(country_name(code, locale))}</b>"]
            lines += [signatory_line(item.name, item.city, None, locale) for item in groups[code]]
    else:
        lines.append("")
        lines += [signatory_line(item.name, item.city, item.country, locale) for item in items]
    return paginate(lines, measure=utf16_length)


def endorsement_milestone(count: int, title: str, slug: str, locale: str) -> str:
    return ngettext(
        "🎉 {count} organisation has now endorsed the statement of “{title}”. See them: "
        "/signatories {slug}",
        "🎉 {count} organisations have now endorsed the statement of “{title}”. See them: "
        "/signatories {slug}",
        count,
    ).format(count=fmt_number(count, locale), title=esc(title), slug=esc(slug))


def export_problem(error: ExportError, kinds: Sequence[str]) -> str:
    match error.problem:
        case ExportProblem.NO_CAMPAIGN:
            return _("There is no such campaign.")
        case ExportProblem.UNKNOWN_KIND:
            return esc(
                _("Send /export <campaign> <kind>, where the kind is one of: {kinds}.").format(
                    kinds=", ".join(kinds)
                )
            )
        case ExportProblem.FORBIDDEN:
            return _("Only the campaign's coordinators can export this.")


def role_name(role: str, language: str | None, slug: str | None) -> str:
    """ "coordinator of zhanaozen", "translator into Russian for every campaign"…"""
    if role == COORDINATOR:
        return _("coordinator of {campaign}").format(campaign=esc(slug or ""))
    name = language_name(language or "", None)
    if slug:
        return _("translator into {language} for {campaign}").format(
            language=name, campaign=esc(slug)
        )
    return _("translator into {language} for every campaign").format(language=name)


def member_label(display_name: str | None, user_id: int | None) -> str:
    """A team member as the team sees them: the display name, else the id (HTML)."""
    if display_name:
        return esc(display_name)
    if user_id is None:
        return _("(erased)")
    return _("member {id} (no name yet)").format(id=f"<code>{user_id}</code>")


def invite_link(link: str, role: str, language: str | None, slug: str) -> str:
    return _(
        "Invitation to join as {role}: {link}\n\nIt works once and expires in 24 hours. Send "
        "it privately to the one person it is for."
    ).format(role=role_name(role, language, slug), link=esc(link))


def join_result(result: JoinResult) -> str:
    match result.outcome:
        case InviteOutcome.JOINED:
            return _(
                "Welcome to the team: you are now {role}.\n\nHow should the team call you? Send "
                "a name for the team list (up to {limit} characters), or /cancel to skip."
            ).format(
                role=role_name(result.role, result.language, result.slug),
                limit=DISPLAY_NAME_LIMIT,
            )
        case InviteOutcome.USED:
            return _("This invitation was already used. Ask for a new one.")
        case InviteOutcome.EXPIRED:
            return _("This invitation has expired. Ask for a new one.")
    return _("This invitation link is not valid.")


def team_list(slug: str, members: Sequence[TeamEntry]) -> list[str]:
    lines = ["<b>" + _("Team of {campaign}").format(campaign=esc(slug)) + "</b>", ""]
    if not members:
        lines.append(_("Nobody yet. Invite people with /invite."))
    for member in members:
        name = member_label(member.display_name, member.user_id)
        scope = None if member.every_campaign else slug
        line = f"• {name} — {role_name(member.role, member.language, scope)}"
        if member.from_file:
            line += " " + _("(named in the campaign file)")
        lines.append(line)
    return paginate(lines)


AUDIT_ACTIONS = {
    "campaign.load": __("campaign file loaded"),
    "role.grant": __("role granted"),
    "role.revoke": __("role removed"),
    "team.invite": __("invitation created"),
    "team.join": __("invitation accepted"),
    "alert.compose": __("alert written"),
    "alert.send": __("alert sent"),
    "alert.hold": __("alert held for translations"),
    "alert.cancel": __("alert cancelled"),
    "alert.retract": __("alert retracted"),
    "alert.translate": __("alert translated"),
    "data.rotate_key": __("encryption key rotated"),
    "endorsement.approve": __("endorsement approved"),
    "endorsement.reject": __("endorsement rejected"),
    "endorsement.remove": __("endorsement removed from the list"),
    "data.export": __("private data exported"),
    "directory.import": __("embassy directory imported"),
}


def audit_list(slug: str, lines_in: Sequence[AuditLine], locale: str) -> list[str]:
    lines = ["<b>" + _("Audit log of {campaign}").format(campaign=esc(slug)) + "</b>", ""]
    if not lines_in:
        lines.append(_("Nothing recorded yet."))
    for entry in lines_in:
        action = AUDIT_ACTIONS.get(entry.action)
        who = (
            member_label(entry.actor, entry.actor_id)
            if entry.actor_id is not None or entry.actor
            else _("the command line or an erased user")
        )
        parts = [fmt_datetime(entry.at, locale), who, str(action) if action else esc(entry.action)]
        if entry.detail:
            parts.append(esc(entry.detail))
        if entry.subject is not None:
            parts.append("→ " + esc(entry.subject))
        lines.append(" · ".join(parts))
    return paginate(lines)


RECORD_LABELS = {
    "deliveries": __("alerts delivered to you (kept to edit or delete them)"),
    "subscriptions": __("subscriptions"),
    "roles": __("team roles"),
    "team_members": __("team display name"),
    "team_invites": __("invitations you created"),
    "alerts": __("alerts you wrote"),
    "alert_translations": __("translations you wrote"),
    "audit_log": __("audit log entries naming you"),
    "endorsements": __("endorsements you submitted or decided on"),
    "contact_records": __("your reports of contacting a target (the totals stay when erased)"),
    "users": __("your settings"),
}


def my_data(data: MyData, locale: str, dialog: bool) -> list[str]:
    lines = ["<b>" + _("What this bot stores about you") + "</b>", ""]
    if not data.stored and not data.records and data.display_name is None:
        lines.append(_("Nothing. The bot does not know you."))
        return paginate(lines)
    lines.append(_("Your Telegram id: {id}").format(id=f"<code>{data.user_id}</code>"))
    if data.stored:
        lines.append(
            _("Language: {language}").format(language=language_name(data.locale or "", None))
        )
        country = country_label(data.country, locale) if data.country else "—"
        lines.append(_("Country: {country}").format(country=esc(country)))
        if data.since is not None:
            lines.append(_("Known since: {date}").format(date=fmt_date(data.since, locale)))
    subscriptions = fmt_list([esc(slug) for slug in data.subscriptions], locale)
    lines.append(_("Subscriptions: {campaigns}").format(campaigns=subscriptions or "—"))
    for role, language, slug, _from_file in data.roles:
        lines.append(_("Role: {role}").format(role=role_name(role, language, slug)))
    if data.display_name is not None:
        lines.append(_("Team display name: {name}").format(name=esc(data.display_name)))
    if dialog:
        lines.append(_("Something you started and have not finished (/cancel drops it)."))
    if data.records:
        lines += ["", _("Records that hold your id:")]
        for table, count in sorted(data.records.items()):
            label = RECORD_LABELS.get(table)
            lines.append(f"• {str(label) if label else esc(table)}: {fmt_number(count, locale)}")
    lines += ["", _("Send /forget to erase all of it.")]
    return paginate(lines)


def role_from_file() -> str:
    return _(
        "This role comes from the campaign file: remove the person from the file's "
        "coordinators and load it again."
    )


# --- contact actions ------------------------------------------------------------------------

#: Longest mailto: link we offer; a longer letter is linked without its body.
MAILTO_LIMIT = 2000
#: Room kept for the rest of an action card when the letter is long.
LETTER_LIMIT = 3300
#: The letter's HTML must fit one message with its heading.
LETTER_HTML_LIMIT = MESSAGE_LIMIT - 100


def mission_kind(kind: str) -> str:
    folded = kind.strip().lower()
    if type_tier(kind) == 0:
        return _("Embassy")
    if folded == "consulate general":
        return _("Consulate general")
    if type_tier(kind) == 1:
        return _("Consulate")
    if folded == "honorary consulate":
        return _("Honorary consulate")
    return _("Diplomatic mission")


def target_name(target: Target, locale: str) -> str:
    """A target's name in the reader's language (missions are named from the directory)."""
    if target.source == "mission" and target.operator and target.kind:
        return _("{mission} of {country}").format(
            mission=mission_kind(target.kind), country=country_name(target.operator, locale)
        )
    return target.name


def letter(card: ActionCard, target: Target | None, country: str, today: datetime) -> str:
    """The letter in its language, placeholders filled (plain text, not yet escaped)."""
    language = card.letter_language
    # The letter is written in its own language, which may not be the reader's: name the
    # target in that language too ("the Embassy of Kazakhstan", not "the Botschaft von…").
    i18n = get_i18n()
    with i18n.use_locale(language if language in i18n.available_locales else i18n.default_locale):
        name = target_name(target, language) if target is not None else ""
    text = card.letter_template.format(
        target=name, country=country_name(country, language), date=fmt_date(today, language)
    )
    return truncate(text, LETTER_LIMIT)


def _target_lines(target: Target, locale: str) -> list[str]:
    lines = [f"🏛 <b>{esc(target_name(target, locale))}</b>"]
    place = ", ".join(
        part
        for part in (
            target.address,
            target.city,
            country_name(target.country, locale) if target.country else None,
        )
        if part
    )
    if place:
        lines.append("📍 " + esc(place))
    for icon, value in (
        ("✉️", target.email),
        ("☎️", target.phone),
        ("📠", target.fax),
        ("🌐", target.website),
    ):
        if value:
            lines.append(f"{icon} {esc(value)}")
    return lines


def action_card(card: ActionCard, country: str, today: datetime, locale: str) -> list[str]:
    """One action for a supporter: the target, the letter, a mailto: link. The last page
    gets the buttons."""
    lines = [f"<b>{esc(card.title)}</b>", ""]
    target = card.target
    if target is None:
        return [
            "\n".join(lines)
            + _(
                "The directory has no mission of {sender} that serves {country}, and this "
                "action has no other address. Nothing to send for now: the coordinators "
                "have been told."
            ).format(
                sender=esc(country_name(card.embassy_of or "", locale)),
                country=esc(country_label(country, locale)),
            )
        ]
    lines += _target_lines(target, locale)
    if card.alternatives > 1:
        lines.append(
            "<i>"
            + _("One of {count} possible addresses: the one contacted least so far.").format(
                count=fmt_number(card.alternatives, locale)
            )
            + "</i>"
        )
    body = letter(card, target, country, today)
    shown = body
    while len(esc(shown)) > LETTER_HTML_LIMIT:  # escaping lengthens "&" and "<" up to 5-fold
        shown = truncate(shown, len(shown) - (len(esc(shown)) - LETTER_HTML_LIMIT) // 5 - 1)
    head = "\n".join(lines)
    letter_block = "<b>" + _("Your letter:") + "</b>\n<blockquote>" + esc(shown) + "</blockquote>"
    footer: list[str] = []
    if target.email:
        url = mailto_url(target.email, subject=card.subject, body=body, cc=card.cc)
        if len(url) <= MAILTO_LIMIT:
            footer.append(
                f'✉️ <a href="{esc(url)}">' + _("Open this email in your mail app") + "</a>"
            )
        else:
            url = mailto_url(target.email, subject=card.subject, cc=card.cc)
            footer.append(
                f'✉️ <a href="{esc(url)}">'
                + _("Write the email")
                + "</a> "
                + _("(the letter is too long for a link: copy it from above)")
            )
        if card.cc:
            footer.append(_("Copy to: {addresses}").format(addresses=esc(", ".join(card.cc))))
    else:
        footer.append(_("This address has no email: send the letter by post or fax, or call."))
    if card.contacted:
        footer.append(
            "<i>"
            + ngettext(
                "{count} supporter has reported contacting for this action.",
                "{count} supporters have reported contacting for this action.",
                card.contacted,
            ).format(count=fmt_number(card.contacted, locale))
            + "</i>"
        )
    footer.append(_("When you have sent it, press “I contacted them”."))
    return paginate([head, "", letter_block, "", "\n".join(footer)])


def act_intro(title: str, count: int) -> str:
    return ngettext(
        "<b>{title}</b>: {count} action. The bot never writes to anyone for you; you send "
        "the letter yourself.",
        "<b>{title}</b>: {count} actions. The bot never writes to anyone for you; you send "
        "the letters yourself.",
        count,
    ).format(title=esc(title), count=count)


def record_result(result: RecordResult, locale: str) -> str:
    if result.outcome is RecordOutcome.ALREADY:
        return _("You have already reported this. Thank you!")
    if result.kind == "unreachable":
        return _("Thank you. The coordinators will check this address.")
    if result.others == 0:
        return _("Thank you! You are the first to report this contact.")
    return ngettext(
        "Thank you! You and {count} other supporter have contacted them.",
        "Thank you! You and {count} other supporters have contacted them.",
        result.others,
    ).format(count=fmt_number(result.others, locale))


def _country_item(country: str | None, locale: str) -> str:
    return country_label(country, locale) if country else _("other or unknown")


def _counts(items: Sequence[tuple[str, int]], locale: str) -> str:
    return fmt_list([f"{esc(label)}: {fmt_number(n, locale)}" for label, n in items], locale)


#: The order /stats lists endorsement statuses in.
ENDORSEMENT_STATUSES = ("approved", "pending", "rejected", "withdrawn", "removed")


def endorsement_stats(counts: dict[str, int], locale: str) -> list[str]:
    """/stats: endorsements by status."""
    total = sum(counts.values())
    items = [
        (endorsement_status(status), counts[status])
        for status in ENDORSEMENT_STATUSES
        if counts.get(status)
    ]
    line = _("Endorsements: {total}").format(total=fmt_number(total, locale))
    if items:
        line += " (" + _counts(items, locale) + ")"
    return [line]


def _target_stat(item: TargetStats, locale: str) -> str:
    today, total = fmt_number(item.today, locale), fmt_number(item.total, locale)
    return f"• {esc(item.target_name)} <i>({esc(item.action_id)})</i>: {today} / {total}"


def _country_stat(item: CountryStats, locale: str) -> str:
    today, total = fmt_number(item.today, locale), fmt_number(item.total, locale)
    return f"• {esc(_country_item(item.country, locale))}: {today} / {total}"


def stats_sections(stats: CampaignStats, locale: str) -> list[list[str]]:
    """/stats as sections of lines; the caller may add sections (endorsements, issue 4)."""
    languages = [(language_name(code) if code else "?", n) for code, n in stats.by_language]
    countries = [(_country_item(code, locale), n) for code, n in stats.by_country]
    subscribers = [
        "<b>" + _("Statistics · {title}").format(title=esc(stats.title)) + "</b>",
        _("Subscribers: {count}").format(count=fmt_number(stats.subscribers, locale)),
    ]
    if languages:
        subscribers.append(_("By language: {items}").format(items=_counts(languages, locale)))
    if countries:
        subscribers.append(_("By country: {items}").format(items=_counts(countries, locale)))
    contacts = [
        _("Contacts reported: {today} today, {total} in total").format(
            today=fmt_number(stats.contacts_today, locale),
            total=fmt_number(stats.contacts_total, locale),
        )
    ]
    sections = [subscribers, contacts]
    target_sections: list[tuple[str, Sequence[TargetStats]]] = [
        (_("Contacts per target (today / total)"), stats.by_target),
        (_("“No contact works” reports per target (today / total)"), stats.unreachable),
    ]
    country_sections: list[tuple[str, Sequence[CountryStats]]] = [
        (_("Contacts per supporter country (today / total)"), stats.by_supporter_country),
        (
            _("Supporters with nothing to contact, per country (today / total)"),
            stats.no_target,
        ),
    ]
    for heading, targets in target_sections:
        if targets:
            sections.append(["<b>" + heading + "</b>", *(_target_stat(t, locale) for t in targets)])
    for heading, countries_ in country_sections:
        if countries_:
            sections.append(
                ["<b>" + heading + "</b>", *(_country_stat(c, locale) for c in countries_)]
            )
    sections.append(
        [
            "<i>"
            + _(
                "Only counts are kept, never who acted. Countries with fewer than {count} "
                "supporters are shown together."
            ).format(count=MIN_GROUP)
            + "</i>"
        ]
    )
    return sections


def campaign_stats(sections: Sequence[Sequence[str]]) -> list[str]:
    lines: list[str] = []
    for section in sections:
        if lines:
            lines.append("")
        lines += section
    return paginate(lines)


def stats_chart_caption(days: int) -> str:
    return _(
        "Left: contacts reported per day over the last {days} days. Right: contacts per "
        "supporter country (ISO codes)."
    ).format(days=days)
