"""Campaign files used across tests."""

from __future__ import annotations

from typing import Any

import yaml

from tests.harness import COORDINATOR_ID


def campaign_data(slug: str = "zhanaozen", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": slug,
        "languages": ["en", "ru", "kk"],
        "timezone": "Asia/Aqtau",
        "title": {"en": "Free the Zhanaozen oil workers", "ru": "Свободу нефтяникам Жанаозена"},
        "summary": {"en": "Striking oil workers were arrested.", "ru": "Бастующих арестовали."},
        "statement": {"en": "We stand with the oil workers."},
        "demands": [
            {"en": "Release the arrested workers", "ru": "Освободить арестованных"},
            {"en": "Investigate the torture"},
        ],
        "contacts": [{"name": "Campaign office", "email": "office@example.org", "phone": "+1 555"}],
        "coordinators": [COORDINATOR_ID],
    }
    data.update(overrides)
    return data


def campaign_yaml(slug: str = "zhanaozen", **overrides: Any) -> str:
    return yaml.safe_dump(campaign_data(slug, **overrides), allow_unicode=True, sort_keys=False)
