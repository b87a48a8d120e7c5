"""Settings: defaults, parsing, and one clear line naming a bad variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, SettingsError, create_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(
            ("BOT_", "DATABASE_", "TELEGRAM_", "ADMIN_", "DEFAULT_", "LOG_", "WEBHOOK_", "PORT")
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = create_settings()
    assert settings.database_url == "sqlite+aiosqlite:///solidarity.db"
    assert settings.telegram_api_url == DEFAULT_API_URL
    assert settings.admin_ids == frozenset()
    assert settings.default_locale == "en"
    assert settings.log_level == "INFO"


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\nADMIN_IDS=1, 2,3\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = create_settings()
    assert settings.require_token() == "123:abc"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.log_level == "DEBUG"
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "ADMIN_IDS",
            "12,bob",
            "ADMIN_IDS is malformed: expected comma-separated Telegram user ids",
        ),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is malformed"),
        ("TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL is malformed"),
        ("DEFAULT_LOCALE", "tlh", "DEFAULT_LOCALE is malformed: expected one of en, ru"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is malformed"),
        ("PORT", "http", "PORT is malformed"),
        ("WEBHOOK_URL", "http://insecure", "WEBHOOK_URL is malformed"),
    ],
)
def test_malformed_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        create_settings()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "abc:def"])
def test_token_is_required_to_run(monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    if token is not None:
        monkeypatch.setenv("BOT_TOKEN", token)
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN is"):
        create_settings().require_token()


def test_webhook_secret_is_stable_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    first, second = create_settings(), create_settings()
    assert first.webhook_secret_token() == second.webhook_secret_token()
    assert "abc" not in first.webhook_secret_token()
    monkeypatch.setenv("WEBHOOK_SECRET", "chosen-secret")
    assert create_settings().webhook_secret_token() == "chosen-secret"


@pytest.mark.parametrize(
    ("command", "variables", "line"),
    [
        ("run", {}, "error: BOT_TOKEN is not set: get a token from @BotFather and set it"),
        (
            "migrate",
            {"ADMIN_IDS": "one,two"},
            "error: ADMIN_IDS is malformed: expected comma-separated Telegram user ids",
        ),
    ],
)
def test_bad_setting_at_start_up_prints_one_line(
    tmp_path: Path, command: str, variables: dict[str, str], line: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env=env | variables,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line]
