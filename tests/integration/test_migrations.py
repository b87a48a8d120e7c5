"""Migrations walk up and down on both backends, and match the models exactly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from db import migrate
from db.engine import create_engine
from db.models import Base
from tests.conftest import BACKENDS


def _url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}"
    return str(request.getfixturevalue("postgres_url"))


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_stairway(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Each revision upgrades, downgrades and upgrades again without error."""
    url = _url(backend, tmp_path, request)
    migrate.downgrade(url, "base")
    previous = "base"
    for revision in revisions():
        migrate.upgrade(url, revision)
        migrate.downgrade(url, previous)
        migrate.upgrade(url, revision)
        previous = revision
    assert previous == revisions()[-1]


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.parametrize("backend", BACKENDS)
def test_models_match_migrations(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _url(backend, tmp_path, request)
    migrate.upgrade(url)
    assert _diff(url) == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}"

    async def pragmas() -> tuple[str, int, int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
                timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
                keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
                return mode, timeout, keys
        finally:
            await engine.dispose()

    assert asyncio.run(pragmas()) == ("wal", 15000, 1)
