"""The permission matrix: every privileged command and callback, tried by five people.

Rows are derived from bot.commands.COMMANDS: a new privileged command without a row here
fails ``test_every_privileged_command_has_a_row``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import (
    AlertCallback,
    ContactCallback,
    CountryCallback,
    EndorseFormCallback,
    EndorsementCallback,
    ForgetCallback,
    TakeActionCallback,
    TeamCallback,
    TranslateCallback,
)
from bot.commands import COMMANDS, EVERYONE
from bot.services.alerts import AlertService
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from bot.services.endorsements import EndorsementDraft, EndorsementService
from bot.services.roles import RoleService
from db.models import Alert, AlertTranslation, Endorsement, Role
from tests.campaigns import campaign_data
from tests.harness import COORDINATOR_ID, OWNER_ID, SUPPORTER_ID, BotHarness, reply

TRANSLATOR_ID = 6000
OTHER_COORDINATOR_ID = 4000
MEMBER_ID = 77  # a translator into Kazakh, removable by the campaign's team managers
SUBMITTER_ID = 8000  # submitted the endorsements; none of the five actors

ACTORS = {
    "supporter": SUPPORTER_ID,
    "translator": TRANSLATOR_ID,
    "other coordinator": OTHER_COORDINATOR_ID,
    "coordinator": COORDINATOR_ID,
    "owner": OWNER_ID,
}
MANAGERS = frozenset({"coordinator", "owner"})
TRANSLATING = MANAGERS | {"translator"}
OWNERS = frozenset({"owner"})

#: What a refusal looks like, whichever check refused.
REFUSALS = (
    "This command is not available to you.",
    "You do not coordinate the campaign",
    "in a campaign you coordinate",
    "You can only change the team of a campaign you coordinate.",
    "that you can translate into this language",
    "You cannot change this alert.",
    "You cannot translate this alert.",
    "You cannot change this team.",
    "Only the campaign's coordinators can do this.",
    "Only the campaign's coordinators can export this.",
    "There is no such endorsement.",
)


@dataclass(frozen=True)
class World:
    alert_id: int  # a draft
    sent_alert_id: int  # released, so that it can be retracted
    member_role_id: int
    pending_id: int  # an endorsement waiting for verification
    approved_id: int  # one on the public list, that can be removed


async def build_world(session: AsyncSession) -> World:
    campaigns = CampaignService(session)
    await campaigns.load(validate_campaign(campaign_data()))
    await campaigns.load(
        validate_campaign(campaign_data("other-campaign", coordinators=[OTHER_COORDINATOR_ID]))
    )
    roles = RoleService(session, frozenset({OWNER_ID}))
    await roles.grant(TRANSLATOR_ID, "translator", "zhanaozen", "ru")
    await roles.grant(MEMBER_ID, "translator", "zhanaozen", "kk")
    alerts = AlertService(session, "en")
    alert = await alerts.compose(COORDINATOR_ID, "zhanaozen", "Strike")
    sent = await alerts.compose(COORDINATOR_ID, "zhanaozen", "Earlier news")
    await alerts.send_now(sent.id)
    member_role_id = await session.scalar(select(Role.id).where(Role.user_id == MEMBER_ID))
    assert member_role_id is not None
    endorsements = EndorsementService(session, frozenset({OWNER_ID}), "en")
    pending, approved = [
        (
            await endorsements.submit(
                SUBMITTER_ID, "en", "zhanaozen", EndorsementDraft(name, "FR", "x@example.org")
            )
        ).endorsement.id
        for name in ("Pending Union", "Approved Union")
    ]
    await endorsements.decide(approved, OWNER_ID, "approve", "en")
    return World(alert.id, sent.id, member_role_id, pending, approved)


#: command -> (an invocation, who may run it)
COMMAND_ROWS: dict[str, tuple[str, frozenset[str]]] = {
    "alert": ("/alert zhanaozen Workers freed", MANAGERS),
    "alerts": ("/alerts zhanaozen", MANAGERS),
    "report": ("/report {alert}", MANAGERS),
    "hold": ("/hold {alert} 5", MANAGERS),
    "retract": ("/retract {alert}", MANAGERS),
    "translate": ("/translate {alert} ru Рабочие свободны", TRANSLATING),
    "invite": ("/invite zhanaozen coordinator", MANAGERS),
    "team": ("/team zhanaozen", MANAGERS),
    "revoke": ("/revoke 77 translator kk zhanaozen", MANAGERS),
    "audit": ("/audit zhanaozen", MANAGERS),
    "grant": ("/grant 78 translator kk zhanaozen", OWNERS),
    "pending": ("/pending zhanaozen", MANAGERS),
    "endorsement": ("/endorsement {pending}", MANAGERS),
    "stats": ("/stats zhanaozen", MANAGERS),
}
#: Commands open to everyone whose arguments can ask for something privileged.
ARGUMENT_ROWS: dict[str, tuple[str, frozenset[str]]] = {
    "export endorsements": ("/export zhanaozen endorsements", MANAGERS),
    "export signatories": ("/export zhanaozen signatories", frozenset(ACTORS)),
    "export actions": ("/export zhanaozen actions", MANAGERS),
}


def test_every_privileged_command_has_a_row() -> None:
    privileged = {spec.name for spec in COMMANDS if spec.audience != EVERYONE}
    assert privileged == set(COMMAND_ROWS)


def refused(text: str) -> bool:
    return any(refusal in text for refusal in REFUSALS)


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("command", list(COMMAND_ROWS) + list(ARGUMENT_ROWS))
async def test_privileged_command(
    harness: BotHarness, session: AsyncSession, command: str, actor: str
) -> None:
    world = await build_world(session)
    invocation, allowed = {**COMMAND_ROWS, **ARGUMENT_ROWS}[command]
    calls = await harness.send(
        ACTORS[actor], invocation.format(alert=world.alert_id, pending=world.pending_id)
    )
    text = reply(calls)
    assert text or any(c.method == "sendDocument" for c in calls), "every command gets an answer"
    assert refused(text) == (actor not in allowed), text
    if command.startswith("export"):
        assert any(c.method == "sendDocument" for c in calls) == (actor in allowed)


async def alert_state(harness: BotHarness, alert_id: int) -> tuple[str, bool, int]:
    async with harness.session_factory() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        translations = len(
            list(
                await session.scalars(
                    select(AlertTranslation).where(AlertTranslation.alert_id == alert_id)
                )
            )
        )
        return alert.status, alert.urgent, translations


async def member_roles(harness: BotHarness) -> int:
    async with harness.session_factory() as session:
        return len(list(await session.scalars(select(Role).where(Role.user_id == MEMBER_ID))))


async def endorsement_states(harness: BotHarness) -> list[tuple[int, str]]:
    async with harness.session_factory() as session:
        rows = await session.execute(select(Endorsement.id, Endorsement.status))
        return sorted((row.id, row.status) for row in rows)


#: callback -> (its data for the world, who may press it)
CALLBACK_ROWS: dict[str, tuple[str, frozenset[str]]] = {
    **{
        f"alert:{action}": (AlertCallback(action=action, alert_id=0).pack(), MANAGERS)
        for action in ("urgent", "send", "hold", "cancel", "retract")
    },
    "translate": (TranslateCallback(alert_id=0, language="ru").pack(), TRANSLATING),
    "team:remove": (TeamCallback(role_id=0).pack(), MANAGERS),
    **{
        f"endorsement:{action}": (
            EndorsementCallback(action=action, endorsement_id=0).pack(),
            MANAGERS,
        )
        for action in ("approve", "reject", "reason", "remove")
    },
    # Only the submitter (none of the five) may withdraw an endorsement.
    "endorsement:withdraw": (
        EndorsementCallback(action="withdraw", endorsement_id=0).pack(),
        frozenset(),
    ),
}


def test_every_privileged_callback_class_has_a_row() -> None:
    """Callback classes that act on something (all but the supporter's own buttons)."""
    from bot import callbacks

    privileged = {AlertCallback, TranslateCallback, TeamCallback, EndorsementCallback}
    own = {
        callbacks.LanguageCallback,
        callbacks.SubscriptionCallback,
        callbacks.MenuCallback,
        CountryCallback,  # the presser's own country, or their own dialog's answer
        EndorseFormCallback,  # submits the presser's own dialog
        TakeActionCallback,  # opens /act for the presser
        ContactCallback,  # the presser's own report, re-checked against their own targets
    }
    declared = {
        value
        for value in vars(callbacks).values()
        if isinstance(value, type)
        and issubclass(value, callbacks.CallbackData)
        and value is not callbacks.CallbackData
    }
    assert declared == privileged | own | {ForgetCallback}


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("callback", list(CALLBACK_ROWS))
async def test_privileged_callback(
    harness: BotHarness, session: AsyncSession, callback: str, actor: str
) -> None:
    world = await build_world(session)
    data, allowed = CALLBACK_ROWS[callback]
    target = {
        "team:remove": world.member_role_id,
        "alert:retract": world.sent_alert_id,
        **{
            f"endorsement:{action}": world.pending_id
            for action in ("approve", "reject", "reason", "withdraw")
        },
        "endorsement:remove": world.approved_id,
    }
    alert_id = world.sent_alert_id if callback == "alert:retract" else world.alert_id
    data = data.replace(":0", f":{target.get(callback, world.alert_id)}", 1)

    async def state() -> tuple[object, ...]:
        return (
            await alert_state(harness, alert_id),
            await member_roles(harness),
            await endorsement_states(harness),
        )

    before = await state()
    calls = await harness.press(ACTORS[actor], data)
    answers = [str(c.params.get("text") or "") for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, "every press is answered"
    after = await state()
    if actor in allowed:
        assert not refused(answers[0]), answers
        # These open a dialog (a translation, a reason) or only notify.
        if callback not in ("translate", "alert:hold", "endorsement:reason"):
            assert after != before
    else:
        assert refused(answers[0]), answers
        assert after == before, "a refused press changes nothing"
