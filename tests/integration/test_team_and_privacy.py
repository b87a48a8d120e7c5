"""Team invitations, /team, /revoke by coordinators, /audit, /mydata and /forget."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import EndorseFormCallback, EndorsementCallback, ForgetCallback, TeamCallback
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from bot.services.team import TeamService, invite_hash
from db.models import AuditEntry, Base, Endorsement, Role, TeamInvite, utcnow
from tests.campaigns import campaign_data
from tests.harness import COORDINATOR_ID, OWNER_ID, SUPPORTER_ID, BotHarness, reply

OTHER_COORDINATOR_ID = 4000
NEWCOMER_ID = 5000
LINK = re.compile(r"https://t\.me/solidarity_test_bot\?start=(join_[A-Za-z0-9_-]+)")


async def load(session: AsyncSession, slug: str = "zhanaozen", **overrides: Any) -> None:
    await CampaignService(session).load(validate_campaign(campaign_data(slug, **overrides)))


async def invite(harness: BotHarness, user_id: int, args: str) -> str:
    text = reply(await harness.send(user_id, f"/invite {args}"))
    found = LINK.search(text)
    assert found is not None, text
    assert len(found.group(1)) <= 64
    return found.group(1)


async def roles_of(harness: BotHarness, user_id: int) -> set[tuple[str, str | None]]:
    async with harness.session_factory() as session:
        rows = await session.execute(
            select(Role.role, Role.language).where(Role.user_id == user_id)
        )
        return {(role, language) for role, language in rows.all()}


async def test_invite_link_works_once_and_asks_for_a_name(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    token = await invite(harness, COORDINATOR_ID, "zhanaozen translator ru")
    async with harness.session_factory() as check:
        stored = await check.scalar(select(TeamInvite.token_hash))
    assert stored == invite_hash(token) and token not in stored  # only the hash is kept

    joined = reply(await harness.send(NEWCOMER_ID, f"/start {token}"))
    assert "you are now translator into Русский for zhanaozen" in joined
    assert await roles_of(harness, NEWCOMER_ID) == {("translator", "ru")}
    too_long = reply(await harness.send(NEWCOMER_ID, "x" * 65))
    assert too_long == "Send a name of 1 to 64 characters, or /cancel to skip."
    named = reply(await harness.send(NEWCOMER_ID, "Ana <b>&"))
    assert named == "Thank you. The team sees you as “Ana &lt;b&gt;&amp;”."

    again = reply(await harness.send(OTHER_COORDINATOR_ID, f"/start {token}"))
    assert again == "This invitation was already used. Ask for a new one."
    assert await roles_of(harness, OTHER_COORDINATOR_ID) == set()

    team = reply(await harness.send(COORDINATOR_ID, "/team zhanaozen"))
    assert "• Ana &lt;b&gt;&amp; — translator into Русский for zhanaozen" in team
    assert "(named in the campaign file)" in team  # the file's coordinator


async def test_wrong_and_expired_invites_change_nothing(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    wrong = reply(await harness.send(NEWCOMER_ID, "/start join_" + "A" * 43))
    assert wrong == "This invitation link is not valid."
    token = await invite(harness, OWNER_ID, "zhanaozen coordinator")
    async with harness.session_factory() as change:
        await change.execute(update(TeamInvite).values(expires_at=utcnow() - timedelta(seconds=1)))
        await change.commit()
    expired = reply(await harness.send(NEWCOMER_ID, f"/start {token}"))
    assert expired == "This invitation has expired. Ask for a new one."
    assert await roles_of(harness, NEWCOMER_ID) == set()


async def test_invite_expires_after_24_hours(session: AsyncSession) -> None:
    await load(session)
    team = TeamService(session)
    token = await team.invite(OWNER_ID, "zhanaozen", "coordinator", None)
    assert token is not None
    late = await team.accept(token, NEWCOMER_ID, now=utcnow() + timedelta(hours=24, seconds=1))
    assert late.outcome.value == "expired"
    in_time = await team.accept(token, NEWCOMER_ID, now=utcnow() + timedelta(hours=23))
    assert in_time.outcome.value == "joined"


async def test_only_the_campaigns_coordinators_invite(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await load(session, "other-campaign", coordinators=[OTHER_COORDINATOR_ID])
    refused = reply(await harness.send(OTHER_COORDINATOR_ID, "/invite zhanaozen coordinator"))
    assert refused == "You do not coordinate the campaign “zhanaozen”."
    supporter = reply(await harness.send(SUPPORTER_ID, "/invite zhanaozen coordinator"))
    assert supporter == "This command is not available to you. Send /help to see yours."
    async with harness.session_factory() as check:
        assert await check.scalar(select(func.count()).select_from(TeamInvite)) == 0


async def test_coordinator_removes_a_member_and_file_roles_stay(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await load(session, "other-campaign", coordinators=[OTHER_COORDINATOR_ID])
    token = await invite(harness, COORDINATOR_ID, "zhanaozen coordinator")
    await harness.send(NEWCOMER_ID, f"/start {token}")
    file_role = reply(
        await harness.send(OWNER_ID, f"/revoke {COORDINATOR_ID} coordinator zhanaozen")
    )
    assert "This role comes from the campaign file" in file_role
    async with harness.session_factory() as check:
        role_id = await check.scalar(select(Role.id).where(Role.user_id == NEWCOMER_ID))
    assert role_id is not None
    forged = TeamCallback(role_id=role_id).pack()
    for intruder in (SUPPORTER_ID, OTHER_COORDINATOR_ID):
        calls = await harness.press(intruder, forged)
        assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
            "You cannot change this team."
        ]
    assert await roles_of(harness, NEWCOMER_ID) == {("coordinator", None)}
    done = reply(await harness.press(COORDINATOR_ID, forged))
    assert "is no longer coordinator of zhanaozen" in done
    assert await roles_of(harness, NEWCOMER_ID) == set()


async def test_audit_lists_privileged_acts_to_the_campaigns_coordinators(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await load(session, "other-campaign", coordinators=[OTHER_COORDINATOR_ID])
    token = await invite(harness, COORDINATOR_ID, "zhanaozen coordinator")
    await harness.send(NEWCOMER_ID, f"/start {token}")
    await harness.send(NEWCOMER_ID, "Newcomer")
    await harness.send(OWNER_ID, "/grant 77 translator kk zhanaozen")
    await harness.send(COORDINATOR_ID, "/revoke 77 translator kk zhanaozen")
    text = reply(await harness.send(COORDINATOR_ID, "/audit zhanaozen"))
    for action in (
        "campaign file loaded",
        "invitation created",
        "invitation accepted",
        "role granted",
        "role removed",
    ):
        assert action in text
    assert "Newcomer · invitation accepted · coordinator" in text
    refused = reply(await harness.send(OTHER_COORDINATOR_ID, "/audit zhanaozen"))
    assert refused == "You do not coordinate the campaign “zhanaozen”."
    async with harness.session_factory() as check:
        revoke = await check.scalar(select(AuditEntry).where(AuditEntry.action == "role.revoke"))
    assert revoke is not None
    assert (revoke.actor_id, revoke.subject_id) == (COORDINATOR_ID, 77)


async def tables_holding(harness: BotHarness, user_id: int, secrets: list[str]) -> list[str]:
    """Every table and column of the metadata that still holds the id or a secret."""
    found = []
    async with harness.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, Integer | BigInteger):
                    condition = column == user_id
                else:
                    text_value = (
                        cast(column, Text) if not isinstance(column.type, String) else column
                    )
                    condition = text_value.contains(str(user_id))
                    for secret in secrets:
                        condition = condition | text_value.contains(secret)
                count = await session.scalar(
                    select(func.count()).select_from(table).where(condition)
                )
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


async def test_forget_leaves_no_trace_in_any_table(
    harness: BotHarness, session: AsyncSession
) -> None:
    """The user is a supporter and a team member who wrote an alert and a translation."""
    member = 987654321
    await load(session)
    token = await invite(harness, COORDINATOR_ID, "zhanaozen coordinator")
    await harness.send(member, f"/start {token}")
    await harness.send(member, "Secret Name")
    await harness.send(member, "/language", language_code="ru")
    await harness.send(member, "/subscribe zhanaozen")
    await harness.send(member, "/grant 1 coordinator zhanaozen")  # refused, not stored
    await harness.send(member, "/invite zhanaozen translator ru")
    preview = await harness.send(member, "/alert zhanaozen Workers freed")
    alert_button = next(
        b["callback_data"]
        for call in preview
        if "reply_markup" in call.params
        for row in call.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("alert:send")
    )
    await harness.press(member, alert_button)
    await harness.send(member, "/translate 1 kk Жұмысшылар босатылды")
    await harness.send(member, "/alert zhanaozen")  # a dialog left unfinished
    before = await tables_holding(harness, member, ["Secret Name"])
    assert {"users.id", "subscriptions.user_id", "roles.user_id", "team_members.user_id"} <= set(
        before
    )
    assert {"alerts.author_id", "audit_log.actor_id", "deliveries.user_id"} <= set(before)

    mydata = reply(await harness.send(member, "/mydata"))
    assert "Secret Name" in mydata and "zhanaozen" in mydata
    assert "/cancel" in mydata  # the unfinished alert

    asked = await harness.send(member, "/forget")
    assert "This cannot be undone" in reply(asked)
    kept = reply(await harness.press(member, ForgetCallback(confirm=False).pack()))
    assert kept == "Nothing was erased."
    assert await tables_holding(harness, member, ["Secret Name"]) == before

    done = reply(await harness.press(member, ForgetCallback(confirm=True).pack()))
    assert done.startswith("Done: the bot no longer stores anything about you.")
    assert await tables_holding(harness, member, ["Secret Name"]) == []
    after = reply(await harness.send(member, "/mydata"))
    assert "Nothing. The bot does not know you." in after
    # The campaign keeps its alert, without the author.
    async with harness.session_factory() as check:
        assert await check.scalar(select(func.count()).select_from(AuditEntry)) > 0


async def test_forget_erases_endorsement_contacts_and_country(
    harness: BotHarness, session: AsyncSession
) -> None:
    """A supporter who told their country and submitted two endorsements, one of them
    approved; erasing them keeps the organisation on the public list, nothing private."""
    member = 987654322
    secrets = ["secret-contact@example.org", "Secret Signer", "Secret Role"]
    await load(session)
    await harness.send(member, "/country")
    await harness.send(member, "Deutschland")
    for line in (
        "Approved Union | Berlin, DE | secret-contact@example.org",
        "Pending Union | Köln, DE | secret-contact@example.org",
    ):
        await harness.send(member, f"/endorse zhanaozen {line}")
        await harness.press(member, EndorseFormCallback(action="submit").pack())
    async with harness.session_factory() as check:
        first = await check.scalar(select(Endorsement).where(Endorsement.name == "Approved Union"))
        assert first is not None
        await check.execute(
            update(Endorsement)
            .where(Endorsement.submitter_id == member)
            .values(signer_name="Secret Signer", signer_role="Secret Role")
        )
        await check.commit()
    await harness.press(
        COORDINATOR_ID, EndorsementCallback(action="approve", endorsement_id=first.id).pack()
    )
    before = await tables_holding(harness, member, secrets)
    assert {"users.id", "endorsements.submitter_id", "endorsements.contact_email"} <= set(before)
    assert {"endorsements.signer_name", "endorsements.signer_role"} <= set(before)
    mydata = reply(await harness.send(member, "/mydata"))
    assert "Country: 🇩🇪 Germany" in mydata
    assert "endorsements you submitted or decided on: 2" in mydata

    await harness.send(member, "/forget")
    await harness.press(member, ForgetCallback(confirm=True).pack())
    assert await tables_holding(harness, member, secrets) == []
    async with harness.session_factory() as check:
        rows = {e.name: e for e in await check.scalars(select(Endorsement))}
    assert rows["Approved Union"].status == "approved"  # the public signature stays
    assert rows["Pending Union"].status == "withdrawn"  # nobody is left to tell the outcome
    assert rows["Pending Union"].dedup_key is None
    public = reply(await harness.send(SUPPORTER_ID, "/signatories zhanaozen"))
    assert "Approved Union (Berlin, Germany)" in public and "Pending Union" not in public
