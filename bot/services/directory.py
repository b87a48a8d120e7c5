"""The embassy directory: importing the open "database of embassies" CSV, and finding the
mission a supporter should contact.

The CSV (``;``-separated, Wikidata-derived; see README "Embassy directory") names countries
by their English Wikidata labels. :func:`parse_embassy_csv` maps them to ISO 3166 codes with
:func:`bot.countries.resolve_country` and reports, never drops silently: rows it cannot use
are counted as skipped with their reason, labels it cannot map are listed with their
counts, and broken emails or URLs are imported empty and listed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.countries import resolve_country
from bot.services.audit import DIRECTORY_IMPORT
from db.repositories.audit import AuditRepository
from db.repositories.missions import MissionRepository

#: Columns the importer needs; the file may have more (they are ignored).
REQUIRED_COLUMNS = ("operator", "jurisdictions", "country", "city", "type", "QID")
#: A Wikidata item id (it travels in callback data, so it is kept short).
QID_RE = re.compile(r"(Q[1-9][0-9]{0,11})$")
EMAIL_RE = re.compile(r"^[^@\s<>\"'(),;:\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$")
#: Lengths of the ``missions`` columns; a longer value is treated as broken.
FIELD_LIMITS = {"city": 200, "address": 500, "phone": 100, "email": 254, "website": 500}
#: A field holding several values separates them with one of these.
MULTI_VALUE_SEPARATORS = re.compile(r"\s*[|]\s*")

#: Mission types by preference (lower is better) for "the embassy of X in your country".
#: Tier 0: embassies and what serves as one (high commissions between Commonwealth
#: countries, the Holy See's nunciatures, de facto embassies such as Taiwan's offices).
#: Tier 1: career consulates. Tier 2: everything else (honorary consulates, liaison or
#: trade offices, delegations). Unknown types are tier 2.
EMBASSY_TYPES = frozenset(
    {
        "embassy",
        "high commission",
        "apostolic nunciature",
        "de facto embassy",
        "british high commission",
        "australian high commission",
        "embassy of the united states",
        "diplomatic mission",
        "permanent mission",
    }
)
CONSULATE_TYPES = frozenset(
    {
        "consulate general",
        "consulate",
        "de facto consulate",
        "consular office",
        "consulate general of sweden",
        "consulate general of belgium",
        "consulates of sweden",
        "assistant high commission",
    }
)


def type_tier(kind: str) -> int:
    """0 for embassies, 1 for career consulates, 2 for any other mission."""
    folded = kind.strip().lower()
    if folded in EMBASSY_TYPES:
        return 0
    if folded in CONSULATE_TYPES:
        return 1
    return 2


@dataclass(frozen=True)
class MissionRow:
    qid: str
    operator: str
    country: str
    jurisdictions: tuple[str, ...]
    kind: str
    city: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None

    def fields(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "country": self.country,
            "jurisdictions": list(self.jurisdictions),
            "kind": self.kind,
            "city": self.city,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
        }


@dataclass(frozen=True)
class FieldProblem:
    """A value that was imported empty: ``field`` of mission ``qid`` held ``value``."""

    qid: str
    field: str
    value: str


@dataclass
class ParsedDirectory:
    rows: list[MissionRow] = field(default_factory=list)
    #: reason -> number of rows skipped for it
    skipped: Counter[str] = field(default_factory=Counter)
    #: country label -> occurrences that could not be mapped to an ISO code
    unmapped: Counter[str] = field(default_factory=Counter)
    field_problems: list[FieldProblem] = field(default_factory=list)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())


@dataclass(frozen=True)
class ImportReport:
    imported: int
    updated: int
    unchanged: int
    skipped: dict[str, int]
    unmapped: list[tuple[str, int]]
    field_problems: list[FieldProblem]

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())


class DirectoryFormatError(ValueError):
    """The file is not the embassy CSV (missing columns, not text)."""


def _first_valid(raw: str, check: re.Pattern[str] | None, limit: int) -> tuple[str | None, bool]:
    """The first valid value of a possibly multi-valued field, and whether a non-empty
    field had none (so it is reported)."""
    values = [value.strip() for value in MULTI_VALUE_SEPARATORS.split(raw) if value.strip()]
    for value in values:
        candidate = value
        if check is EMAIL_RE and candidate.lower().startswith("mailto:"):
            candidate = candidate[len("mailto:") :].strip()
        if len(candidate) > limit:
            continue
        if check is None or check.fullmatch(candidate):
            return candidate, False
    return None, bool(values)


def parse_embassy_csv(text: str) -> ParsedDirectory:
    """Parse the embassy CSV into mission rows (pure; no database).

    A row is skipped when it has no Wikidata id, when its operator or country cannot be
    mapped, or when its id was already seen earlier in the file (the first row wins).
    """
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = set(reader.fieldnames or ())
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise DirectoryFormatError("missing columns: " + ", ".join(missing))
    parsed = ParsedDirectory()
    cache: dict[str, str | None] = {}
    seen: set[str] = set()

    def code_of(label: str) -> str | None:
        label = label.strip()
        if label not in cache:
            cache[label] = resolve_country(label) if label else None
        code = cache[label]
        if code is None and label:
            parsed.unmapped[label] += 1
        return code

    for raw in reader:
        row = {key: (value or "") for key, value in raw.items() if key is not None}
        match = QID_RE.search(row["QID"].strip())
        if match is None:
            parsed.skipped["no Wikidata id"] += 1
            continue
        qid = match.group(1)
        operator = code_of(row["operator"])
        country = code_of(row["country"])
        jurisdictions: list[str] = []
        for label in row["jurisdictions"].split("|"):
            code = code_of(label)
            if code is not None and code not in jurisdictions:
                jurisdictions.append(code)
        if operator is None or country is None:
            parsed.skipped["country not mapped"] += 1
            continue
        if qid in seen:
            parsed.skipped["duplicate Wikidata id"] += 1
            continue
        seen.add(qid)
        values: dict[str, str | None] = {}
        for name, check in (
            ("city", None),
            ("address", None),
            ("phone", None),
            ("email", EMAIL_RE),
            ("website", URL_RE),
        ):
            value, broken = _first_valid(row.get(name, ""), check, FIELD_LIMITS[name])
            if broken:
                parsed.field_problems.append(FieldProblem(qid, name, row.get(name, "")[:200]))
            values[name] = value
        parsed.rows.append(
            MissionRow(
                qid=qid,
                operator=operator,
                country=country,
                jurisdictions=tuple(jurisdictions),
                kind=(row["type"].strip() or "mission")[:64],
                city=values["city"],
                address=values["address"],
                phone=values["phone"],
                email=values["email"],
                website=values["website"],
            )
        )
    return parsed


def decode_directory(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryFormatError("the file is not UTF-8 text") from None


@dataclass(frozen=True)
class MissionView(MissionRow):
    """A mission as stored: its row and its database id."""

    id: int

    @property
    def tier(self) -> int:
        return type_tier(self.kind)


class DirectoryService:
    """The directory's rules: import (the one entry point, for the audit log of issue 6)
    and lookup."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.missions = MissionRepository(session)

    async def import_missions(self, parsed: ParsedDirectory) -> ImportReport:
        """Insert new missions and update changed ones (keyed by QID), all or nothing."""
        try:
            existing = await self.missions.all_fields()
            new: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            unchanged = 0
            for row in parsed.rows:
                fields = row.fields()
                current = existing.get(row.qid)
                if current is None:
                    new.append({"qid": row.qid, **fields})
                elif current[1] != fields:
                    changed.append({"id": current[0], **fields})
                else:
                    unchanged += 1
            await self.missions.insert_many(new)
            await self.missions.update_many(changed)
            # Only the operator's command line imports (no actor); the record is part of
            # the import's transaction.
            await AuditRepository(self.session).add(
                None,
                None,
                DIRECTORY_IMPORT,
                f"{len(new)} new, {len(changed)} updated, {parsed.total_skipped} skipped",
            )
            await self.session.commit()
        except BaseException:
            await self.session.rollback()
            raise
        return ImportReport(
            imported=len(new),
            updated=len(changed),
            unchanged=unchanged,
            skipped=dict(sorted(parsed.skipped.items())),
            unmapped=sorted(parsed.unmapped.items(), key=lambda item: (-item[1], item[0])),
            field_problems=list(parsed.field_problems),
        )

    async def count(self) -> int:
        return await self.missions.count()

    async def missions_for(self, operator: str, country: str) -> list[MissionView]:
        """The missions of ``operator`` that serve ``country``, best first, as candidate
        groups: see :func:`lookup_order`."""
        rows = await self.missions.of_operator(operator)
        views = [
            MissionView(
                qid=row.qid,
                operator=row.operator,
                country=row.country,
                jurisdictions=tuple(row.jurisdictions or ()),
                kind=row.kind,
                city=row.city,
                address=row.address,
                phone=row.phone,
                email=row.email,
                website=row.website,
                id=row.id,
            )
            for row in rows
        ]
        groups = lookup_order(views, country)
        return groups[0] if groups else []


def lookup_order(missions: Iterable[MissionView], country: str) -> list[list[MissionView]]:
    """Candidate groups, best group first, for a supporter in ``country``:

    1. embassies (tier 0) standing in ``country``;
    2. career consulates (tier 1) standing in ``country``;
    3. missions elsewhere whose jurisdictions include ``country`` (embassies first);
    4. any other mission in ``country`` (honorary consulates, offices).

    Within a group every mission can serve the supporter; the caller spreads the pressure
    over them (the least contacted first). Empty groups are left out.
    """
    here: dict[int, list[MissionView]] = {0: [], 1: [], 2: []}
    accredited: list[MissionView] = []
    for mission in missions:
        if mission.country == country:
            here[mission.tier].append(mission)
        elif country in mission.jurisdictions:
            accredited.append(mission)
    if accredited:
        best = min(mission.tier for mission in accredited)
        accredited = [mission for mission in accredited if mission.tier == best]
    groups: Sequence[list[MissionView]] = (here[0], here[1], accredited, here[2])
    return [sorted(group, key=lambda m: m.qid) for group in groups if group]
