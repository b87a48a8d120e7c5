"""Abuse resistance: the flood limit and size limits on every text input."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import ThrottlingMiddleware
from db.models import TeamMember
from tests.harness import SUPPORTER_ID, BotHarness, reply, texts

NOTICE = "You are sending too much at once. Please wait a few seconds; I will answer again then."


def throttle(harness: BotHarness) -> ThrottlingMiddleware:
    found = [
        m for m in harness.dispatcher.update.outer_middleware if isinstance(m, ThrottlingMiddleware)
    ]
    assert len(found) == 1
    return found[0]


async def test_a_flood_gets_one_notice_then_silence_until_the_window_passes(
    harness: BotHarness,
) -> None:
    now = [1000.0]
    middleware = throttle(harness)
    middleware.clock = lambda: now[0]
    answers = [texts(await harness.send(SUPPORTER_ID, "/help")) for _ in range(20)]
    assert all(len(a) == 1 and "What you can do" in a[0] for a in answers)
    assert reply(await harness.send(SUPPORTER_ID, "/help")) == NOTICE
    ru = await harness.send(SUPPORTER_ID, "/help", language_code="ru")
    assert ru == []  # silence, in any language
    assert await harness.press(SUPPORTER_ID, "menu:campaigns") == []
    other = reply(await harness.send(SUPPORTER_ID + 1, "/help"))
    assert "What you can do" in other  # others are not affected
    now[0] += 10.5
    assert "What you can do" in reply(await harness.send(SUPPORTER_ID, "/help"))


async def test_the_notice_is_in_the_users_language(harness: BotHarness) -> None:
    now = [0.0]
    throttle(harness).clock = lambda: now[0]
    for _ in range(20):
        await harness.send(SUPPORTER_ID, "/start", language_code="de")
    notice = reply(await harness.send(SUPPORTER_ID, "/start", language_code="de"))
    assert notice == harness.t(NOTICE, "de") and notice != NOTICE


async def test_long_input_gets_an_answer_and_stores_nothing(
    harness: BotHarness, session: AsyncSession
) -> None:
    long = "x" * 5000
    for command in ("/info", "/subscribe", "/invite", "/mydata", "/start"):
        calls = await harness.send(SUPPORTER_ID, f"{command} {long}")
        assert texts(calls), command
    async with harness.session_factory() as check:
        assert await check.scalar(select(func.count()).select_from(TeamMember)) == 0
