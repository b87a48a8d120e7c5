"""A small fake Telegram Bot API server for tests.

This is the only mock of Telegram's servers: the real bot (aiogram's ``AiohttpSession`` with
``TelegramAPIServer.from_base(fake.base_url)``) talks to it over real HTTP, in-process or from a
subprocess.

Requests are ``POST /bot{token}/{method}`` with multipart/form-data or x-www-form-urlencoded
bodies (a JSON body or query string is accepted too). Nested values (reply_markup, entities,
commands, scope...) arrive as JSON strings inside form fields and are decoded into
``Call.params``; plain scalars stay strings; uploaded files become :class:`UploadedFile`, and a
top-level ``attach://<part>`` reference is replaced by the uploaded file itself.

Usage::

    async with FakeBotAPI() as fake:
        bot = Bot("123:ABC", session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
        fake.push_update({"message": {...}})
        call = await fake.wait_for("sendMessage", lambda c: c.chat_id == 1)

Like Telegram, ``deleteWebhook``/``setWebhook`` with ``drop_pending_updates=true`` forget the
updates queued so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

from aiohttp import web
from aiohttp.web_request import FileField

from bot.telegram_html import (
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    LINK_SCHEMES,
    TEXT_LIMIT,
    html_error,
    plain_error,
    utf16_length,
)

__all__ = ["Call", "FakeBotAPI", "UploadedFile"]

#: Long polls never wait longer than this, so that shutdowns stay quick.
GET_UPDATES_TIMEOUT_CAP = 2.0

#: Free-text fields that are never JSON-decoded even when they look like JSON.
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "description",
        "short_description",
        "title",
        "name",
        "question",
        "explanation",
        "query",
        "message_text",
    }
)

_MEDIA_METHODS: dict[str, str] = {
    "sendphoto": "photo",
    "senddocument": "document",
    "sendvideo": "video",
    "sendanimation": "animation",
    "sendaudio": "audio",
    "sendvoice": "voice",
}

_TRUE_METHODS = frozenset(
    {
        "logout",
        "close",
        "deletemessage",
        "deletemessages",
        "answercallbackquery",
        "setmycommands",
        "deletemycommands",
        "setwebhook",
        "deletewebhook",
        "setchatmenubutton",
        "sendchataction",
        "setmydescription",
        "setmyshortdescription",
    }
)


@dataclass
class UploadedFile:
    filename: str
    content: bytes


@dataclass
class Call:
    method: str
    token: str
    params: dict[str, Any]

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        if value is None:
            value = self.params.get("caption")
        return None if value is None else str(value)

    def __str__(self) -> str:
        parts = [self.method]
        if "chat_id" in self.params:
            parts.append(f"chat_id={self.params['chat_id']}")
        if self.text is not None:
            parts.append(f"text={self.text!r}")
        others = {k: v for k, v in self.params.items() if k not in {"chat_id", "text", "caption"}}
        if others:
            parts.append(repr(others))
        return " ".join(parts)


@dataclass
class _Failure:
    method: str  # lowercased
    error_code: int
    description: str
    chat_id: int | None
    retry_after: int | None
    remaining: int | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    file_path: str
    content: bytes


class _APIError(Exception):
    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description


def _to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


def _decode_field(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS or value[:1] not in {"{", "["}:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, dict | list) else value


def _error_body(error_code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    status = error_code if 400 <= error_code <= 599 else 400
    return web.json_response(body, status=status)


_TEXT_METHODS = frozenset({"sendmessage", "editmessagetext"})
_CAPTION_METHODS = frozenset(
    {
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendanimation",
        "sendaudio",
        "sendvoice",
        "editmessagecaption",
    }
)


#: Schemes of links in text (``<a href>``) and of URL buttons that the fake accepts.
#: mailto: is accepted in text links only; buttons take http(s) and tg: (Telegram answers
#: "BUTTON_URL_INVALID" to anything else).
BUTTON_URL_SCHEMES = LINK_SCHEMES[:3]
_HREF = re.compile(r"<a\s+href=\"([^\"]*)\"", re.I)


def _link_error(params: dict[str, Any], key: str, html_mode: bool) -> str | None:
    for href in _HREF.findall(str(params.get(key) or "") if html_mode else ""):
        url = html.unescape(href)
        if not url.lower().startswith(LINK_SCHEMES) or any(ch.isspace() for ch in url):
            return "Bad Request: wrong HTTP URL"
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                url = button.get("url")
                if url is not None and not str(url).lower().startswith(BUTTON_URL_SCHEMES):
                    return "Bad Request: BUTTON_URL_INVALID"
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    return "Bad Request: BUTTON_DATA_INVALID"
    return None


def _validate(method: str, call: Call) -> str | None:
    """Reject what Telegram rejects: invalid HTML, empty or over-long texts, link schemes
    it does not take, over-long callback data."""
    params = call.params
    html_mode = str(params.get("parse_mode", "")).upper() == "HTML"
    problem = _link_error(params, "caption" if "caption" in params else "text", html_mode)
    if problem is not None:
        return problem
    if method in _TEXT_METHODS or (method in _CAPTION_METHODS and "caption" in params):
        key, limit = ("text", TEXT_LIMIT) if method in _TEXT_METHODS else ("caption", CAPTION_LIMIT)
        text = str(params.get(key) or "")
        return html_error(text, limit) if html_mode else plain_error(text, limit)
    if method == "answercallbackquery" and utf16_length(str(params.get("text") or "")) > (
        CALLBACK_ANSWER_LIMIT
    ):
        return "MESSAGE_TOO_LONG"
    if method == "setmycommands":
        for command in params.get("commands") or []:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                return "BOT_COMMAND_INVALID"
    return None


class FakeBotAPI:
    BOT_USER: ClassVar[dict[str, Any]] = {
        "id": 42,
        "is_bot": True,
        "first_name": "Solidarity",
        "username": "solidarity_test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.get_updates_count: int = 0
        #: file paths served by GET /file/bot{token}/{path}, in order
        self.downloads: list[str] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._next_file_no = 1
        self._failures: list[_Failure] = []
        self._results: dict[str, Any] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._webhook_url = ""
        # keyed by id(call); holding the Call keeps its id from being reused
        self._consumed: dict[int, Call] = {}
        self._calls_changed = asyncio.Event()
        self._updates_changed = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner = self._runner
        if runner is None:
            return
        self._closing = True
        self._notify_updates()  # release pending long polls
        self._runner = None
        self._port = None
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ test helpers

    def push_update(self, update: dict[str, Any]) -> int:
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        update_id = int(update["update_id"])
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._updates.append(update)
        self._notify_updates()
        return update_id

    def fail(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        retry_after: int | None = None,
        times: int | None = None,
    ) -> None:
        if times is not None and times <= 0:
            return
        self._failures.append(
            _Failure(
                method=method.lower(),
                error_code=error_code,
                description=description,
                chat_id=chat_id,
                retry_after=retry_after,
                remaining=times,
            )
        )

    def clear_failures(self) -> None:
        self._failures.clear()

    def set_result(self, method: str, result: Any) -> None:
        """Answer `method` with `result` (or `result(call)` when callable) from now on."""
        self._results[method.lower()] = result

    def add_file(self, content: bytes, file_name: str = "file.bin") -> dict[str, Any]:
        stored = self._store_file(content, file_name)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "file_size": len(stored.content),
        }

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - public interface
    ) -> Call:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = method.lower()
        while True:
            for call in self.calls:
                if id(call) in self._consumed or call.method.lower() != wanted:
                    continue
                if predicate is not None and not predicate(call):
                    continue
                self._consumed[id(call)] = call
                return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                received = "\n".join(f"  {i}. {c}" for i, c in enumerate(self.calls, 1))
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {method}"
                    f"{' matching predicate' if predicate is not None else ''}; "
                    f"calls received so far ({len(self.calls)}):\n{received or '  (none)'}"
                )
            event = self._calls_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        wanted = method.lower()
        return [
            c
            for c in self.calls
            if c.method.lower() == wanted and (chat_id is None or c.chat_id == chat_id)
        ]

    # ------------------------------------------------------------------ internals

    def _notify_calls(self) -> None:
        event, self._calls_changed = self._calls_changed, asyncio.Event()
        event.set()

    def _notify_updates(self) -> None:
        event, self._updates_changed = self._updates_changed, asyncio.Event()
        event.set()

    def _store_file(self, content: bytes, file_name: str) -> _StoredFile:
        no = self._next_file_no
        self._next_file_no += 1
        stored = _StoredFile(
            file_id=f"FILE{no:06d}",
            file_unique_id=f"UNIQ{no:06d}",
            file_name=file_name,
            file_path=f"documents/file_{no}_{_safe_name(file_name)}",
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _take_failure(self, method: str, call: Call) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method:
                continue
            if failure.chat_id is not None and failure.chat_id != call.chat_id:
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    for key, value in body.items():
                        if isinstance(value, bool):
                            raw[key] = "true" if value else "false"
                        elif isinstance(value, str | dict | list):
                            raw[key] = value
                        elif value is not None:
                            raw[key] = str(value)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, FileField):
                        files[key] = UploadedFile(value.filename, value.file.read())
                        value.file.close()
                    elif isinstance(value, bytes | bytearray):
                        raw[key] = bytes(value).decode("utf-8", "replace")
                    else:
                        raw[key] = value
        params: dict[str, Any] = {}
        referenced: set[str] = set()
        for key, value in raw.items():
            if isinstance(value, str):
                if value.startswith("attach://") and value[len("attach://") :] in files:
                    part = value[len("attach://") :]
                    referenced.add(part)
                    params[key] = files[part]
                    continue
                params[key] = _decode_field(key, value)
            else:
                params[key] = value
        for key, uploaded in files.items():
            if key not in referenced and key not in params:
                params[key] = uploaded
        return params

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ValueError as exc:
            return _error_body(400, f"Bad Request: {exc}")
        call = Call(method=method, token=token, params=params)
        lower = method.lower()
        if lower == "getupdates":
            self.get_updates_count += 1
        else:
            self.calls.append(call)
            self._notify_calls()

        failure = self._take_failure(lower, call)
        if failure is not None:
            return _error_body(failure.error_code, failure.description, failure.retry_after)

        problem = _validate(lower, call)
        if problem is not None:
            return _error_body(400, f"Bad Request: {problem}")

        try:
            if lower in self._results:
                override = self._results[lower]
                result = override(call) if callable(override) else override
            elif lower == "getupdates":
                result = await self._get_updates(call)
            else:
                result = self._dispatch(lower, call)
        except _APIError as exc:
            return _error_body(exc.error_code, exc.description)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        stored = self._files_by_path.get(path)
        if stored is None:
            return _error_body(404, "Not Found")
        self.downloads.append(path)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        params = call.params
        offset = _to_int(params.get("offset"))
        limit = _to_int(params.get("limit")) or 100
        limit = min(max(limit, 1), 100)
        try:
            wait = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            wait = 0.0
        wait = min(max(wait, 0.0), GET_UPDATES_TIMEOUT_CAP)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if offset is not None and offset > 0:
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
            elif offset is not None and offset < 0:
                self._updates = self._updates[offset:]
            if self._updates or self._closing:
                return list(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            event = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # ------------------------------------------------------------------ method handlers

    def _dispatch(self, method: str, call: Call) -> Any:
        params = call.params
        if method == "getme":
            return dict(self.BOT_USER)
        if method == "sendmessage":
            return self._send_message(call)
        if method in _MEDIA_METHODS:
            return self._send_media(call, _MEDIA_METHODS[method])
        if method == "sendmediagroup":
            return self._send_media_group(call)
        if method == "copymessage":
            return {"message_id": self._copy_message(call, params.get("message_id"))["message_id"]}
        if method == "copymessages":
            ids = params.get("message_ids")
            ids = ids if isinstance(ids, list) else []
            return [{"message_id": self._copy_message(call, i)["message_id"]} for i in ids]
        if method == "forwardmessage":
            return self._copy_message(call, params.get("message_id"), forwarded=True)
        if method in {"editmessagetext", "editmessagecaption", "editmessagereplymarkup"}:
            return self._edit_message(method, call)
        if method == "deletemessage":
            self._forget_message(call.chat_id, params.get("message_id"))
        elif method == "deletemessages":
            ids = params.get("message_ids")
            for message_id in ids if isinstance(ids, list) else []:
                self._forget_message(call.chat_id, message_id)
        elif method == "getfile":
            return self._get_file(call)
        elif method in {"setmycommands", "deletemycommands", "getmycommands"}:
            key = self._commands_key(params)
            if method == "setmycommands":
                commands = params.get("commands")
                self._commands[key] = commands if isinstance(commands, list) else []
            elif method == "deletemycommands":
                self._commands.pop(key, None)
            else:
                return list(self._commands.get(key, []))
        elif method in {"setwebhook", "deletewebhook"}:
            self._webhook_url = str(params.get("url") or "") if method == "setwebhook" else ""
            if _is_true(params.get("drop_pending_updates")):
                self._updates.clear()
        elif method == "getwebhookinfo":
            return {
                "url": self._webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        elif method in {"setmydescription", "setmyshortdescription"}:
            name = "description" if method == "setmydescription" else "short_description"
            self._descriptions[(name, str(params.get("language_code") or ""))] = str(
                params.get(name) or ""
            )
        elif method in {"getmydescription", "getmyshortdescription"}:
            name = "description" if method == "getmydescription" else "short_description"
            value = self._descriptions.get((name, str(params.get("language_code") or "")), "")
            return {name: value}
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _bot_from(self) -> dict[str, Any]:
        return {k: self.BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}

    @staticmethod
    def _chat(call: Call) -> dict[str, Any]:
        chat_id = call.chat_id
        if chat_id is None:
            raw = str(call.params.get("chat_id") or "channel")
            return {
                "id": -1000000000001,
                "type": "channel",
                "title": raw.lstrip("@"),
                "username": raw.lstrip("@"),
            }
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _new_message(self, call: Call) -> dict[str, Any]:
        message_id = self._next_message_id
        self._next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(call),
            "from": self._bot_from(),
        }
        thread_id = _to_int(call.params.get("message_thread_id"))
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _remember(self, message: dict[str, Any]) -> dict[str, Any]:
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self._messages[key] = message
        return dict(message)

    def _forget_message(self, chat_id: int | None, message_id: Any) -> None:
        mid = _to_int(message_id)
        if chat_id is not None and mid is not None:
            self._messages.pop((chat_id, mid), None)

    def _send_message(self, call: Call) -> dict[str, Any]:
        message = self._new_message(call)
        message["text"] = str(call.params.get("text") or "")
        entities = call.params.get("entities")
        if isinstance(entities, list) and entities:
            message["entities"] = entities
        return self._remember(message)

    def _media_object(self, call: Call, kind: str) -> dict[str, Any]:
        value = call.params.get(kind)
        if isinstance(value, UploadedFile):
            stored = self._store_file(value.content, value.filename or kind)
            file_id, unique_id, size = stored.file_id, stored.file_unique_id, len(value.content)
            file_name = stored.file_name
        else:
            file_id = str(value or f"{kind.upper()}_ID")
            known = self._files.get(file_id)
            unique_id = known.file_unique_id if known else f"U_{file_id}"[:32]
            size = len(known.content) if known else 0
            file_name = known.file_name if known else f"{kind}.bin"
        obj: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id}
        if size:
            obj["file_size"] = size
        if kind in {"photo", "video", "animation"}:
            obj.update(width=640, height=480)
        if kind in {"video", "animation", "audio", "voice"}:
            obj["duration"] = 1
        if kind in {"document", "video", "animation", "audio"}:
            obj["file_name"] = file_name
        return obj

    def _send_media(self, call: Call, kind: str) -> dict[str, Any]:
        message = self._new_message(call)
        obj = self._media_object(call, kind)
        message[kind] = [obj] if kind == "photo" else obj
        caption = call.params.get("caption")
        if caption is not None:
            message["caption"] = str(caption)
            entities = call.params.get("caption_entities")
            if isinstance(entities, list) and entities:
                message["caption_entities"] = entities
        return self._remember(message)

    def _send_media_group(self, call: Call) -> list[dict[str, Any]]:
        media = call.params.get("media")
        items = media if isinstance(media, list) else []
        group_id = f"group{self._next_message_id}"
        result = []
        for item in items:
            kind = str(item.get("type", "document")) if isinstance(item, dict) else "document"
            media_ref = item.get("media") if isinstance(item, dict) else None
            sub = Call(call.method, call.token, dict(call.params))
            sub.params[kind] = media_ref
            sub.params.pop("caption", None)
            if isinstance(item, dict) and item.get("caption") is not None:
                sub.params["caption"] = item["caption"]
            message = self._send_media(sub, kind if kind in _MEDIA_METHODS.values() else "document")
            message["media_group_id"] = group_id
            self._messages[(int(message["chat"]["id"]), int(message["message_id"]))] = message
            result.append(message)
        return result

    def _copy_message(
        self, call: Call, source_id: Any, *, forwarded: bool = False
    ) -> dict[str, Any]:
        message = self._new_message(call)
        from_chat = _to_int(call.params.get("from_chat_id"))
        mid = _to_int(source_id)
        source = self._messages.get((from_chat, mid)) if from_chat is not None and mid else None
        if source is not None:
            for key, value in source.items():
                if key not in {"message_id", "date", "chat", "from", "edit_date"}:
                    message[key] = value
        if not forwarded and call.params.get("caption") is not None:
            message["caption"] = str(call.params["caption"])
        return self._remember(message)

    def _edit_message(self, method: str, call: Call) -> Any:
        params = call.params
        if params.get("inline_message_id"):
            return True
        chat_id = call.chat_id
        message_id = _to_int(params.get("message_id"))
        if chat_id is None or message_id is None:
            raise _APIError(400, "Bad Request: message to edit not found")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(call),
                "from": self._bot_from(),
            }
            if method == "editmessagetext":
                message["text"] = ""
        message = dict(message)
        message["edit_date"] = int(time.time())
        if method == "editmessagetext":
            message["text"] = str(params.get("text") or "")
            entities = params.get("entities")
            message.pop("entities", None)
            if isinstance(entities, list) and entities:
                message["entities"] = entities
        elif method == "editmessagecaption":
            message.pop("caption_entities", None)
            caption = params.get("caption")
            if caption is None:
                message.pop("caption", None)
            else:
                message["caption"] = str(caption)
                entities = params.get("caption_entities")
                if isinstance(entities, list) and entities:
                    message["caption_entities"] = entities
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return self._remember(message)

    def _get_file(self, call: Call) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _APIError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
