"""Supporter flows through the real Dispatcher and routers, on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import LanguageCallback, MenuCallback, SubscriptionCallback
from bot.services.campaign_file import validate_campaign
from bot.services.campaigns import CampaignService
from db.models import Subscription, User
from tests.campaigns import campaign_data
from tests.harness import SUPPORTER_ID, BotHarness, reply, texts


async def load(session: AsyncSession, slug: str = "zhanaozen", **overrides: object) -> None:
    await CampaignService(session).load(validate_campaign(campaign_data(slug, **overrides)))


async def subscribed_slugs(session: AsyncSession, user_id: int) -> set[int]:
    rows = await session.scalars(
        select(Subscription.campaign_id).where(Subscription.user_id == user_id)
    )
    return set(rows)


async def test_start_welcomes_in_the_users_telegram_language(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/start", language_code="ru")
    source = (
        "<b>Welcome!</b> This bot connects you with solidarity campaigns for workers "
        "who face arrests and repression for defending their rights."
    )
    welcome = harness.t(source, "ru")
    assert welcome != source  # a real Russian translation, not the source
    assert welcome in reply(calls)
    # Nothing is stored about someone who only looked.
    async with harness.session_factory() as session:
        assert await session.get(User, SUPPORTER_ID) is None


async def test_deep_link_subscribes_at_once(harness: BotHarness, session: AsyncSession) -> None:
    await load(session)
    calls = await harness.send(SUPPORTER_ID, "/start zhanaozen", language_code="kk")
    assert "Free the Zhanaozen oil workers" in reply(calls)  # kk falls back to primary: en
    async with harness.session_factory() as check:
        user = await check.get(User, SUPPORTER_ID)
        assert user is not None and user.locale == "kk"
        assert len(await subscribed_slugs(check, SUPPORTER_ID)) == 1


async def test_deep_link_to_unknown_campaign_says_so(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/start nosuch")
    assert "There is no campaign called “nosuch”." in reply(calls)


async def test_campaigns_list_and_subscribe_button(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    await load(session, "steel-workers", title={"en": "Steel workers of Temirtau"})
    await load(session, "old-campaign", status="closed")
    calls = await harness.send(SUPPORTER_ID, "/campaigns")
    text = reply(calls)
    assert "Free the Zhanaozen oil workers" in text and "Steel workers of Temirtau" in text
    assert "old-campaign" not in text  # closed campaigns are not offered
    keyboard = calls[0].params["reply_markup"]["inline_keyboard"]
    data = [row[0]["callback_data"] for row in keyboard]
    assert data == [
        SubscriptionCallback(action="on", slug="zhanaozen").pack(),
        SubscriptionCallback(action="on", slug="steel-workers").pack(),
    ]
    calls = await harness.press(SUPPORTER_ID, data[0])
    assert "You are subscribed to <b>Free the Zhanaozen oil workers</b>" in reply(calls)
    edited = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert edited[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        SubscriptionCallback(action="off", slug="zhanaozen").pack()
    )
    async with harness.session_factory() as check:
        assert len(await subscribed_slugs(check, SUPPORTER_ID)) == 1
    # Pressing Subscribe twice (a replayed button) does not duplicate anything.
    calls = await harness.press(SUPPORTER_ID, data[0])
    assert "already subscribed" in reply(calls)
    calls = await harness.press(
        SUPPORTER_ID, SubscriptionCallback(action="off", slug="zhanaozen").pack()
    )
    assert "no longer receive updates" in reply(calls)
    async with harness.session_factory() as check:
        assert await subscribed_slugs(check, SUPPORTER_ID) == set()


async def test_subscribe_unsubscribe_and_stop(harness: BotHarness, session: AsyncSession) -> None:
    await load(session)
    await load(session, "steel-workers")
    assert "You are subscribed" in reply(await harness.send(SUPPORTER_ID, "/subscribe zhanaozen"))
    assert "already subscribed" in reply(await harness.send(SUPPORTER_ID, "/subscribe ZHANAOZEN"))
    await harness.send(SUPPORTER_ID, "/subscribe steel-workers")
    text = reply(await harness.send(SUPPORTER_ID, "/unsubscribe steel-workers"))
    assert "no longer receive updates" in text
    text = reply(await harness.send(SUPPORTER_ID, "/unsubscribe steel-workers"))
    assert "You were not subscribed" in text
    text = reply(await harness.send(SUPPORTER_ID, "/stop"))
    assert "You left 1 campaign: zhanaozen." in text
    assert "not subscribed to any campaign" in reply(await harness.send(SUPPORTER_ID, "/stop"))
    async with harness.session_factory() as check:
        assert await subscribed_slugs(check, SUPPORTER_ID) == set()


async def test_stop_uses_plural_forms(harness: BotHarness, session: AsyncSession) -> None:
    for slug in ("one-campaign", "two-campaign", "three-campaign"):
        await load(session, slug)
        await harness.send(SUPPORTER_ID, f"/subscribe {slug}", language_code="ru")
    text = reply(await harness.send(SUPPORTER_ID, "/stop", language_code="ru"))
    expected = harness.i18n.gettext(
        "You left {count} campaign: {campaigns}. You will receive no more updates. "
        "/campaigns lets you come back at any time.",
        "You left {count} campaigns: {campaigns}. You will receive no more updates. "
        "/campaigns lets you come back at any time.",
        n=3,
        locale="ru",
    ).format(count=3, campaigns="one-campaign, three-campaign, two-campaign")
    assert text == expected
    assert "кампании" in text  # the Russian "few" form, not the English plural


async def test_subscribe_unknown_slug_lists_active_campaigns(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session)
    calls = await harness.send(SUPPORTER_ID, "/subscribe <b>nope</b>")
    text = reply(calls)
    assert "There is no campaign called “&lt;b&gt;nope&lt;/b&gt;”." in text
    assert "Free the Zhanaozen oil workers" in text
    calls = await harness.send(SUPPORTER_ID, "/subscribe")
    assert "Which campaign?" in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "/subscribe " + "x" * 5000)
    assert reply(calls) == "That is too long to be a campaign name."


async def test_subscribing_to_a_closed_campaign_is_refused(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session, status="closed")
    text = reply(await harness.send(SUPPORTER_ID, "/subscribe zhanaozen"))
    assert "is closed and takes no new subscribers" in text
    async with harness.session_factory() as check:
        assert await subscribed_slugs(check, SUPPORTER_ID) == set()


async def test_info_shows_demands_contacts_with_fallback(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(
        session,
        summary={"en": "Workers <script>alert(1)</script> & co."},
        contacts=[{"name": "Office <b>", "email": "a@example.org", "phone": "+7 1", "fax": "+7 2"}],
    )
    calls = await harness.send(SUPPORTER_ID, "/info zhanaozen", language_code="ru")
    text = reply(calls)
    assert "<b>Свободу нефтяникам Жанаозена</b>" in text
    assert "1. Освободить арестованных" in text
    assert "2. Investigate the torture" in text  # no Russian text: falls back to primary
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co." in text
    assert "Office &lt;b&gt;" in text and "a@example.org" in text
    assert "Русский" in text and "Қазақ тілі" in text  # languages by their own names
    markup = calls[-1].params["reply_markup"]["inline_keyboard"]
    assert (
        markup[0][0]["callback_data"]
        == SubscriptionCallback(action="on", slug="zhanaozen", view="card").pack()
    )
    assert "deleted from your chat" not in text


async def test_info_says_when_alerts_are_deleted(
    harness: BotHarness, session: AsyncSession
) -> None:
    await load(session, delete_after_days=0.5)
    text = reply(await harness.send(SUPPORTER_ID, "/info zhanaozen"))
    assert "this campaign's alerts are deleted from your chat 12 hours after they arrive" in text


async def test_info_of_a_long_campaign_is_split_under_the_limit(
    harness: BotHarness, session: AsyncSession
) -> None:
    demands = [{"en": f"Demand {i} " + "x" * 580} for i in range(30)]
    await load(session, demands=demands)
    calls = await harness.send(SUPPORTER_ID, "/info zhanaozen")
    pages = texts(calls)
    assert len(pages) >= 5
    assert all(len(page) <= 4096 for page in pages)
    assert "30. Demand 29" in pages[-2] + pages[-1]


async def test_language_picker_shows_native_names_and_saves_choice(
    harness: BotHarness,
) -> None:
    calls = await harness.send(SUPPORTER_ID, "/language")
    buttons = [b["text"] for row in calls[0].params["reply_markup"]["inline_keyboard"] for b in row]
    for name in (
        "English",
        "Русский",
        "Қазақ тілі",
        "Українська",
        "简体中文",
        "繁體中文",
        "日本語",
        "Français",
        "Español",
        "Deutsch",
        "العربية",
    ):
        assert name in buttons or "• " + name in buttons
    assert "• English" in buttons
    calls = await harness.press(SUPPORTER_ID, LanguageCallback(code="de").pack())
    edited = next(c for c in calls if c.method == "editMessageText")
    assert edited.text == harness.t(
        "Language: {language}. Send /campaigns to see active campaigns.", "de", language="Deutsch"
    )
    async with harness.session_factory() as check:
        user = await check.get(User, SUPPORTER_ID)
        assert user is not None and user.locale == "de"
    # The saved choice wins over Telegram's language_code from now on.
    calls = await harness.send(SUPPORTER_ID, "/campaigns", language_code="en")
    assert reply(calls) == harness.t("There are no active campaigns right now.", "de")


async def test_unknown_language_callback_is_refused(harness: BotHarness) -> None:
    calls = await harness.press(SUPPORTER_ID, LanguageCallback(code="xx").pack())
    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params["text"] == "This language is not available."
    async with harness.session_factory() as check:
        assert await check.get(User, SUPPORTER_ID) is None


async def test_welcome_menu_buttons(harness: BotHarness, session: AsyncSession) -> None:
    await load(session)
    calls = await harness.press(SUPPORTER_ID, MenuCallback(item="campaigns").pack())
    assert "Free the Zhanaozen oil workers" in reply(calls)
    calls = await harness.press(SUPPORTER_ID, MenuCallback(item="language").pack())
    assert reply(calls) == "Choose your language:"


@pytest.mark.parametrize(
    ("update_kwargs", "expected"),
    [
        ({"text": "/frobnicate"}, "I don't know that command. Send /help to see what I can do."),
        ({"text": "hello there"}, "I understand commands only. Send /help to see what I can do."),
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "I can only read text commands, not stickers, photos or other media. "
            "Send /help to see what I can do.",
        ),
    ],
)
async def test_bad_input_gets_a_localized_hint(
    harness: BotHarness, update_kwargs: dict[str, object], expected: str
) -> None:
    from tests.harness import message_update

    content = dict(update_kwargs)
    text = content.pop("text", None)
    calls = await harness.feed(
        message_update(SUPPORTER_ID, text, language_code="fr", **content)  # type: ignore[arg-type]
    )
    translated = harness.t(expected, "fr")
    assert translated != expected
    assert reply(calls) == translated


async def test_stale_button_is_answered(harness: BotHarness) -> None:
    calls = await harness.press(SUPPORTER_ID, "gone:button")
    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params["show_alert"] in ("true", True)


async def test_group_messages_are_ignored(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/start", chat_type="supergroup")
    assert texts(calls) == []
