"""Shared fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the fake Bot API, and a harness that feeds real updates to the real Dispatcher."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import LOCALES_DIR, Settings, create_settings
from bot.i18n import compile_catalogs
from db import migrate
from db.engine import create_engine, create_session_factory
from db.models import Base
from tests.fakeapi import FakeBotAPI
from tests.harness import OWNER_ID, BotHarness

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

# Locally Hypothesis explores new random inputs on every run (and replays the failures it
# saved); in CI the same inputs every time, so a red build is reproducible, not luck.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    # The test step produces the compiled catalogs, so they are never stale.
    compile_catalogs(LOCALES_DIR)
    if os.environ.get("CI") and not TEST_DATABASE_URL:
        raise pytest.UsageError("CI must test PostgreSQL too: set TEST_DATABASE_URL")


def pytest_report_header(config: pytest.Config) -> str:
    return "database backends: " + ", ".join(BACKENDS)


async def _check_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test database migrated to head once. Unreachable is an error."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    try:
        asyncio.run(_check_postgres(TEST_DATABASE_URL))
    except Exception as exc:
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    migrate.downgrade(TEST_DATABASE_URL, "base")
    migrate.upgrade(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


def reset_postgres(url: str) -> None:
    async def truncate() -> None:
        engine = create_engine(url)
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            await engine.dispose()

    asyncio.run(truncate())


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "solidarity.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
def settings(database_url: str, fake_api: FakeBotAPI) -> Settings:
    return create_settings(
        bot_token="123456:TEST-TOKEN",
        database_url=database_url,
        telegram_api_url=fake_api.base_url,
        admin_ids=frozenset({OWNER_ID}),
        default_locale="en",
    )


@pytest.fixture
async def harness(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    fake_api: FakeBotAPI,
) -> AsyncIterator[BotHarness]:
    harness = BotHarness.create(settings, session_factory, fake_api)
    yield harness
    await harness.close()
