"""Roles: owners grant and revoke; coordinators load campaign files; others are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import Campaign, Role
from tests.campaigns import campaign_data, campaign_yaml
from tests.harness import (
    COORDINATOR_ID,
    OWNER_ID,
    SUPPORTER_ID,
    BotHarness,
    message_update,
    reply,
)

OTHER_COORDINATOR_ID = 4000


async def load(session: AsyncSession, slug: str = "zhanaozen", **overrides: Any) -> None:
    await CampaignService(session).load(validate_campaign(campaign_data(slug, **overrides)))


async def roles_in_db(harness: BotHarness) -> set[tuple[int, str, str | None, str | None]]:
    async with harness.session_factory() as session:
        rows = await session.execute(
            select(Role.user_id, Role.role, Campaign.slug, Role.language).outerjoin(
                Campaign, Campaign.id == Role.campaign_id
            )
        )
        return {tuple(row) for row in rows.all()}  # type: ignore[misc]


async def send_file(
    harness: BotHarness, user_id: int, content: str | bytes, name: str = "campaign.yaml"
) -> str:
    raw = content.encode() if isinstance(content, str) else content
    document = harness.api.add_file(raw, name)
    calls = await harness.feed(message_update(user_id, None, document=document))
    return reply(calls)


async def test_help_lists_commands_for_the_users_role(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    supporter = reply(await harness.send(SUPPORTER_ID, "/help"))
    assert "/subscribe" in supporter and "/language" in supporter
    assert "/grant" not in supporter and "For coordinators" not in supporter
    coordinator = reply(await harness.send(COORDINATOR_ID, "/help"))
    assert "For coordinators" in coordinator and "You coordinate: zhanaozen" in coordinator
    assert "/grant" not in coordinator
    owner = reply(await harness.send(OWNER_ID, "/help"))
    assert "/grant &lt;user_id&gt; coordinator &lt;campaign&gt;" in owner
    assert "/revoke" in owner and "For coordinators" in owner


REFUSED = "This command is not available to you. Send /help to see yours."
NOT_YOUR_TEAM = "You can only change the team of a campaign you coordinate."


@pytest.mark.parametrize(
    ("command", "to_coordinator"),
    [
        ("/grant 5 coordinator zhanaozen", REFUSED),
        # Coordinators may revoke within their campaigns, not roles for every campaign.
        ("/revoke 5 translator ru", NOT_YOUR_TEAM),
    ],
)
async def test_privileged_commands_are_refused_to_others(
    harness: BotHarness, session: AsyncSession, command: str, to_coordinator: str
) -> None:
    await load(session)
    assert reply(await harness.send(SUPPORTER_ID, command)) == REFUSED
    assert reply(await harness.send(COORDINATOR_ID, command)) == to_coordinator
    assert (5, "coordinator", "zhanaozen", None) not in await roles_in_db(harness)


async def test_owner_grants_and_revokes(harness: BotHarness, session: AsyncSession) -> None:
    await load(session)
    text = reply(await harness.send(OWNER_ID, "/grant 5 coordinator zhanaozen"))
    assert text == "Done: <code>5</code> is now coordinator of zhanaozen."
    text = reply(await harness.send(OWNER_ID, "/grant 5 coordinator zhanaozen"))
    assert text == "<code>5</code> is already coordinator of zhanaozen."
    text = reply(await harness.send(OWNER_ID, "/grant 6 translator ru"))
    assert text == "Done: <code>6</code> is now translator into Русский for every campaign."
    text = reply(await harness.send(OWNER_ID, "/grant 7 translator kk zhanaozen"))
    assert "translator into Қазақ тілі for zhanaozen" in text
    roles = await roles_in_db(harness)
    assert {
        (5, "coordinator", "zhanaozen", None),
        (6, "translator", None, "ru"),
        (7, "translator", "zhanaozen", "kk"),
    } <= roles
    # The new coordinator now sees the coordinators' help.
    assert "You coordinate: zhanaozen" in reply(await harness.send(5, "/help"))
    assert "You translate alerts into: Русский" in reply(await harness.send(6, "/help"))
    text = reply(await harness.send(OWNER_ID, "/revoke 5 coordinator zhanaozen"))
    assert text == "Done: <code>5</code> is no longer coordinator of zhanaozen."
    text = reply(await harness.send(OWNER_ID, "/revoke 5 coordinator zhanaozen"))
    assert text == "<code>5</code> was not coordinator of zhanaozen."
    assert (5, "coordinator", "zhanaozen", None) not in await roles_in_db(harness)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/grant", "Usage: /grant <user_id> coordinator <campaign>"),
        ("/grant abc coordinator zhanaozen", "“abc” is not a Telegram user id (a number)."),
        ("/grant 5 admin zhanaozen", "Unknown role “admin”: use coordinator or translator."),
        ("/grant 5 translator xx-nope", "“xx-nope” is not a known language code."),
        ("/grant 5 coordinator nosuch", "There is no campaign called “nosuch”."),
        ("/revoke 5 translator ru {x}", "There is no campaign called “{x}”."),
    ],
)
async def test_grant_bad_input(
    harness: BotHarness, session: AsyncSession, command: str, expected: str
) -> None:
    await load(session)
    before = await roles_in_db(harness)
    assert expected in reply(await harness.send(OWNER_ID, command)).replace("&lt;", "<").replace(
        "&gt;", ">"
    )
    assert await roles_in_db(harness) == before


async def test_owner_creates_campaign_by_sending_a_file(harness: BotHarness) -> None:
    text = await send_file(harness, OWNER_ID, campaign_yaml("steel-workers"))
    assert text == (
        "Campaign “steel-workers” created. Supporters join it with this link: "
        "https://t.me/solidarity_test_bot?start=steel-workers"
    )
    assert (COORDINATOR_ID, "coordinator", "steel-workers", None) in await roles_in_db(harness)


async def test_coordinator_updates_own_campaign_but_not_others(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await load(session, "other-campaign", coordinators=[OTHER_COORDINATOR_ID])
    text = await send_file(harness, COORDINATOR_ID, campaign_yaml(title={"en": "New title"}))
    assert text.startswith("Campaign “zhanaozen” updated.")
    text = await send_file(harness, COORDINATOR_ID, campaign_yaml("other-campaign"))
    assert text == "You do not coordinate the campaign “other-campaign”, so you cannot change it."
    text = await send_file(harness, COORDINATOR_ID, campaign_yaml("brand-new"))
    assert text == "Only the bot's owners can create a new campaign (“brand-new”)."
    async with harness.session_factory() as check:
        titles = dict((await check.execute(select(Campaign.slug, Campaign.title))).all())
    assert titles["zhanaozen"] == {"en": "New title"}
    assert titles["other-campaign"]["en"] == "Free the Zhanaozen oil workers"
    assert "brand-new" not in titles


async def test_reloading_syncs_file_coordinators_but_keeps_granted_ones(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await harness.send(OWNER_ID, "/grant 5 coordinator zhanaozen")
    await send_file(harness, OWNER_ID, campaign_yaml(coordinators=[OTHER_COORDINATOR_ID]))
    coordinators = {r[0] for r in await roles_in_db(harness) if r[1] == "coordinator"}
    assert coordinators == {5, OTHER_COORDINATOR_ID}


async def test_invalid_file_lists_every_problem_and_changes_nothing(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    bad = campaign_yaml(
        timezone="Mars/Olympus",
        demands=[{"en": "ok"}, {"en": "ok"}, {"ru": "нет"}],
        coordinators=["bob"],
        title={"en": "Changed"},
    )
    text = await send_file(harness, COORDINATOR_ID, bad)
    assert "The campaign file was not loaded: 3 problems." in text
    assert "<code>timezone</code>" in text
    assert "<code>demands[2].en</code>" in text
    assert "<code>coordinators[0]</code>" in text
    async with harness.session_factory() as check:
        campaign = await check.scalar(select(Campaign).where(Campaign.slug == "zhanaozen"))
        assert campaign is not None and campaign.title["en"] == "Free the Zhanaozen oil workers"


async def test_file_problems_are_reported_in_the_senders_language(
    harness: BotHarness,
) -> None:
    document = harness.api.add_file(b"slug: [unclosed", "c.yaml")
    calls = await harness.feed(
        message_update(OWNER_ID, None, language_code="de", document=document)
    )
    expected = harness.t("not valid YAML (line {line})", "de", line=1)
    assert expected != "not valid YAML (line 1)"
    assert expected in reply(calls)


async def test_file_upload_bad_input(harness: BotHarness) -> None:
    assert await send_file(harness, OWNER_ID, "x", name="campaign.txt") == (
        "Send the campaign file as a .yaml document."
    )
    assert "not UTF-8" in await send_file(harness, OWNER_ID, b"\xff\xfe\x00bad")
    text = await send_file(harness, SUPPORTER_ID, campaign_yaml())
    assert text.startswith("Only campaign coordinators can send files to the bot.")
    big = {
        "file_id": "big",
        "file_unique_id": "big",
        "file_name": "c.yaml",
        "file_size": 10_000_000,
    }
    calls = await harness.feed(message_update(OWNER_ID, None, document=big))
    assert reply(calls) == "This file is too large: a campaign file is at most 256 KB."
