"""The translation catalogs are complete, correct and up to date with the source."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.catalogs import KEYWORDS, SOURCE_DIRS
from bot.config import LOCALES_DIR
from bot.i18n import SUPPORTED_LOCALES, compile_catalogs

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)\b[^>]*>")
ROOT = LOCALES_DIR.parent


def load(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def source_messages() -> set[str]:
    keywords: dict[str, tuple[int, ...] | None] = {"_": None, "gettext": None}
    for keyword in KEYWORDS:
        name, _sep, spec = keyword.partition(":")
        keywords[name] = tuple(int(n) for n in spec.split(",")) if spec else None
    ids = set()
    for directory in SOURCE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / directory),
            keywords={k: v for k, v in keywords.items()},
            comment_tags=(),
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_is_complete_and_consistent(locale: str) -> None:
    catalog = load(locale)
    assert catalog.num_plurals == get_plural(locale).num_plurals, "Plural-Forms header"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms: {ids[0]!r}")
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if not string:
                problems.append(f"untranslated: {ids[0]!r}")
                continue
            found = set(PLACEHOLDER.findall(string))
            # A singular form may leave out {count} ("one campaign"); nothing else may differ.
            if found != wanted and not (isinstance(message.id, tuple) and found < wanted):
                problems.append(f"placeholders {sorted(found)} != {sorted(wanted)}: {ids[0]!r}")
            if sorted(TAG.findall(string)) != sorted(TAG.findall(ids[0])):
                problems.append(f"HTML tags differ: {ids[0]!r}")
    assert problems == []


def test_catalogs_cover_every_source_string() -> None:
    sources = source_messages()
    assert len(sources) > 50
    for locale in SUPPORTED_LOCALES:
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in load(locale) if m.id}
        missing = sources - ids
        assert not missing, f"{locale} lacks {sorted(missing)[:5]}: run python -m bot.catalogs"


def test_compiled_catalogs_are_rebuilt_when_stale(tmp_path: Path) -> None:
    po_dir = tmp_path / "de" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    source = LOCALES_DIR / "de" / "LC_MESSAGES" / "messages.po"
    (po_dir / "messages.po").write_bytes(source.read_bytes())
    assert compile_catalogs(tmp_path) == [po_dir / "messages.mo"]
    assert compile_catalogs(tmp_path) == []  # fresh: nothing to do
    later = time.time() + 5
    os.utime(po_dir / "messages.po", (later, later))
    assert compile_catalogs(tmp_path) == [po_dir / "messages.mo"]
