"""Private fields encrypted at rest with Fernet when ``DATA_KEY`` is set.

A column typed ``EncryptedText`` stores ``fernet:<token>`` when a key is configured and the
plain value otherwise (a warning at start says so). Reading accepts both, so a bot that
starts without a key and gets one later keeps working; ``python -m bot rotate-key``
re-encrypts every such column (``encrypted_columns()`` finds them in the metadata, so a
column added later is rotated by marking it ``EncryptedText``).

``DATA_KEY`` may hold several comma-separated keys: the first encrypts, all decrypt
(``MultiFernet``). Rotation: put the new key first, run ``rotate-key``, drop the old key.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, MetaData, Table, Text, select, type_coerce, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator

PREFIX = "fernet:"


class DataKeyError(Exception):
    """A stored value cannot be read with the configured keys (or no key is configured)."""


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError as exc:  # not 32 url-safe base64-encoded bytes
            raise DataKeyError(
                "DATA_KEY must be Fernet keys (python -m bot generate-key makes one)"
            ) from exc

    @classmethod
    def from_setting(cls, value: str | None) -> FieldCipher | None:
        keys = [key for key in (value or "").split(",") if key.strip()]
        return cls(keys) if keys else None

    def encrypt(self, value: str) -> str:
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken as exc:
            raise DataKeyError("a private field was encrypted with a key not in DATA_KEY") from exc


_cipher: FieldCipher | None = None


def configure(cipher: FieldCipher | None) -> None:
    """Set the process's cipher (at start-up, from ``DATA_KEY``); None stores plain text."""
    global _cipher
    _cipher = cipher


def current() -> FieldCipher | None:
    return _cipher


def seal(value: str) -> str:
    return _cipher.encrypt(value) if _cipher is not None else value


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    if _cipher is None:
        raise DataKeyError("a private field is encrypted but DATA_KEY is not set")
    return _cipher.decrypt(stored)


class EncryptedText(TypeDecorator[str]):
    """Text encrypted with the configured key (see the module's docstring)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unseal(str(value))


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, Column[Any]]]:
    """Every column of ``metadata`` that holds encrypted text: what rotate-key walks."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


async def reencrypt(session: AsyncSession, metadata: MetaData) -> int:
    """Re-encrypt every encrypted column with the first configured key (and encrypt values
    stored in clear). Returns the number of values rewritten; the caller commits."""
    if _cipher is None:
        raise DataKeyError("DATA_KEY is not set: there is no key to encrypt with")
    rewritten = 0
    for table, column in encrypted_columns(metadata):
        raw = type_coerce(column, Text)  # the stored text, not decrypted
        rows = (await session.execute(select(*table.primary_key.columns, raw))).all()
        for *key, stored in rows:
            if stored is None:
                continue
            value = _cipher.encrypt(unseal(stored))
            where = [pk == k for pk, k in zip(table.primary_key.columns, key, strict=True)]
            await session.execute(
                update(table).where(*where).values({column.name: type_coerce(value, Text)})
            )
            rewritten += 1
    return rewritten
