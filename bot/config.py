"""Application settings: read once from the environment (and an optional ``.env``)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.locales import SUPPORTED_LOCALES

if TYPE_CHECKING:
    from db.encryption import FieldCipher

DEFAULT_API_URL = "https://api.telegram.org"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
#: Telegram's broadcast limits: ~30 messages/s for free, up to 1000/s with paid broadcasts.
FREE_RATE_LIMIT = 30.0
PAID_RATE_LIMIT = 1000.0


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///solidarity.db"
    telegram_api_url: str = DEFAULT_API_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: str = "en"
    log_level: str = "INFO"
    port: int = Field(default=8080, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    locales_dir: Path = LOCALES_DIR
    send_rate: float = Field(default=25.0, gt=0, le=PAID_RATE_LIMIT)
    paid_broadcast: bool = False
    redis_url: str | None = None
    alert_hold_minutes: int = Field(default=20, ge=1, le=24 * 60)
    delivery_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    #: Fernet key(s) for private fields; comma-separated, the first encrypts (docs/security.md).
    data_key: SecretStr | None = None
    #: Per-user flood limit: at most ``throttle_updates`` updates per ``throttle_seconds``.
    throttle_updates: int = Field(default=20, ge=1)
    throttle_seconds: float = Field(default=10.0, gt=0, le=3600)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected comma-separated Telegram user ids") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("expected a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("expected an https:// URL that Telegram can reach")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError("expected one of " + ", ".join(LOG_LEVELS))
        return level

    @field_validator("default_locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError("expected one of " + ", ".join(SUPPORTED_LOCALES))
        return value

    @model_validator(mode="after")
    def _check_rate(self) -> Settings:
        if self.send_rate > FREE_RATE_LIMIT and not self.paid_broadcast:
            raise ValueError(
                f"send_rate: above {FREE_RATE_LIMIT:g}/s Telegram needs paid broadcasts: "
                "set PAID_BROADCAST=true"
            )
        return self

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected a redis:// URL")
        return value or None

    @field_validator("data_key")
    @classmethod
    def _check_data_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        from db.encryption import DataKeyError, FieldCipher

        try:
            FieldCipher.from_setting(value.get_secret_value())
        except DataKeyError as exc:
            raise ValueError(str(exc)) from None
        return value

    def field_cipher(self) -> FieldCipher | None:
        """The cipher for private fields, or None (stored in clear) without DATA_KEY."""
        from db.encryption import FieldCipher

        return FieldCipher.from_setting(self.data_key.get_secret_value() if self.data_key else None)

    def require_token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError("BOT_TOKEN is not set: get a token from @BotFather and set it")
        token = self.bot_token.get_secret_value().strip()
        head, _, tail = token.partition(":")
        if not head.isdigit() or not tail:
            raise SettingsError("BOT_TOKEN is malformed: expected <digits>:<secret>")
        return token

    def require_webhook_url(self) -> str:
        if not self.webhook_url:
            raise SettingsError("WEBHOOK_URL is not set: the public https:// URL of this server")
        return self.webhook_url

    def webhook_secret_token(self) -> str:
        """The secret Telegram must echo on every webhook request.

        Stable across restarts and processes: WEBHOOK_SECRET when set, else derived from the
        bot token so that it is unguessable without the token.
        """
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        key = self.require_token().encode()
        return hmac.new(key, b"solidarity-bot/webhook", hashlib.sha256).hexdigest()


def create_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into one clear line per variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["loc"]:
                name = str(error["loc"][0]).upper()
            else:  # a check across settings names its variable first: "send_rate: ..."
                field, _sep, message = message.partition(": ")
                name = field.upper()
            lines.append(f"{name} is malformed: {message}")
        raise SettingsError("; ".join(lines)) from None
