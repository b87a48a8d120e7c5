from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Mission, utcnow

#: Rows per INSERT/UPDATE statement when importing the directory.
BATCH = 1000
_FIELDS = (
    "operator",
    "country",
    "jurisdictions",
    "kind",
    "city",
    "address",
    "phone",
    "email",
    "website",
)


class MissionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all_fields(self) -> dict[str, tuple[int, dict[str, Any]]]:
        """Every mission by QID: its id and the fields an import compares."""
        columns = [getattr(Mission, name) for name in _FIELDS]
        rows = await self.session.execute(select(Mission.qid, Mission.id, *columns))
        return {row[0]: (row[1], dict(zip(_FIELDS, row[2:], strict=True))) for row in rows.all()}

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        now = utcnow()
        for start in range(0, len(rows), BATCH):
            chunk = [
                {**row, "created_at": now, "updated_at": now} for row in rows[start : start + BATCH]
            ]
            await self.session.execute(insert(Mission), chunk)

    async def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Update by primary key (each dict has ``id``)."""
        now = utcnow()
        for start in range(0, len(rows), BATCH):
            chunk = [{**row, "updated_at": now} for row in rows[start : start + BATCH]]
            await self.session.execute(update(Mission), chunk)

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Mission)) or 0)

    async def of_operator(self, operator: str) -> Sequence[Mission]:
        rows = await self.session.scalars(
            select(Mission).where(Mission.operator == operator).order_by(Mission.qid)
        )
        return rows.all()

    async def get_by_qid(self, qid: str) -> Mission | None:
        return await self.session.scalar(select(Mission).where(Mission.qid == qid))
