"""The bot as a process: a supporter's first contact by long polling, and the webhook server."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sysconfig
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.callbacks import LanguageCallback, SubscriptionCallback
from bot.cli import build_parser
from db.engine import create_engine, create_session_factory
from db.models import Subscription, User
from tests.campaigns import campaign_yaml
from tests.e2e.process import ROOT, bot_env, bot_process, free_port, run_cli
from tests.fakeapi import Call, FakeBotAPI
from tests.harness import OWNER_ID, SUPPORTER_ID, callback_update, message_update

WELCOME_DE = "Willkommen"


async def load_campaign(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "zhanaozen.yaml"
    path.write_text(campaign_yaml(), encoding="utf-8")
    code, out, err = await run_cli("campaign", "load", str(path), env=env, cwd=tmp_path)
    assert (code, out.strip()) == (0, "campaign zhanaozen created"), err


def to(user_id: int):  # type: ignore[no-untyped-def]
    return lambda call: call.chat_id == user_id


async def test_supporter_first_contact_by_long_polling(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    env = bot_env(database_url, fake_api.base_url, ADMIN_IDS=str(OWNER_ID))
    await load_campaign(env, tmp_path)
    async with bot_process("run", env=env, cwd=tmp_path):
        await fake_api.wait_for("deleteWebhook", timeout=60)
        menus = fake_api.calls_of("setMyCommands")
        assert {c.params.get("language_code") for c in menus} >= {None, "ru", "zh", "ar"}

        fake_api.push_update(message_update(SUPPORTER_ID, "/start", language_code="ru"))
        welcome = await fake_api.wait_for("sendMessage", to(SUPPORTER_ID))
        assert welcome.text and welcome.text.startswith("<b>")
        assert "Welcome" not in welcome.text  # Russian, from the user's Telegram language

        fake_api.push_update(message_update(SUPPORTER_ID, "/language", language_code="ru"))
        picker = await fake_api.wait_for("sendMessage", to(SUPPORTER_ID))
        labels = [
            b["text"] for row in picker.params["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert "Deutsch" in labels and "• Русский" in labels

        fake_api.push_update(
            callback_update(SUPPORTER_ID, LanguageCallback(code="de").pack(), language_code="ru")
        )
        edited = await fake_api.wait_for("editMessageText", to(SUPPORTER_ID))
        assert edited.text and edited.text.startswith("Sprache: Deutsch")

        fake_api.push_update(message_update(SUPPORTER_ID, "/campaigns", language_code="ru"))
        listing: Call = await fake_api.wait_for("sendMessage", to(SUPPORTER_ID))
        assert listing.text and "Free the Zhanaozen oil workers" in listing.text
        button = listing.params["reply_markup"]["inline_keyboard"][0][0]
        assert button["callback_data"] == SubscriptionCallback(action="on", slug="zhanaozen").pack()

        fake_api.push_update(callback_update(SUPPORTER_ID, button["callback_data"]))
        confirmation = await fake_api.wait_for("sendMessage", to(SUPPORTER_ID))
        assert confirmation.text and "Free the Zhanaozen oil workers" in confirmation.text
        assert "You are subscribed" not in confirmation.text  # German, the saved choice
        await fake_api.wait_for("editMessageReplyMarkup", to(SUPPORTER_ID))

    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            user = await session.get(User, SUPPORTER_ID)
            assert user is not None and user.locale == "de" and user.is_active
            subscriptions = list(await session.scalars(select(Subscription)))
            assert [s.user_id for s in subscriptions] == [SUPPORTER_ID]
    finally:
        await engine.dispose()


async def test_webhook_server_requires_the_secret_token(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """`web` migrates a brand-new database, then serves only requests carrying the secret."""
    port = free_port()
    env = bot_env(
        f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        fake_api.base_url,
        PORT=str(port),
        WEBHOOK_URL="https://bot.example.org/telegram/hook",
    )
    async with bot_process("web", env=env, cwd=tmp_path, stop_signal=signal.SIGTERM):
        registered = await fake_api.wait_for("setWebhook", timeout=60)
        assert registered.params["url"] == "https://bot.example.org/telegram/hook"
        secret = registered.params["secret_token"]
        assert len(secret) >= 32
        url = f"http://127.0.0.1:{port}/telegram/hook"
        update = message_update(SUPPORTER_ID, "/help")
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the server starts listening right after setWebhook
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 401
            assert fake_api.calls_of("sendMessage") == []
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        answer = await fake_api.wait_for("sendMessage", to(SUPPORTER_ID))
        assert answer.text and "/subscribe" in answer.text


async def test_cli_campaign_commands(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    env = bot_env(database_url, fake_api.base_url)
    code, out, _ = await run_cli("migrate", env=env, cwd=tmp_path)
    assert (code, out.strip()) == (0, "database is up to date")
    code, out, _ = await run_cli("campaign", "list", env=env, cwd=tmp_path)
    assert "no campaigns yet" in out
    await load_campaign(env, tmp_path)
    path = tmp_path / "zhanaozen.yaml"
    code, out, _ = await run_cli("campaign", "load", str(path), env=env, cwd=tmp_path)
    assert (code, out.strip()) == (0, "campaign zhanaozen updated")
    path.write_text(campaign_yaml(timezone="Nowhere/City", coordinators=["x"]), encoding="utf-8")
    code, out, err = await run_cli("campaign", "load", str(path), env=env, cwd=tmp_path)
    assert code == 1
    assert err.splitlines() == [
        f"error: {path} was not loaded: 2 problem(s)",
        "  timezone: is not an IANA time zone such as Europe/Berlin",
        "  coordinators[0]: must be a numeric Telegram user id",
    ]
    code, _, err = await run_cli(
        "campaign", "load", str(tmp_path / "missing.yaml"), env=env, cwd=tmp_path
    )
    assert code == 1 and "cannot read" in err
    code, out, _ = await run_cli("campaign", "list", env=env, cwd=tmp_path)
    assert out.splitlines()[0].split() == ["SLUG", "STATUS", "SUBSCRIBERS", "TITLE"]
    assert out.splitlines()[1].split()[:3] == ["zhanaozen", "active", "0"]


def test_console_script_and_procfile() -> None:
    """The installed `solidarity-bot` script, and the Procfile's processes exist."""
    script = Path(sysconfig.get_path("scripts")) / "solidarity-bot"
    assert script.exists(), "install the project as the README says: pip install -e ."
    result = subprocess.run(
        [str(script), "campaign", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("usage: solidarity-bot campaign")
    procfile = (ROOT / "Procfile").read_text().splitlines()
    assert procfile == [
        "release: python -m bot migrate",
        "web: python -m bot web",
        "worker: python -m bot worker",
    ]
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for line in procfile:
        assert line.split()[-1] in commands


async def test_every_subcommand_has_help(tmp_path: Path) -> None:
    env = bot_env("sqlite+aiosqlite:///unused.db", "http://127.0.0.1:1")
    for args in (
        ["--help"],
        ["run", "--help"],
        ["web", "--help"],
        ["migrate", "--help"],
        ["campaign", "--help"],
        ["campaign", "load", "--help"],
        ["campaign", "list", "--help"],
        ["export", "--help"],
        ["rotate-key", "--help"],
        ["generate-key", "--help"],
        ["targets", "--help"],
        ["targets", "import-embassies", "--help"],
    ):
        code, out, _ = await run_cli(*args, env=env, cwd=tmp_path)
        assert code == 0 and out.startswith("usage: solidarity-bot"), args
    assert not (tmp_path / "unused.db").exists()  # --help touches nothing
