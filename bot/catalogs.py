"""Maintain the translation catalogs: ``python -m bot.catalogs``.

Extracts every translatable string of ``bot/``, ``handlers/`` and ``db/`` into
``locales/messages.pot``, merges it into each ``<lang>/LC_MESSAGES/messages.po`` (new
strings arrive empty, for translators), and fills the English source catalog.
Compiling ``.mo`` files is not done here: the bot and the tests compile them when stale.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.config import LOCALES_DIR
from bot.i18n import DOMAIN, SOURCE_LOCALE, SUPPORTED_LOCALES

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("bot", "handlers", "db")
KEYWORDS = ("__", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2")


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract(pot: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel(
        "extract",
        *keywords,
        "--add-location=file",
        "--sort-by-file",
        "--no-wrap",
        "--project=solidarity-bot",
        "--copyright-holder=Solidarity bot contributors",
        "-o",
        str(pot),
        *SOURCE_DIRS,
    )


def update(pot: Path) -> None:
    for locale in SUPPORTED_LOCALES:
        po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        action = "update" if po.exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete"] if action == "update" else []
        pybabel(
            action,
            "-i",
            str(pot),
            "-d",
            str(LOCALES_DIR),
            "-D",
            DOMAIN,
            "-l",
            locale,
            "--no-wrap",
            *extra,
        )


def fill_source_catalog() -> None:
    """English is the source language: its translations are the source strings."""
    po = LOCALES_DIR / SOURCE_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=SOURCE_LOCALE)
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as f:
        write_po(f, catalog, width=0, include_previous=False)


def main() -> int:
    os.chdir(ROOT)  # source locations in the catalogs stay relative to the project
    pot = LOCALES_DIR / f"{DOMAIN}.pot"
    extract(pot)
    update(pot)
    fill_source_catalog()
    print(f"catalogs updated from {pot.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
