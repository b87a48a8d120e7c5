"""Contact actions through the real Dispatcher on both databases: the country asked once,
the right mission, the letter and its mailto: link, idempotent reports, the least contacted
target, the Take action button under alerts, /stats and the actions CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ContactCallback, CountryCallback, ForgetCallback, TakeActionCallback
from bot.config import Settings
from bot.delivery.factory import create_worker
from bot.services.actions import ActionService
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from bot.services.directory import DirectoryService, parse_embassy_csv
from bot.services.endorsements import EndorsementDraft, EndorsementService
from db.models import Campaign, ContactRecord, User
from tests.campaigns import campaign_data
from tests.embassies import HEADER, csv_row
from tests.fakeapi import Call
from tests.harness import COORDINATOR_ID, SUPPORTER_ID, BotHarness, reply

DIRECTORY = "\n".join(
    [
        HEADER,
        csv_row(
            "Kazakhstan",
            "Germany",
            "Berlin",
            "Q10",
            email="mailto:kz-berlin@example.de",
            phone="+49 30 000",
            website="https://kz.example.de",
        ),
        csv_row("Kazakhstan", "Germany", "Frankfurt", "Q11", kind="consulate general"),
        csv_row("Kazakhstan", "Canada", "Ottawa", "Q12", jurisdictions="Canada|The Bahamas"),
        csv_row("Kazakhstan", "France", "Lyon", "Q13", kind="honorary consulate"),
    ]
)
MINISTRY_A = {"name": "Ministry of Foreign Affairs", "email": "mfa@example.org", "city": "Astana"}
MINISTRY_B = {"name": "Ministry, Almaty office", "email": "almaty@example.org", "city": "Almaty"}


def actions(**embassy: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": "embassy",
            "title": {"en": "Protest to the embassy", "ru": "Протест посольству"},
            "subject": {"en": "Free the workers & their union"},
            "template": {
                "en": "Dear Ambassador,\nI write from {country} to the {target} on {date}.",
                "ru": "Уважаемый посол! Пишу из страны {country} в {target}.",
            },
            "embassy_of": "KZ",
            "cc": ["campaign@example.org"],
            **embassy,
        },
        {
            "id": "ministry",
            "title": {"en": "Protest to the ministry"},
            "template": {"en": "Dear Minister, from {country}."},
            "contacts": [MINISTRY_A, MINISTRY_B],
        },
    ]


@pytest.fixture
async def campaign(session: AsyncSession) -> None:
    await DirectoryService(session).import_missions(parse_embassy_csv(DIRECTORY))
    await CampaignService(session).load(validate_campaign(campaign_data(actions=actions())))


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def cards(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage" and buttons(c)]


async def act(harness: BotHarness, user_id: int, country: str, lang: str = "en") -> list[Call]:
    """/act for a new supporter who answers the country question."""
    calls = await harness.send(user_id, "/act zhanaozen", language_code=lang)
    assert len(calls) == 1 and not cards(calls)  # the country question comes first
    return await harness.send(user_id, country, language_code=lang)


async def count_records(harness: BotHarness, **where: Any) -> int:
    async with harness.session_factory() as session:
        stmt = select(func.count()).select_from(ContactRecord).filter_by(**where)
        return int(await session.scalar(stmt) or 0)


@pytest.mark.usefixtures("campaign")
async def test_country_asked_once_then_the_embassy_and_the_ministry(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/act zhanaozen")
    assert "I need to know which country you are in" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "Германия")
    text = reply(calls)
    assert "Your country is now 🇩🇪 Germany." in text
    embassy, ministry = cards(calls)
    assert "<b>Protest to the embassy</b>" in embassy.text
    assert "🏛 <b>Embassy of Kazakhstan</b>" in embassy.text
    assert "Berlin" in embassy.text and "Frankfurt" not in embassy.text
    assert "kz-berlin@example.de" in embassy.text and "+49 30 000" in embassy.text
    # The letter in the supporter's language, placeholders filled.
    assert "I write from Germany to the Embassy of Kazakhstan on" in embassy.text
    # A mailto: link with subject, cc and body percent-encoded (RFC 6068).
    href = embassy.text.split('<a href="', 1)[1].split('"', 1)[0]
    assert href.startswith("mailto:kz-berlin@example.de?subject=Free%20the%20workers%20%26%20")
    assert "&amp;cc=campaign@example.org&amp;body=Dear%20Ambassador%2C%0D%0AI%20write" in href
    assert unquote(href.split("body=", 1)[1]).startswith("Dear Ambassador,\r\nI write from")
    assert "Ministry of Foreign Affairs" in ministry.text and "Astana" in ministry.text
    labels = [b["text"] for b in buttons(embassy)]
    assert labels == ["I contacted them", "No contact works"]
    # Asked once: the next /act goes straight to the actions.
    calls = await harness.send(SUPPORTER_ID, "/act zhanaozen")
    assert "which country" not in reply(calls) and len(cards(calls)) == 2


@pytest.mark.usefixtures("campaign")
async def test_country_from_the_suggestions_in_the_users_language(harness: BotHarness) -> None:
    await harness.send(SUPPORTER_ID, "/act zhanaozen", language_code="ru")
    calls = await harness.send(SUPPORTER_ID, "кана", language_code="ru")
    pressed = CountryCallback(purpose="act.zhanaozen", code="CA").pack()
    assert pressed in {b["callback_data"] for b in buttons(calls[-1])}
    calls = await harness.press(SUPPORTER_ID, pressed, language_code="ru")
    embassy = cards(calls)[0]
    assert "Ottawa" in embassy.text
    assert "Пишу из страны Канада" in embassy.text  # the Russian letter, Russian country name
    # A forged country changes nothing.
    forged = CountryCallback(purpose="act.zhanaozen", code="QQ").pack()
    calls = await harness.press(SUPPORTER_ID, forged, language_code="ru")
    assert any(c.method == "answerCallbackQuery" and c.params.get("show_alert") for c in calls)


@pytest.mark.usefixtures("campaign")
async def test_a_letter_in_another_language_names_the_target_in_that_language(
    harness: BotHarness,
) -> None:
    """A German reader of an English-only letter: the card speaks German, the letter
    stays English throughout."""
    calls = await act(harness, SUPPORTER_ID, "Deutschland", "de")
    embassy = cards(calls)[0]
    assert "🏛 <b>Botschaft von Kasachstan</b>" in embassy.text
    assert "I write from Germany to the Embassy of Kazakhstan on" in embassy.text


@pytest.mark.usefixtures("campaign")
async def test_reports_are_idempotent_and_show_the_running_total(harness: BotHarness) -> None:
    calls = await act(harness, SUPPORTER_ID, "DE")
    done = buttons(cards(calls)[0])[0]["callback_data"]
    assert ContactCallback.unpack(done).target == "Q10"
    calls = await harness.press(SUPPORTER_ID, done)
    assert "You are the first to report this contact." in reply(calls)
    calls = await harness.press(SUPPORTER_ID, done)
    assert "You have already reported this." in reply(calls)
    assert await count_records(harness, kind="contacted") == 1
    for user_id in (2001, 2002):
        calls = await act(harness, user_id, "Germany")
        calls = await harness.press(user_id, buttons(cards(calls)[0])[0]["callback_data"])
    assert "Thank you! You and 2 other supporters have contacted them." in reply(calls)
    # The card shows the total, and the reporter's own button is marked.
    calls = await harness.send(SUPPORTER_ID, "/act zhanaozen")
    embassy = cards(calls)[0]
    assert "3 supporters have reported contacting for this action." in embassy.text
    assert buttons(embassy)[0]["text"] == "✅ I contacted them"
    # "No contact works" is recorded separately, once.
    broken = buttons(embassy)[1]["callback_data"]
    await harness.press(SUPPORTER_ID, broken)
    await harness.press(SUPPORTER_ID, broken)
    assert await count_records(harness, kind="unreachable") == 1


@pytest.mark.usefixtures("campaign")
async def test_a_forged_report_records_nothing(harness: BotHarness, session: AsyncSession) -> None:
    await act(harness, SUPPORTER_ID, "DE")
    campaign_id = ContactCallback.unpack(
        buttons(cards(await harness.send(SUPPORTER_ID, "/act zhanaozen"))[0])[0]["callback_data"]
    ).campaign
    for forged in (
        ContactCallback(kind="d", campaign=campaign_id, action="embassy", target="Q12"),  # Canada
        ContactCallback(kind="d", campaign=campaign_id, action="nope", target="Q10"),
        ContactCallback(kind="d", campaign=campaign_id + 1, action="embassy", target="Q10"),
        ContactCallback(kind="z", campaign=campaign_id, action="embassy", target="Q10"),
    ):
        calls = await harness.press(SUPPORTER_ID, forged.pack())
        assert any(c.method == "answerCallbackQuery" and c.params.get("show_alert") for c in calls)
    # Someone who never told their country cannot report either.
    genuine = ContactCallback(kind="d", campaign=campaign_id, action="embassy", target="Q10")
    calls = await harness.press(2999, genuine.pack())
    assert any(c.params.get("show_alert") for c in calls)
    assert await count_records(harness) == 0


@pytest.mark.usefixtures("campaign")
async def test_the_least_contacted_target_is_suggested(harness: BotHarness) -> None:
    shown = []
    for user_id in (2001, 2002, 2003):
        calls = await act(harness, user_id, "DE")
        ministry = cards(calls)[1]
        assert "One of 2 possible addresses" in ministry.text
        shown.append("Almaty" if "Almaty" in ministry.text else "Astana")
        await harness.press(user_id, buttons(ministry)[0]["callback_data"])
    # A tie goes to the first listed; then the one with fewer contacts.
    assert shown == ["Astana", "Almaty", "Astana"]


async def test_no_mission_and_no_fallback_is_said_plainly_and_counted(
    harness: BotHarness, session: AsyncSession
) -> None:
    await DirectoryService(session).import_missions(parse_embassy_csv(DIRECTORY))
    await CampaignService(session).load(validate_campaign(campaign_data(actions=actions())))
    calls = await act(harness, SUPPORTER_ID, "Japan")
    text = reply(calls)
    assert "The directory has no mission of Kazakhstan that serves 🇯🇵 Japan" in text
    assert len(cards(calls)) == 1  # only the ministry has buttons
    await harness.send(SUPPORTER_ID, "/act zhanaozen")  # counted once per supporter
    assert await count_records(harness, kind="no_target", country="JP") == 1
    # With a fallback, the fallback is the target.
    fallback = {"name": "MFA of Kazakhstan", "email": "mfa@example.org"}
    await CampaignService(session).load(
        validate_campaign(campaign_data(actions=actions(fallback=fallback)))
    )
    calls = await harness.send(SUPPORTER_ID, "/act zhanaozen")
    assert "MFA of Kazakhstan" in cards(calls)[0].text


async def test_the_take_action_button_under_alerts(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    await DirectoryService(session).import_missions(parse_embassy_csv(DIRECTORY))
    await CampaignService(session).load(validate_campaign(campaign_data(actions=actions())))
    await harness.send(SUPPORTER_ID, "/start zhanaozen")
    await harness.send(SUPPORTER_ID, "/country")
    await harness.send(SUPPORTER_ID, "France")
    calls = await harness.send(COORDINATOR_ID, "/alert zhanaozen Strike day 3")
    send = next(b for b in buttons(calls[-1]) if b["text"] == "Send now")
    await harness.press(COORDINATOR_ID, send["callback_data"])
    await create_worker(settings, harness.session_factory).drain()
    alert = [c for c in harness.api.calls_of("sendMessage", SUPPORTER_ID) if "Strike" in c.text]
    take = buttons(alert[-1])[0]
    assert take == {
        "text": "Take action",
        "callback_data": TakeActionCallback(slug="zhanaozen").pack(),
    }
    calls = await harness.press(SUPPORTER_ID, take["callback_data"])
    embassy = cards(calls)[0]
    assert "Honorary consulate of Kazakhstan" in embassy.text and "Lyon" in embassy.text
    assert "This address has no email" in embassy.text and "mailto:" not in embassy.text


@pytest.mark.usefixtures("campaign")
async def test_act_without_campaign_or_actions(harness: BotHarness, session: AsyncSession) -> None:
    assert "Which campaign?" in reply(await harness.send(SUPPORTER_ID, "/act"))
    assert "There is no campaign called “nope”." in reply(
        await harness.send(SUPPORTER_ID, "/act nope")
    )
    await CampaignService(session).load(validate_campaign(campaign_data("quiet")))
    assert "asks for no contact actions" in reply(await harness.send(SUPPORTER_ID, "/act quiet"))


@pytest.mark.usefixtures("campaign")
async def test_erasure_keeps_the_totals(harness: BotHarness) -> None:
    calls = await act(harness, SUPPORTER_ID, "DE")
    await harness.press(SUPPORTER_ID, buttons(cards(calls)[0])[0]["callback_data"])
    assert await count_records(harness, kind="contacted", user_id=SUPPORTER_ID) == 1
    await harness.send(SUPPORTER_ID, "/forget")
    await harness.press(SUPPORTER_ID, ForgetCallback(confirm=True).pack())
    async with harness.session_factory() as session:
        assert await session.get(User, SUPPORTER_ID) is None
    assert await count_records(harness, kind="contacted", user_id=SUPPORTER_ID) == 0
    assert await count_records(harness, kind="contacted", country="DE", user_id=None) == 1


async def contact(harness: BotHarness, user_id: int, country: str, lang: str = "en") -> None:
    calls = await act(harness, user_id, country, lang)
    await harness.press(user_id, buttons(cards(calls)[0])[0]["callback_data"], language_code=lang)


@pytest.mark.usefixtures("campaign")
async def test_stats_and_actions_csv_show_counts_only(harness: BotHarness) -> None:
    for user_id in (2001, 2002, 2003):
        await harness.send(user_id, "/start zhanaozen")
        await contact(harness, user_id, "DE")
    await contact(harness, 2004, "CA", "ru")
    calls = await harness.send(COORDINATOR_ID, "/stats zhanaozen")
    text = reply(calls)
    assert "Subscribers: 3" in text
    assert "By country: 🇩🇪 Germany: 3" in text
    assert "Contacts reported: 4 today, 4 in total" in text
    assert "• embassy of Kazakhstan (Berlin, DE) <i>(embassy)</i>: 3 / 3" in text
    assert "• 🇩🇪 Germany: 3 / 3" in text
    assert "• other or unknown: 1 / 1" in text  # a single supporter's country is not shown
    for user_id in (2001, 2002, 2003, 2004):
        assert str(user_id) not in text
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1 and "contacts reported per day" in photos[0].params["caption"]

    export = await harness.send(COORDINATOR_ID, "/export zhanaozen actions")
    document = next(c for c in export if c.method == "sendDocument")
    rows = list(csv.DictReader(io.StringIO(document.params["document"].content.decode())))
    assert {(r["target"], r["supporter_country"], r["outcome"], r["count"]) for r in rows} == {
        ("Q10", "DE", "contacted", "3"),
        ("Q12", "", "contacted", "1"),
    }
    assert set(rows[0]) == {
        "campaign",
        "action",
        "target",
        "target_name",
        "supporter_country",
        "outcome",
        "count",
    }


@pytest.mark.usefixtures("campaign")
async def test_stats_only_for_the_campaigns_coordinators(harness: BotHarness) -> None:
    text = reply(await harness.send(SUPPORTER_ID, "/stats zhanaozen"))
    assert "Subscribers" not in text
    await harness.send(3001, "/start")
    text = reply(await harness.send(COORDINATOR_ID, "/stats other-campaign"))
    assert "You do not coordinate the campaign “other-campaign”." in text


@pytest.mark.usefixtures("campaign")
async def test_stats_today_and_in_total(harness: BotHarness, session: AsyncSession) -> None:
    campaign_id = await session.scalar(select(Campaign.id).where(Campaign.slug == "zhanaozen"))
    assert campaign_id is not None
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)  # campaign zone Asia/Aqtau is UTC+5
    for days_ago, country, kind in (
        (0, "DE", "contacted"),
        (0, "DE", "contacted"),
        (2, "DE", "contacted"),
        (2, "KZ", "contacted"),
        (1, "DE", "unreachable"),
        (0, "JP", "no_target"),
    ):
        session.add(
            ContactRecord(
                campaign_id=campaign_id,
                action_id="embassy",
                target_key="Q10",
                target_name="embassy of Kazakhstan (Berlin, DE)",
                user_id=None,
                country=country,
                kind=kind,
                created_at=now - timedelta(days=days_ago),
            )
        )
    await session.commit()
    stats = await ActionService(session).stats("zhanaozen", "en", now)
    assert stats is not None
    assert (stats.contacts_today, stats.contacts_total) == (2, 4)
    assert [(t.target_key, t.today, t.total) for t in stats.by_target] == [("Q10", 2, 4)]
    assert [(c.country, c.today, c.total) for c in stats.by_supporter_country] == [
        ("DE", 2, 3),
        (None, 0, 1),
    ]
    assert [(t.today, t.total) for t in stats.unreachable] == [(0, 1)]
    assert [(c.country, c.total) for c in stats.no_target] == [(None, 1)]
    assert stats.per_day == [("2026-11-22", 2), ("2026-11-24", 2)]


@pytest.mark.usefixtures("campaign")
async def test_stats_count_endorsements_by_status(
    harness: BotHarness, session: AsyncSession
) -> None:
    endorsements = EndorsementService(session, frozenset(), "en")
    submitted = [
        await endorsements.submit(2001, "en", "zhanaozen", EndorsementDraft(name, "FR", "a@b.org"))
        for name in ("Union One", "Union Two", "Union Three")
    ]
    await endorsements.decide(submitted[0].endorsement.id, COORDINATOR_ID, "approve", "en")
    await endorsements.decide(submitted[1].endorsement.id, COORDINATOR_ID, "reject", "en")
    text = reply(await harness.send(COORDINATOR_ID, "/stats zhanaozen"))
    assert "Endorsements: 3 (approved: 1, waiting for verification: 1, and rejected: 1)" in text, (
        text
    )
    assert "a@b.org" not in text
    nothing = reply(await harness.send(COORDINATOR_ID, "/stats nosuch"))
    assert "You do not coordinate the campaign “nosuch”." in nothing
