"""The languages the bot's own interface ships in (no heavy imports: settings use it)."""

DOMAIN = "messages"
SOURCE_LOCALE = "en"
#: Catalogs that ship with the bot; ``en`` is the source language.
SUPPORTED_LOCALES: tuple[str, ...] = (
    "en",
    "ru",
    "kk",
    "uk",
    "zh_Hans",
    "zh_Hant",
    "ja",
    "fr",
    "es",
    "de",
    "ar",
)
