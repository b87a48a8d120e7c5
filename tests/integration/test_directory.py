"""The embassy directory: importing the real database-of-embassies file on both backends,
reporting what could not be used, updating in place, and the lookup order."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import (
    DirectoryFormatError,
    DirectoryService,
    MissionView,
    lookup_order,
    parse_embassy_csv,
)
from bot.targets_cli import format_report
from db.models import Mission
from tests.e2e.process import bot_env, run_cli
from tests.embassies import HEADER, csv_row

ROOT = Path(__file__).resolve().parents[2]
EMBASSIES_CSV = ROOT.parent / "shared" / "data" / "database_of_embassies.csv"


def real_file() -> str:
    # The test data must be there: a missing file is a failure, not a skip.
    assert EMBASSIES_CSV.is_file(), f"test data missing: {EMBASSIES_CSV}"
    return EMBASSIES_CSV.read_text(encoding="utf-8")


async def test_import_the_real_directory(session: AsyncSession) -> None:
    parsed = parse_embassy_csv(real_file())
    total = len(parsed.rows) + parsed.total_skipped
    assert total == 9852
    assert len(parsed.rows) / total >= 0.99
    # Nothing dropped silently: every skipped row has a reason, every label is reported.
    assert parsed.skipped == {"country not mapped": 53, "duplicate Wikidata id": 1}
    assert parsed.unmapped["Sovereign Military Order of Malta"] == 65
    assert "People's Republic of China" not in parsed.unmapped
    report = await DirectoryService(session).import_missions(parsed)
    assert (report.imported, report.updated, report.unchanged) == (len(parsed.rows), 0, 0)
    assert report.imported >= 9750
    assert await session.scalar(select(func.count()).select_from(Mission)) == report.imported
    lines = format_report(report)
    assert lines[0].startswith(f"imported {report.imported}, updated 0, unchanged 0, skipped 54")
    assert "  Sovereign Military Order of Malta: 65" in lines

    service = DirectoryService(session)
    for country, city in (("DE", "Berlin"), ("CA", "Ottawa"), ("FR", "Paris")):
        missions = await service.missions_for("KZ", country)
        assert [(m.city, m.kind, m.country) for m in missions] == [(city, "embassy", country)]
    # Emails lose their mailto: prefix.
    afghan_cairo = await session.scalar(select(Mission).where(Mission.email == "cairo@mfa.af"))
    assert afghan_cairo is not None and afghan_cairo.operator == "AF"

    # Importing the same file again changes nothing and creates no duplicates.
    again = await DirectoryService(session).import_missions(parsed)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, report.imported)
    assert await session.scalar(select(func.count()).select_from(Mission)) == report.imported


async def test_reimport_updates_rows_in_place(session: AsyncSession) -> None:
    first = "\n".join([HEADER, csv_row("Kazakhstan", "Germany", "Bonn", "Q1")])
    service = DirectoryService(session)
    await service.import_missions(parse_embassy_csv(first))
    mission_id = await session.scalar(select(Mission.id).where(Mission.qid == "Q1"))
    second = "\n".join(
        [
            HEADER,
            csv_row("Kazakhstan", "Germany", "Berlin", "Q1", website="https://kz.example.de"),
            csv_row("Kazakhstan", "France", "Paris", "Q2"),
        ]
    )
    report = await service.import_missions(parse_embassy_csv(second))
    assert (report.imported, report.updated, report.unchanged) == (1, 1, 0)
    session.expire_all()
    mission = await session.scalar(select(Mission).where(Mission.qid == "Q1"))
    assert mission is not None and mission.id == mission_id
    assert (mission.city, mission.website) == ("Berlin", "https://kz.example.de")


def test_broken_values_are_imported_empty_and_reported() -> None:
    text = "\n".join(
        [
            HEADER,
            csv_row("Kazakhstan", "Germany", "Berlin", "Q1", email="mailto:not an email"),
            csv_row("Kazakhstan", "Canada", "Ottawa", "Q2", website="javascript:alert(1)"),
            csv_row(
                "Kazakhstan",
                "Japan",
                "Tokyo",
                "Q3",
                email="bad|mailto:tokyo@kz.example",
                website="https://a.example|https://b.example",
            ),
            csv_row("Atlantis", "Germany", "Berlin", "Q4"),
            csv_row("Kazakhstan", "Germany", "Berlin", "not-a-qid"),
            csv_row("Kazakhstan", "Narnia", "Cair", "Q5", jurisdictions="Germany|Narnia"),
        ]
    )
    parsed = parse_embassy_csv(text)
    by_qid = {row.qid: row for row in parsed.rows}
    assert set(by_qid) == {"Q1", "Q2", "Q3"}
    assert by_qid["Q1"].email is None and by_qid["Q2"].website is None
    # Several values: the first valid one, deterministically.
    assert by_qid["Q3"].email == "tokyo@kz.example"
    assert by_qid["Q3"].website == "https://a.example"
    assert [(p.qid, p.field) for p in parsed.field_problems] == [("Q1", "email"), ("Q2", "website")]
    assert parsed.skipped == {"country not mapped": 2, "no Wikidata id": 1}
    assert parsed.unmapped == {"Atlantis": 1, "Narnia": 2}


def test_a_file_without_the_columns_is_refused() -> None:
    with pytest.raises(DirectoryFormatError, match="missing columns"):
        parse_embassy_csv("name,email\nfoo,bar\n")


def mission(qid: str, country: str, kind: str, jurisdictions: tuple[str, ...] = ()) -> MissionView:
    return MissionView(qid, "KZ", country, jurisdictions, kind, qid, None, None, None, None, id=0)


def test_lookup_order_embassy_consulate_jurisdiction_other() -> None:
    honorary = mission("Q1", "DE", "honorary consulate")
    accredited = mission("Q2", "AT", "embassy", ("AT", "DE"))
    accredited_consulate = mission("Q3", "CH", "consulate", ("DE",))
    consulate = mission("Q4", "DE", "consulate general")
    embassy = mission("Q5", "DE", "embassy")
    elsewhere = mission("Q6", "FR", "embassy", ("FR",))
    everything = [honorary, accredited, accredited_consulate, consulate, embassy, elsewhere]
    assert lookup_order(everything, "DE") == [[embassy], [consulate], [accredited], [honorary]]
    assert lookup_order([honorary, accredited, consulate], "DE")[0] == [consulate]
    assert lookup_order([honorary, accredited_consulate], "DE")[0] == [accredited_consulate]
    assert lookup_order([honorary], "DE") == [[honorary]]
    assert lookup_order(everything, "JP") == []
    # High commissions are embassies; several in one country are all candidates.
    high = mission("Q7", "GB", "high commission")
    second = mission("Q8", "GB", "embassy")
    assert lookup_order([second, high], "GB") == [[high, second]]


async def test_cli_imports_and_reports(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "embassies.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                csv_row("Kazakhstan", "Germany", "Berlin", "Q1", email="mailto:x"),
                csv_row("Narnia", "Germany", "Berlin", "Q2"),
            ]
        ),
        encoding="utf-8",
    )
    env = bot_env(database_url, "http://127.0.0.1:1")
    code, out, err = await run_cli("targets", "import-embassies", str(path), env=env, cwd=tmp_path)
    assert code == 0, err
    assert out.splitlines() == [
        "imported 1, updated 0, unchanged 0, skipped 1",
        "  skipped (country not mapped): 1",
        "country labels not mapped to an ISO code: 1",
        "  Narnia: 1",
        "broken values imported empty: 1",
        "  Q1 email: 'mailto:x'",
    ]
    code, out, err = await run_cli(
        "targets", "import-embassies", str(tmp_path / "missing.csv"), env=env, cwd=tmp_path
    )
    assert code == 1 and "cannot read" in err
