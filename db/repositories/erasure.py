"""Erasing a user (``/forget``): one step per table that can hold their id or data.

Each step names a column holding a Telegram user id and what to do with the rows that
hold this user's id: delete them (the data is theirs) or anonymise them (the row belongs
to a campaign, e.g. an alert they wrote, and must stay without the link to them). A table
added later slots in with one more step; ``tests/integration/test_privacy.py`` scans every
table in the metadata after ``/forget``, so a forgotten table fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import (
    Alert,
    AlertTranslation,
    AuditEntry,
    Delivery,
    Role,
    Subscription,
    TeamInvite,
    TeamMember,
    User,
)

#: What an anonymised author or translator id becomes (Telegram ids are positive).
ERASED_ID = 0


@dataclass(frozen=True)
class Delete:
    """Delete the rows whose ``column`` is the user's id."""

    column: InstrumentedAttribute[Any]

    async def run(self, session: AsyncSession, user_id: int) -> None:
        table = self.column.class_
        await session.execute(delete(table).where(self.column == user_id))


@dataclass(frozen=True)
class Anonymise:
    """Keep the rows, replacing the user's id in ``column`` with ``value``."""

    column: InstrumentedAttribute[Any]
    value: Any = None

    async def run(self, session: AsyncSession, user_id: int) -> None:
        table = self.column.class_
        await session.execute(
            update(table)
            .where(self.column == user_id)
            .values({self.column.key: self.value})
            .execution_options(synchronize_session=False)
        )


ErasureStep = Delete | Anonymise

#: In order: rows that point at others first, the user row last.
ERASURE_STEPS: tuple[ErasureStep, ...] = (
    Delete(Delivery.user_id),
    Delete(Subscription.user_id),
    Delete(Role.user_id),
    Delete(TeamMember.user_id),
    Anonymise(TeamInvite.created_by),
    Anonymise(Alert.author_id, ERASED_ID),
    Anonymise(AlertTranslation.translator_id, ERASED_ID),
    Anonymise(AuditEntry.actor_id),
    Anonymise(AuditEntry.subject_id),
    Delete(User.id),
)


async def erase_user(session: AsyncSession, user_id: int) -> None:
    for step in ERASURE_STEPS:
        await step.run(session, user_id)


async def rows_about(session: AsyncSession, user_id: int) -> dict[str, int]:
    """How many rows of each table hold the user's id (what /mydata counts)."""
    counts: dict[str, int] = {}
    for step in ERASURE_STEPS:
        table = step.column.class_.__tablename__
        found = await session.scalar(
            select(func.count()).select_from(step.column.class_).where(step.column == user_id)
        )
        if found:
            counts[table] = counts.get(table, 0) + int(found)
    return counts
