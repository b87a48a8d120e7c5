"""The bot's commands: one table drives /help and the per-language command menus."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.services.roles import UserRoles

logger = logging.getLogger(__name__)

EVERYONE = "everyone"
TRANSLATORS = "translators"
COORDINATORS = "coordinators"
OWNERS = "owners"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: LazyProxy
    usage: str = ""
    audience: str = EVERYONE


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", __("Welcome and what this bot does")),
    CommandSpec("campaigns", __("Active campaigns: subscribe or leave")),
    CommandSpec("info", __("About a campaign: demands and contacts"), "<campaign>"),
    CommandSpec("subscribe", __("Receive a campaign's updates"), "<campaign>"),
    CommandSpec("unsubscribe", __("Stop a campaign's updates"), "<campaign>"),
    CommandSpec("updates", __("Read a campaign's recent alerts again"), "<campaign>"),
    CommandSpec("endorse", __("Endorse a campaign on behalf of an organisation"), "<campaign>"),
    CommandSpec(
        "signatories", __("Organisations that endorsed a campaign"), "<campaign> [by-country]"
    ),
    CommandSpec("withdraw", __("Withdraw your organisation's endorsement"), "<campaign>"),
    CommandSpec("export", __("Download a campaign's data as CSV"), "<campaign> <kind>"),
    CommandSpec("act", __("Contact the right embassy or ministry"), "<campaign>"),
    CommandSpec("language", __("Choose your language")),
    CommandSpec("country", __("Tell the bot which country you are in")),
    CommandSpec("stop", __("Leave every campaign")),
    CommandSpec("help", __("What you can do here")),
    CommandSpec("cancel", __("Leave what you are doing")),
    CommandSpec("skip", __("Skip an optional question")),
    CommandSpec("mydata", __("What this bot stores about you")),
    CommandSpec("forget", __("Erase everything the bot stores about you")),
    CommandSpec(
        "alert",
        __("Write an alert to a campaign's subscribers"),
        "<campaign> [text]",
        COORDINATORS,
    ),
    CommandSpec("alerts", __("Recent alerts and their status"), "<campaign>", COORDINATORS),
    CommandSpec(
        "stats", __("Counts of subscribers and contacts, with a chart"), "<campaign>", COORDINATORS
    ),
    CommandSpec("report", __("Delivery report of an alert"), "<alert_id>", COORDINATORS),
    CommandSpec("hold", __("Wait longer for translations"), "<alert_id> <minutes>", COORDINATORS),
    CommandSpec(
        "retract", __("Delete an alert from supporters' chats"), "<alert_id>", COORDINATORS
    ),
    CommandSpec("pending", __("Endorsements waiting for verification"), "<campaign>", COORDINATORS),
    CommandSpec(
        "endorsement", __("One endorsement, to approve, reject or remove"), "<id>", COORDINATORS
    ),
    CommandSpec(
        "invite",
        __("Invite someone into a campaign's team (a one-time link)"),
        "<campaign> coordinator | <campaign> translator <lang>",
        COORDINATORS,
    ),
    CommandSpec("team", __("A campaign's team, and removing members"), "<campaign>", COORDINATORS),
    CommandSpec(
        "revoke",
        __("Take a role away"),
        "<user_id> coordinator <campaign> | <user_id> translator <lang> [campaign]",
        COORDINATORS,
    ),
    CommandSpec(
        "audit", __("Who did what in a campaign, latest first"), "<campaign>", COORDINATORS
    ),
    CommandSpec("translate", __("Translate an alert"), "<alert_id> <language> <text>", TRANSLATORS),
    CommandSpec(
        "grant",
        __("Give someone a role"),
        "<user_id> coordinator <campaign> | <user_id> translator <lang> [campaign]",
        OWNERS,
    ),
)
PRIVILEGED_COMMANDS = tuple(spec.name for spec in COMMANDS if spec.audience != EVERYONE)


def commands_for(roles: UserRoles) -> list[CommandSpec]:
    allowed = {EVERYONE}
    if roles.is_translator:
        allowed.add(TRANSLATORS)
    if roles.is_coordinator:
        allowed.update({TRANSLATORS, COORDINATORS})
    if roles.owner:
        allowed.update({TRANSLATORS, COORDINATORS, OWNERS})
    return [spec for spec in COMMANDS if spec.audience in allowed]


def _menu(i18n: I18n, locale: str, audiences: set[str]) -> list[BotCommand]:
    with i18n.use_locale(locale):
        return [
            BotCommand(command=spec.name, description=str(spec.description))
            for spec in COMMANDS
            if spec.audience in audiences
        ]


def telegram_language_code(locale: str) -> str:
    """Telegram's menus take ISO 639-1 codes only: zh_Hans and zh_Hant share "zh"."""
    return locale.split("_", 1)[0]


async def register_commands(bot: Bot, i18n: I18n, owner_ids: frozenset[int]) -> None:
    """Register the command menu in every language, and the owners' longer menu."""
    with i18n.context():
        await bot.set_my_commands(
            _menu(i18n, i18n.default_locale, {EVERYONE}), scope=BotCommandScopeDefault()
        )
        seen: set[str] = set()
        for locale in sorted(i18n.available_locales):
            code = telegram_language_code(locale)
            if code in seen or locale == "zh_Hant":
                continue
            seen.add(code)
            await bot.set_my_commands(
                _menu(i18n, locale, {EVERYONE}),
                scope=BotCommandScopeDefault(),
                language_code=code,
            )
        for owner_id in sorted(owner_ids):
            try:
                await bot.set_my_commands(
                    _menu(i18n, i18n.default_locale, {EVERYONE, TRANSLATORS, COORDINATORS, OWNERS}),
                    scope=BotCommandScopeChat(chat_id=owner_id),
                )
            except TelegramAPIError as exc:  # the owner has not opened the bot yet
                logger.info("owner menu for %s not set: %s", owner_id, exc.message)
