"""Fan-out benchmark: how long it takes to write one outbox row per subscriber.

For each database (a fresh SQLite file in a temp dir; a fresh PostgreSQL database
``bench_fanout``, created on the ``postgres`` database and dropped at the end):

1. migrate it (``db.migrate.upgrade``);
2. populate N users (ids 1..N, locales spread over en/ru/kk/de/fr, all active), one campaign
   and N subscriptions with set-based SQL (PostgreSQL ``generate_series``, SQLite a recursive
   CTE), then one released alert; ANALYZE and checkpoint, so the timing below does not pay for
   the population;
3. time ``DeliveryRepository(session).fan_out(alert_id, campaign_id,
   released_languages={"en", "ru"}, default_locale="en", now=time.time())`` followed by
   ``session.commit()`` (en/ru rows become pending, kk/de/fr held: both branches of the state
   CASE are exercised).

Run alone: ``python -m bench.fanout --rows 1000000``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from db.repositories.deliveries import DeliveryRepository

__all__ = [
    "DEFAULT_PG_ADMIN_URL",
    "LANGUAGES",
    "FanoutResult",
    "measure_fanout",
    "populate",
]

DEFAULT_PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "bench_fanout"
LANGUAGES = ("en", "ru", "kk", "de", "fr")
RELEASED = frozenset({"en", "ru"})
_LOCALE_CASE = (
    "CASE {n} % 5 WHEN 0 THEN 'en' WHEN 1 THEN 'ru' WHEN 2 THEN 'kk' WHEN 3 THEN 'de' ELSE 'fr' END"
)


@dataclass
class FanoutResult:
    backend: str
    rows: int
    implementation: str = ""
    seconds: float | None = None
    populate_seconds: float | None = None
    created: int | None = None
    states: dict[str, int] = field(default_factory=dict)
    server_version: str = ""
    error: str | None = None

    @property
    def rows_per_second(self) -> float | None:
        if not self.seconds or self.created is None:
            return None
        return self.created / self.seconds


async def populate(
    session: AsyncSession,
    users: int,
    languages: list[str] | None = None,
    locale_sql: str | None = None,
) -> tuple[int, int]:
    """Insert users 1..N, one campaign "bench", N subscriptions and one released alert.

    ``locale_sql`` is an SQL expression of ``{n}`` (the user id) for the users' locale;
    by default they are spread over en/ru/kk/de/fr. Returns (campaign_id, alert_id).
    """
    from db.models import Alert, Campaign, utcnow

    dialect = session.get_bind().dialect.name
    locale = (locale_sql or _LOCALE_CASE).format(n="n")
    if dialect == "postgresql":
        users_sql = (
            "INSERT INTO users (id, locale, country, is_active, created_at, updated_at) "
            f"SELECT n, {locale}, NULL, true, now(), now() "
            "FROM generate_series(1, CAST(:n AS BIGINT)) AS g(n)"
        )
    else:
        users_sql = (
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :n) "
            "INSERT INTO users (id, locale, country, is_active, created_at, updated_at) "
            f"SELECT n, {locale}, NULL, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM seq"
        )
    await session.execute(text(users_sql), {"n": users})
    campaign_id = (
        await session.execute(
            insert(Campaign)
            .values(
                slug="bench",
                is_active=True,
                languages=list(languages or LANGUAGES),
                timezone="UTC",
                title={"en": "Bench"},
                summary={},
                statement={},
                demands=[],
                contacts=[],
            )
            .returning(Campaign.id)
        )
    ).scalar_one()
    await session.execute(
        text(
            "INSERT INTO subscriptions (user_id, campaign_id, created_at) "
            "SELECT id, :campaign_id, CURRENT_TIMESTAMP FROM users"
        ),
        {"campaign_id": campaign_id},
    )
    alert_id = (
        await session.execute(
            insert(Alert)
            .values(
                campaign_id=campaign_id,
                author_id=1,
                language="en",
                text="Benchmark alert",
                urgent=False,
                status="released",
                released_at=utcnow(),
            )
            .returning(Alert.id)
        )
    ).scalar_one()
    return int(campaign_id), int(alert_id)


async def _measure(url: str, result: FanoutResult) -> None:
    from db.engine import create_engine, create_session_factory

    engine = create_engine(url)
    try:
        sessions = create_session_factory(engine)
        started = time.perf_counter()
        async with sessions() as session:
            campaign_id, alert_id = await populate(session, result.rows)
            await session.commit()
        postgres = engine.dialect.name == "postgresql"
        version = "SELECT version()" if postgres else "SELECT 'SQLite ' || sqlite_version()"
        async with engine.connect() as connection:
            result.server_version = str((await connection.execute(text(version))).scalar())
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            if postgres:
                await autocommit.execute(text("VACUUM ANALYZE"))
                await autocommit.execute(text("CHECKPOINT"))
            else:
                await autocommit.execute(text("ANALYZE"))
                await autocommit.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        result.populate_seconds = time.perf_counter() - started

        result.implementation = "DeliveryRepository.fan_out"
        async with sessions() as session:
            started = time.perf_counter()
            kwargs: dict[str, Any] = {
                "alert_id": alert_id,
                "campaign_id": campaign_id,
                "released_languages": set(RELEASED),
                "default_locale": "en",
                "now": time.time(),
            }
            created = await DeliveryRepository(session).fan_out(**kwargs)
            await session.commit()
            result.seconds = time.perf_counter() - started
        async with sessions() as session:
            rows = await session.execute(
                text("SELECT state, count(*) FROM deliveries WHERE alert_id = :a GROUP BY state"),
                {"a": alert_id},
            )
            result.states = {str(state): int(count) for state, count in rows}
        result.created = sum(result.states.values())
        if created not in (result.created, -1):
            result.error = f"fan_out returned {created}, the table holds {result.created}"
    finally:
        await engine.dispose()


async def _admin(admin_url: str, statements: list[str]) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def measure_fanout(
    backend: str, rows: int, pg_admin_url: str = DEFAULT_PG_ADMIN_URL
) -> FanoutResult:
    """Populate a fresh database and time the fan-out. Synchronous: call outside an event
    loop (migrations run their own)."""
    from db.migrate import upgrade

    result = FanoutResult(backend=backend, rows=rows)
    try:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'fanout.db'}"
                upgrade(url)
                asyncio.run(_measure(url, result))
        elif backend == "postgresql":
            url = make_url(pg_admin_url).set(database=PG_DATABASE).render_as_string(False)
            drop = f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"
            asyncio.run(_admin(pg_admin_url, [drop, f"CREATE DATABASE {PG_DATABASE}"]))
            try:
                upgrade(url)
                asyncio.run(_measure(url, result))
            finally:
                asyncio.run(_admin(pg_admin_url, [drop]))
        else:
            raise ValueError(f"unknown backend {backend!r}")
    except Exception as exc:  # reported in the results, the other measurements go on
        result.error = f"{type(exc).__name__}: {exc}"[:500]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    for backend in backends:
        result = measure_fanout(backend, args.rows, args.pg_admin_url)
        if result.error or result.seconds is None:
            failed = True
            print(f"{backend}: FAILED {result.error}")
            continue
        print(
            f"{backend}: {result.created} rows in {result.seconds:.2f} s "
            f"({result.rows_per_second:,.0f} rows/s, {result.implementation}; "
            f"populate {result.populate_seconds:.1f} s; states {result.states})"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
