"""``targets import-embassies FILE.csv`` on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.services.directory import (
    DirectoryFormatError,
    DirectoryService,
    ImportReport,
    decode_directory,
    parse_embassy_csv,
)
from db.engine import create_engine, create_session_factory


def format_report(report: ImportReport) -> list[str]:
    """What an import did, for the operator: nothing is dropped silently."""
    lines = [
        f"imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
        f"skipped {report.total_skipped}"
    ]
    for reason, count in report.skipped.items():
        lines.append(f"  skipped ({reason}): {count}")
    if report.unmapped:
        lines.append(f"country labels not mapped to an ISO code: {len(report.unmapped)}")
        lines += [f"  {label}: {count}" for label, count in report.unmapped]
    if report.field_problems:
        lines.append(f"broken values imported empty: {len(report.field_problems)}")
        lines += [
            f"  {problem.qid} {problem.field}: {problem.value!r}"
            for problem in report.field_problems
        ]
    return lines


async def import_embassies(settings: Settings, path: Path, content: bytes) -> int:
    try:
        parsed = parse_embassy_csv(decode_directory(content))
    except DirectoryFormatError as exc:
        print(f"error: {path} is not an embassy directory CSV: {exc}", file=sys.stderr)
        return 1
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            report = await DirectoryService(session).import_missions(parsed)
    finally:
        await engine.dispose()
    print("\n".join(format_report(report)))
    return 0
