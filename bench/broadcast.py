"""Broadcast benchmark: our delivery worker against two common ways to broadcast, through a
fake Bot API that enforces Telegram's flood limits; plus the outbox fan-out on SQLite and
PostgreSQL. See bench/README.md.

    python -m bench.broadcast [--subscribers 20000] [--rate 1000] [--latency-ms 40]
        [--fanout-rows 1000000] [--skip-fanout] [--skip-peers] [--skip-worker]
        [--only worker|peers|fanout] [--output bench/RESULTS.md]

Writes the results to ``--output`` and prints them. Every child process (the fake Bot API,
the worker, the peers) runs under a timeout and is stopped in ``finally``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.fake_telegram import FakeTelegramProcess
from bench.fanout import DEFAULT_PG_ADMIN_URL, FanoutResult, measure_fanout, populate
from bench.peers import TOKEN

ROOT = Path(__file__).resolve().parent.parent
OPEN_STATES = ("pending", "held", "edit", "delete")

# Targets (for our worker; the peers are shown against them for comparison).
TARGET_CAP_FRACTION = 0.95
TARGET_429_SHARE = 0.001
TARGET_RSS_MB = 150.0
TARGET_FANOUT_SECONDS = 15.0
TARGET_FANOUT_ROWS = 1_000_000


@dataclass
class SenderResult:
    name: str
    method: str
    cap: float
    expected: int  # chats the sender was asked to reach (N, or a bounded slice)
    attempted: int | None = None  # chats the sender got to before its time limit
    accepted: int = 0
    rate: float | None = None  # accepted sends / (last accepted - first accepted)
    too_many: int = 0
    too_many_global: int = 0
    too_many_per_chat: int = 0
    lost: int | None = None
    duplicated: int | None = None
    peak_rss_mb: float | None = None
    cpu_seconds: float | None = None
    elapsed: float | None = None
    fake_cpu_seconds: float | None = None
    subscribers: int = 0  # N, to extrapolate
    errors: dict[str, int] = field(default_factory=dict)
    db_states: dict[str, int] = field(default_factory=dict)
    db_failed: int | None = None
    note: str = ""
    error: str | None = None

    @property
    def cap_fraction(self) -> float | None:
        return self.rate / self.cap if self.rate is not None and self.cap else None

    @property
    def share_429(self) -> float | None:
        total = self.accepted + self.too_many
        return self.too_many / total if total else None

    @property
    def time_for_n(self) -> float | None:
        return self.subscribers / self.rate if self.rate else None

    def checks(self) -> list[tuple[str, str, bool | None]]:
        """(target, observed, passed) for the sender targets; passed None = not measured."""
        frac, share = self.cap_fraction, self.share_429
        return [
            (
                f">= {TARGET_CAP_FRACTION:.0%} of the cap sustained",
                _pct(frac),
                None if frac is None else frac >= TARGET_CAP_FRACTION,
            ),
            (
                f"<= {TARGET_429_SHARE:.1%} of sends answered 429",
                f"{self.too_many} ({_pct(share, 2)})",
                None if share is None else share <= TARGET_429_SHARE,
            ),
            ("0 lost", _num(self.lost), None if self.lost is None else self.lost == 0),
            (
                "0 duplicated",
                _num(self.duplicated),
                None if self.duplicated is None else self.duplicated == 0,
            ),
            (
                f"peak RSS <= {TARGET_RSS_MB:.0f} MB",
                _mb(self.peak_rss_mb),
                None if self.peak_rss_mb is None else self.peak_rss_mb <= TARGET_RSS_MB,
            ),
        ]


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}%}"


def _num(value: float | int | None, fmt: str = ",") -> str:
    return "n/a" if value is None else format(value, fmt)


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def _brief(result: SenderResult) -> str:
    if result.error and result.rate is None:
        return result.error
    return (
        f"{_num(result.rate, ',.1f')} msgs/s ({_pct(result.cap_fraction)} of cap), "
        f"{result.too_many:,} x 429, lost {_num(result.lost)}, duplicated "
        f"{_num(result.duplicated)}, peak RSS {_mb(result.peak_rss_mb)}"
    )


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


# --------------------------------------------------------------------------- processes


def _proc_status(pid: int, key: str) -> float | None:
    """A kB field of /proc/PID/status (VmHWM, VmRSS), in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _proc_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError, IndexError):
        return None


def _pin(pid: int, cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, {cpu})


def _stop(process: subprocess.Popen[Any], grace: float = 15.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --------------------------------------------------------------------------- the worker


def worker_available(timeout: float = 60.0) -> str | None:
    """None when ``python -m bot worker`` exists, else why not."""
    try:
        probe = subprocess.run(
            [sys.executable, "-m", "bot", "worker", "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return "`python -m bot worker --help` did not answer"
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        return f"`python -m bot worker` is not a command yet ({last})"
    return None


async def _populate_worker_db(url: str, subscribers: int) -> None:
    from sqlalchemy import text

    from db.engine import create_engine, create_session_factory

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            _, alert_id = await populate(session, subscribers, ["en"], "'en'")
            await session.execute(
                text(
                    "INSERT INTO deliveries (alert_id, user_id, language, state, attempts, "
                    "due_at) SELECT :alert_id, id, 'en', 'pending', 0, :now FROM users"
                ),
                {"alert_id": alert_id, "now": time.time()},
            )
            await session.commit()
    finally:
        await engine.dispose()


def measure_worker(
    fake: FakeTelegramProcess,
    subscribers: int,
    rate: float,
    timeout: float | None = None,
    cpu: int | None = None,
) -> SenderResult:
    """Send N pending deliveries with ``python -m bot worker`` (SQLite) through the fake."""
    result = SenderResult(
        name="our worker",
        method=f"`python -m bot worker`, SQLite, SEND_RATE={rate:g}, PAID_BROADCAST=true",
        cap=rate,
        expected=subscribers,
        subscribers=subscribers,
    )
    why = worker_available()
    if why is not None:
        result.error = f"worker not available: {why}"
        return result
    from db.migrate import upgrade

    timeout = timeout or 60 + 3 * subscribers / rate
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        db_path = Path(tmp) / "worker.db"
        url = f"sqlite+aiosqlite:///{db_path}"
        upgrade(url)
        asyncio.run(_populate_worker_db(url, subscribers))
        fake.reset()
        env = dict(
            os.environ,
            BOT_TOKEN=TOKEN,
            DATABASE_URL=url,
            TELEGRAM_API_URL=fake.url,
            SEND_RATE=f"{rate:g}",
            PAID_BROADCAST="true",
            LOG_LEVEL="WARNING",
        )
        log_path = Path(tmp) / "worker.log"
        db = sqlite3.connect(db_path, timeout=30, isolation_level=None)
        with open(log_path, "w") as log:
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _pin(process.pid, cpu)
            placeholders = ",".join("?" * len(OPEN_STATES))
            try:
                open_rows = subscribers
                while time.monotonic() - started < timeout:
                    time.sleep(0.5)
                    if process.poll() is not None:
                        break
                    (open_rows,) = db.execute(
                        f"SELECT count(*) FROM deliveries WHERE state IN ({placeholders})",
                        OPEN_STATES,
                    ).fetchone()
                    if open_rows == 0:
                        break
                result.elapsed = time.monotonic() - started
                result.peak_rss_mb = _proc_status(process.pid, "VmHWM")
                result.cpu_seconds = _proc_cpu_seconds(process.pid)
                exited = process.poll()
            finally:
                _stop(process)
        if exited is not None:
            result.error = f"worker exited with code {exited}: {_tail(log_path, 5)}"
        elif open_rows:
            result.note = f"timed out after {timeout:.0f} s with {open_rows} rows still open"
        states = db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
        db.close()
        result.db_states = {str(state): int(count) for state, count in states}
        result.db_failed = result.db_states.get("failed", 0)
        log_tail = _tail(log_path, 5)
        if log_tail and not result.error:
            result.note = (result.note + " worker log: " + log_tail.replace("\n", " | "))[:400]
    _fill_from_fake(result, fake.stats(expect=subscribers))
    result.attempted = subscribers
    return result


def _fill_from_fake(result: SenderResult, stats: dict[str, Any]) -> None:
    result.accepted = int(stats["accepted"])
    result.rate = stats["rate"]
    result.too_many = int(stats["too_many_requests"])
    result.too_many_global = int(stats["too_many_global"])
    result.too_many_per_chat = int(stats["too_many_per_chat"])
    result.lost = stats.get("lost")
    result.duplicated = int(stats["duplicates"])
    result.fake_cpu_seconds = stats.get("cpu_seconds")


# --------------------------------------------------------------------------- the peers


def measure_peer(
    fake: FakeTelegramProcess,
    peer: str,
    subscribers: int,
    chats: int,
    rate: float,
    max_seconds: float,
    batch: int = 0,
    cpu: int | None = None,
) -> SenderResult:
    """Run one peer (bench/peers.py) in its own process against the fake."""
    if peer == "tutorial":
        name = "tutorial loop (aiogram)"
        method = (
            "sequential `send_message`, sleep retry_after and retry once on 429, "
            f"`sleep(0.05)` between sends; first {chats:,} chats or {max_seconds:g} s"
        )
    else:
        name = "PTB AIORateLimiter"
        method = (
            f"`AIORateLimiter(overall_max_rate={rate:g}, overall_time_period=1, "
            f"max_retries=3)`, `asyncio.gather` in batches of {batch}; "
            f"{chats:,} chats, no new batch after {max_seconds:g} s"
        )
    result = SenderResult(
        name=name, method=method, cap=rate, expected=chats, subscribers=subscribers
    )
    fake.reset()
    command = [
        sys.executable, "-m", "bench.peers", peer, "--url", fake.url, "--chats", str(chats),
        "--rate", f"{rate:g}", "--max-seconds", f"{max_seconds:g}", "--batch", str(batch),
    ]  # fmt: skip
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=stderr, text=True,
        )  # fmt: skip
        _pin(process.pid, cpu)
        try:
            stdout, _ = process.communicate(timeout=max_seconds + 120)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, _ = process.communicate()
            result.error = "timed out"
        finally:
            _stop(process)
        stderr.seek(0)
        err_tail = "\n".join(stderr.read().splitlines()[-5:])
    try:
        report: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        result.error = result.error or f"exit {process.returncode}: {err_tail}"[:400]
        _fill_from_fake(result, fake.stats(expect=chats))
        return result
    result.attempted = int(report["attempted"])
    result.elapsed = float(report["elapsed"])
    result.cpu_seconds = float(report["cpu_seconds"])
    result.peak_rss_mb = float(report["peak_rss_mb"])
    result.errors = dict(report.get("errors", {}))
    _fill_from_fake(result, fake.stats(expect=result.attempted))
    if not report.get("complete"):
        result.note = f"stopped by its time limit after {result.attempted:,} chats"
    return result


# --------------------------------------------------------------------------- the report


def _machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for package in ("aiogram", "aiohttp", "python-telegram-bot", "httpx", "SQLAlchemy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    load = "n/a"
    with contextlib.suppress(OSError):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "cores": str(os.cpu_count() or "?"),
        "cpu": cpu,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
        "load": load,
    }


def _sender_rows(senders: list[SenderResult]) -> list[str]:
    rows = [
        "| sender | chats reached / asked | msgs/s | of cap | 429s (share) | lost | duplicated "
        "| peak RSS | sender CPU | time | time for N (extrapolated) | targets met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in senders:
        if s.error and s.rate is None:
            rows.append(f"| {s.name} | {s.error} |" + " |" * 10)
            continue
        met = [passed for _, _, passed in s.checks() if passed is not None]
        cpu = "n/a" if s.cpu_seconds is None else f"{s.cpu_seconds:.1f} s"
        if s.cpu_seconds is not None and s.elapsed:
            cpu += f" ({s.cpu_seconds / s.elapsed:.0%})"
        rows.append(
            f"| {s.name} | {_num(s.attempted)} / {s.expected:,} "
            f"| {_num(s.rate, ',.1f')} | {_pct(s.cap_fraction)} "
            f"| {s.too_many:,} ({_pct(s.share_429, 2)}) | {_num(s.lost)} "
            f"| {_num(s.duplicated)} | {_mb(s.peak_rss_mb)} | {cpu} "
            f"| {_num(s.elapsed, '.1f')} s | {_num(s.time_for_n, ',.0f')} s "
            f"| {sum(met)}/{len(met)} |"
        )
    return rows


def _fanout_target(f: FanoutResult) -> tuple[str, bool | None]:
    if f.seconds is None or not f.created:
        return "n/a", None
    if f.rows == TARGET_FANOUT_ROWS:
        return f"{f.seconds:.2f} s", f.seconds <= TARGET_FANOUT_SECONDS
    scaled = f.seconds * TARGET_FANOUT_ROWS / f.created
    return (
        f"{f.seconds:.2f} s for {f.created:,} rows (~{scaled:.1f} s per 1M, scaled linearly)",
        scaled <= TARGET_FANOUT_SECONDS,
    )


def render(
    args: argparse.Namespace,
    machine: dict[str, str],
    senders: list[SenderResult],
    fanouts: list[FanoutResult],
    skipped: list[str],
) -> str:
    lines = [
        "# Broadcast benchmark results",
        "",
        f"`python -m bench.broadcast {shlex.join(args.argv)}`".replace("broadcast `", "broadcast`"),
        "",
        "## Machine",
        "",
        f"- date: {machine['date']}",
        f"- cores (`nproc`): {machine['cores']}; CPU: {machine['cpu']}",
        f"- load average at the end (1, 5, 15 min): {machine['load']} (a shared, noisy host)",
        f"- {machine['python']}; {machine['packages']}",
        "",
        "## Parameters",
        "",
        f"- subscribers N = {args.subscribers:,} (chat ids 1..N, private chats)",
        f"- rate cap = {args.rate:g} sends/s, enforced by the fake Bot API "
        + (
            "as a sliding one-second window"
            if args.limiter == "window"
            else f"as a token bucket of capacity {max(1.0, args.rate / 10):g}"
        )
        + ", plus 1 send/s per private chat; over a limit: HTTP 429, retry_after = 1",
        f"- latency = {args.latency_ms:g} ms added to every answer (success or 429)",
        "- the fake runs in its own process; each sender runs in its own process"
        + (" (fake pinned to CPU 1, senders to CPU 0)" if args.pin_cpus else ""),
        f"- fan-out rows = {args.fanout_rows:,}",
        "",
    ]
    if senders:
        lines += [
            "## Senders",
            "",
            "msgs/s = sends accepted by the fake / (last accepted - first accepted); "
            "of cap = msgs/s / rate cap; 429s = sends answered 429 (share of all sends); "
            "lost = chats (of those the sender reached) that received nothing; "
            "duplicated = accepted sends beyond one per chat; "
            "time = the sender's wall time (peers: from their first send; worker: from "
            "process start, imports and migrations included, until the database showed no "
            "open row, polled every 0.5 s); time for N = N / msgs/s.",
            "",
            *_sender_rows(senders),
            "",
        ]
        for s in senders:
            details = [f"- **{s.name}**: {s.method}."]
            if s.too_many:
                details.append(
                    f"  429s: {s.too_many_global:,} over the global cap, "
                    f"{s.too_many_per_chat:,} over the per-chat limit."
                )
            if s.errors:
                details.append(f"  Errors seen by the sender: {s.errors}.")
            if s.db_states:
                details.append(f"  Rows by final state: {s.db_states}; failed rows: {s.db_failed}.")
            if s.fake_cpu_seconds is not None and s.elapsed:
                details.append(
                    f"  Fake Bot API CPU during the run: {s.fake_cpu_seconds:.1f} s "
                    f"(~{s.fake_cpu_seconds / max(s.elapsed, 1e-9):.0%} of one core)."
                )
            if s.note:
                details.append(f"  {s.note}.")
            if s.error and s.rate is not None:
                details.append(f"  Error: {s.error}.")
            lines += details
        lines.append("")
    if fanouts:
        lines += [
            "## Fan-out",
            "",
            "Time of `DeliveryRepository(session).fan_out(...)` + `commit()` on a freshly "
            "populated database (users + one campaign's subscriptions, ANALYZEd and "
            "checkpointed); released languages en, ru (pending), kk/de/fr held.",
            "",
            "| database | rows | seconds | rows/s | implementation | populate (not timed) |",
            "|---|---|---|---|---|---|",
        ]
        for f in fanouts:
            if f.error and f.seconds is None:
                lines.append(f"| {f.backend} | {f.rows:,} | FAILED: {f.error} | | | |")
                continue
            lines.append(
                f"| {f.backend} | {_num(f.created)} | {_num(f.seconds, '.2f')} "
                f"| {_num(f.rows_per_second, ',.0f')} | {f.implementation} "
                f"| {_num(f.populate_seconds, '.1f')} s |"
            )
        lines.append("")
        for f in fanouts:
            if f.server_version:
                lines.append(f"- {f.backend}: {f.server_version}; rows by state {f.states}")
            if f.error and f.seconds is not None:
                lines.append(f"- {f.backend}: {f.error}")
        lines.append("")
    lines += ["## Targets", "", "| target | observed | result |", "|---|---|---|"]
    worker = next((s for s in senders if s.name == "our worker"), None)
    if worker is None:
        lines.append("| our worker | not run | n/a |")
    elif worker.error and worker.rate is None:
        lines.append(f"| our worker | {worker.error} | FAIL |")
    else:
        for target, observed, passed in worker.checks():
            lines.append(f"| worker: {target} | {observed} | {_verdict(passed)} |")
    for f in fanouts:
        observed, passed = _fanout_target(f)
        if f.error and f.seconds is None:
            observed, passed = f"failed: {f.error}", False
        lines.append(
            f"| fan-out of 1M rows <= {TARGET_FANOUT_SECONDS:g} s on {f.backend} "
            f"| {observed} | {_verdict(passed)} |"
        )
    if skipped:
        lines += ["", "Not run: " + ", ".join(skipped) + "."]
    lines += [
        "",
        "The peers are measured against the same sender targets in the Senders table "
        '("targets met") for comparison only; the targets are for our worker.',
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description="Broadcast benchmark: our worker vs a tutorial loop vs PTB's "
        "AIORateLimiter through a rate-limiting fake Bot API, and the outbox fan-out.",
    )
    parser.add_argument("--subscribers", type=int, default=20_000, help="N (default 20000)")
    parser.add_argument("--rate", type=float, default=1000, help="rate cap, sends/s")
    parser.add_argument("--latency-ms", type=float, default=40, help="fake API latency")
    parser.add_argument("--fanout-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--skip-worker", action="store_true")
    parser.add_argument("--only", choices=("worker", "peers", "fanout"), default=None)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--limiter",
        choices=("window", "bucket"),
        default="window",
        help="the fake's global limit: sliding 1 s window (default) or token bucket "
        "of capacity rate/10",
    )
    parser.add_argument("--tutorial-chats", type=int, default=1000, help="its slice of N")
    parser.add_argument("--tutorial-seconds", type=float, default=30)
    parser.add_argument("--ptb-seconds", type=float, default=60)
    parser.add_argument("--ptb-batch", type=int, default=0, help="0 = max(50, 2 x rate x latency)")
    parser.add_argument("--worker-timeout", type=float, default=None, help="default 60+3N/rate")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    parser.add_argument(
        "--pin-cpus",
        action="store_true",
        help="pin the fake to CPU 1 and each sender to CPU 0 (off: the scheduler decides)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    run_worker = not args.skip_worker and args.only in (None, "worker")
    run_peers = not args.skip_peers and args.only in (None, "peers")
    run_fanout = not args.skip_fanout and args.only in (None, "fanout")
    skipped = [
        name
        for name, run in (("our worker", run_worker), ("peers", run_peers), ("fan-out", run_fanout))
        if not run
    ]
    pin = args.pin_cpus and (os.cpu_count() or 1) >= 2
    sender_cpu = 0 if pin else None
    senders: list[SenderResult] = []
    fanouts: list[FanoutResult] = []
    n = args.subscribers

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    if run_worker or run_peers:
        fake = FakeTelegramProcess(args.rate, args.latency_ms, args.limiter, 1 if pin else None)
        try:
            say(f"fake Bot API on {fake.start()}")
            if run_worker:
                say(f"our worker: {n:,} deliveries ...")
                result = measure_worker(fake, n, args.rate, args.worker_timeout, sender_cpu)
                senders.append(result)
                say("  " + _brief(result))
            if run_peers:
                chats = min(n, args.tutorial_chats)
                say(f"tutorial loop: {chats:,} chats or {args.tutorial_seconds:g} s ...")
                result = measure_peer(
                    fake, "tutorial", n, chats, args.rate, args.tutorial_seconds, 0, sender_cpu
                )
                senders.append(result)
                say("  " + _brief(result))
                batch = args.ptb_batch or max(50, math.ceil(2 * args.rate * args.latency_ms / 1000))
                say(f"PTB AIORateLimiter: {n:,} chats or {args.ptb_seconds:g} s ...")
                result = measure_peer(
                    fake, "ptb", n, n, args.rate, args.ptb_seconds, batch, sender_cpu
                )
                senders.append(result)
                say("  " + _brief(result))
        finally:
            fake.stop()
    if run_fanout:
        for backend in ("sqlite", "postgresql"):
            say(f"fan-out on {backend}: {args.fanout_rows:,} rows ...")
            fanout = measure_fanout(backend, args.fanout_rows, args.pg_admin_url)
            fanouts.append(fanout)
            if fanout.error or fanout.seconds is None:
                say(f"  failed: {fanout.error}")
            else:
                say(f"  {fanout.seconds:.2f} s ({fanout.implementation})")

    report = render(args, _machine(), senders, fanouts, skipped)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print()
    print(report)
    say(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
