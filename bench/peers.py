"""The two peers the worker is compared with, each sending one message to chats 1..N.

* ``tutorial``: what most aiogram tutorials do: a sequential loop over the chats with
  ``bot.send_message``; on ``TelegramRetryAfter`` sleep ``retry_after`` and retry once; then
  ``asyncio.sleep(0.05)`` between messages.
* ``ptb``: python-telegram-bot's ``AIORateLimiter(overall_max_rate=RATE,
  overall_time_period=1, max_retries=3)`` with every chat sent concurrently through
  ``asyncio.gather`` in batches of ``--batch`` (default: one second's worth, RATE), as PTB
  recommends: the rate limiter does the throttling.

Each peer runs in its own process (``python -m bench.peers PEER --url URL ...``) so that its CPU
time and peak RSS are its own; it prints one JSON line with what the sender saw. The fake Bot
API's counters (accepted sends, 429s, lost, duplicates) are read by the harness.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import resource
import sys
import time
from typing import Any

__all__ = ["TOKEN", "peak_rss_mb", "ptb_gather", "tutorial_loop"]

TOKEN = "123:BENCH"
TEXT = "Benchmark alert"
PTB_POOL_TIMEOUT = 30.0


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def tutorial_loop(
    url: str, chats: int, max_seconds: float, text: str = TEXT, pause: float = 0.05
) -> dict[str, Any]:
    """The tutorial loop over chats 1..chats, stopping early after ``max_seconds``."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter

    session = AiohttpSession(api=TelegramAPIServer.from_base(url))
    bot = Bot(TOKEN, session=session)
    errors: collections.Counter[str] = collections.Counter()
    attempted = ok = retry_after = 0
    cpu0 = _cpu_seconds()
    started = time.monotonic()
    try:
        for chat in range(1, chats + 1):
            if time.monotonic() - started >= max_seconds:
                break
            attempted += 1
            try:
                await bot.send_message(chat, text)
                ok += 1
            except TelegramRetryAfter as exc:
                retry_after += 1
                await asyncio.sleep(exc.retry_after)
                try:
                    await bot.send_message(chat, text)
                    ok += 1
                except TelegramAPIError as again:
                    errors[type(again).__name__] += 1
            except TelegramAPIError as exc:
                errors[type(exc).__name__] += 1
            await asyncio.sleep(pause)
        elapsed = time.monotonic() - started
    finally:
        await bot.session.close()
    return {
        "peer": "tutorial",
        "attempted": attempted,
        "ok": ok,
        "retry_after_seen": retry_after,
        "errors": dict(errors),
        "elapsed": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu0,
        "complete": attempted == chats,
    }


async def ptb_gather(
    url: str, chats: int, rate: float, max_seconds: float, batch: int, text: str = TEXT
) -> dict[str, Any]:
    """PTB's AIORateLimiter, chats 1..chats gathered in batches; no new batch after
    ``max_seconds``."""
    from telegram.error import RetryAfter, TelegramError
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
    # pool_timeout raised from 1 s: requests queued behind the 256-connection pool would
    # otherwise fail with TimedOut during the limiter's initial burst; everything else is
    # PTB's default.
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{url}/bot")
        .rate_limiter(limiter)
        .pool_timeout(PTB_POOL_TIMEOUT)
        .build()
    )
    errors: collections.Counter[str] = collections.Counter()
    attempted = ok = 0
    await app.initialize()
    cpu0 = _cpu_seconds()
    started = time.monotonic()
    try:
        bot = app.bot
        for first in range(1, chats + 1, batch):
            if time.monotonic() - started >= max_seconds:
                break
            part = range(first, min(first + batch, chats + 1))
            attempted += len(part)
            results = await asyncio.gather(
                *(bot.send_message(chat, text) for chat in part), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    name = type(result).__name__
                    if isinstance(result, RetryAfter):
                        name = "RetryAfter (after 3 retries)"
                    elif not isinstance(result, TelegramError):
                        name = f"{name} (not a TelegramError)"
                    errors[name] += 1
                else:
                    ok += 1
        elapsed = time.monotonic() - started
    finally:
        await app.shutdown()
    return {
        "peer": "ptb",
        "attempted": attempted,
        "ok": ok,
        "errors": dict(errors),
        "elapsed": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu0,
        "complete": attempted == chats,
        "batch": batch,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("peer", choices=("tutorial", "ptb"))
    parser.add_argument("--url", required=True, help="the fake Bot API, http://127.0.0.1:PORT")
    parser.add_argument("--chats", type=int, required=True, help="send to chat ids 1..CHATS")
    parser.add_argument("--rate", type=float, default=1000, help="PTB's overall_max_rate")
    parser.add_argument("--max-seconds", type=float, default=60, help="stop starting sends")
    parser.add_argument("--batch", type=int, default=0, help="PTB gather batch (0 = RATE)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.peer == "tutorial":
        result = asyncio.run(tutorial_loop(args.url, args.chats, args.max_seconds))
    else:
        batch = args.batch or max(1, int(args.rate))
        result = asyncio.run(ptb_gather(args.url, args.chats, args.rate, args.max_seconds, batch))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
