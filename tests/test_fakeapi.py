"""Tests of the fake Telegram Bot API server itself, driven by aiogram's real Bot."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from tests.fakeapi import Call, FakeBotAPI, UploadedFile

TOKEN = "123:ABC"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    bot = Bot(token=TOKEN, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.mark.asyncio
async def test_get_me(bot: Bot, fake: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert me.id == 42
    assert me.username == "solidarity_test_bot"
    assert fake.calls[0].method == "getMe"
    assert fake.calls[0].token == TOKEN


@pytest.mark.asyncio
async def test_send_message_is_recorded_and_decoded(bot: Bot, fake: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Join ✊", callback_data="join:1")]]
    )
    message = await bot.send_message(chat_id=1001, text="Солидарность [1]", reply_markup=markup)
    assert message.text == "Солидарность [1]"
    assert message.chat.id == 1001
    assert message.chat.type == "private"
    assert message.from_user is not None and message.from_user.id == 42
    assert message.reply_markup is not None
    assert message.reply_markup.model_dump() == markup.model_dump()

    call = await fake.wait_for("sendMessage")
    assert call.chat_id == 1001
    assert call.text == "Солидарность [1]"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Join ✊", "callback_data": "join:1"}]]
    }
    assert fake.calls_of("sendmessage", chat_id=1001) == [call]
    assert fake.calls_of("sendMessage", chat_id=7) == []

    group = await bot.send_message(chat_id=-100500, text="hi group")
    assert group.chat.type == "supergroup"
    assert group.message_id == message.message_id + 1

    edited = await bot.edit_message_text(text="edited", chat_id=1001, message_id=message.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "edited"
    assert edited.message_id == message.message_id
    assert edited.edit_date is not None


@pytest.mark.asyncio
async def test_wait_for_consumes_and_waits(bot: Bot, fake: FakeBotAPI) -> None:
    await bot.send_message(chat_id=1, text="first")
    first = await fake.wait_for("sendMessage")
    assert first.text == "first"

    async def later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(chat_id=2, text="second")

    task = asyncio.create_task(later())
    second = await fake.wait_for("sendMessage", lambda c: c.chat_id == 2, timeout=5)
    await task
    assert second.text == "second"

    with pytest.raises(AssertionError, match="calls received so far"):
        await fake.wait_for("sendMessage", timeout=0.05)


@pytest.mark.asyncio
async def test_injected_forbidden(bot: Bot, fake: FakeBotAPI) -> None:
    fake.fail(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        chat_id=5,
        times=1,
    )
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(chat_id=5, text="hello")
    # other chats unaffected, and the failure was used up
    await bot.send_message(chat_id=6, text="hello")
    ok = await bot.send_message(chat_id=5, text="hello again")
    assert ok.text == "hello again"
    assert len(fake.calls_of("sendMessage", chat_id=5)) == 2


@pytest.mark.asyncio
async def test_injected_retry_after(bot: Bot, fake: FakeBotAPI) -> None:
    fake.fail(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as excinfo:
            await bot.send_message(chat_id=1, text="x")
        assert excinfo.value.retry_after == 7
    fake.clear_failures()
    assert (await bot.send_message(chat_id=1, text="x")).text == "x"


@pytest.mark.asyncio
async def test_get_updates_push_offset_and_long_poll(bot: Bot, fake: FakeBotAPI) -> None:
    first_id = fake.push_update(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 7, "type": "private", "first_name": "A"},
                "from": {"id": 7, "is_bot": False, "first_name": "A"},
                "text": "/start",
            }
        }
    )
    assert first_id == 1
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [1]
    assert updates[0].message is not None and updates[0].message.text == "/start"

    # confirming with offset drops it; an empty long poll returns after the timeout
    assert await bot.get_updates(offset=2, timeout=0) == []

    async def push_soon() -> None:
        await asyncio.sleep(0.1)
        fake.push_update(
            {
                "callback_query": {
                    "id": "cq1",
                    "from": {"id": 7, "is_bot": False, "first_name": "A"},
                    "chat_instance": "ci",
                    "data": "join:1",
                }
            }
        )

    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.create_task(push_soon())
    updates = await bot.get_updates(offset=2, timeout=30)
    await task
    assert loop.time() - started < 1.5  # woke on push, not at the cap
    assert [u.update_id for u in updates] == [2]
    assert updates[0].callback_query is not None
    assert fake.get_updates_count == 3
    assert fake.calls == []  # getUpdates is not recorded


@pytest.mark.asyncio
async def test_my_commands_scope_and_language(bot: Bot, fake: FakeBotAPI) -> None:
    commands = [BotCommand(command="start", description="Начать")]
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(commands, scope=scope, language_code="ru")

    call = await fake.wait_for("setMyCommands")
    assert call.params["commands"] == [{"command": "start", "description": "Начать"}]
    assert call.params["scope"] == {"type": "all_private_chats"}
    assert call.params["language_code"] == "ru"

    got = await bot.get_my_commands(scope=scope, language_code="ru")
    assert [c.model_dump() for c in got] == [c.model_dump() for c in commands]
    assert await bot.get_my_commands(scope=scope, language_code="en") == []
    assert await bot.get_my_commands() == []


@pytest.mark.asyncio
async def test_add_file_download_round_trip(bot: Bot, fake: FakeBotAPI) -> None:
    payload = bytes(range(256)) * 100
    document = fake.add_file(payload, file_name="evidence.pdf")
    assert document["file_size"] == len(payload)

    file = await bot.get_file(document["file_id"])
    assert file.file_path
    downloaded = await bot.download(document["file_id"])
    assert isinstance(downloaded, io.BytesIO)
    assert downloaded.read() == payload


@pytest.mark.asyncio
async def test_send_document_upload(bot: Bot, fake: FakeBotAPI) -> None:
    message = await bot.send_document(
        chat_id=3,
        document=BufferedInputFile(b"hello bytes", filename="notes.txt"),
        caption="see attached",
    )
    assert message.caption == "see attached"
    assert message.document is not None

    call: Call = await fake.wait_for("sendDocument")
    assert call.text == "see attached"
    uploaded = call.params["document"]
    assert isinstance(uploaded, UploadedFile)
    assert uploaded == UploadedFile(filename="notes.txt", content=b"hello bytes")

    # the uploaded file is downloadable through its new file_id
    downloaded = await bot.download(message.document.file_id)
    assert downloaded is not None and downloaded.read() == b"hello bytes"


async def test_link_schemes_and_callback_data_are_checked_like_telegram(bot: Bot) -> None:
    html = '<a href="mailto:a@example.org?subject=Hi%20there&amp;cc=b@example.org">mail</a>'
    await bot.send_message(1, html, parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="wrong HTTP URL"):
        await bot.send_message(1, '<a href="javascript:alert(1)">x</a>', parse_mode="HTML")
    mail_button = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", url="mailto:a@example.org")]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(1, "text", reply_markup=mail_button)
    long_data = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "text", reply_markup=long_data)
