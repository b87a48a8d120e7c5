"""Private fields at rest: Fernet with DATA_KEY, key rotation, nothing in clear on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.callbacks import EndorseFormCallback
from bot.config import Settings
from bot.keys import rotate_key
from db import encryption
from db.encryption import DataKeyError, FieldCipher, encrypted_columns
from db.models import AuditEntry, Base, Endorsement, TeamMember
from db.repositories.team import TeamRepository
from tests.campaigns import campaign_data
from tests.harness import COORDINATOR_ID, SUPPORTER_ID, BotHarness, reply

PRIVATE = "ana.private@example.org"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def no_key_after_the_test() -> Iterator[None]:
    yield
    encryption.configure(None)


async def store(factory: async_sessionmaker[AsyncSession], user_id: int, name: str) -> None:
    async with factory() as session:
        await TeamRepository(session).set_display_name(user_id, name)
        await session.commit()


async def read(factory: async_sessionmaker[AsyncSession], user_id: int) -> str | None:
    async with factory() as session:
        return await TeamRepository(session).display_name(user_id)


async def raw(factory: async_sessionmaker[AsyncSession], user_id: int) -> str:
    async with factory() as session:
        value = await session.scalar(
            select(type_coerce(TeamMember.display_name, Text)).where(TeamMember.user_id == user_id)
        )
    assert value is not None
    return str(value)


def test_the_registry_finds_every_encrypted_column() -> None:
    assert sorted((t.name, c.name) for t, c in encrypted_columns(Base.metadata)) == [
        ("endorsements", "contact_email"),
        ("endorsements", "signer_name"),
        ("endorsements", "signer_role"),
        ("team_members", "display_name"),
    ]


async def test_round_trip_and_nothing_in_clear_on_disk(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    encryption.configure(FieldCipher([OLD_KEY]))
    await store(session_factory, 7, PRIVATE)
    assert await read(session_factory, 7) == PRIVATE
    stored = await raw(session_factory, 7)
    assert stored.startswith("fernet:") and PRIVATE not in stored
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert files and all(PRIVATE.encode() not in p.read_bytes() for p in files)


async def test_values_stored_without_a_key_stay_readable(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await store(session_factory, 7, PRIVATE)
    assert await raw(session_factory, 7) == PRIVATE  # no DATA_KEY: in clear (a warning says)
    encryption.configure(FieldCipher([OLD_KEY]))
    assert await read(session_factory, 7) == PRIVATE


async def test_rotate_key_re_encrypts_with_the_new_key(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    encryption.configure(FieldCipher([OLD_KEY]))
    await store(session_factory, 7, PRIVATE)
    encryption.configure(None)
    await store(session_factory, 8, "in clear before DATA_KEY")
    before = await raw(session_factory, 7)

    rotating = settings.model_copy(update={"data_key": _secret(f"{NEW_KEY},{OLD_KEY}")})
    assert await rotate_key(rotating) == 0
    after = await raw(session_factory, 7)
    assert after != before and after.startswith("fernet:")
    assert (await raw(session_factory, 8)).startswith("fernet:")

    encryption.configure(FieldCipher([NEW_KEY]))  # the old key can now be dropped
    assert await read(session_factory, 7) == PRIVATE
    assert await read(session_factory, 8) == "in clear before DATA_KEY"
    encryption.configure(FieldCipher([OLD_KEY]))
    with pytest.raises(DataKeyError):
        await read(session_factory, 7)
    async with session_factory() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions == ["data.rotate_key"]


async def test_rotate_key_without_the_old_key_changes_nothing(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    encryption.configure(FieldCipher([OLD_KEY]))
    await store(session_factory, 7, PRIVATE)
    before = await raw(session_factory, 7)
    assert await rotate_key(settings.model_copy(update={"data_key": _secret(NEW_KEY)})) == 1
    assert await raw(session_factory, 7) == before
    assert await rotate_key(settings) == 2  # no DATA_KEY at all


def test_a_malformed_data_key_is_refused_at_start() -> None:
    from bot.config import SettingsError, create_settings

    with pytest.raises(SettingsError, match="DATA_KEY is malformed"):
        create_settings(data_key="not-a-key")


def _secret(value: str) -> object:
    from pydantic import SecretStr

    return SecretStr(value)


async def test_an_endorsements_contact_email_is_never_on_disk_in_clear(
    harness: BotHarness, session: AsyncSession, database_url: str, settings: Settings
) -> None:
    """Submitted through the bot with DATA_KEY set: the coordinator's card and the private
    CSV show the email, the database holds only ciphertext, and rotate-key covers it."""
    from bot.services.campaign_file import validate_campaign
    from bot.services.campaigns import CampaignService

    encryption.configure(FieldCipher([OLD_KEY]))
    await CampaignService(session).load(validate_campaign(campaign_data("zhanaozen")))
    await harness.send(SUPPORTER_ID, f"/endorse zhanaozen Dockers Union | Hamburg, DE | {PRIVATE}")
    card = await harness.press(SUPPORTER_ID, EndorseFormCallback(action="submit").pack())
    assert any(PRIVATE in c.params.get("text", "") for c in card)  # the coordinator's card
    async with harness.session_factory() as check:
        stored = await check.scalar(select(type_coerce(Endorsement.contact_email, Text)))
    assert stored is not None and stored.startswith("fernet:") and PRIVATE not in stored
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert files and all(PRIVATE.encode() not in p.read_bytes() for p in files)
    export = await harness.send(COORDINATOR_ID, "/export zhanaozen endorsements")
    document = next(c for c in export if c.method == "sendDocument")
    assert PRIVATE in document.params["document"].content.decode()
    assert "Dockers Union" in reply(await harness.send(COORDINATOR_ID, "/pending zhanaozen"))

    rotating = settings.model_copy(update={"data_key": _secret(f"{NEW_KEY},{OLD_KEY}")})
    assert await rotate_key(rotating) == 0
    encryption.configure(FieldCipher([NEW_KEY]))
    async with harness.session_factory() as check:
        endorsement = await check.scalar(select(Endorsement))
        assert endorsement is not None and endorsement.contact_email == PRIVATE
