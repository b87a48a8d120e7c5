"""A small Bot API client for the delivery worker's hot path.

The bot itself talks to Telegram through aiogram. The worker sends thousands of messages a
second and only needs five methods, so it posts JSON with aiohttp and reads back only what
it needs: this avoids building and validating pydantic models per message, and keeps the
worker process ~130 MB lighter (aiogram's types are never imported). Measured in
bench/RESULTS.md.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class TelegramError(Exception):
    """Telegram refused the request; ``description`` is its own wording."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description


class RetryAfter(TelegramError):
    def __init__(self, status: int, description: str, retry_after: float) -> None:
        super().__init__(status, description)
        self.retry_after = retry_after


class Forbidden(TelegramError):
    """403: the user blocked the bot or was deactivated."""


class BadRequest(TelegramError):
    """400: the request cannot succeed as it is (chat not found, message too old, ...)."""


class Unavailable(TelegramError):
    """5xx, a timeout or a network failure: worth trying again later."""


class BotAPI:
    def __init__(
        self, token: str, base_url: str, *, connections: int = 100, timeout: float = 30.0
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=self._timeout,
                json_serialize=json.dumps,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        try:
            async with self._client().post(self._url + method, json=payload) as response:
                body = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise Unavailable(0, f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(body)
        except ValueError:
            raise Unavailable(status, f"unreadable answer (HTTP {status})") from None
        if answer.get("ok"):
            return answer.get("result")
        code = int(answer.get("error_code") or status)
        description = str(answer.get("description") or f"HTTP {status}")
        if code == 429:
            retry_after = (answer.get("parameters") or {}).get("retry_after", 1)
            raise RetryAfter(code, description, float(retry_after))
        if code == 403:
            raise Forbidden(code, description)
        if code == 400:
            raise BadRequest(code, description)
        raise Unavailable(code, description)

    @staticmethod
    def _formatted(
        chat_id: int, text: str, reply_markup: dict[str, Any], *, caption: bool, paid: bool = False
    ) -> dict[str, Any]:
        """What every alert message carries: HTML text (or caption), buttons, no preview."""
        payload: dict[str, Any] = {
            "chat_id": chat_id,
            "parse_mode": "HTML",
            "reply_markup": reply_markup,
        }
        if caption:
            payload["caption"] = text
        else:
            payload["text"] = text
            payload["link_preview_options"] = {"is_disabled": True}
        if paid:
            payload["allow_paid_broadcast"] = True
        return payload

    async def send_message(
        self, chat_id: int, text: str, reply_markup: dict[str, Any], *, paid: bool = False
    ) -> int:
        payload = self._formatted(chat_id, text, reply_markup, caption=False, paid=paid)
        return int((await self.call("sendMessage", payload))["message_id"])

    async def send_photo(
        self,
        chat_id: int,
        photo: str,
        caption: str,
        reply_markup: dict[str, Any],
        *,
        paid: bool = False,
    ) -> int:
        payload = self._formatted(chat_id, caption, reply_markup, caption=True, paid=paid)
        payload["photo"] = photo
        return int((await self.call("sendPhoto", payload))["message_id"])

    async def edit_message(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: dict[str, Any],
        *,
        caption: bool = False,
    ) -> None:
        payload = self._formatted(chat_id, text, reply_markup, caption=caption)
        payload["message_id"] = message_id
        await self.call("editMessageCaption" if caption else "editMessageText", payload)

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        await self.call("deleteMessage", {"chat_id": chat_id, "message_id": message_id})
