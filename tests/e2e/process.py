"""Run the bot's CLI as a real process, with a clean environment."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:E2E-TOKEN"


def bot_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "ADMIN_", "WEBHOOK_", "PORT"))
    }
    env.update(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "TELEGRAM_API_URL": api_url,
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "INFO",
            **extra,
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def spawn(
    args: tuple[str, ...], env: Mapping[str, str], cwd: Path, *, merge_stderr: bool = False
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
    )


async def run_cli(*args: str, env: Mapping[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await spawn(args, env, cwd)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@asynccontextmanager
async def bot_process(
    *args: str, env: Mapping[str, str], cwd: Path, stop_signal: int = signal.SIGINT
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start ``python -m bot <args>``; on exit stop it with a signal and check it ended cleanly."""
    process = await spawn(args, env, cwd, merge_stderr=True)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(stop_signal)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        except TimeoutError:
            process.kill()
            output, _ = await process.communicate()
            raise AssertionError(f"the bot did not stop on signal {stop_signal}") from None
        log = output.decode(errors="replace")
        assert process.returncode == 0, log
        assert "Traceback" not in log, log
