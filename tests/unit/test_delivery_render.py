"""The worker renders alerts without aiogram, exactly as the bot would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.callbacks import SubscriptionCallback, TakeActionCallback
from bot.config import LOCALES_DIR
from bot.delivery.render import alert_reply_markup, take_action_callback, unsubscribe_callback
from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parents[2]


def test_unsubscribe_button_matches_the_bots_callback_data() -> None:
    for slug in ("zhanaozen", "steel-workers-2026"):
        packed = SubscriptionCallback(action="off", slug=slug, view="alert").pack()
        assert unsubscribe_callback(slug) == packed
        assert take_action_callback(slug) == TakeActionCallback(slug=slug).pack()


def test_take_action_only_when_the_campaign_has_actions() -> None:
    plain = alert_reply_markup("zhanaozen", lambda m: m)
    assert [row[0]["text"] for row in plain["inline_keyboard"]] == ["Unsubscribe"]
    markup = alert_reply_markup("zhanaozen", lambda m: m, has_actions=True)
    assert [row[0]["callback_data"] for row in markup["inline_keyboard"]] == [
        "act:zhanaozen",
        "sub:off:zhanaozen:alert",
    ]


def test_reply_markup_is_translated() -> None:
    catalogs = Catalogs(LOCALES_DIR, "en")
    markup = alert_reply_markup("zhanaozen", lambda m: catalogs.gettext("ru", m))
    button = markup["inline_keyboard"][0][0]
    assert button["text"] == catalogs.gettext("ru", "Unsubscribe") != "Unsubscribe"
    assert catalogs.gettext("pt", "Unsubscribe") == "Unsubscribe"  # unknown: the default


def test_the_worker_never_imports_aiogram() -> None:
    """aiogram's types cost ~130 MB resident: `python -m bot worker` must not load them."""
    code = (
        "import sys, bot.cli, bot.delivery.factory; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
