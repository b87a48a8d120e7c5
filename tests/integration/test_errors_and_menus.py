"""Failures never leave a user without an answer; blocked users are marked; menus per language."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import register_commands
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import User
from tests.campaigns import campaign_data
from tests.harness import OWNER_ID, SUPPORTER_ID, BotHarness, texts, user_dict


async def subscribe(harness: BotHarness, session: AsyncSession) -> None:
    await CampaignService(session).load(validate_campaign(campaign_data()))
    await harness.send(SUPPORTER_ID, "/subscribe zhanaozen")


async def is_active(harness: BotHarness, user_id: int) -> bool:
    async with harness.session_factory() as check:
        user = await check.get(User, user_id)
        assert user is not None
        return user.is_active


async def test_403_marks_the_user_inactive(harness: BotHarness, session: AsyncSession) -> None:
    await subscribe(harness, session)
    harness.api.fail(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        chat_id=SUPPORTER_ID,
    )
    await harness.send(SUPPORTER_ID, "/campaigns")
    assert not await is_active(harness, SUPPORTER_ID)
    # Writing to the bot again means they unblocked it.
    harness.api.clear_failures()
    await harness.send(SUPPORTER_ID, "/help")
    assert await is_active(harness, SUPPORTER_ID)


async def test_blocking_and_unblocking_via_my_chat_member(
    harness: BotHarness, session: AsyncSession
) -> None:
    await subscribe(harness, session)

    bot_user = {"id": 42, "is_bot": True, "first_name": "Solidarity"}

    def member(status: str) -> dict[str, object]:
        extra = {"until_date": 0} if status == "kicked" else {}
        return {"status": status, "user": bot_user, **extra}

    def member_update(old: str, new: str) -> dict[str, object]:
        user = user_dict(SUPPORTER_ID)
        return {
            "update_id": int(time.time()),
            "my_chat_member": {
                "chat": {"id": SUPPORTER_ID, "type": "private"},
                "from": user,
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        }

    await harness.feed(member_update("member", "kicked"))
    assert not await is_active(harness, SUPPORTER_ID)
    await harness.feed(member_update("kicked", "member"))
    assert await is_active(harness, SUPPORTER_ID)


async def test_an_unexpected_failure_still_gets_an_answer(harness: BotHarness) -> None:
    harness.api.fail("sendMessage", error_code=500, description="Internal Server Error", times=1)
    calls = await harness.send(SUPPORTER_ID, "/help", language_code="es")
    expected = harness.t("Sorry, something went wrong. Please try again later.", "es")
    assert expected != "Sorry, something went wrong. Please try again later."
    first, apology = texts(calls)  # the failed /help reply, then the apology
    assert "/subscribe" in first
    assert apology == expected


async def test_command_menus_are_registered_per_language(harness: BotHarness) -> None:
    harness.api.calls.clear()
    await register_commands(harness.bot, harness.i18n, frozenset({OWNER_ID}))
    calls = harness.api.calls_of("setMyCommands")
    by_language = {
        (c.params.get("language_code"), c.params["scope"]["type"]): c.params["commands"]
        for c in calls
    }
    codes = {code for code, scope in by_language if scope == "default"}
    assert codes == {None, "en", "ru", "kk", "uk", "zh", "ja", "fr", "es", "de", "ar"}
    default = {c["command"] for c in by_language[(None, "default")]}
    assert {"start", "campaigns", "subscribe", "language", "help", "stop"} <= default
    assert "grant" not in default
    russian = {c["command"]: c["description"] for c in by_language[("ru", "default")]}
    assert russian["help"] == harness.t("What you can do here", "ru") != "What you can do here"
    owner = {c["command"] for c in by_language[(None, "chat")]}
    assert {"grant", "revoke"} <= owner
