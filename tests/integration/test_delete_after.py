"""A campaign's ``delete_after_days``: delivered alerts are deleted from supporters' chats at
their deadline, by the delivery worker, once, on SQLite and PostgreSQL.

Time is virtual: the worker's clock is set explicitly, so a day passes without waiting.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.delivery.factory import create_worker
from bot.services.alerts import AlertService
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import Delivery
from db.repositories.deliveries import DeliveryRepository
from tests.campaigns import campaign_data
from tests.fakeapi import Call
from tests.harness import COORDINATOR_ID, BotHarness, reply

RU_READER, DE_READER, EN_READER = 5001, 5002, 5003
READERS = (RU_READER, DE_READER, EN_READER)
DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def load(session: AsyncSession, days: float | None) -> None:
    data = campaign_data() if days is None else campaign_data(delete_after_days=days)
    await CampaignService(session).load(validate_campaign(data))


@pytest.fixture
async def campaign(harness: BotHarness, session: AsyncSession) -> None:
    await load(session, 1)
    for user_id, language in ((RU_READER, "ru"), (DE_READER, "de"), (EN_READER, "en")):
        await harness.send(user_id, "/start zhanaozen", language_code=language)
    harness.api.calls.clear()


async def send_alert(harness: BotHarness, text: str = "Strike day 3") -> int:
    async with harness.session_factory() as session:
        alerts = AlertService(session, "en")
        alert = await alerts.compose(COORDINATOR_ID, "zhanaozen", text)
        assert await alerts.send_now(alert.id) == len(READERS)
        return alert.id


async def drain(harness: BotHarness, settings: Settings, clock: Clock) -> list[Call]:
    """Run a worker at the clock's time; the Bot API calls it made."""
    harness.api.calls.clear()
    worker = create_worker(settings, harness.session_factory)
    worker.clock = clock
    try:
        await worker.drain(within=30)
    finally:
        await worker.limiter.aclose()
    return list(harness.api.calls)


def deletions(calls: list[Call]) -> list[tuple[int | None, int]]:
    return sorted(
        (c.chat_id, int(c.params["message_id"])) for c in calls if c.method == "deleteMessage"
    )


async def rows(harness: BotHarness, alert_id: int) -> dict[int, Delivery]:
    async with harness.session_factory() as session:
        found = await session.scalars(select(Delivery).where(Delivery.alert_id == alert_id))
        return {row.user_id: row for row in found}


@pytest.mark.usefixtures("campaign")
async def test_expired_alerts_are_deleted_once_and_only_after_their_deadline(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await send_alert(harness)
    clock = Clock()  # after sending: the rows are due at the clock's time
    sent_at = clock.now
    calls = await drain(harness, settings, clock)
    assert {c.chat_id for c in calls if c.method == "sendMessage"} == set(READERS)
    delivered = await rows(harness, alert_id)
    message_ids = {user: row.message_id for user, row in delivered.items()}
    assert all(row.delete_at == pytest.approx(sent_at + DAY, abs=5) for row in delivered.values())

    clock.now = sent_at + DAY - 60  # a minute early: nothing is touched
    assert deletions(await drain(harness, settings, clock)) == []
    assert {row.state for row in (await rows(harness, alert_id)).values()} == {"sent"}

    clock.now = sent_at + DAY + 60
    calls = await drain(harness, settings, clock)
    assert deletions(calls) == sorted((user, message_ids[user]) for user in READERS)
    after = await rows(harness, alert_id)
    assert {row.state for row in after.values()} == {"expired"}
    assert all(row.delete_at is None for row in after.values())

    clock.now = sent_at + DAY + 3600  # later runs delete nothing twice
    assert deletions(await drain(harness, settings, clock)) == []

    text = reply(await harness.send(COORDINATOR_ID, f"/report {alert_id}"))
    assert "English: 1 sent, 0 pending, 0 failed, 0 blocked" in text
    assert "Of these, 3 messages were deleted from their chats" in text
    assert "Delivery finished." in text


async def test_only_alerts_delivered_after_the_setting_is_loaded_are_deleted(
    harness: BotHarness, settings: Settings, session: AsyncSession
) -> None:
    await load(session, None)
    for user_id in READERS:
        await harness.send(user_id, "/start zhanaozen", language_code="en")
    before = await send_alert(harness, "Before")
    clock = Clock()
    start = clock.now
    await drain(harness, settings, clock)

    await load(session, 0.5)  # 12 hours, from now on
    clock.now = start + 60
    after = await send_alert(harness, "After")
    await drain(harness, settings, clock)
    assert {row.delete_at for row in (await rows(harness, before)).values()} == {None}

    clock.now = start + 60 + DAY / 2 + 1
    calls = await drain(harness, settings, clock)
    after_rows = await rows(harness, after)
    assert deletions(calls) == sorted((u, row.message_id or 0) for u, row in after_rows.items())
    assert {row.state for row in (await rows(harness, before)).values()} == {"sent"}

    # Removing the setting keeps later alerts; those already delivered keep their deadline.
    await load(session, None)
    later = await send_alert(harness, "Later")
    await drain(harness, settings, clock)
    assert {row.delete_at for row in (await rows(harness, later)).values()} == {None}


@pytest.mark.usefixtures("campaign")
async def test_a_message_already_gone_is_done_and_a_refused_deletion_stays_sent(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await send_alert(harness)
    clock = Clock()
    await drain(harness, settings, clock)
    harness.api.fail(
        "deleteMessage",
        chat_id=RU_READER,
        error_code=400,
        description="Bad Request: message to delete not found",
    )
    harness.api.fail(
        "deleteMessage",
        chat_id=DE_READER,
        error_code=400,
        description="Bad Request: message can't be deleted for everyone",
    )
    clock.now += DAY + 1
    calls = await drain(harness, settings, clock)
    assert [chat for chat, _id in deletions(calls)] == sorted(READERS)
    after = await rows(harness, alert_id)
    assert (after[RU_READER].state, after[DE_READER].state, after[EN_READER].state) == (
        "expired",
        "sent",
        "expired",
    )
    assert "can't be deleted" in (after[DE_READER].last_error or "")
    harness.api.clear_failures()
    clock.now += 3600
    assert deletions(await drain(harness, settings, clock)) == []  # not retried, not looped


@pytest.mark.usefixtures("campaign")
async def test_a_translation_delivered_by_edit_is_deleted_with_its_message(
    harness: BotHarness, settings: Settings, session: AsyncSession
) -> None:
    alert_id = await send_alert(harness)
    clock = Clock()
    first = await drain(harness, settings, clock)
    ru_message = (await rows(harness, alert_id))[RU_READER].message_id
    assert [c.chat_id for c in first if c.method == "sendMessage"].count(RU_READER) == 1

    clock.now += 3600
    await AlertService(session, "en").add_translation(
        alert_id, "ru", "Забастовка, день 3", COORDINATOR_ID
    )
    calls = await drain(harness, settings, clock)
    edits = [c for c in calls if c.method == "editMessageText"]
    assert [c.chat_id for c in edits] == [RU_READER]
    assert int(edits[0].params["message_id"]) == ru_message

    clock.now += DAY  # the deadline counts from the first delivery
    calls = await drain(harness, settings, clock)
    assert (RU_READER, ru_message) in deletions(calls)
    assert {row.state for row in (await rows(harness, alert_id)).values()} == {"expired"}


@pytest.mark.usefixtures("campaign")
async def test_a_retracted_alert_is_not_deleted_again_at_its_deadline(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await send_alert(harness)
    clock = Clock()
    await drain(harness, settings, clock)
    calls = await harness.send(COORDINATOR_ID, f"/retract {alert_id}")
    confirm = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await harness.press(COORDINATOR_ID, confirm)  # queued for deletion at the real time
    clock.now = time.time()
    assert len(deletions(await drain(harness, settings, clock))) == len(READERS)
    clock.now += DAY + 1
    assert deletions(await drain(harness, settings, clock)) == []
    assert {row.state for row in (await rows(harness, alert_id)).values()} == {"retracted"}


@pytest.mark.usefixtures("campaign")
async def test_deletions_claimed_by_a_worker_that_died_are_finished_by_another(
    harness: BotHarness, settings: Settings
) -> None:
    alert_id = await send_alert(harness)
    clock = Clock()
    await drain(harness, settings, clock)
    clock.now += DAY + 1
    async with harness.session_factory() as session:  # a worker queues and claims, then dies
        repository = DeliveryRepository(session)
        assert await repository.expire_due(clock.now) == len(READERS)
        claimed = await repository.claim("dead-worker", 10, clock.now, 60.0)
        assert {row.state for row in claimed} == {"expire"}
        await session.commit()

    async with harness.session_factory() as session:  # nobody else takes them meanwhile
        assert await DeliveryRepository(session).claim("other", 10, clock.now + 30, 60.0) == []
        await session.rollback()
    clock.now += 61
    calls = await drain(harness, settings, clock)
    assert [chat for chat, _id in deletions(calls)] == sorted(READERS)
    assert {row.state for row in (await rows(harness, alert_id)).values()} == {"expired"}
