"""The worker renders alerts without aiogram, exactly as the bot would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.callbacks import SubscriptionCallback
from bot.config import LOCALES_DIR
from bot.delivery.render import alert_reply_markup, unsubscribe_callback
from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parents[2]


def test_unsubscribe_button_matches_the_bots_callback_data() -> None:
    for slug in ("zhanaozen", "steel-workers-2026"):
        packed = SubscriptionCallback(action="off", slug=slug, view="alert").pack()
        assert unsubscribe_callback(slug) == packed


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
