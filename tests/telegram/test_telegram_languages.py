"""The bot's own words in the shopper's language: the words they wrote, else Telegram's language code."""
from __future__ import annotations

import re
from string import Formatter
from typing import Any, Callable

import pytest

from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa
from jujube.messages import get_messages
from telegram_harness import CHAT, RunningBot, bot_text, free_port

CHINESE = re.compile(r"[\u4e00-\u9fff]")
STICKER = {"sticker": {"file_id": "s1", "file_unique_id": "u", "width": 512, "height": 512,
                       "is_animated": False, "is_video": False, "type": "regular"}}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_language_has_every_text_with_the_same_placeholders() -> None:
    en, zh = get_messages("en").telegram, get_messages("zh").telegram
    singular = {key for key in en if key.endswith("_one")}
    assert set(en) - singular == set(zh) - singular, "the catalogs name different texts"
    for key, text in zh.items():
        assert fields(text) == fields(en[key]), key
        assert CHINESE.search(text), f"{key} is not written in Chinese: {text}"
    assert len(en) >= 30


@pytest.mark.parametrize("code", ["zh-hans", "zh-cn", "zh", "zh-hant"])
async def test_start_and_help_follow_a_chinese_language_code(bot: RunningBot, fake_rasa: FakeRasa, code: str) -> None:
    (greeting,) = await bot.say("/start", language_code=code)
    assert greeting["text"] == bot_text("greeting", "zh") and "小枣" in greeting["text"]
    (help_text,) = await bot.say("/help", language_code=code)
    assert help_text["text"] == bot_text("help", "zh") and "/forget" in help_text["text"]
    (unknown,) = await bot.say("/nonsense", language_code=code)
    assert unknown["text"] == bot_text("unknown_command", "zh")
    assert fake_rasa.received == []


@pytest.mark.parametrize("code", ["en", "en-gb", "de", "ru", None])
async def test_other_language_codes_get_english(bot: RunningBot, code: Any) -> None:
    (greeting,) = await bot.say("/start", language_code=code)
    assert greeting["text"] == bot_text("greeting") and not CHINESE.search(greeting["text"])


async def test_rasa_down_is_told_in_the_language_of_the_message(start_bot: Callable[..., Any]) -> None:
    bot = await start_bot(rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=5.0)
    (reply,) = await bot.say("老板，有枣吗？", language_code="en")  # Chinese words beat an English phone
    assert reply["text"] == bot_text("rasa_down", "zh") == "抱歉，我这会儿有点转不过来，请过一分钟再试试。"
    (reply,) = await bot.say("Do you have dates?", language_code="zh-hans")  # English words beat a Chinese phone
    assert reply["text"] == bot_text("rasa_down")
    (reply,) = await bot.say("👍 100", language_code="zh-hans")  # no letters: the language code decides
    assert reply["text"] == bot_text("rasa_down", "zh")
    await bot.shutdown()


async def test_a_sticker_from_a_chinese_user_gets_the_chinese_only_text_answer(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    since = fake_tg.mark()
    fake_tg.push("message", fake_tg.message(CHAT, None, language_code="zh-hans", **STICKER))
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("only_text", "zh")]
    since = fake_tg.mark()
    fake_tg.push("message", fake_tg.message(CHAT, None, language_code="en", **STICKER))
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("only_text")]
    since = fake_tg.mark()  # a photo's caption is the user's words
    fake_tg.push("message", fake_tg.message(CHAT, None, language_code="en", caption="这个有吗？",
                                            photo=[{"file_id": "p1", "file_unique_id": "u", "width": 9, "height": 9}]))
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("only_text", "zh")]
    assert fake_rasa.received == []


async def test_a_chinese_edit_and_an_expired_button_are_answered_in_chinese(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    since = fake_tg.mark()
    fake_tg.push("edited_message", fake_tg.message(CHAT, "要酸一点的枣", language_code="en", edit_date=1))
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("edited", "zh")]

    fake_rasa.responder = lambda body: [{"text": "是给谁买的？", "buttons": [{"title": "自己", "payload": "/a"}]}]
    await bot.say("有枣吗")
    since = fake_tg.mark()
    fake_tg.tap(CHAT, fake_tg.last_message_id(CHAT), "zz:forged", language_code="en")
    (answer,) = await bot.wait("answerCallbackQuery", since=since)
    assert answer["text"] == bot_text("button_expired", "zh")  # the language of the question it is under

    fake_rasa.responder = lambda body: [{"buttons": [{"title": "自己", "payload": "/a"}]}]  # buttons, no text
    (choice,) = await bot.say("有酸枣吗", language_code="en")
    assert choice["text"] == bot_text("choose_prompt", "zh") == "请选一个：" and choice["reply_markup"]


async def test_the_command_menu_is_published_in_english_and_chinese(bot: RunningBot, fake_tg: FakeTelegram) -> None:
    english = {c["command"]: c["description"] for c in fake_tg.commands}
    chinese = {c["command"]: c["description"] for c in fake_tg.menus["zh"]}
    assert set(english) == set(chinese) == {"start", "help", "restart", "forget", "rehearse", "stop"}
    assert english["forget"] == "Delete what this chat has stored"
    assert all(CHINESE.search(d) for d in chinese.values()), chinese
