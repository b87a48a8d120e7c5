"""The country picker and /country, through the real Dispatcher on a real database."""

from __future__ import annotations

from bot.callbacks import CountryCallback
from db.models import User
from tests.harness import SUPPORTER_ID, BotHarness, reply


async def stored_country(harness: BotHarness) -> str | None:
    async with harness.session_factory() as session:
        user = await session.get(User, SUPPORTER_ID)
        return None if user is None else user.country


async def test_typed_name_in_another_language_is_saved(harness: BotHarness) -> None:
    calls = await harness.send(SUPPORTER_ID, "/country")
    assert "You have not told me your country." in reply(calls)
    assert "reply_markup" not in calls[0].params  # nothing to forget yet
    calls = await harness.send(SUPPORTER_ID, "Германия")
    assert "Your country is now 🇩🇪 Germany." in reply(calls)
    assert await stored_country(harness) == "DE"
    # The dialog is over: further text is not taken as a country.
    calls = await harness.send(SUPPORTER_ID, "France")
    assert await stored_country(harness) == "DE"


async def test_codes_and_aliases(harness: BotHarness) -> None:
    for typed, code in (("ca", "CA"), ("USA", "US"), ("UK", "GB"), ("Hong Kong", "HK")):
        await harness.send(SUPPORTER_ID, "/country")
        await harness.send(SUPPORTER_ID, typed)
        assert await stored_country(harness) == code, typed


async def test_ambiguous_input_offers_localized_suggestions(harness: BotHarness) -> None:
    await harness.send(SUPPORTER_ID, "/country", language_code="fr")
    calls = await harness.send(SUPPORTER_ID, "guin", language_code="fr")
    assert harness.t(
        "Which country do you mean by “{text}”? Choose one, or type the name again.",
        "fr",
        text="guin",
    ) in reply(calls)
    buttons = [b for row in calls[0].params["reply_markup"]["inline_keyboard"] for b in row]
    labels = {b["text"] for b in buttons}
    assert "🇬🇳 Guinée" in labels and "🇵🇬 Papouasie-Nouvelle-Guinée" in labels
    assert await stored_country(harness) is None
    chosen = CountryCallback(purpose="user", code="GN").pack()
    assert chosen in {b["callback_data"] for b in buttons}
    calls = await harness.press(SUPPORTER_ID, chosen, language_code="fr")
    assert any(c.method == "editMessageText" and "Guinée" in c.params["text"] for c in calls)
    assert await stored_country(harness) == "GN"


async def test_unknown_and_hostile_input_get_reasons(harness: BotHarness) -> None:
    await harness.send(SUPPORTER_ID, "/country")
    calls = await harness.send(SUPPORTER_ID, "<b>Atlantis</b> & co")
    assert "I don't know a country called “&lt;b&gt;Atlantis&lt;/b&gt; &amp; co”." in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "x" * 101)
    assert "That is too long for a country name (at most 100 characters)." in reply(calls)
    assert await stored_country(harness) is None


async def test_forget_country_button_and_forged_codes(harness: BotHarness) -> None:
    await harness.send(SUPPORTER_ID, "/country")
    await harness.send(SUPPORTER_ID, "KZ")
    calls = await harness.send(SUPPORTER_ID, "/country")
    assert "Your country: 🇰🇿 Kazakhstan." in reply(calls)
    forged = CountryCallback(purpose="user", code="QQ").pack()
    calls = await harness.press(SUPPORTER_ID, forged)
    assert any(c.method == "answerCallbackQuery" and c.params.get("show_alert") for c in calls)
    assert await stored_country(harness) == "KZ"
    calls = await harness.press(SUPPORTER_ID, CountryCallback(purpose="user", code="").pack())
    assert any("I no longer know your country" in c.params.get("text", "") for c in calls)
    assert await stored_country(harness) is None


async def test_cancel_keeps_the_country(harness: BotHarness) -> None:
    await harness.send(SUPPORTER_ID, "/country")
    await harness.send(SUPPORTER_ID, "Japan")
    await harness.send(SUPPORTER_ID, "/country")
    await harness.send(SUPPORTER_ID, "/cancel")
    await harness.send(SUPPORTER_ID, "Chile")
    assert await stored_country(harness) == "JP"


async def test_names_with_markup_characters_are_escaped(harness: BotHarness) -> None:
    """ "Wallis & Futuna" once broke the confirmation (Telegram refused the raw "&")."""
    await harness.send(SUPPORTER_ID, "/country")
    calls = await harness.send(SUPPORTER_ID, "WF")
    assert "Your country is now 🇼🇫 Wallis &amp; Futuna." in reply(calls)
    calls = await harness.send(SUPPORTER_ID, "/country")
    assert "Your country: 🇼🇫 Wallis &amp; Futuna." in reply(calls)
