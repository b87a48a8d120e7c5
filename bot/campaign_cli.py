"""``campaign load``, ``campaign list`` and ``export`` on the command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.i18n import create_i18n
from bot.services.campaign_file import CampaignFileError, parse_campaign_file
from bot.services.campaigns import CampaignService
from bot.services.exports import ExportError, ExportProblem, ExportService
from db.engine import create_engine, create_session_factory


def _i18n(settings: Settings) -> I18n:
    return create_i18n(settings.locales_dir, settings.default_locale)


def read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


async def load_campaign(settings: Settings, path: Path, content: bytes) -> int:
    i18n = _i18n(settings)
    with i18n.context(), i18n.use_locale(settings.default_locale):
        try:
            spec = parse_campaign_file(content)
        except CampaignFileError as exc:
            print(f"error: {path} was not loaded: {len(exc.problems)} problem(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            result = await CampaignService(session).load(spec, None, via="command line")
    finally:
        await engine.dispose()
    verb = "created" if result.created else "updated"
    print(f"campaign {result.slug} {verb}")
    return 0


async def list_campaigns(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            items = await CampaignService(session).list(settings.default_locale, active_only=False)
    finally:
        await engine.dispose()
    if not items:
        print("no campaigns yet: load one with `campaign load FILE.yaml`")
        return 0
    width = max(len(item.slug) for item in items)
    print(f"{'SLUG':<{width}}  STATUS  SUBSCRIBERS  TITLE")
    for item in items:
        status = "active" if item.is_active else "closed"
        print(f"{item.slug:<{width}}  {status:<6}  {item.subscribers:>11}  {item.title}")
    return 0


async def export_csv(settings: Settings, slug: str, kind: str, output: Path | None) -> int:
    """``export <campaign> <kind> [-o FILE]``: the operator's export (no chat rights apply)."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            exports = ExportService(session, settings.admin_ids)
            exported = await exports.export(slug, kind, settings.default_locale, None)
    except ExportError as exc:
        if exc.problem is ExportProblem.UNKNOWN_KIND:
            kinds = ", ".join(ExportService.kinds())
            print(f"error: unknown export {kind!r}; choose one of: {kinds}", file=sys.stderr)
        else:
            print(f"error: there is no campaign {slug!r}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    if output is None:
        sys.stdout.buffer.write(exported.content)
        sys.stdout.flush()
        return 0
    try:
        await asyncio.to_thread(output.write_bytes, exported.content)
    except OSError as exc:
        print(f"error: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"{exported.rows} rows written to {output}", file=sys.stderr)
    return 0
