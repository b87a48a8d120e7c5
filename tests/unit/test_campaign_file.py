"""Campaign files: a valid file parses; an invalid one lists every problem by path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import LOCALES_DIR
from bot.i18n import create_i18n
from bot.services.campaign_file import (
    CampaignFileError,
    parse_campaign_file,
    validate_campaign,
)
from tests.campaigns import campaign_data

DOCS = Path(__file__).resolve().parents[2] / "docs" / "campaign-file.md"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n(LOCALES_DIR, "en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(CampaignFileError) as error:
        validate_campaign(data)
    return {p.path: p.message for p in error.value.problems}


def test_valid_file() -> None:
    spec = validate_campaign(campaign_data())
    assert spec.slug == "zhanaozen"
    assert spec.languages == ["en", "ru", "kk"]
    assert spec.timezone == "Asia/Aqtau"
    assert spec.demands[1] == {"en": "Investigate the torture"}
    assert spec.contacts == [
        {"name": "Campaign office", "email": "office@example.org", "phone": "+1 555"}
    ]
    assert spec.is_active


def test_documented_example_is_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/campaign-file.md must contain a full yaml example"
    spec = parse_campaign_file(blocks[0])
    assert spec.slug and spec.title and spec.demands and spec.contacts and spec.coordinators


def test_every_problem_is_listed_by_path() -> None:
    data = campaign_data(
        slug="Bad Slug!",
        languages=["en", "ru", "en", "xx-nope"],
        timezone="Mars/Olympus",
        status="paused",
        title={"ru": "Только русский", "de": "Deutsch"},
        demands=[{"en": "ok"}, {"en": "ok"}, {"en": "", "ru": ["a", "list"]}, "plain text demand"],
        contacts=[{"email": "not-an-email", "website": "ftp://x", "colour": "red"}, "x"],
        coordinators=[12, "bob", -3, True],
        endorsement_goal=7,
    )
    assert problems_of(data) == {
        "slug": "must be 3-40 characters: lowercase letters, digits and hyphens",
        "languages[2]": "is listed twice",
        "languages[3]": "is not a known language code",
        "timezone": "is not an IANA time zone such as Europe/Berlin",
        "status": "must be active or closed",
        "title.de": "language is not listed in languages",
        "title.en": "the primary language (en) is required",
        "demands[2].en": "must not be empty",
        "demands[2].ru": "must be text",
        "contacts[0].email": "is not a valid email address",
        "contacts[0].website": "must start with https:// or http://",
        "contacts[0].colour": "unknown field",
        "contacts[0].name": "is required",
        "contacts[1]": "must be a mapping with at least a name",
        "coordinators[1]": "must be a numeric Telegram user id",
        "coordinators[2]": "must be a numeric Telegram user id",
        "coordinators[3]": "must be a numeric Telegram user id",
        "endorsement_goal": "unknown field",
    }


def test_required_fields() -> None:
    assert problems_of({}) == {
        "slug": "must be 3-40 characters: lowercase letters, digits and hyphens",
        "languages": "must be a non-empty list of language codes",
        "title": "is required",
    }


def test_limits() -> None:
    problems = problems_of(campaign_data(title={"en": "x" * 201}, demands=[{"en": "d"}] * 31))
    assert problems == {
        "title.en": "is longer than 200 characters",
        "demands": "has more than 30 items",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"slug: [unclosed", "not valid YAML (line 1)"),
        (b"\xff\xfe", "the file is not UTF-8 text"),
        (b"- just\n- a list\n", "must be a YAML mapping of fields"),
        (b"x" * (256 * 1024 + 1), "the file is larger than 256 KB"),
    ],
)
def test_unreadable_files(content: bytes, message: str) -> None:
    with pytest.raises(CampaignFileError) as error:
        parse_campaign_file(content)
    assert [str(p) for p in error.value.problems] == [f"(file): {message}"]


def test_plain_string_is_the_primary_language() -> None:
    spec = parse_campaign_file(
        yaml.safe_dump(campaign_data(summary="Just English", demands=["One", "Two"]))
    )
    assert spec.summary == {"en": "Just English"}
    assert spec.demands == [{"en": "One"}, {"en": "Two"}]


def test_messages_are_translated() -> None:
    i18n = create_i18n(LOCALES_DIR, "en")
    with i18n.context(), i18n.use_locale("ru"):
        problems = problems_of(campaign_data(status="paused"))
    assert problems["status"] == i18n.gettext("must be active or closed", locale="ru")
    assert problems["status"] != "must be active or closed"


def test_endorsement_milestones_are_validated() -> None:
    from bot.services.campaign_file import CampaignFileError, validate_campaign
    from tests.campaigns import campaign_data

    assert validate_campaign(
        campaign_data(endorsement_milestones=[10, 50, 100])
    ).endorsement_milestones == [10, 50, 100]
    assert validate_campaign(campaign_data()).endorsement_milestones == []
    with pytest.raises(CampaignFileError) as raised:
        validate_campaign(campaign_data(endorsement_milestones=[10, 10, 0, "x", True, 5]))
    assert [p.path for p in raised.value.problems] == [
        "endorsement_milestones[1]",
        "endorsement_milestones[2]",
        "endorsement_milestones[3]",
        "endorsement_milestones[4]",
        "endorsement_milestones[5]",
    ]
    with pytest.raises(CampaignFileError):
        validate_campaign(campaign_data(endorsement_milestones=list(range(1, 30))))


def action(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "embassy",
        "title": {"en": "Protest to the embassy", "ru": "Протест посольству"},
        "template": {"en": "Dear {target}, from {country} on {date}. {{literal}}"},
        "embassy_of": "kz",
        "fallback": {"name": "Ministry", "email": "ministry@example.org"},
        "cc": ["campaign@example.org"],
    }
    data.update(overrides)
    return data


def test_actions_are_parsed_and_normalised() -> None:
    ministry = {
        "id": "ministry",
        "title": "Protest to the ministry",
        "template": "Dear Minister",
        "contacts": [{"name": "MFA", "email": "mfa@example.org", "city": "Astana"}],
    }
    spec = validate_campaign(campaign_data(actions=[action(), ministry]))
    embassy, fixed = spec.actions
    assert embassy["embassy_of"] == "KZ" and embassy["contacts"] == []
    assert embassy["fallback"] == {"name": "Ministry", "email": "ministry@example.org"}
    assert embassy["cc"] == ["campaign@example.org"]
    assert fixed["embassy_of"] is None and fixed["title"] == {"en": "Protest to the ministry"}
    assert fixed["contacts"] == [{"name": "MFA", "email": "mfa@example.org", "city": "Astana"}]


def test_documented_actions_are_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    spec = parse_campaign_file(blocks[0])
    assert [a["id"] for a in spec.actions] == ["embassy", "ministry"]
    assert spec.actions[0]["embassy_of"] == "KZ" and spec.actions[1]["contacts"]


def test_every_action_problem_is_listed_by_path() -> None:
    actions = [
        action(id="Bad id!", embassy_of="XX", cc=["nope"], extra=1),
        action(id="embassy", contacts=[{"email": "x"}]),  # both target keys
        action(template={"en": "Hi {name} {target"}, embassy_of=None),
        action(id="embassy", template={"de": "Hallo"}),  # duplicate id, foreign language
        "just text",
        {
            "id": "fixed",
            "title": "T",
            "template": "Hi {0}",
            "contacts": [],
            "fallback": {"name": "F"},
        },
    ]
    problems = problems_of(campaign_data(actions=actions))
    assert problems["actions[0].id"].startswith("must be 1-20 characters")
    assert problems["actions[0].embassy_of"].startswith("must be a two-letter ISO 3166")
    assert problems["actions[0].cc[0]"] == "is not a valid email address"
    assert problems["actions[0].extra"] == "unknown field"
    assert problems["actions[1]"] == "needs exactly one of embassy_of or contacts"
    assert problems["actions[1].contacts[0].name"] == "is required"
    assert problems["actions[1].contacts[0].email"] == "is not a valid email address"
    assert problems["actions[2].template.en"].startswith("has an unmatched brace")
    assert problems["actions[2].embassy_of"].startswith("must be a two-letter")
    assert problems["actions[3].id"] == "is used by another action"
    assert problems["actions[3].template.de"] == "language is not listed in languages"
    assert problems["actions[3].template.en"].startswith("the primary language (en)")
    assert problems["actions[4]"].startswith("must be a mapping")
    assert problems["actions[5].template.en"] == (
        "uses the unknown placeholder {0}; allowed: {target}, {country}, {date}"
    )
    assert problems["actions[5].contacts"] == "must list at least one contact"
    assert problems["actions[5].fallback"] == "is only used with embassy_of"


def test_action_limits() -> None:
    too_many = [action(id=f"a{i}") for i in range(11)]
    assert problems_of(campaign_data(actions=too_many)) == {"actions": "has more than 10 items"}
    long_letter = action(template={"en": "x" * 3001})
    assert problems_of(campaign_data(actions=[long_letter]))["actions[0].template.en"] == (
        "is longer than 3000 characters"
    )
    unknown = action(template={"en": "Hi {name}"})
    assert "{name}" in problems_of(campaign_data(actions=[unknown]))["actions[0].template.en"]


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1.0), (0.5, 0.5), (1.5, 1.5), (0.25, 0.25), (None, None)]
)
def test_delete_after_days_within_telegrams_window(value: object, expected: float | None) -> None:
    spec = validate_campaign(campaign_data(delete_after_days=value))
    assert spec.delete_after_days == expected
    assert validate_campaign(campaign_data()).delete_after_days is None


@pytest.mark.parametrize("value", [0, -1, 1.6, 2, 7, True, "1", [1], float("nan"), float("inf")])
def test_delete_after_days_outside_the_window_is_refused(value: object) -> None:
    problems = problems_of(campaign_data(delete_after_days=value))
    assert list(problems) == ["delete_after_days"]
    assert "48 hours" in problems["delete_after_days"] and "1.5" in problems["delete_after_days"]


def test_delete_after_days_reason_is_translated() -> None:
    i18n = create_i18n(LOCALES_DIR, "en")
    with i18n.context(), i18n.use_locale("de"):
        problems = problems_of(campaign_data(delete_after_days=2))
    message = problems["delete_after_days"]
    assert "1.5" in message and "48" in message
    assert "Telegram" in message and "must be a number of days" not in message
