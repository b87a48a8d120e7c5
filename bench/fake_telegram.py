"""A fake Telegram Bot API that enforces Telegram's flood limits, for the broadcast benchmark.

Run it in its own process so that its CPU never counts against the sender under test::

    python -m bench.fake_telegram --port 0 --rate 1000 --latency-ms 40

It prints ``listening on http://127.0.0.1:PORT`` on the first line of stdout, serves
``POST /bot{token}/{method}`` (multipart/form-data, x-www-form-urlencoded or JSON bodies) and
exits on SIGTERM/SIGINT or when its parent process dies.

Limits, checked when a request arrives (before the simulated latency):

* global: at most ``--rate`` accepted sends in any sliding one-second window
  (``--limiter window``, the default), or a token bucket of capacity ``max(1, rate / 10)``
  refilled at ``rate`` tokens per second (``--limiter bucket``, stricter about bursts);
* per private chat (chat_id > 0): at most one accepted send per second.

A send over a limit is answered HTTP 429 ``{"ok": false, "error_code": 429, "description":
"Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}``; refused sends use up
no quota. Every answer, success or 429, is delayed by ``--latency-ms`` (``asyncio.sleep``, so
requests overlap). "Sends" are the ``send*`` methods plus copyMessage/forwardMessage; edits and
deletes are answered (not limited) and counted apart.

``GET /stats[?expect=N]`` returns the counters as JSON (with ``expect``: how many chat ids in
1..N received nothing); ``POST /reset`` clears them and the limiter state.

:class:`FakeTelegramProcess` starts and controls the server from a harness (synchronously).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

__all__ = ["BOT_USER", "FakeTelegramProcess", "FloodLimiter", "build_app"]

BOT_USER: dict[str, Any] = {
    "id": 42,
    "is_bot": True,
    "first_name": "Bench",
    "username": "bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
RETRY_AFTER = 1
PER_CHAT_INTERVAL = 1.0
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendanimation",
        "sendaudio",
        "sendvoice",
        "sendsticker",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
EDIT_METHODS = frozenset(
    {"editmessagetext", "editmessagecaption", "editmessagemedia", "editmessagereplymarkup"}
)
ROOT = Path(__file__).resolve().parent.parent


class FloodLimiter:
    """Telegram's limits: a global rate and one message per second per private chat."""

    def __init__(self, rate: float, mode: str = "window") -> None:
        if mode not in ("window", "bucket"):
            raise ValueError(f"unknown limiter mode {mode!r}")
        self.rate = rate
        self.mode = mode
        self.reset()

    def reset(self) -> None:
        self._window: collections.deque[float] = collections.deque()
        self._capacity = max(1.0, self.rate / 10)
        self._tokens = self._capacity
        self._refilled = time.monotonic()
        self._last_per_chat: dict[int, float] = {}

    def _global_admit(self, now: float) -> bool:
        if self.mode == "window":
            window = self._window
            horizon = now - 1.0
            while window and window[0] <= horizon:
                window.popleft()
            if len(window) >= self.rate:
                return False
            window.append(now)
            return True
        self._tokens = min(self._capacity, self._tokens + (now - self._refilled) * self.rate)
        self._refilled = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def admit(self, chat_id: int, now: float) -> str | None:
        """None if the send is accepted, else which limit refused it ("chat" or "global")."""
        if chat_id > 0:
            last = self._last_per_chat.get(chat_id)
            if last is not None and now - last < PER_CHAT_INTERVAL:
                return "chat"
        if not self._global_admit(now):
            return "global"
        if chat_id > 0:
            self._last_per_chat[chat_id] = now
        return None


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.per_chat: collections.Counter[int] = collections.Counter()
        self.accepted = 0
        self.refused_global = 0
        self.refused_chat = 0
        self.first_accepted: float | None = None
        self.last_accepted: float | None = None
        self.methods: collections.Counter[str] = collections.Counter()
        self.edits = 0
        self.deletes = 0
        self.bad_requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.cpu_at_reset = time.process_time()
        self.reset_at = time.time()

    def as_dict(self, expect: int | None = None) -> dict[str, Any]:
        duplicates = sum(count - 1 for count in self.per_chat.values() if count > 1)
        span = None
        if self.first_accepted is not None and self.last_accepted is not None:
            span = self.last_accepted - self.first_accepted
        body: dict[str, Any] = {
            "accepted": self.accepted,
            "chats": len(self.per_chat),
            "duplicates": duplicates,
            "max_per_chat": max(self.per_chat.values(), default=0),
            "too_many_requests": self.refused_global + self.refused_chat,
            "too_many_global": self.refused_global,
            "too_many_per_chat": self.refused_chat,
            "first_accepted": self.first_accepted,
            "last_accepted": self.last_accepted,
            "span_seconds": span,
            "rate": self.accepted / span if span else None,
            "edits": self.edits,
            "deletes": self.deletes,
            "bad_requests": self.bad_requests,
            "methods": dict(self.methods),
            "max_in_flight": self.max_in_flight,
            "cpu_seconds": time.process_time() - self.cpu_at_reset,
            "wall_seconds": time.time() - self.reset_at,
        }
        if expect is not None:
            per_chat = self.per_chat
            body["expect"] = expect
            body["lost"] = sum(1 for chat in range(1, expect + 1) if chat not in per_chat)
        return body


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}


class FakeTelegram:
    def __init__(self, rate: float, latency: float, mode: str = "window") -> None:
        self.limiter = FloodLimiter(rate, mode)
        self.latency = latency
        self.stats = Stats()
        self._message_id = 0

    def reset(self) -> None:
        self.limiter.reset()
        self.stats.reset()

    def _message(self, chat_id: int, params: dict[str, Any], method: str) -> dict[str, Any]:
        self._message_id += 1
        message: dict[str, Any] = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": {
                "id": BOT_USER["id"],
                "is_bot": True,
                "first_name": BOT_USER["first_name"],
                "username": BOT_USER["username"],
            },
        }
        if method == "sendphoto":
            message["photo"] = [
                {
                    "file_id": f"photo-{self._message_id}",
                    "file_unique_id": f"u{self._message_id}",
                    "width": 800,
                    "height": 600,
                    "file_size": 40_000,
                }
            ]
            if params.get("caption"):
                message["caption"] = str(params["caption"])
        else:
            message["text"] = str(params.get("text", ""))
        return message

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            with contextlib.suppress(ValueError):
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else "<file>"
        return params

    async def handle_method(self, request: web.Request) -> web.Response:
        stats = self.stats
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            return await self._handle(request)
        finally:
            stats.in_flight -= 1

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        stats = self.stats
        stats.methods[method] += 1
        params = await self._params(request)
        result: Any = True
        if method == "getme":
            result = BOT_USER
        elif method in SEND_METHODS or method in EDIT_METHODS or method == "deletemessage":
            try:
                chat_id = int(params["chat_id"])
            except (KeyError, TypeError, ValueError):
                stats.bad_requests += 1
                await asyncio.sleep(self.latency)
                return _error(400, "Bad Request: chat not found")
            if method in SEND_METHODS:
                refused = self.limiter.admit(chat_id, time.monotonic())
                if refused is not None:
                    if refused == "chat":
                        stats.refused_chat += 1
                    else:
                        stats.refused_global += 1
                    await asyncio.sleep(self.latency)
                    return _error(
                        429,
                        f"Too Many Requests: retry after {RETRY_AFTER}",
                        retry_after=RETRY_AFTER,
                    )
                now = time.time()
                if stats.first_accepted is None:
                    stats.first_accepted = now
                stats.last_accepted = now
                stats.accepted += 1
                stats.per_chat[chat_id] += 1
                if method == "copymessage":
                    self._message_id += 1
                    result = {"message_id": self._message_id}
                elif method == "sendmediagroup":
                    result = [self._message(chat_id, params, "sendphoto")]
                else:
                    result = self._message(chat_id, params, method)
            elif method in EDIT_METHODS:
                stats.edits += 1
                result = self._message(chat_id, params, "sendmessage")
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    result["message_id"] = int(params["message_id"])
                    self._message_id -= 1
            else:
                stats.deletes += 1
        await asyncio.sleep(self.latency)
        return web.json_response({"ok": True, "result": result})

    async def handle_stats(self, request: web.Request) -> web.Response:
        expect = request.query.get("expect")
        return web.json_response(self.stats.as_dict(int(expect) if expect else None))

    async def handle_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


def build_app(rate: float, latency: float, mode: str = "window") -> web.Application:
    fake = FakeTelegram(rate, latency, mode)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/bot{token}/{method}", fake.handle_method)
    app.router.add_get("/bot{token}/{method}", fake.handle_method)
    app.router.add_get("/stats", fake.handle_stats)
    app.router.add_post("/reset", fake.handle_reset)
    return app


async def serve(host: str, port: int, rate: float, latency: float, mode: str) -> None:
    app = build_app(rate, latency, mode)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=4096)
    await site.start()
    actual = runner.addresses[0][1] if runner.addresses else port
    print(f"listening on http://{host}:{actual}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            if os.getppid() != parent:  # the harness died: do not linger
                break
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fake_telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a random free port")
    parser.add_argument("--rate", type=float, default=1000, help="global sends per second")
    parser.add_argument("--latency-ms", type=float, default=40, help="delay of every answer")
    parser.add_argument("--limiter", choices=("window", "bucket"), default="window")
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(serve(args.host, args.port, args.rate, args.latency_ms / 1000, args.limiter))
    return 0


class FakeTelegramProcess:
    """The fake server in a child process, controlled synchronously from the harness."""

    def __init__(
        self,
        rate: float,
        latency_ms: float,
        limiter: str = "window",
        cpu: int | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        self.rate = rate
        self.latency_ms = latency_ms
        self.limiter = limiter
        self.cpu = cpu
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        command = [
            sys.executable,
            "-m",
            "bench.fake_telegram",
            "--port",
            "0",
            "--rate",
            str(self.rate),
            "--latency-ms",
            str(self.latency_ms),
            "--limiter",
            self.limiter,
        ]
        if self.cpu is not None:
            command += ["--cpu", str(self.cpu)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL
        )
        lines: list[str] = []
        stdout = self.process.stdout
        assert stdout is not None
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        line = lines[0].strip() if lines else ""
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the fake Bot API did not start (got {line!r})")
        self.url = line.removeprefix("listening on ")
        return self.url

    def _call(self, method: str, path: str, timeout: float = 30.0) -> dict[str, Any]:
        data = b"" if method == "POST" else None
        request = urllib.request.Request(self.url + path, method=method, data=data)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body

    def stats(self, expect: int | None = None) -> dict[str, Any]:
        return self._call("GET", "/stats" + (f"?expect={expect}" if expect is not None else ""))

    def reset(self) -> None:
        self._call("POST", "/reset")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> FakeTelegramProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    raise SystemExit(main())
