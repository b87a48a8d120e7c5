"""Issues 4-6 end to end, with the bot as a process: the embassy directory imported by the
CLI, a supporter's contact action, an organisation's endorsement approved by a coordinator,
the exports, and private fields encrypted at rest with DATA_KEY."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from bot.callbacks import EndorseFormCallback
from db.engine import create_engine, create_session_factory
from db.models import ContactRecord, Endorsement
from tests.campaigns import campaign_yaml
from tests.e2e.process import ROOT, bot_env, bot_process, run_cli
from tests.e2e.test_bot_process import to
from tests.fakeapi import Call, FakeBotAPI
from tests.harness import COORDINATOR_ID, OWNER_ID, callback_update, message_update

EMBASSIES = ROOT.parent / "shared" / "data" / "database_of_embassies.csv"
SUPPORTER, ORGANISER = 7001, 7002
EMAIL = "dockers.private@example.org"
ACTIONS: list[dict[str, Any]] = [
    {
        "id": "embassy",
        "title": {"en": "Protest to the embassy of Kazakhstan"},
        "subject": {"en": "Free the oil workers"},
        "template": {"en": "Dear Ambassador, I write from {country} to the {target} on {date}."},
        "embassy_of": "KZ",
        "fallback": {"name": "Ministry of Foreign Affairs", "email": "mfa@example.org"},
    }
]


def buttons(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_act_endorse_approve_and_export(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    assert EMBASSIES.is_file(), f"missing test data: {EMBASSIES}"
    env = bot_env(
        database_url,
        fake_api.base_url,
        ADMIN_IDS=str(OWNER_ID),
        DATA_KEY=Fernet.generate_key().decode(),
    )
    campaign = tmp_path / "zhanaozen.yaml"
    campaign.write_text(campaign_yaml(actions=ACTIONS), encoding="utf-8")
    code, _, err = await run_cli("campaign", "load", str(campaign), env=env, cwd=tmp_path)
    assert code == 0, err
    code, out, err = await run_cli(
        "targets", "import-embassies", str(EMBASSIES), env=env, cwd=tmp_path
    )
    assert code == 0, err
    assert "imported" in out

    async with bot_process("run", env=env, cwd=tmp_path):
        await fake_api.wait_for("deleteWebhook", timeout=60)
        # A supporter in Canada: the country is asked once, then the embassy in Ottawa.
        fake_api.push_update(message_update(SUPPORTER, "/act zhanaozen"))
        asked = await fake_api.wait_for("sendMessage", to(SUPPORTER))
        assert "which country you are in" in (asked.text or "")
        fake_api.push_update(message_update(SUPPORTER, "Canada"))
        card = await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == SUPPORTER and bool(buttons(c))
        )
        assert "Ottawa" in (card.text or "")
        assert "I write from Canada to the Embassy of Kazakhstan" in (card.text or "")
        fake_api.push_update(callback_update(SUPPORTER, buttons(card)[0]))
        await fake_api.wait_for("answerCallbackQuery")

        # An organisation endorses in one line; the coordinator approves from the card.
        fake_api.push_update(
            message_update(ORGANISER, f"/endorse zhanaozen Dockers Union | Hamburg, DE | {EMAIL}")
        )
        await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == ORGANISER and bool(buttons(c))
        )
        fake_api.push_update(
            callback_update(ORGANISER, EndorseFormCallback(action="submit").pack())
        )
        approval = await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == COORDINATOR_ID and bool(buttons(c))
        )
        assert EMAIL in (approval.text or "")  # coordinators see the private contact
        fake_api.push_update(callback_update(COORDINATOR_ID, buttons(approval)[0]))
        outcome = await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == ORGANISER and "verified" in (c.text or "")
        )
        assert "Dockers Union" in (outcome.text or "")
        fake_api.push_update(message_update(SUPPORTER, "/signatories zhanaozen"))
        listing = await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == SUPPORTER and "Signatories" in (c.text or "")
        )
        assert "Dockers Union (Hamburg, Germany)" in (listing.text or "")
        assert EMAIL not in (listing.text or "")

    # The operator's exports read the encrypted fields with the same DATA_KEY.
    code, out, err = await run_cli("export", "zhanaozen", "endorsements", env=env, cwd=tmp_path)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["name"], r["status"], r["contact_email"]) for r in rows] == [
        ("Dockers Union", "approved", EMAIL)
    ]
    code, out, err = await run_cli("export", "zhanaozen", "actions", env=env, cwd=tmp_path)
    assert code == 0, err
    assert [r["count"] for r in csv.DictReader(io.StringIO(out))] == ["1"]

    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            stored = await session.scalar(select(type_coerce(Endorsement.contact_email, Text)))
            assert stored is not None and stored.startswith("fernet:") and EMAIL not in stored
            record = await session.scalar(select(ContactRecord))
            assert record is not None and record.country == "CA"
    finally:
        await engine.dispose()
