"""Endorsements end to end: the dialog and the one-line form, validation, duplicates,
verification by coordinators, the signatory list, exports and milestones, through the real
Dispatcher on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import CountryCallback, EndorseFormCallback, EndorsementCallback
from bot.campaign_cli import export_csv
from bot.config import Settings
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import Alert, AlertTranslation, Delivery, Endorsement, User
from tests.campaigns import campaign_data
from tests.fakeapi import Call, UploadedFile
from tests.harness import COORDINATOR_ID, OWNER_ID, SUPPORTER_ID, BotHarness, reply

SUBMITTER_RU = 2100
OTHER_COORDINATOR = 3100
READER_RU = 5001
READER_DE = 5002
SUBMIT = EndorseFormCallback(action="submit").pack()


@pytest.fixture
async def campaign(harness: BotHarness, session: AsyncSession) -> None:
    service = CampaignService(session)
    await service.load(validate_campaign(campaign_data(endorsement_milestones=[2, 3])))
    await service.load(
        validate_campaign(campaign_data("other-campaign", coordinators=[OTHER_COORDINATOR]))
    )
    await service.load(validate_campaign(campaign_data("closed-one", status="closed")))
    harness.api.calls.clear()


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def to(calls: list[Call], chat_id: int) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def endorsement(harness: BotHarness, name: str | None = None) -> Endorsement:
    async with harness.session_factory() as session:
        stmt = select(Endorsement).order_by(Endorsement.id.desc())
        if name is not None:
            stmt = stmt.where(Endorsement.name == name)
        found = await session.scalar(stmt.limit(1))
        assert found is not None
        return found


async def one_line(
    harness: BotHarness,
    user_id: int,
    line: str,
    *,
    slug: str = "zhanaozen",
    language_code: str = "en",
) -> list[Call]:
    """Submit with the one-line form and press Submit; returns every call."""
    calls = await harness.send(user_id, f"/endorse {slug} {line}", language_code=language_code)
    assert SUBMIT in buttons(calls[-1]), reply(calls)
    return calls + await harness.press(user_id, SUBMIT, language_code=language_code)


def approve(endorsement_id: int, action: str = "approve") -> str:
    return EndorsementCallback(action=action, endorsement_id=endorsement_id).pack()


@pytest.mark.usefixtures("campaign")
async def test_dialog_step_by_step_with_every_validation(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/endorse zhanaozen")
    text = reply(calls)
    assert "We stand with the oil workers." in text  # the statement
    assert "1. Release the arrested workers\n2. Investigate the torture" in text
    assert text.endswith("What is the organisation's name? (2 to 200 characters)")

    calls = await harness.send(SUPPORTER_ID, "A")
    assert reply(calls).startswith("That is too short: at least 2 characters.")
    calls = await harness.send(SUPPORTER_ID, "x" * 201)
    assert reply(calls).startswith("That is too long: at most 200 characters.")
    calls = await harness.send(SUPPORTER_ID, "!!")
    assert reply(calls).startswith("It must contain letters or digits.")
    calls = await harness.send(SUPPORTER_ID, "/skip")
    assert reply(calls).startswith("This question cannot be skipped.")
    calls = await harness.send(SUPPORTER_ID, '<b>Workers</b> & "Friends" Union')
    assert "In which city" in reply(calls)

    calls = await harness.send(SUPPORTER_ID, "/skip")
    assert "In which country" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "Atlantis")
    assert "I don't know a country called “Atlantis”" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "guin")
    assert CountryCallback(purpose="endorse", code="GN").pack() in buttons(calls[-1])
    # A forged country is refused.
    calls = await harness.press(SUPPORTER_ID, CountryCallback(purpose="endorse", code="QQ").pack())
    assert any(c.params.get("show_alert") for c in calls if c.method == "answerCallbackQuery")
    calls = await harness.press(SUPPORTER_ID, CountryCallback(purpose="endorse", code="GN").pack())
    assert "Its website or public page" in reply(calls)

    for bad in ("ftp://example.org", "https://localhost", "example.org", "https://" + "a" * 300):
        calls = await harness.send(SUPPORTER_ID, bad)
        assert "Its website or public page" in reply(calls), bad
        assert not reply(calls).startswith("Its website"), bad  # a reason comes first
    calls = await harness.send(SUPPORTER_ID, "https://union.example.org/about")
    assert "A contact email of the organisation" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "not-an-email")
    assert reply(calls).startswith("That is not a valid email address")
    calls = await harness.send(SUPPORTER_ID, "press@union.example.org")
    assert "Who signs for the organisation?" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "Jane Doe, general secretary")
    confirmation = calls[-1]
    assert confirmation.text is not None
    assert "Organisation: &lt;b&gt;Workers&lt;/b&gt; &amp; &quot;Friends&quot; Union" in (
        confirmation.text
    )
    assert "Country: 🇬🇳 Guinea" in confirmation.text
    assert "Signed by (private): Jane Doe, general secretary" in confirmation.text
    assert buttons(confirmation) == [SUBMIT, EndorseFormCallback(action="cancel").pack()]
    async with harness.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Endorsement)) == 0

    calls = await harness.press(SUPPORTER_ID, SUBMIT)
    assert "is waiting for verification" in reply(to(calls, SUPPORTER_ID))
    card = to(calls, COORDINATOR_ID)
    assert len(card) == 1 and card[0].text is not None
    assert "press@union.example.org" in card[0].text
    assert "&lt;b&gt;Workers&lt;/b&gt;" in card[0].text
    stored = await endorsement(harness)
    assert (stored.status, stored.country, stored.city, stored.submitter_id) == (
        "pending",
        "GN",
        None,
        SUPPORTER_ID,
    )
    assert (stored.signer_name, stored.signer_role) == ("Jane Doe", "general secretary")
    assert buttons(card[0]) == [approve(stored.id, a) for a in ("approve", "reject", "reason")]
    async with harness.session_factory() as session:  # the submitter's user row now exists
        assert await session.get(User, SUPPORTER_ID) is not None
    # The dialog is over.
    calls = await harness.press(SUPPORTER_ID, SUBMIT)
    assert "This button no longer works" in str(calls[0].params)


@pytest.mark.usefixtures("campaign")
async def test_one_line_form_and_its_bad_fields(harness: BotHarness) -> None:
    calls = await harness.send(
        SUPPORTER_ID, "/endorse zhanaozen Teachers' Union | Lyon, France | contact@tu.example.org"
    )
    assert "The list shows: Teachers&#x27; Union (Lyon, France)" in reply(calls)
    calls = await harness.press(SUPPORTER_ID, EndorseFormCallback(action="cancel").pack())
    assert "Cancelled. Nothing was saved." in reply(calls)

    # A bad email is asked again, with the reason; the other fields are kept.
    calls = await harness.send(
        SUPPORTER_ID, "/endorse zhanaozen Teachers' Union | USA | contact(at)tu.example.org"
    )
    assert "That is not a valid email address" in reply(calls)
    assert "A contact email of the organisation" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "contact@tu.example.org")
    assert "The list shows: Teachers&#x27; Union (United States)" in reply(calls)

    calls = await harness.send(SUPPORTER_ID, "/endorse zhanaozen only | two parts")
    assert "In one line, send:" in reply(calls)


@pytest.mark.usefixtures("campaign")
async def test_missing_and_closed_campaigns(harness: BotHarness) -> None:
    assert "There is no such campaign." in reply(await harness.send(SUPPORTER_ID, "/endorse nope"))
    calls = await harness.send(SUPPORTER_ID, "/endorse closed-one")
    assert "This campaign is closed: it takes no more endorsements." in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "/endorse")
    assert "name, for example /endorse zhanaozen. In one line:" in reply(calls)


@pytest.mark.usefixtures("campaign")
async def test_duplicates_and_near_duplicates(harness: BotHarness) -> None:
    await one_line(harness, SUPPORTER_ID, "Oil Workers' Union | Aktau, KZ | a@example.org")
    # Case, spaces, punctuation and a legal form do not make another organisation.
    calls = await harness.send(
        SUPPORTER_ID, "/endorse zhanaozen oil  workers union, Ltd. | Kazakhstan | b@example.org"
    )
    assert "has already endorsed this campaign" in reply(calls)
    assert SUBMIT not in buttons(calls[-1])
    # The same name in another country, and one word different: flagged, not refused.
    calls = await one_line(harness, SUPPORTER_ID, "Oil Workers Union | Russia | c@example.org")
    card = to(calls, COORDINATOR_ID)[0].text or ""
    assert "Similar organisations already on file:" in card
    assert "Oil Workers&#x27; Union (Aktau, Kazakhstan)" in card
    calls = await one_line(harness, SUPPORTER_ID, "Gas Workers Union | KZ | d@example.org")
    assert "Similar organisations already on file:" in (to(calls, COORDINATOR_ID)[0].text or "")
    calls = await one_line(harness, SUPPORTER_ID, "Teachers of Lyon | FR | e@example.org")
    assert "Similar organisations" not in (to(calls, COORDINATOR_ID)[0].text or "")

    # A rejected endorsement frees the name (the real organisation after an impersonator).
    first = await endorsement(harness, "Oil Workers' Union")
    await harness.press(COORDINATOR_ID, approve(first.id, "reject"))
    await one_line(harness, SUPPORTER_ID, "OIL WORKERS UNION | Kazakhstan | f@example.org")


@pytest.mark.usefixtures("campaign")
async def test_only_the_campaigns_coordinators_decide_once(harness: BotHarness) -> None:
    await one_line(
        harness, SUBMITTER_RU, "Союз | Москва, Россия | a@example.org", language_code="ru"
    )
    item = await endorsement(harness)
    for intruder in (SUPPORTER_ID, OTHER_COORDINATOR, SUBMITTER_RU):
        calls = await harness.press(intruder, approve(item.id))
        language = "ru" if intruder == SUBMITTER_RU else "en"
        assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
            harness.t("Only the campaign's coordinators can do this.", language)
        ]
        assert to(calls, SUBMITTER_RU) == []
    assert (await endorsement(harness)).status == "pending"

    calls = await harness.press(COORDINATOR_ID, approve(item.id))
    assert "is approved and published" in reply(to(calls, COORDINATOR_ID))
    told = to(calls, SUBMITTER_RU)
    assert len(told) == 1
    assert told[0].text == harness.t(
        "Your endorsement of “{title}” by <b>{name}</b> was verified and is now on the "
        "signatory list: /signatories {slug}",
        "ru",
        title="Свободу нефтяникам Жанаозена",
        name="Союз",
        slug="zhanaozen",
    )
    # The owner presses the same card later: already decided, nobody is told twice.
    calls = await harness.press(OWNER_ID, approve(item.id, "reject"))
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == [f"Someone already decided on endorsement #{item.id}: it is approved."]
    assert to(calls, SUBMITTER_RU) == []
    assert (await endorsement(harness)).status == "approved"

    # Removal by a coordinator.
    calls = await harness.press(COORDINATOR_ID, approve(item.id, "remove"))
    assert "is removed from the list" in reply(calls)
    assert len(to(calls, SUBMITTER_RU)) == 1
    assert (await endorsement(harness)).dedup_key is None


@pytest.mark.usefixtures("campaign")
async def test_reject_with_reason_pending_and_withdraw(harness: BotHarness) -> None:
    await one_line(harness, SUPPORTER_ID, "Fake Union | Paris, France | x@example.org")
    await one_line(harness, SUPPORTER_ID, "Real Union | Paris, France | y@example.org")
    fake = await endorsement(harness, "Fake Union")
    calls = await harness.send(COORDINATOR_ID, "/pending zhanaozen")
    assert "2 endorsements wait for verification." in reply(calls)
    assert len([c for c in calls if approve(fake.id) in buttons(c)]) == 1
    assert "not available to you" in reply(await harness.send(SUPPORTER_ID, "/pending zhanaozen"))
    calls = await harness.send(OTHER_COORDINATOR, "/pending zhanaozen")
    assert "Only the campaign's coordinators can do this." in reply(calls)

    calls = await harness.press(COORDINATOR_ID, approve(fake.id, "reason"))
    assert "Send the reason for rejecting" in reply(calls)
    calls = await harness.send(COORDINATOR_ID, "Nobody at <this> union signed")
    assert "is rejected" in reply(to(calls, COORDINATOR_ID))
    told = reply(to(calls, SUPPORTER_ID))
    assert "did not accept" in told and "Reason: Nobody at &lt;this&gt; union signed" in told
    assert (await endorsement(harness, "Fake Union")).reason == "Nobody at <this> union signed"

    calls = await harness.send(SUPPORTER_ID, "/withdraw zhanaozen")
    real = await endorsement(harness, "Real Union")
    assert buttons(calls[-1]) == [approve(real.id, "withdraw")]
    calls = await harness.press(COORDINATOR_ID, approve(real.id, "withdraw"))  # not theirs
    assert (await endorsement(harness, "Real Union")).status == "pending"
    calls = await harness.press(SUPPORTER_ID, approve(real.id, "withdraw"))
    assert "is withdrawn" in reply(calls)
    assert (await endorsement(harness, "Real Union")).status == "withdrawn"
    calls = await harness.send(SUPPORTER_ID, "/withdraw zhanaozen")
    assert "You have no endorsement of this campaign to withdraw." in reply(calls)


@pytest.mark.usefixtures("campaign")
async def test_signatories_list_by_country_and_csv_exports(
    harness: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    calls = await harness.send(SUPPORTER_ID, "/signatories zhanaozen")
    assert "No organisation has endorsed" in reply(calls)
    lines = (
        '=HYPERLINK("http://evil") | Berlin, Germany | a@example.org',
        "Syndicat <Sud> | Lyon, France | b@example.org",
        "IG Metall | Germany | c@example.org",
    )
    for line in lines:
        await one_line(harness, SUPPORTER_ID, line)
    async with harness.session_factory() as session:
        ids = list(await session.scalars(select(Endorsement.id).order_by(Endorsement.id)))
    for endorsement_id in ids:
        await harness.press(COORDINATOR_ID, approve(endorsement_id))

    calls = await harness.send(READER_DE, "/signatories zhanaozen", language_code="de")
    text = reply(calls)
    assert "3 Organisationen aus 2 Ländern" in text or "3 organisations from 2 countries" in text
    assert text.splitlines()[-3:] == [
        "=HYPERLINK(&quot;http://evil&quot;) (Berlin, Deutschland)",
        "Syndicat &lt;Sud&gt; (Lyon, Frankreich)",
        "IG Metall (Deutschland)",
    ]
    calls = await harness.send(SUPPORTER_ID, "/signatories zhanaozen by-country")
    assert reply(calls).splitlines()[-6:] == [
        "<b>France</b>",
        "Syndicat &lt;Sud&gt; (Lyon)",
        "",
        "<b>Germany</b>",
        "=HYPERLINK(&quot;http://evil&quot;) (Berlin)",
        "IG Metall",
    ]

    # Public CSV for anyone; the full one only for coordinators.
    calls = await harness.send(SUPPORTER_ID, "/export zhanaozen signatories")
    document = calls[-1].params["document"]
    assert isinstance(document, UploadedFile)
    assert document.filename == "zhanaozen-signatories.csv"
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8"))))
    assert rows[0] == ["name", "city", "country_code", "country_name", "website", "date"]
    assert [row[:4] for row in rows[1:]] == [
        ['\'=HYPERLINK("http://evil")', "Berlin", "DE", "Germany"],
        ["Syndicat <Sud>", "Lyon", "FR", "France"],
        ["IG Metall", "", "DE", "Germany"],
    ]
    assert "a@example.org" not in document.content.decode()
    calls = await harness.send(SUPPORTER_ID, "/export zhanaozen endorsements")
    assert "Only the campaign's coordinators can export this." in reply(calls)
    assert all(c.method != "sendDocument" for c in calls)
    calls = await harness.send(SUPPORTER_ID, "/export zhanaozen passwords")
    assert "endorsements, signatories" in reply(calls)

    calls = await harness.send(COORDINATOR_ID, "/export zhanaozen endorsements")
    document = calls[-1].params["document"]
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8"))))
    assert rows[0][:10] == [
        "id",
        "status",
        "name",
        "city",
        "country_code",
        "country_name",
        "website",
        "contact_email",
        "signer_name",
        "signer_role",
    ]
    assert [(row[1], row[2], row[7]) for row in rows[1:]] == [
        ("approved", '\'=HYPERLINK("http://evil")', "a@example.org"),
        ("approved", "Syndicat <Sud>", "b@example.org"),
        ("approved", "IG Metall", "c@example.org"),
    ]

    # The command line writes the same files.
    target = tmp_path / "out.csv"
    assert await export_csv(settings, "zhanaozen", "endorsements", target) == 0
    assert target.read_bytes() == document.content
    assert await export_csv(settings, "zhanaozen", "nope", None) == 1
    assert await export_csv(settings, "missing", "signatories", None) == 1


@pytest.mark.usefixtures("campaign")
async def test_milestones_are_announced_once_through_the_outbox(harness: BotHarness) -> None:
    await harness.send(READER_RU, "/start zhanaozen", language_code="ru")
    await harness.send(SUPPORTER_ID, "/start zhanaozen")
    for n in range(4):
        await one_line(harness, SUPPORTER_ID, f"Union number {n} | Chile | u{n}@example.org")
    async with harness.session_factory() as session:
        ids = list(await session.scalars(select(Endorsement.id).order_by(Endorsement.id)))

    async def alerts() -> list[Alert]:
        async with harness.session_factory() as session:
            return list(await session.scalars(select(Alert).order_by(Alert.id)))

    await harness.press(COORDINATOR_ID, approve(ids[0]))
    assert await alerts() == []
    calls = await harness.press(COORDINATOR_ID, approve(ids[1]))
    assert not any(c.chat_id == READER_RU for c in calls)  # sent by the worker, not the handler
    [alert] = await alerts()
    assert alert.status == "released"
    assert "2 organisations have now endorsed" in alert.text
    async with harness.session_factory() as session:
        ru = await session.get(AlertTranslation, (alert.id, "ru"))
        expected = harness.i18n.gettext(
            "🎉 {count} organisation has now endorsed the statement of “{title}”. See them: "
            "/signatories {slug}",
            "🎉 {count} organisations have now endorsed the statement of “{title}”. See them: "
            "/signatories {slug}",
            2,
            locale="ru",
        ).format(count=2, title="Свободу нефтяникам Жанаозена", slug="zhanaozen")
        assert ru is not None and ru.text == expected
        assert "поддержали уже 2 организации" in ru.text
        readers = set(await session.scalars(select(Delivery.user_id)))
    assert readers == {READER_RU, SUPPORTER_ID}
    # Dropping below and crossing again announces nothing new.
    await harness.press(COORDINATOR_ID, approve(ids[1], "remove"))
    await harness.press(COORDINATOR_ID, approve(ids[2]))
    assert len(await alerts()) == 1
    await harness.press(COORDINATOR_ID, approve(ids[3]))
    assert [a.text.split(" organisations")[0] for a in await alerts()] == ["🎉 2", "🎉 3"]


def _views(names: list[str], country: str) -> Any:
    from datetime import UTC, datetime

    from bot.services.endorsements import EndorsementView, Signatories

    items = [
        EndorsementView(
            id=n,
            slug="zhanaozen",
            campaign_title="T",
            name=name,
            city=None,
            country=country,
            website=None,
            status="approved",
            created_at=datetime.now(UTC),
            contact_email="x@example.org",
            signer_name=None,
            signer_role=None,
            reason=None,
            submitter_id=None,
        )
        for n, name in enumerate(names)
    ]
    return Signatories("zhanaozen", "T", items)


async def test_pages_are_filled_exactly_to_telegrams_limit(harness: BotHarness) -> None:
    """Russian has one of the longest names for the Central African Republic; the first page
    holds exactly 4096 characters and the next endorsement starts the second page."""
    from bot import texts
    from bot.countries import country_name

    country = country_name("CF", "ru")
    assert country == "Центрально-Африканская Республика"
    suffix = len(f" ({country})") + 1  # the country after a name, and the newline
    with harness.i18n.context(), harness.i18n.use_locale("ru"):
        total = 40
        for _attempt in range(5):  # the headline's length depends on the count
            first = texts.signatory_pages(_views(["ab"] * total, "CF"), "ru", by_country=False)
            header = first[0].split("\n\n")[0] + "\n\n"
            count, rest = divmod(4096 - len(header) + 1, suffix + 100)
            if count + 1 == total:
                break
            total = count + 1
        names = [f"{n:03d}" + "щ" * 97 for n in range(count)]
        names[-1] += "ы" * rest  # the last line fills the page to the last character
        names.append("Следующая организация")
        pages = texts.signatory_pages(_views(names, "CF"), "ru", by_country=False)
    assert len(pages) == 2
    assert len(pages[0]) == 4096
    assert pages[1] == f"Следующая организация ({country})"
    # Telegram takes both pages as they are (the fake refuses anything longer).
    for page in pages:
        await harness.bot.send_message(SUPPORTER_ID, page)
    assert [c.text for c in harness.api.calls if c.method == "sendMessage"] == pages
