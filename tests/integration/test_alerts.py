"""Alerts end to end inside one process: compose through the real Dispatcher, deliver with
the real worker, on SQLite and PostgreSQL, against the fake Bot API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.callbacks import AlertCallback, SubscriptionCallback, TranslateCallback
from bot.config import Settings
from bot.delivery.factory import create_worker
from bot.delivery.worker import DeliveryWorker
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import Alert, AlertTranslation, Delivery, User
from tests.campaigns import campaign_data
from tests.fakeapi import Call, FakeBotAPI
from tests.harness import COORDINATOR_ID, OWNER_ID, SUPPORTER_ID, BotHarness, message_update, reply

RU_READER, DE_READER, EN_READER = 5001, 5002, 5003
RU_TRANSLATOR = 6001


@pytest.fixture
async def campaign(harness: BotHarness, session: AsyncSession) -> None:
    await CampaignService(session).load(validate_campaign(campaign_data()))
    for user_id, language in ((RU_READER, "ru"), (DE_READER, "de"), (EN_READER, "en")):
        await harness.send(user_id, "/start zhanaozen", language_code=language)
    await harness.send(OWNER_ID, f"/grant {RU_TRANSLATOR} translator ru")
    harness.api.calls.clear()


def worker(harness: BotHarness, settings: Settings, **overrides: Any) -> DeliveryWorker:
    made = create_worker(settings, harness.session_factory)
    for name, value in overrides.items():
        setattr(made, name, value)
    return made


def to(calls: list[Call], chat_id: int, method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method and c.chat_id == chat_id]


async def compose(harness: BotHarness, text: str = "<b>Strike</b> day 3: 40 arrested.") -> int:
    calls = await harness.send(COORDINATOR_ID, f"/alert zhanaozen {text}")
    preview = calls[-1]
    buttons = [
        b["callback_data"] for row in preview.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    alert_id = AlertCallback.unpack(buttons[0]).alert_id
    assert buttons == [
        AlertCallback(action=action, alert_id=alert_id).pack()
        for action in ("urgent", "send", "hold", "cancel")
    ]
    return alert_id


async def states(harness: BotHarness, alert_id: int) -> dict[int, str]:
    async with harness.session_factory() as session:
        rows = await session.execute(
            select(Delivery.user_id, Delivery.state).where(Delivery.alert_id == alert_id)
        )
        return dict(rows.all())  # type: ignore[arg-type]


@pytest.mark.usefixtures("campaign")
async def test_send_now_reaches_every_subscriber_once_in_their_language(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await compose(harness)
    async with harness.session_factory() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None and alert.status == "draft"
    await harness.press(COORDINATOR_ID, AlertCallback(action="urgent", alert_id=alert_id).pack())
    calls = await harness.press(
        COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack()
    )
    assert f"Alert #{alert_id} is on its way to 3 subscribers." in reply(calls)
    harness.api.calls.clear()
    stats = await worker(harness, settings).drain()
    assert stats.sent == 3
    calls = harness.api.calls
    for reader in (RU_READER, DE_READER, EN_READER):
        assert len(to(calls, reader)) == 1
    russian = to(calls, RU_READER)[0]
    # No Russian translation yet: the source; heading in the reader's language and the
    # campaign's time zone; the urgent mark; and an Unsubscribe button.
    assert "<b>Strike</b> day 3: 40 arrested." in (russian.text or "")
    assert "Свободу нефтяникам Жанаозена" in (russian.text or "")
    assert harness.t("URGENT", "ru") in (russian.text or "")
    assert "(GMT+05:00)" not in (russian.text or "")
    button = russian.params["reply_markup"]["inline_keyboard"][0][0]
    assert (
        button["callback_data"]
        == SubscriptionCallback(action="off", slug="zhanaozen", view="alert").pack()
    )
    assert await states(harness, alert_id) == {r: "sent" for r in (RU_READER, DE_READER, EN_READER)}
    # The Unsubscribe button under the alert works.
    calls = await harness.press(RU_READER, button["callback_data"])
    assert harness.t(
        "You will no longer receive updates from <b>{title}</b>. "
        "/subscribe {slug} brings them back.",
        "ru",
        title="Свободу нефтяникам Жанаозена",
        slug="zhanaozen",
    ) in reply(calls)


@pytest.mark.usefixtures("campaign")
async def test_hold_asks_translators_and_releases_each_language_when_translated(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await compose(harness)
    calls = await harness.press(
        COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack()
    )
    # The Russian translator is asked, in Russian, with a Translate button.
    request = to(calls, RU_TRANSLATOR)[0]
    assert request.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        TranslateCallback(alert_id=alert_id, language="ru").pack()
    )
    assert "<b>Strike</b> day 3" in (request.text or "")
    assert "waits for translations into Русский" in reply(calls)
    # English and German readers (German is no campaign language) are served at once.
    assert await states(harness, alert_id) == {
        RU_READER: "held",
        DE_READER: "pending",
        EN_READER: "pending",
    }
    harness.api.calls.clear()
    # One worker throughout: the alert it cached while sending English and German must not
    # hide the Russian translation from the rows the translation releases.
    made = worker(harness, settings)
    await made.drain()
    assert to(harness.api.calls, RU_READER) == []
    assert len(to(harness.api.calls, EN_READER)) == len(to(harness.api.calls, DE_READER)) == 1

    # The translator presses Translate and sends the text.
    await harness.press(RU_TRANSLATOR, TranslateCallback(alert_id=alert_id, language="ru").pack())
    calls = await harness.send(RU_TRANSLATOR, "<b>Забастовка</b>, день 3: 40 арестованных.")
    assert f"#{alert_id}" in reply(calls)
    assert (await states(harness, alert_id))[RU_READER] == "pending"
    harness.api.calls.clear()
    await made.drain()
    russian = to(harness.api.calls, RU_READER)
    assert len(russian) == 1 and "<b>Забастовка</b>, день 3" in (russian[0].text or "")
    assert to(harness.api.calls, EN_READER) == []  # nobody gets it twice


@pytest.mark.usefixtures("campaign")
async def test_translator_can_simply_reply_to_the_request(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await compose(harness)
    calls = await harness.press(
        COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack()
    )
    request = to(calls, RU_TRANSLATOR)[0]
    assert f"/translate {alert_id} ru" in (request.text or "")
    replied = {
        "message_id": 777,
        "date": 0,
        "chat": {"id": RU_TRANSLATOR, "type": "private"},
        "from": {"id": harness.bot.id, "is_bot": True, "first_name": "Solidarity"},
        "text": request.text,
    }
    calls = await harness.feed(
        message_update(
            RU_TRANSLATOR, "Забастовка, день 3.", language_code="ru", reply_to_message=replied
        )
    )
    assert f"#{alert_id}" in reply(calls)
    assert (await states(harness, alert_id))[RU_READER] == "pending"
    async with harness.session_factory() as session:
        translation = await session.get(AlertTranslation, (alert_id, "ru"))
        assert translation is not None and translation.text == "Забастовка, день 3."
    # A reply to any other message of the bot is not taken for a translation.
    replied["text"] = "Welcome!"
    calls = await harness.feed(
        message_update(RU_TRANSLATOR, "hello", language_code="ru", reply_to_message=replied)
    )
    assert "#" not in reply(calls)


@pytest.mark.usefixtures("campaign")
async def test_leaving_stops_what_is_not_sent_yet(harness: BotHarness, settings: Settings) -> None:
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack())
    assert (await states(harness, alert_id))[RU_READER] == "held"
    await harness.send(RU_READER, "/unsubscribe zhanaozen", language_code="ru")
    await harness.send(EN_READER, "/stop")
    harness.api.calls.clear()
    await harness.send(RU_TRANSLATOR, f"/translate {alert_id} ru Забастовка.")
    await worker(harness, settings).drain()
    assert to(harness.api.calls, RU_READER) == [] and to(harness.api.calls, EN_READER) == []
    assert len(to(harness.api.calls, DE_READER)) == 1
    assert await states(harness, alert_id) == {
        RU_READER: "retracted",
        EN_READER: "retracted",
        DE_READER: "sent",
    }


@pytest.mark.usefixtures("campaign")
async def test_deadline_falls_back_and_a_late_translation_edits_the_message(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack())
    async with harness.session_factory() as session:  # the 20 minutes pass
        await session.execute(
            update(Alert).where(Alert.id == alert_id).values(hold_until=Alert.created_at)
        )
        await session.commit()
    harness.api.calls.clear()
    await worker(harness, settings).drain()
    fallback = to(harness.api.calls, RU_READER)
    assert len(fallback) == 1 and "<b>Strike</b> day 3" in (fallback[0].text or "")
    message_id = fallback[0]
    async with harness.session_factory() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None and alert.status == "released"

    calls = await harness.send(
        RU_TRANSLATOR, f"/translate {alert_id} ru <i>Забастовка</i>, день 3."
    )
    assert f"#{alert_id}" in reply(calls)
    harness.api.calls.clear()
    await worker(harness, settings).drain()
    assert to(harness.api.calls, RU_READER) == []  # no second message
    edits = to(harness.api.calls, RU_READER, "editMessageText")
    assert len(edits) == 1 and "<i>Забастовка</i>, день 3." in (edits[0].text or "")
    assert message_id.params["chat_id"] == edits[0].params["chat_id"]
    assert await states(harness, alert_id) == {r: "sent" for r in (RU_READER, DE_READER, EN_READER)}


@pytest.mark.usefixtures("campaign")
async def test_telegram_errors_are_handled_per_kind(
    harness: BotHarness, settings: Settings
) -> None:
    harness.api.fail(
        "sendMessage",
        chat_id=RU_READER,
        error_code=403,
        description="Forbidden: bot was blocked by the user",
    )
    harness.api.fail(
        "sendMessage", chat_id=DE_READER, error_code=400, description="Bad Request: chat not found"
    )
    harness.api.fail(
        "sendMessage", chat_id=EN_READER, error_code=502, description="Bad Gateway", times=2
    )
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    made = worker(harness, settings, backoff_base=0.05)
    stats = await made.drain(within=30)
    assert (stats.blocked, stats.retried, stats.sent) == (2, 2, 1)
    assert await states(harness, alert_id) == {
        RU_READER: "blocked",
        DE_READER: "blocked",
        EN_READER: "sent",
    }
    async with harness.session_factory() as session:
        active = dict((await session.execute(select(User.id, User.is_active))).all())
    assert (active[RU_READER], active[DE_READER], active[EN_READER]) == (False, False, True)


@pytest.mark.usefixtures("campaign")
async def test_retry_after_pauses_and_resends_without_counting_an_attempt(
    harness: BotHarness, settings: Settings
) -> None:
    harness.api.fail(
        "sendMessage",
        chat_id=EN_READER,
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        times=1,
    )
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    made = worker(harness, settings)
    stats = await made.drain(within=30)
    assert stats.rate_limited == 1 and stats.sent == 3
    attempts = [
        c for c in harness.api.calls if c.method == "sendMessage" and c.chat_id == EN_READER
    ]
    assert len(attempts) == 2  # the refused one and the one after the pause
    async with harness.session_factory() as session:
        row = await session.scalar(select(Delivery).where(Delivery.user_id == EN_READER))
        assert row is not None and row.state == "sent" and row.attempts == 1


@pytest.mark.usefixtures("campaign")
async def test_a_pause_longer_than_the_lease_sends_nothing_twice(
    harness: BotHarness, settings: Settings
) -> None:
    """Rows waiting out a long 429 keep their leases, so nobody claims them again."""
    # The first row (the Russian reader's) is refused: the others wait out the pause.
    harness.api.fail(
        "sendMessage",
        chat_id=RU_READER,
        error_code=429,
        description="Too Many Requests: retry after 2",
        retry_after=2,
        times=1,
    )
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    harness.api.calls.clear()
    made = worker(harness, settings, lease_seconds=0.5, concurrency=1)
    await made.drain(within=30)
    others = [
        c.chat_id for c in harness.api.calls if c.method == "sendMessage" and c.chat_id != RU_READER
    ]
    assert sorted(others) == sorted([DE_READER, EN_READER])
    assert len(to(harness.api.calls, RU_READER)) == 2  # refused once, then sent
    assert await states(harness, alert_id) == {r: "sent" for r in (RU_READER, DE_READER, EN_READER)}


@pytest.mark.usefixtures("campaign")
async def test_persistent_server_errors_fail_the_row_with_its_reason(
    harness: BotHarness, settings: Settings
) -> None:
    harness.api.fail(
        "sendMessage", chat_id=EN_READER, error_code=500, description="Internal Server Error"
    )
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    stats = await worker(harness, settings, backoff_base=0.01, max_attempts=3).drain(within=30)
    assert stats.failed == 1
    async with harness.session_factory() as session:
        row = await session.scalar(select(Delivery).where(Delivery.user_id == EN_READER))
        assert row is not None and row.state == "failed" and row.attempts == 3
        assert row.last_error is not None and "Internal Server Error" in row.last_error


@pytest.mark.usefixtures("campaign")
async def test_retract_stops_pending_and_deletes_sent(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack())
    await worker(harness, settings).drain()  # en and de sent, ru held
    calls = await harness.send(COORDINATOR_ID, f"/retract {alert_id}")
    assert "cannot be undone" in reply(calls)
    confirm = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    # A supporter pressing a forged retract button changes nothing.
    calls = await harness.press(SUPPORTER_ID, confirm)
    assert calls[0].params["text"] == "You cannot change this alert."
    calls = await harness.press(COORDINATOR_ID, confirm)
    assert "Deliveries stopped: 1. Sent messages being deleted: 2." in reply(calls)
    harness.api.calls.clear()
    await worker(harness, settings).drain()
    deleted = {c.chat_id for c in harness.api.calls if c.method == "deleteMessage"}
    assert deleted == {EN_READER, DE_READER}
    assert to(harness.api.calls, RU_READER) == []
    assert set((await states(harness, alert_id)).values()) == {"retracted"}


@pytest.mark.usefixtures("campaign")
async def test_report_alerts_and_updates(harness: BotHarness, settings: Settings) -> None:
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    text = reply(await harness.send(COORDINATOR_ID, f"/report {alert_id}"))
    assert "English: 0 sent, 1 pending, 0 failed, 0 blocked" in text
    await worker(harness, settings).drain()
    text = reply(await harness.send(COORDINATOR_ID, f"/report {alert_id}"))
    assert "Русский: 1 sent, 0 pending, 0 failed, 0 blocked" in text
    assert "Delivery finished." in text
    text = reply(await harness.send(COORDINATOR_ID, "/alerts zhanaozen"))
    assert f"#{alert_id}" in text and "Strike day 3" in text
    text = reply(await harness.send(RU_READER, "/updates zhanaozen", language_code="ru"))
    assert "<b>Strike</b> day 3" in text and "Свободу нефтяникам Жанаозена" in text
    assert harness.t("There is no campaign called “{slug}”.", "ru", slug="nope") in reply(
        await harness.send(RU_READER, "/updates nope", language_code="en")  # saved: ru
    )


@pytest.mark.usefixtures("campaign")
async def test_plain_text_is_escaped_and_typed_html_is_checked(harness: BotHarness) -> None:
    calls = await harness.send(COORDINATOR_ID, "/alert zhanaozen Workers & families <3")
    assert "Workers &amp; families &lt;3" in (calls[-1].text or "")
    calls = await harness.send(COORDINATOR_ID, "/alert zhanaozen <b>Workers & families</b>")
    # Shown escaped, so the reader sees: "& is not supported; write &amp; for a literal &".
    assert reply(calls) == (
        "Telegram would refuse this text: &amp; is not supported; write &amp;amp; for a "
        "literal &amp;. Fix the formatting and send it again; nothing was sent."
    )
    async with harness.session_factory() as session:
        assert len(list(await session.scalars(select(Alert)))) == 1


@pytest.mark.usefixtures("campaign")
async def test_compose_in_two_steps_with_a_photo(harness: BotHarness) -> None:
    calls = await harness.send(COORDINATOR_ID, "/alert zhanaozen")
    assert "Send the alert's text" in reply(calls)
    photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 800, "height": 600}]
    calls = await harness.feed(
        message_update(COORDINATOR_ID, None, photo=photo, caption="Police at the gates")
    )
    preview = next(c for c in calls if c.method == "sendPhoto")
    assert preview.params["photo"] == "photo-1"
    assert "Police at the gates" in (preview.params["caption"] or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 3801, "This text is 3,801 characters long, but an alert can have at most 3,800"),
        ("<b>unclosed", "the tag &lt;b&gt; is never closed"),
        ("<script>x</script>", "the tag &lt;script&gt; is not supported"),
        (
            '<a href="javascript:alert(1)">x</a>',
            "the link “javascript:alert(1)” cannot be sent: links must start with https://",
        ),
    ],
)
@pytest.mark.usefixtures("campaign")
async def test_bad_alerts_are_refused_and_nothing_is_stored(
    harness: BotHarness, text: str, expected: str
) -> None:
    calls = await harness.send(COORDINATOR_ID, f"/alert zhanaozen {text}")
    assert expected in reply(calls)
    async with harness.session_factory() as session:
        assert list(await session.scalars(select(Alert))) == []


@pytest.mark.usefixtures("campaign")
async def test_only_coordinators_of_the_campaign_compose_and_only_translators_translate(
    harness: BotHarness, session: AsyncSession
) -> None:
    await CampaignService(session).load(
        validate_campaign(campaign_data("other-campaign", coordinators=[7777]))
    )
    text = reply(await harness.send(SUPPORTER_ID, "/alert zhanaozen Hello"))
    assert text == "This command is not available to you. Send /help to see yours."
    text = reply(await harness.send(7777, "/alert zhanaozen Hello"))
    assert text == "You do not coordinate the campaign “zhanaozen”."
    alert_id = await compose(harness)
    calls = await harness.press(7777, AlertCallback(action="send", alert_id=alert_id).pack())
    assert calls[0].params["text"] == "You cannot change this alert."
    # A translator into Russian cannot translate into Kazakh, nor use a language the
    # campaign does not have; an unknown alert gets a clear answer.
    text = reply(await harness.send(RU_TRANSLATOR, f"/translate {alert_id} kk Ереуіл"))
    assert text == f"There is no alert #{alert_id} that you can translate into this language."
    text = reply(await harness.send(COORDINATOR_ID, f"/translate {alert_id} pl Strajk"))
    assert "This campaign does not use that language" in text
    assert "Русский and Қазақ тілі" in text
    text = reply(await harness.send(RU_TRANSLATOR, "/translate 999 ru Забастовка"))
    assert text == "There is no alert #999 that you can translate into this language."
    assert await states(harness, alert_id) == {}


@pytest.mark.usefixtures("campaign")
async def test_usage_texts_reach_the_user(harness: BotHarness) -> None:
    """Usage texts show <placeholders> literally (Telegram would refuse raw tags)."""
    alert_id = await compose(harness)
    text = reply(await harness.send(COORDINATOR_ID, f"/hold {alert_id} forever"))
    assert text == "Send /hold &lt;alert_id&gt; &lt;minutes&gt;, with 1 to 1440 minutes."
    text = reply(await harness.send(RU_TRANSLATOR, "/translate 12", language_code="ru"))
    assert "/translate &lt;alert_id&gt; &lt;language&gt; &lt;text&gt;" in text
    text = reply(await harness.send(COORDINATOR_ID, "/report"))
    assert text == "Send /report followed by the alert's number, for example /report 12."
    text = reply(await harness.send(COORDINATOR_ID, "/report 4242"))
    assert text == "There is no alert #4242 in a campaign you coordinate."


@pytest.mark.usefixtures("campaign")
async def test_hold_command_holds_a_draft_for_the_given_minutes(harness: BotHarness) -> None:
    alert_id = await compose(harness)
    calls = await harness.send(COORDINATOR_ID, f"/hold {alert_id} 45")
    assert len(to(calls, RU_TRANSLATOR)) == 1  # asked to translate
    async with harness.session_factory() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None and alert.status == "holding" and alert.hold_until is not None
        held_for = alert.hold_until - alert.created_at
    assert 44 * 60 <= held_for.total_seconds() <= 46 * 60
    calls = await harness.send(COORDINATOR_ID, f"/hold {alert_id} 5")  # shorten the wait
    assert "waits for translations into Русский" in reply(calls)
    assert to(calls, RU_TRANSLATOR) == []  # not asked twice


@pytest.mark.usefixtures("campaign")
async def test_report_keeps_itself_current(
    harness: BotHarness, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.alerts

    monkeypatch.setattr(handlers.alerts, "REPORT_REFRESH_SECONDS", 0.05)
    alert_id = await compose(harness)
    await harness.press(COORDINATOR_ID, AlertCallback(action="send", alert_id=alert_id).pack())
    calls = await harness.send(COORDINATOR_ID, f"/report {alert_id}")
    assert "English: 0 sent, 1 pending" in reply(calls)
    await worker(harness, settings).drain()
    edit = await harness.api.wait_for(
        "editMessageText",
        lambda c: c.chat_id == COORDINATOR_ID and "Delivery finished." in (c.text or ""),
    )
    assert "English: 1 sent, 0 pending" in (edit.text or "")


async def test_dialogs_survive_a_change_of_process_with_redis(
    settings: Settings, session: AsyncSession, fake_api: FakeBotAPI
) -> None:
    """With REDIS_URL, the two steps of /alert may reach two different processes."""
    import redis.asyncio as aioredis

    url = "redis://127.0.0.1:6379/13"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    await CampaignService(session).load(validate_campaign(campaign_data()))
    shared = settings.model_copy(update={"redis_url": url})
    sessions = async_sessionmaker(session.bind, expire_on_commit=False)
    first = BotHarness.create(shared, sessions, fake_api)
    second = BotHarness.create(shared, sessions, fake_api)
    try:
        calls = await first.send(COORDINATOR_ID, "/alert zhanaozen")
        assert "Send the alert's text" in reply(calls)
        calls = await second.send(COORDINATOR_ID, "Police at the gates.")
        assert "Police at the gates." in reply(calls)
        button = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert AlertCallback.unpack(button).action == "urgent"
    finally:
        for made in (first, second):
            await made.dispatcher.storage.close()
            await made.close()
