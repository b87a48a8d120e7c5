"""``rotate-key`` and ``generate-key`` on the command line, and the start-up key check."""

from __future__ import annotations

import logging
import sys

from cryptography.fernet import Fernet

from bot.config import Settings
from bot.services import audit
from db import encryption
from db.engine import create_engine, create_session_factory
from db.models import Base
from db.repositories.audit import AuditRepository

logger = logging.getLogger(__name__)


def configure_encryption(settings: Settings) -> None:
    """Use DATA_KEY for private fields; without it, warn once that they are in clear."""
    cipher = settings.field_cipher()
    encryption.configure(cipher)
    if cipher is None:
        logger.warning(
            "DATA_KEY is not set: private fields are stored in clear text in the database "
            "(docs/security.md explains how to set one)"
        )


def generate_key() -> int:
    print(Fernet.generate_key().decode())
    return 0


async def rotate_key(settings: Settings) -> int:
    cipher = settings.field_cipher()
    if cipher is None:
        print(
            "error: DATA_KEY is not set: put the new key first, then the old ones", file=sys.stderr
        )
        return 2
    encryption.configure(cipher)
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            try:
                count = await encryption.reencrypt(session, Base.metadata)
            except encryption.DataKeyError as exc:
                await session.rollback()
                print(f"error: {exc}; nothing was changed", file=sys.stderr)
                return 1
            await AuditRepository(session).add(None, None, audit.KEY_ROTATE, f"{count} values")
            await session.commit()
    finally:
        await engine.dispose()
    print(f"re-encrypted {count} private values with the first key of DATA_KEY")
    return 0
