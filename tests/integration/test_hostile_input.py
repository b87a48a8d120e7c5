"""Random and hostile text to every command and every dialog step (Hypothesis).

Whatever arrives, the bot answers, never fails, and every message it sends is valid
Telegram HTML within the length limits (the fake Bot API refuses anything else, which
would surface as the error handler's apology).
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import EndorsementCallback, TranslateCallback
from bot.commands import COMMANDS
from bot.middlewares import ThrottlingMiddleware
from bot.rendering import MESSAGE_LIMIT
from bot.services.alerts import AlertService
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from bot.services.endorsements import EndorsementDraft, EndorsementService
from bot.services.team import TeamService
from tests.campaigns import campaign_data
from tests.fakeapi import Call
from tests.harness import COORDINATOR_ID, OWNER_ID, SUPPORTER_ID, BotHarness

APOLOGY = "Sorry, something went wrong"
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "<b>bold</i>",
            "<script>alert(1)</script>",
            '<a href="javascript:alert(1)">x</a>',
            "&amp; &lt; & < > \" '",
            "'; DROP TABLE users; --",
            "1 OR 1=1",
            "zhanaozen\u202e\u200f\u200bevil",
            "\x00\x01\x07\x1b[31m",
            "👩‍👩‍👧‍👦🇰🇿" * 50,
            "x" * 10_000,
            "زهانوزن ru",
            "12 ru <i>перевод</i>",
            "zhanaozen translator ru",
        ]
    ),
    st.text(max_size=300),
    st.text(min_size=4000, max_size=10_000),
)
USERS = st.sampled_from([OWNER_ID, COORDINATOR_ID, SUPPORTER_ID])
ACTION = {
    "id": "embassy",
    "title": "Protest to the embassy",
    "template": "Dear Ambassador, from {country} to the {target} on {date}.",
    "embassy_of": "KZ",
    "fallback": {"name": "Ministry of Foreign Affairs", "email": "mfa@example.org"},
}
#: Supporters who have not told their country yet, one per /act example.
NEW_SUPPORTERS = itertools.count(900_000)
#: Valid answers that lead through the /endorse dialog to each of its steps.
ENDORSE_STEPS = {
    "name": [],
    "city": ["Valid Union"],
    "country": ["Valid Union", "Lyon"],
    "website": ["Valid Union", "Lyon", "France"],
    "email": ["Valid Union", "Lyon", "France", "/skip"],
    "signer": ["Valid Union", "Lyon", "France", "/skip", "a@example.org"],
}
#: Dialog steps: the command (or button) that opens the step, then the hostile text.
DIALOGS = (
    "alert",
    "translate",
    "display_name",
    "country",
    "reject_reason",
    "act_country",
    *(f"endorse_{step}" for step in ENDORSE_STEPS),
)


async def prepare(harness: BotHarness, session: AsyncSession) -> None:
    """Once per test: a campaign, an alert, no flood limit (thousands of updates)."""
    if getattr(harness, "prepared", False):
        return
    for middleware in harness.dispatcher.update.outer_middleware:
        if isinstance(middleware, ThrottlingMiddleware):
            middleware.limit = 10**9
    await CampaignService(session).load(validate_campaign(campaign_data(actions=[ACTION])))
    await AlertService(session, "en").compose(COORDINATOR_ID, "zhanaozen", "Strike news")
    await EndorsementService(session, frozenset({OWNER_ID}), "en").submit(
        SUPPORTER_ID + 1, "en", "zhanaozen", EndorsementDraft("Some Union", "FR", "s@example.org")
    )
    harness.prepared = True  # type: ignore[attr-defined]


def check(calls: list[Call]) -> None:
    sent = [c for c in calls if c.method in ("sendMessage", "answerCallbackQuery", "sendPhoto")]
    assert sent, "every input gets an answer"
    for call in calls:
        text = call.text or ""
        assert APOLOGY not in text, text
        assert len(text) <= MESSAGE_LIMIT
        assert call.method != "sendMessage" or text.strip()


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(command=st.sampled_from([spec.name for spec in COMMANDS]), text=HOSTILE, user=USERS)
async def test_every_command_survives_hostile_text(
    harness: BotHarness, session: AsyncSession, command: str, text: str, user: int
) -> None:
    await prepare(harness, session)
    check(await harness.send(user, f"/{command} {text}"))
    await harness.send(user, "/cancel")


@SETTINGS
@given(dialog=st.sampled_from(DIALOGS), text=HOSTILE, user=USERS)
async def test_every_dialog_step_survives_hostile_text(
    harness: BotHarness, session: AsyncSession, dialog: str, text: str, user: int
) -> None:
    await prepare(harness, session)
    if dialog == "alert":
        await harness.send(user, "/alert zhanaozen")
    elif dialog == "translate":
        await harness.press(user, TranslateCallback(alert_id=1, language="ru").pack())
    elif dialog == "act_country":
        user = next(NEW_SUPPORTERS)
        asked = await harness.send(user, "/act zhanaozen")
        assert "country" in (asked[0].text or ""), "the country question comes first"
    elif dialog == "country":
        await harness.send(user, "/country")
    elif dialog == "reject_reason":
        await harness.press(user, EndorsementCallback(action="reason", endorsement_id=1).pack())
    elif dialog.startswith("endorse_"):
        await harness.send(user, "/endorse zhanaozen")
        step = dialog.removeprefix("endorse_")
        for answer in ENDORSE_STEPS[step]:
            await harness.send(user, answer)
        context = harness.dispatcher.fsm.get_context(harness.bot, chat_id=user, user_id=user)
        assert await context.get_state() == f"EndorseForm:{step}"  # the step is reached
    else:
        async with harness.session_factory() as opened:
            token = await TeamService(opened).invite(OWNER_ID, "zhanaozen", "coordinator", None)
        await harness.send(user, f"/start {token}")
    if not text.strip():
        text = text + "."
    check(await harness.send(user, text))
    await harness.send(user, "/cancel")
