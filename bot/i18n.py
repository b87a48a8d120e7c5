"""Languages of the bot's own interface: negotiation, catalogs, names and formatting.

Translations are gettext catalogs in ``locales/<lang>/LC_MESSAGES/messages.po``; the
compiled ``.mo`` files are build products, rebuilt whenever a ``.po`` is newer.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.locales import DOMAIN, SOURCE_LOCALE, SUPPORTED_LOCALES

if TYPE_CHECKING:  # aiogram is heavy (~130 MB resident); the delivery worker does without it
    from aiogram.utils.i18n import I18n

logger = logging.getLogger(__name__)

__all__ = ["DOMAIN", "SOURCE_LOCALE", "SUPPORTED_LOCALES", "create_i18n", "negotiate_locale"]

# Telegram's language_code is an IETF tag ("en", "pt-br", "zh-hans"); catalogs are named
# like Babel locales ("pt", "zh_Hans"). Scripts and regions that decide between catalogs:
_ALIASES = {
    "zh": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh-sg": "zh_Hans",
    "zh-my": "zh_Hans",
    "zh-hans-cn": "zh_Hans",
    "zh-hant": "zh_Hant",
    "zh-hk": "zh_Hant",
    "zh-tw": "zh_Hant",
    "zh-mo": "zh_Hant",
    "zh-hant-tw": "zh_Hant",
    "zh-hant-hk": "zh_Hant",
}


def negotiate_locale(language_code: str | None, available: Iterable[str], default: str) -> str:
    """Map a Telegram ``language_code`` to the nearest available catalog."""
    available = tuple(available)
    if not language_code:
        return default
    tag = language_code.strip().lower().replace("_", "-")
    by_lower = {code.lower().replace("_", "-"): code for code in available}
    if tag in _ALIASES and _ALIASES[tag] in available:
        return _ALIASES[tag]
    if tag in by_lower:
        return by_lower[tag]
    base = tag.split("-", 1)[0]
    if base in _ALIASES and _ALIASES[base] in available:
        return _ALIASES[base]
    if base in by_lower:
        return by_lower[base]
    return default


def compile_catalogs(locales_dir: Path) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older. Returns what was written."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        locale = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale, domain=DOMAIN)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp_path.replace(mo_path)
        written.append(mo_path)
    if written:
        logger.info("compiled %d translation catalog(s)", len(written))
    return written


def create_i18n(locales_dir: Path, default_locale: str) -> I18n:
    from aiogram.utils.i18n import I18n

    compile_catalogs(locales_dir)
    return I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)


class Catalogs:
    """The same compiled catalogs through the standard library, for code that runs without
    aiogram (the delivery worker): ``catalogs.gettext(locale, message)``."""

    def __init__(self, locales_dir: Path, default_locale: str) -> None:
        compile_catalogs(locales_dir)
        self.default_locale = default_locale
        self._translations: dict[str, gettext.NullTranslations] = {}
        for mo_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
            with mo_path.open("rb") as mo_file:
                self._translations[mo_path.parent.parent.name] = gettext.GNUTranslations(mo_file)

    @property
    def available_locales(self) -> tuple[str, ...]:
        return tuple(self._translations)

    def locale_for(self, language: str) -> str:
        return language if language in self._translations else self.default_locale

    def gettext(self, locale: str, message: str) -> str:
        translations = self._translations.get(self.locale_for(locale))
        return translations.gettext(message) if translations is not None else message


def babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LOCALE)


def language_name(code: str, in_locale: str | None = None) -> str:
    """A language's name from CLDR, by default in that language itself ("Қазақ тілі")."""
    display = babel_locale(in_locale or code)
    name = display.languages.get(code) or babel_locale(code).get_display_name(display) or code
    return name[:1].upper() + name[1:]


def fmt_number(value: int | float, locale: str) -> str:
    return format_decimal(value, locale=babel_locale(locale))


def fmt_list(items: Sequence[str], locale: str) -> str:
    return format_list(list(items), locale=babel_locale(locale))


def fmt_date(value: datetime, locale: str) -> str:
    return format_date(value, format="long", locale=babel_locale(locale))


def fmt_datetime(value: datetime, locale: str, timezone: str | None = None) -> str:
    tzinfo = ZoneInfo(timezone) if timezone else None
    return format_datetime(value, format="medium", tzinfo=tzinfo, locale=babel_locale(locale))
