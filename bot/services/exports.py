"""CSV exports of a campaign's data: one table of kinds, each with a producer and an audience.

``/export <campaign> <kind>`` in the chat and ``python -m bot export <campaign> <kind>`` on
the command line both go through :meth:`ExportService.export`, the one place to audit them.
A new kind is one more :class:`ExportKind` in :data:`EXPORT_KINDS`.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) get a leading ``'`` so that opening an export never runs what an
organisation typed.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.countries import country_name
from bot.services.actions import ActionService
from bot.services.audit import EXPORT
from bot.services.roles import RoleService
from db.models import Campaign
from db.repositories import CampaignRepository
from db.repositories.audit import AuditRepository
from db.repositories.endorsements import EndorsementRepository

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[object]
#: (session, campaign, locale) -> the header row and the data rows.
Producer = Callable[[AsyncSession, Campaign, str], Awaitable[tuple[Row, list[Row]]]]


class Audience(enum.Enum):
    EVERYONE = "everyone"
    COORDINATORS = "coordinators"  # the campaign's coordinators and the owners


@dataclass(frozen=True)
class ExportKind:
    name: str
    audience: Audience
    produce: Producer


class ExportProblem(enum.Enum):
    NO_CAMPAIGN = "no_campaign"
    UNKNOWN_KIND = "unknown_kind"
    FORBIDDEN = "forbidden"


class ExportError(Exception):
    def __init__(self, problem: ExportProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else ""


async def endorsements_csv(
    session: AsyncSession, campaign: Campaign, locale: str
) -> tuple[Row, list[Row]]:
    """Every endorsement, whatever its status, with the private fields (coordinators only)."""
    items = await EndorsementRepository(session).all_of_campaign(campaign.id)
    header = (
        "id",
        "status",
        "name",
        "city",
        "country_code",
        "country_name",
        "website",
        "contact_email",
        "signer_name",
        "signer_role",
        "submitted_at",
        "decided_at",
        "reason",
    )
    rows: list[Row] = [
        (
            item.id,
            item.status,
            item.name,
            item.city,
            item.country,
            country_name(item.country, locale),
            item.website,
            item.contact_email,
            item.signer_name,
            item.signer_role,
            _iso(item.created_at),
            _iso(item.decided_at),
            item.reason,
        )
        for item in items
    ]
    return header, rows


async def signatories_csv(
    session: AsyncSession, campaign: Campaign, locale: str
) -> tuple[Row, list[Row]]:
    """The public signatory list, in signing order."""
    items = await EndorsementRepository(session).by_status(campaign.id, "approved")
    header = ("name", "city", "country_code", "country_name", "website", "date")
    rows: list[Row] = [
        (
            item.name,
            item.city,
            item.country,
            country_name(item.country, locale),
            item.website,
            item.created_at.date().isoformat(),
        )
        for item in items
    ]
    return header, rows


async def actions_csv(
    session: AsyncSession, campaign: Campaign, locale: str
) -> tuple[Row, list[Row]]:
    """Contact actions' totals: no supporter, only counts (bot.services.actions)."""
    return await ActionService(session).export_rows(campaign)


EXPORT_KINDS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind("endorsements", Audience.COORDINATORS, endorsements_csv),
        ExportKind("signatories", Audience.EVERYONE, signatories_csv),
        ExportKind("actions", Audience.COORDINATORS, actions_csv),
    )
}


def safe_cell(value: object) -> str:
    """The cell as text, defused if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Row, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


class ExportService:
    def __init__(self, session: AsyncSession, owner_ids: frozenset[int]) -> None:
        self.session = session
        self.campaigns = CampaignRepository(session)
        self.roles = RoleService(session, owner_ids)

    @staticmethod
    def kinds() -> list[str]:
        return sorted(EXPORT_KINDS)

    async def export(self, slug: str, kind: str, locale: str, actor_id: int | None) -> ExportFile:
        """The CSV of ``kind`` for the campaign. ``actor_id`` is the Telegram user asking,
        checked against the kind's audience; ``None`` is the operator's command line."""
        spec = EXPORT_KINDS.get(kind)
        if spec is None:
            raise ExportError(ExportProblem.UNKNOWN_KIND)
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            raise ExportError(ExportProblem.NO_CAMPAIGN)
        if (
            actor_id is not None
            and spec.audience is Audience.COORDINATORS
            and not await self.roles.can_coordinate(actor_id, campaign.slug)
        ):
            raise ExportError(ExportProblem.FORBIDDEN)
        header, rows = await spec.produce(self.session, campaign, locale)
        if spec.audience is Audience.COORDINATORS:
            # Private data left the bot: record who took it (None: the command line).
            await AuditRepository(self.session).add(actor_id, campaign.id, EXPORT, kind)
            await self.session.commit()
        return ExportFile(f"{campaign.slug}-{kind}.csv", to_csv(header, rows), len(rows))
