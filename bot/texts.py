"""Messages the bot composes. Call inside an i18n context; returns Telegram HTML."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

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
from bot.services.campaign_file import Problem
from bot.services.campaigns import CampaignInfo, CampaignSummary, Contact
from bot.services.directory import type_tier
from bot.services.roles import UserRoles
from bot.telegram_html import HtmlProblem, visible_text


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
