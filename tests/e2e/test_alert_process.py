"""Compose → translate → deliver, with the bot as a process talking to the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.callbacks import AlertCallback, TranslateCallback
from tests.e2e.process import bot_env, bot_process
from tests.e2e.test_bot_process import load_campaign, to
from tests.fakeapi import FakeBotAPI
from tests.harness import COORDINATOR_ID, OWNER_ID, callback_update, message_update

RU_READER, EN_READER, TRANSLATOR = 5001, 5003, 6001


async def test_compose_translate_deliver(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    env = bot_env(database_url, fake_api.base_url, ADMIN_IDS=str(OWNER_ID))
    await load_campaign(env, tmp_path)
    async with bot_process("run", env=env, cwd=tmp_path):
        await fake_api.wait_for("deleteWebhook", timeout=60)
        for reader, language in ((RU_READER, "ru"), (EN_READER, "en")):
            fake_api.push_update(message_update(reader, "/start zhanaozen", language_code=language))
            await fake_api.wait_for("sendMessage", to(reader))  # welcome
            await fake_api.wait_for("sendMessage", to(reader))  # subscribed
        fake_api.push_update(message_update(OWNER_ID, f"/grant {TRANSLATOR} translator ru"))
        await fake_api.wait_for("sendMessage", to(OWNER_ID))

        fake_api.push_update(
            message_update(COORDINATOR_ID, "/alert zhanaozen <b>Strike</b>: 40 arrested.")
        )
        preview = await fake_api.wait_for(
            "sendMessage", lambda c: c.chat_id == COORDINATOR_ID and "reply_markup" in c.params
        )
        buttons = preview.params["reply_markup"]["inline_keyboard"]
        alert_id = AlertCallback.unpack(buttons[0][0]["callback_data"]).alert_id
        fake_api.push_update(
            callback_update(COORDINATOR_ID, AlertCallback(action="hold", alert_id=alert_id).pack())
        )
        request = await fake_api.wait_for("sendMessage", to(TRANSLATOR))
        assert request.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
            TranslateCallback(alert_id=alert_id, language="ru").pack()
        )
        english = await fake_api.wait_for("sendMessage", to(EN_READER), timeout=30)
        assert "<b>Strike</b>: 40 arrested." in (english.text or "")

        fake_api.push_update(
            message_update(
                TRANSLATOR,
                f"/translate {alert_id} ru <b>Забастовка</b>: 40 арестованных.",
                language_code="ru",
            )
        )
        await fake_api.wait_for("sendMessage", to(TRANSLATOR))  # thanks
        russian = await fake_api.wait_for("sendMessage", to(RU_READER), timeout=30)
        assert "<b>Забастовка</b>: 40 арестованных." in (russian.text or "")
        assert "Свободу нефтяникам Жанаозена" in (russian.text or "")
    # Each reader got the alert exactly once.
    alerts = [c for c in fake_api.calls_of("sendMessage") if "40 " in (c.text or "")]
    assert sorted(c.chat_id or 0 for c in alerts if c.chat_id in (RU_READER, EN_READER)) == [
        RU_READER,
        EN_READER,
    ]
