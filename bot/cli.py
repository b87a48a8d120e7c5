"""Command line: ``python -m bot`` / ``solidarity-bot``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings, SettingsError, create_settings

logger = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solidarity-bot",
        description="A Telegram bot that coordinates solidarity campaigns. "
        "Settings come from the environment or a .env file (see README).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="migrate the database, then serve updates by long polling (default)",
        description="Migrate the database, then serve updates by long polling.",
    )
    commands.add_parser(
        "web",
        help="migrate, then serve updates through a webhook on PORT",
        description="Migrate the database, register WEBHOOK_URL with Telegram (with a secret "
        "token) and serve it on PORT; requests without the token are refused.",
    )
    commands.add_parser(
        "worker",
        help="migrate, then only deliver alerts (run as many as you like beside the bot)",
        description="Migrate the database, then deliver queued alerts at SEND_RATE until "
        "stopped. `run` delivers too; add workers for large campaigns.",
    )
    commands.add_parser(
        "migrate",
        help="upgrade the database schema to the latest version",
        description="Upgrade the database schema (Alembic) to the latest version.",
    )
    campaign = commands.add_parser(
        "campaign", help="load or list campaigns", description="Manage campaigns."
    )
    campaign_commands = campaign.add_subparsers(
        dest="campaign_command", metavar="ACTION", required=True
    )
    load = campaign_commands.add_parser(
        "load",
        help="create or update a campaign from a YAML file",
        description="Create or update a campaign from a YAML file (docs/campaign-file.md). "
        "An invalid file is rejected whole, with every problem listed.",
    )
    load.add_argument("file", type=Path, metavar="FILE.yaml")
    campaign_commands.add_parser(
        "list",
        help="list campaigns with their subscriber counts",
        description="List every campaign with its status and number of subscribers.",
    )
    export = commands.add_parser(
        "export",
        help="write a campaign's endorsements, signatories or action totals as CSV",
        description="Write a campaign's data as CSV (UTF-8, with a header row): "
        "`endorsements` (every endorsement, with the private contact fields) or "
        "`signatories` (the public list) or `actions` (contact actions' totals, counts "
        "only). Cells a spreadsheet would run as formulas are "
        "prefixed with a quote.",
    )
    export.add_argument("slug", metavar="CAMPAIGN")
    export.add_argument("kind", metavar="KIND", help="endorsements, signatories or actions")
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    commands.add_parser(
        "rotate-key",
        help="re-encrypt private fields with the first key of DATA_KEY",
        description="Re-encrypt every private field with the first key of DATA_KEY "
        "(comma-separated: new key first, then the old ones), and encrypt any stored in "
        "clear. Afterwards DATA_KEY can hold the new key alone. See docs/security.md.",
    )
    commands.add_parser(
        "generate-key",
        help="print a new random key for DATA_KEY",
        description="Print a new random Fernet key to use as DATA_KEY.",
    )
    targets = commands.add_parser(
        "targets",
        help="manage the directory of contact targets (embassies)",
        description="Manage the directory of embassies and consulates that contact actions "
        "point supporters to.",
    )
    target_commands = targets.add_subparsers(
        dest="targets_command", metavar="ACTION", required=True
    )
    embassies = target_commands.add_parser(
        "import-embassies",
        help="import or update missions from the database-of-embassies CSV",
        description="Import the open, Wikidata-derived database of embassies (a ';'-separated "
        "CSV). Rows are keyed by the mission's Wikidata id: importing again updates them in "
        "place. Prints how many rows were imported, updated and skipped, every country label "
        "that could not be mapped, and every broken email or URL (imported empty).",
    )
    embassies.add_argument("file", type=Path, metavar="FILE.csv")
    return parser


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Alembic narrates every migration step at INFO; keep it for DEBUG only.
    if logging.getLevelName(settings.log_level) > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "generate-key":
        from bot.keys import generate_key

        return generate_key()
    try:
        settings = create_settings()
        configure_logging(settings)
        if command in ("run", "web", "worker"):
            settings.require_token()
            if command == "web":
                settings.require_webhook_url()
        from db import encryption
        from db.migrate import upgrade

        # Every command reads and writes private fields with DATA_KEY, not only the bot:
        # an export without it could not read them, a CLI write would store them in clear.
        encryption.configure(settings.field_cipher())
        upgrade(settings.database_url)
        if command == "migrate":
            print("database is up to date")
            return 0
        if command == "campaign":
            from bot.campaign_cli import list_campaigns, load_campaign, read_file

            if args.campaign_command == "load":
                content = read_file(args.file)
                if content is None:
                    return 1
                return asyncio.run(load_campaign(settings, args.file, content))
            return asyncio.run(list_campaigns(settings))
        if command == "export":
            from bot.campaign_cli import export_csv

            return asyncio.run(export_csv(settings, args.slug, args.kind, args.output))
        if command == "rotate-key":
            from bot.keys import rotate_key

            return asyncio.run(rotate_key(settings))
        if command == "targets":
            from bot.campaign_cli import read_file
            from bot.targets_cli import import_embassies

            csv_content = read_file(args.file)
            if csv_content is None:
                return 1
            return asyncio.run(import_embassies(settings, args.file, csv_content))
        if command == "worker":  # a lean process: the worker never imports aiogram
            from bot.delivery.factory import run_worker

            asyncio.run(run_worker(settings))
            return 0
        from bot.app import run_polling, run_webhook

        runner = run_webhook if command == "web" else run_polling
        asyncio.run(runner(settings))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0
