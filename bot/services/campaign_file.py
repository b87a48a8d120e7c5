"""Campaign files: YAML documents that define a campaign, validated as a whole.

Validation collects *every* problem with its field path (``demands[2].ru``) so a
coordinator can fix a file in one go; nothing is applied unless the file is valid.
Messages are translated in the caller's locale, so call this inside an i18n context.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from aiogram.utils.i18n import gettext as _
from babel import Locale, UnknownLocaleError

from bot.countries import COUNTRY_CODES

MAX_FILE_BYTES = 256 * 1024
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
TOP_LEVEL_KEYS = (
    "slug",
    "status",
    "languages",
    "timezone",
    "title",
    "summary",
    "statement",
    "demands",
    "contacts",
    "coordinators",
    "endorsement_milestones",
    "actions",
    "delete_after_days",
)
CONTACT_KEYS = ("name", "role", "email", "phone", "fax", "website", "address")
ACTION_KEYS = ("id", "title", "subject", "template", "embassy_of", "fallback", "contacts", "cc")
#: Fields of an action's target (``contacts`` and ``fallback``).
TARGET_KEYS = ("name", "email", "phone", "fax", "address", "city", "website")
#: Action ids travel in callback data (64 bytes): short and slug-like.
ACTION_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$")
#: The only placeholders a letter template may use.
TEMPLATE_FIELDS = ("target", "country", "date")
MAX_ACTIONS = 10
MAX_ACTION_CONTACTS = 20
MAX_CC = 5
ACTION_LIMITS = {"title": 200, "subject": 200, "template": 3000}
LIMITS = {"title": 200, "summary": 2000, "statement": 3500, "demands": 600}
MAX_DEMANDS = 30
MAX_CONTACTS = 20
MAX_CONTACT_FIELD = 300
MAX_MILESTONES = 20
MAX_MILESTONE = 1_000_000
#: Telegram lets a bot delete its messages for 48 hours after sending them; deleting at 36
#: hours at the latest leaves 12 hours for a backlog or an outage of the delivery worker.
MAX_DELETE_AFTER_DAYS = 1.5


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CampaignFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    languages: list[str]
    title: dict[str, str]
    timezone: str = "UTC"
    is_active: bool = True
    summary: dict[str, str] = field(default_factory=dict)
    statement: dict[str, str] = field(default_factory=dict)
    demands: list[dict[str, str]] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)
    endorsement_milestones: list[int] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    delete_after_days: float | None = None


def parse_campaign_file(content: bytes | str) -> CampaignSpec:
    """Parse and validate a campaign file; raise CampaignFileError listing every problem."""
    raw = content.encode() if isinstance(content, str) else content
    if len(raw) > MAX_FILE_BYTES:
        raise CampaignFileError(
            [
                Problem(
                    _("(file)"),
                    _("the file is larger than {limit} KB").format(limit=MAX_FILE_BYTES // 1024),
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CampaignFileError([Problem(_("(file)"), _("the file is not UTF-8 text"))]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise CampaignFileError(
            [Problem(_("(file)"), _("not valid YAML (line {line})").format(line=line))]
        ) from None
    return validate_campaign(data)


def is_locale_code(code: object) -> bool:
    if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})*", code):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(self, path: str, value: object, limit: int, *, required: bool = True) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, _("must not be empty"))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(path, _("must be text"))
            return None
        result = str(value).strip()
        if len(result) > limit:
            self.add(path, _("is longer than {limit} characters").format(limit=limit))
            return None
        return result

    def localized(
        self, path: str, value: object, languages: list[str], limit: int, *, required: bool
    ) -> dict[str, str]:
        if value is None:
            if required:
                self.add(path, _("is required"))
            return {}
        if isinstance(value, str):
            # A plain string is the text in the primary language.
            value = {languages[0]: value} if languages else {}
        if not isinstance(value, dict):
            self.add(path, _("must be a mapping of language codes to texts"))
            return {}
        result: dict[str, str] = {}
        for lang, text in value.items():
            key_path = f"{path}.{lang}"
            if languages and lang not in languages:
                self.add(key_path, _("language is not listed in languages"))
                continue
            checked = self.text(key_path, text, limit)
            if checked is not None:
                result[str(lang)] = checked
        if languages and languages[0] not in value:
            self.add(
                f"{path}.{languages[0]}",
                _("the primary language ({lang}) is required").format(lang=languages[0]),
            )
        return result

    def sequence(self, path: str, value: object, limit: int) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, _("must be a list"))
            return []
        if len(value) > limit:
            self.add(path, _("has more than {limit} items").format(limit=limit))
            return []
        return value

    def contact(self, path: str, item: object, keys: tuple[str, ...]) -> dict[str, str] | None:
        """A contact mapping: a required ``name`` and optional fields among ``keys``."""
        if not isinstance(item, dict):
            self.add(path, _("must be a mapping with at least a name"))
            return None
        contact: dict[str, str] = {}
        for key, value in item.items():
            if key not in keys:
                self.add(f"{path}.{key}", _("unknown field"))
                continue
            checked = self.text(f"{path}.{key}", value, MAX_CONTACT_FIELD, required=key == "name")
            if checked is None:
                continue
            if key == "email" and not EMAIL_RE.fullmatch(checked):
                self.add(f"{path}.email", _("is not a valid email address"))
                continue
            if key == "website" and not checked.startswith(("https://", "http://")):
                self.add(f"{path}.website", _("must start with https:// or http://"))
                continue
            contact[str(key)] = checked
        if "name" not in item:
            self.add(f"{path}.name", _("is required"))
        return contact

    def template(self, path: str, texts: dict[str, str]) -> None:
        """Letters may only use the placeholders {target}, {country} and {date}."""
        allowed = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
        for lang, text in texts.items():
            try:
                names = [name for _t, name, _s, _c in string.Formatter().parse(text)]
            except ValueError:
                self.add(
                    f"{path}.{lang}",
                    _("has an unmatched brace; write {open} or {close} for a literal one").format(
                        open="{{", close="}}"
                    ),
                )
                continue
            for name in names:
                if name is not None and name not in TEMPLATE_FIELDS:
                    self.add(
                        f"{path}.{lang}",
                        _("uses the unknown placeholder {name}; allowed: {allowed}").format(
                            name="{" + name + "}", allowed=allowed
                        ),
                    )

    def action(self, path: str, item: object, languages: list[str]) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            self.add(path, _("must be a mapping with an id, a title and a template"))
            return None
        for key in item:
            if key not in ACTION_KEYS:
                self.add(f"{path}.{key}", _("unknown field"))
        action_id = item.get("id")
        if not isinstance(action_id, str) or not ACTION_ID_RE.fullmatch(action_id):
            self.add(
                f"{path}.id", _("must be 1-20 characters: lowercase letters, digits and hyphens")
            )
            action_id = ""
        title = self.localized(
            f"{path}.title", item.get("title"), languages, ACTION_LIMITS["title"], required=True
        )
        subject = self.localized(
            f"{path}.subject",
            item.get("subject"),
            languages,
            ACTION_LIMITS["subject"],
            required=False,
        )
        template = self.localized(
            f"{path}.template",
            item.get("template"),
            languages,
            ACTION_LIMITS["template"],
            required=True,
        )
        self.template(f"{path}.template", template)
        has_embassy, has_contacts = "embassy_of" in item, "contacts" in item
        embassy_of: str | None = None
        fallback: dict[str, str] | None = None
        contacts: list[dict[str, str]] = []
        if has_embassy == has_contacts:
            self.add(path, _("needs exactly one of embassy_of or contacts"))
        if has_embassy:
            code = item.get("embassy_of")
            if isinstance(code, str) and code.strip().upper() in COUNTRY_CODES:
                embassy_of = code.strip().upper()
            else:
                self.add(
                    f"{path}.embassy_of", _("must be a two-letter ISO 3166 country code, e.g. KZ")
                )
        if "fallback" in item:
            if not has_embassy:
                self.add(f"{path}.fallback", _("is only used with embassy_of"))
            fallback = self.contact(f"{path}.fallback", item.get("fallback"), TARGET_KEYS)
        if has_contacts:
            raw = self.sequence(f"{path}.contacts", item.get("contacts"), MAX_ACTION_CONTACTS)
            if not raw and isinstance(item.get("contacts"), list | None):
                self.add(f"{path}.contacts", _("must list at least one contact"))
            for i, entry in enumerate(raw):
                contact = self.contact(f"{path}.contacts[{i}]", entry, TARGET_KEYS)
                if contact is not None:
                    contacts.append(contact)
        cc: list[str] = []
        for i, address in enumerate(self.sequence(f"{path}.cc", item.get("cc"), MAX_CC)):
            if not isinstance(address, str) or not EMAIL_RE.fullmatch(address.strip()):
                self.add(f"{path}.cc[{i}]", _("is not a valid email address"))
            else:
                cc.append(address.strip())
        return {
            "id": action_id,
            "title": title,
            "subject": subject,
            "template": template,
            "embassy_of": embassy_of,
            "fallback": fallback,
            "contacts": contacts,
            "cc": cc,
        }


def validate_campaign(data: object) -> CampaignSpec:
    v = _Validator()
    if not isinstance(data, dict):
        raise CampaignFileError([Problem(_("(file)"), _("must be a YAML mapping of fields"))])

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            v.add(str(key), _("unknown field"))

    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        v.add("slug", _("must be 3-40 characters: lowercase letters, digits and hyphens"))
        slug = ""

    languages: list[str] = []
    raw_languages = data.get("languages")
    if not isinstance(raw_languages, list) or not raw_languages:
        v.add("languages", _("must be a non-empty list of language codes"))
    else:
        for i, code in enumerate(raw_languages):
            if not is_locale_code(code):
                v.add(f"languages[{i}]", _("is not a known language code"))
            elif code in languages:
                v.add(f"languages[{i}]", _("is listed twice"))
            else:
                languages.append(str(code))

    timezone = data.get("timezone", "UTC")
    try:
        if not isinstance(timezone, str):
            raise ZoneInfoNotFoundError(str(timezone))
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        v.add("timezone", _("is not an IANA time zone such as Europe/Berlin"))
        timezone = "UTC"

    status = data.get("status", "active")
    if status not in ("active", "closed"):
        v.add("status", _("must be active or closed"))

    title = v.localized("title", data.get("title"), languages, LIMITS["title"], required=True)
    summary = v.localized(
        "summary", data.get("summary"), languages, LIMITS["summary"], required=False
    )
    statement = v.localized(
        "statement", data.get("statement"), languages, LIMITS["statement"], required=False
    )
    demands = [
        v.localized(f"demands[{i}]", item, languages, LIMITS["demands"], required=True)
        for i, item in enumerate(v.sequence("demands", data.get("demands"), MAX_DEMANDS))
    ]

    contacts: list[dict[str, str]] = []
    for i, item in enumerate(v.sequence("contacts", data.get("contacts"), MAX_CONTACTS)):
        contact = v.contact(f"contacts[{i}]", item, CONTACT_KEYS)
        if contact is not None:
            contacts.append(contact)

    actions: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for i, item in enumerate(v.sequence("actions", data.get("actions"), MAX_ACTIONS)):
        action = v.action(f"actions[{i}]", item, languages)
        if action is None:
            continue
        if action["id"] and action["id"] in seen_ids:
            v.add(f"actions[{i}].id", _("is used by another action"))
        seen_ids.add(action["id"])
        actions.append(action)

    coordinators: list[int] = []
    for i, item in enumerate(v.sequence("coordinators", data.get("coordinators"), 100)):
        if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
            v.add(f"coordinators[{i}]", _("must be a numeric Telegram user id"))
        elif item not in coordinators:
            coordinators.append(item)

    milestones: list[int] = []
    raw_milestones = v.sequence(
        "endorsement_milestones", data.get("endorsement_milestones"), MAX_MILESTONES
    )
    for i, item in enumerate(raw_milestones):
        path = f"endorsement_milestones[{i}]"
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item <= MAX_MILESTONE:
            v.add(
                path,
                _("must be a whole number from 1 to {limit}").format(limit=MAX_MILESTONE),
            )
        elif milestones and item <= milestones[-1]:
            v.add(path, _("must be larger than the milestone before it"))
        else:
            milestones.append(item)

    delete_after_days = data.get("delete_after_days")
    if delete_after_days is not None and (
        isinstance(delete_after_days, bool)
        or not isinstance(delete_after_days, int | float)
        or not 0 < delete_after_days <= MAX_DELETE_AFTER_DAYS  # NaN fails this too
    ):
        v.add(
            "delete_after_days",
            _(
                "must be a number of days greater than 0 and at most {limit} (for example 1, "
                "or 0.5 for 12 hours): Telegram lets a bot delete its messages only during 48 "
                "hours after sending them, and the bot keeps the rest for delays"
            ).format(limit=MAX_DELETE_AFTER_DAYS),
        )
        delete_after_days = None

    if v.problems:
        raise CampaignFileError(v.problems)
    return CampaignSpec(
        slug=slug,
        languages=languages,
        title=title,
        timezone=timezone,
        is_active=status == "active",
        summary=summary,
        statement=statement,
        demands=demands,
        contacts=contacts,
        coordinators=coordinators,
        endorsement_milestones=milestones,
        actions=actions,
        delete_after_days=float(delete_after_days) if delete_after_days is not None else None,
    )
