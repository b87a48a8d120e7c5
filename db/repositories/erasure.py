"""Erasing a user (``/forget``): one step per table that can hold their id or data.

Each step names a column holding a Telegram user id and what to do with the rows that
hold this user's id: delete them (the data is theirs) or anonymise them (the row belongs
to a campaign, e.g. an alert they wrote, and must stay without the link to them). A table
added later slots in with one more step; ``tests/integration/test_privacy.py`` scans every
table in the metadata after ``/forget``, so a forgotten table fails the suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import (
    Alert,
    AlertTranslation,
    AuditEntry,
    ContactRecord,
    Delivery,
    Endorsement,
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


@dataclass(frozen=True)
class Scrub:
    """Keep the rows (they belong to a campaign) but overwrite the user's private fields in
    them: ``values`` maps column names to what they become, ``only`` narrows the rows.
    Steps with ``counted=False`` are left out of /mydata's counts (another step on the same
    rows counts them)."""

    column: InstrumentedAttribute[Any]
    values: Mapping[str, Any]
    only: Any = None
    counted: bool = True

    async def run(self, session: AsyncSession, user_id: int) -> None:
        table = self.column.class_
        condition = self.column == user_id
        if self.only is not None:
            condition = condition & self.only
        await session.execute(
            update(table)
            .where(condition)
            .values(dict(self.values))
            .execution_options(synchronize_session=False)
        )


ErasureStep = Delete | Anonymise | Scrub

#: In order: rows that point at others first, the user row last.
ERASURE_STEPS: tuple[ErasureStep, ...] = (
    Delete(Delivery.user_id),
    Delete(Subscription.user_id),
    Delete(Role.user_id),
    Delete(TeamMember.user_id),
    Anonymise(TeamInvite.created_by),
    Anonymise(Alert.author_id, ERASED_ID),
    Anonymise(AlertTranslation.translator_id, ERASED_ID),
    # An endorsement they submitted: a pending one is withdrawn (nobody is left to tell the
    # outcome to); every one loses the private contact fields and the link to them. The
    # organisation's public name stays on the list it was approved for.
    Scrub(
        Endorsement.submitter_id,
        {"status": "withdrawn", "dedup_key": None},
        only=Endorsement.status == "pending",
        counted=False,
    ),
    Scrub(
        Endorsement.submitter_id,
        {"submitter_id": None, "contact_email": "", "signer_name": None, "signer_role": None},
    ),
    Anonymise(Endorsement.decided_by),
    # A report of contacting a target stays in the anonymous totals, without its author.
    Anonymise(ContactRecord.user_id),
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
        if isinstance(step, Scrub) and not step.counted:
            continue
        table = step.column.class_.__tablename__
        found = await session.scalar(
            select(func.count()).select_from(step.column.class_).where(step.column == user_id)
        )
        if found:
            counts[table] = counts.get(table, 0) + int(found)
    return counts
