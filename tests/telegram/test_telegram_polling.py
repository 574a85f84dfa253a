"""The bot in long-polling mode against the fake Bot API and a fake Rasa."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

import pytest

from bot import services as bot_services
from telegram_harness import CHAT, RunningBot, bot_text
from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa
from telegram_rules import utf16_len


async def test_text_goes_to_rasa_and_the_reply_comes_back(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram) -> None:
    fake_rasa.delay = 0.5  # Rasa takes a moment: the typing indicator shows meanwhile
    since = fake_tg.mark()
    replies = await bot.say("Do you have dates?", language_code="zh-hans")
    assert [r["text"] for r in replies] == ["You said: Do you have dates?"]
    assert fake_rasa.received == [
        {"sender": f"tg:{CHAT}", "message": "Do you have dates?", "metadata": {"channel": "telegram", "language": "zh-hans"}}
    ]
    methods = [c.method for c in fake_tg.calls[since:]]
    assert "sendChatAction" in methods
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert fake_tg.sent("sendChatAction", since)[0]["action"] == "typing"


async def test_commands_are_in_the_menu(bot: RunningBot, fake_tg: FakeTelegram) -> None:
    assert {c["command"] for c in fake_tg.commands} == {"start", "help", "restart", "forget", "rehearse", "stop"}


async def test_start_and_help_answer_without_rasa(bot: RunningBot, fake_rasa: FakeRasa) -> None:
    assert (await bot.say("/start"))[0]["text"] == bot_text("greeting")
    assert (await bot.say("/help"))[0]["text"] == bot_text("help")
    assert (await bot.say("/nonsense"))[0]["text"] == bot_text("unknown_command")
    assert fake_rasa.received == []


async def test_buttons_become_an_inline_keyboard_and_a_tap_sends_the_payload(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    long_payload = '/inform{"recipient": "daughter-in-law", "situation": "pregnant and craving sour food"}'
    assert len(long_payload.encode()) > 64

    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        if body["message"].startswith("/inform"):
            return [{"text": "Got it: " + body["message"]}]
        return [{"text": "Who is it for?", "buttons": [
            {"title": "Myself", "payload": "/inform_self"},
            {"title": "My pregnant daughter-in-law", "payload": long_payload},
        ]}]

    fake_rasa.responder = respond
    (question,) = await bot.say("Do you have dates?")
    rows = question["reply_markup"]["inline_keyboard"]
    buttons = [b for row in rows for b in row]
    assert [b["text"] for b in buttons] == ["Myself", "My pregnant daughter-in-law"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    message_id = fake_tg.last_message_id(CHAT)

    since = fake_tg.mark()
    query_id = fake_tg.tap(CHAT, message_id, buttons[1]["callback_data"])
    (answer,) = await bot.wait("answerCallbackQuery", since=since)
    assert answer["callback_query_id"] == query_id
    reply = await asyncio.to_thread(fake_tg.wait, "sendMessage", 1, since)
    assert reply[0]["text"] == "Got it: " + long_payload
    assert fake_rasa.received[-1]["message"] == long_payload
    assert fake_rasa.received[-1]["metadata"]["channel"] == "telegram"
    calls = [c.method for c in fake_tg.calls[since:]]
    assert calls.index("answerCallbackQuery") < calls.index("sendMessage")
    assert "reply_markup" not in fake_tg.messages[(CHAT, message_id)]  # the keyboard is gone after the tap


async def test_a_tap_on_a_button_from_before_a_restart_sends_its_title(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    payload = "/choose{\"sku\": \"FR-KIWI-GRN\", \"reason\": \"tangy and rich in folate for the baby\"}"
    fake_rasa.responder = lambda body: [{"text": "Which one?", "buttons": [{"title": "Green kiwi", "payload": payload}]}]
    (question,) = await bot.say("kiwi")
    data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("h:")
    bot.services.buttons._payloads.clear()  # what a restart of the bot does to the store
    message_id = fake_tg.last_message_id(CHAT)
    since = fake_tg.mark()
    fake_tg.tap(CHAT, message_id, data)
    await bot.wait("answerCallbackQuery", since=since)
    await bot.wait("sendMessage", since=since)
    assert fake_rasa.received[-1]["message"] == "Green kiwi"


async def test_a_tap_on_an_unknown_button_is_answered(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram) -> None:
    fake_rasa.responder = lambda body: [{"text": "Which?", "buttons": [{"title": "A", "payload": "/a"}]}]
    await bot.say("hi")
    since = fake_tg.mark()
    fake_tg.tap(CHAT, fake_tg.last_message_id(CHAT), "zz:forged")
    (answer,) = await bot.wait("answerCallbackQuery", since=since)
    assert answer["text"] == bot_text("button_expired")
    assert fake_rasa.messages() == ["hi"]


async def test_replies_are_markdown_and_html_safe(bot: RunningBot, fake_rasa: FakeRasa) -> None:
    text = "**Sour jujubes** 28.0 CNY <fresh> & *tangy* _really_ [today] `x` 2 < 3"
    fake_rasa.responder = lambda body: [{"text": text}]
    (reply,) = await bot.say("anything sour?")
    assert reply["parse_mode"] == "HTML"
    assert reply["text"].startswith("<b>Sour jujubes</b>")
    visible = bot.tg.texts(CHAT)[-1]
    assert visible == text.replace("**", "")


async def test_long_replies_are_split_under_the_limit(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram) -> None:
    paragraph = "Kiwi fruit 🥝 is tangy and rich in folate. " * 60
    text = "\n\n".join([paragraph.strip()] * 6)
    assert utf16_len(text) > 3 * 4096
    fake_rasa.responder = lambda body: [{"text": text, "buttons": [{"title": "Yes", "payload": "/affirm"}]}]
    since = fake_tg.mark()
    fake_tg.send_text(CHAT, "tell me everything")
    await asyncio.to_thread(fake_tg.wait, "sendMessage", 1, since, 5.0, lambda p: "reply_markup" in p)
    parts = fake_tg.texts(CHAT, since)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert [("reply_markup" in p) for p in fake_tg.sent("sendMessage", since)][-1] is True
    assert sum("reply_markup" in p for p in fake_tg.sent("sendMessage", since)) == 1


async def test_a_very_long_user_message_reaches_rasa_whole(bot: RunningBot, fake_rasa: FakeRasa) -> None:
    text = "sour " * 819
    await bot.say(text.strip())
    assert fake_rasa.received[-1]["message"] == text.strip()


async def test_images_are_sent_as_photos_and_a_broken_one_as_its_link(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    fake_rasa.responder = lambda body: [
        {"text": "Here they are:"},
        {"image": "https://shop.example/img/kiwi.jpg"},
        {"image": "https://shop.example/broken.jpg"},
    ]
    since = fake_tg.mark()
    await bot.say("show me", count=2)
    assert [p["photo"] for p in fake_tg.sent("sendPhoto", since)] == [
        "https://shop.example/img/kiwi.jpg", "https://shop.example/broken.jpg"]
    assert fake_tg.texts(CHAT, since) == ["Here they are:", "https://shop.example/broken.jpg"]


@pytest.mark.parametrize("kind,content", [
    ("sticker", {"sticker": {"file_id": "s1", "file_unique_id": "u", "width": 512, "height": 512,
                             "is_animated": False, "is_video": False, "type": "regular"}}),
    ("photo", {"photo": [{"file_id": "p1", "file_unique_id": "u", "width": 90, "height": 90}], "caption": "this?"}),
    ("voice", {"voice": {"file_id": "v1", "file_unique_id": "u", "duration": 3}}),
    ("document", {"document": {"file_id": "d1", "file_unique_id": "u", "file_name": "list.pdf"}}),
    ("location", {"location": {"latitude": 1.5, "longitude": 2.5}}),
])
async def test_things_other_than_text_get_a_friendly_answer(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram, kind: str, content: dict[str, Any]
) -> None:
    since = fake_tg.mark()
    fake_tg.push("message", fake_tg.message(CHAT, None, **content))
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("only_text")]
    assert fake_rasa.received == []
    assert not bot.task.done()


async def test_edited_messages_get_a_friendly_answer(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram) -> None:
    await bot.say("dates please")
    since = fake_tg.mark()
    edited = fake_tg.message(CHAT, "sour dates please", edit_date=int(time.time()))
    fake_tg.push("edited_message", edited)
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == [bot_text("edited")]
    assert fake_rasa.messages() == ["dates please"]


async def test_restart_starts_a_fresh_conversation(bot: RunningBot, fake_rasa: FakeRasa) -> None:
    (reply,) = await bot.say("/restart")
    assert reply["text"] == bot_text("restarted")
    assert fake_rasa.received == [{"sender": f"tg:{CHAT}", "message": "/restart",
                                   "metadata": {"channel": "telegram", "language": "en"}}]


async def test_groups_are_not_served(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram) -> None:
    group = -100123
    (pointer,) = await bot.say("/start", chat_id=group, chat_type="supergroup", user_id=55)
    assert "private chat" in pointer["text"] and "jujube_test_bot" in pointer["text"]
    since = fake_tg.mark()
    fake_tg.send_text(group, "do you have dates?", chat_type="supergroup", user_id=55)
    await bot.say("ping")  # a later private message is answered, so the group one was skipped
    assert fake_tg.texts(group, since) == []
    assert fake_rasa.messages() == ["ping"]


async def test_typing_shows_while_rasa_thinks(bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot_services, "TYPING_EVERY", 0.2)
    fake_rasa.delay = 2.0  # room for 10 renewals; 2 are asserted
    since = fake_tg.mark()
    await bot.say("hmm", timeout=30)
    typing = [c for c in fake_tg.calls[since:] if c.method == "sendChatAction"]
    reply_at = next(c.at for c in fake_tg.calls[since:] if c.method == "sendMessage")
    print(f"measured: {len(typing)} typing indicators while Rasa thought for 2 s (at least 2 expected)")
    assert len(typing) >= 2 and all(c.at < reply_at for c in typing)  # shown, and renewed
    await asyncio.sleep(1.0)  # 5 renewal periods
    assert len([c for c in fake_tg.calls[since:] if c.method == "sendChatAction"]) == len(typing)  # it stopped


async def test_a_hanging_typing_indicator_does_not_hold_up_the_reply(
    bot: RunningBot, fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    fake_tg.delays["sendChatAction"] = 30.0
    for text in ("quick question", "and another"):
        started = time.monotonic()
        (reply,) = await bot.say(text, timeout=30)
        took = time.monotonic() - started
        print(f"measured: reply after {took:.2f} s while the typing indicator hangs for 30 s (bound 15 s)")
        assert reply["text"] == f"You said: {text}"
        assert took < 15  # the reply did not wait for the hanging indicator
    fake_tg.delays.clear()


async def test_chats_do_not_wait_for_each_other_but_each_stays_in_order(
    start_bot: Callable[..., Any], fake_rasa: FakeRasa, fake_tg: FakeTelegram
) -> None:
    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        if body["message"] == "slow":
            time.sleep(3.0)  # far longer than answering the other chat takes, even on a busy machine
        return [{"text": f"re: {body['message']}"}]

    bot = await start_bot(rasa_url=fake_rasa.url, rasa_timeout=30.0)
    fake_rasa.responder = respond
    since = fake_tg.mark()
    fake_tg.send_text(CHAT, "slow")
    fake_tg.send_text(CHAT, "then fast")
    fake_tg.send_text(777, "other chat")
    await asyncio.to_thread(fake_tg.wait, "sendMessage", 3, since, 30.0)
    order = [(int(p["chat_id"]), p["text"]) for p in fake_tg.sent("sendMessage", since)]
    assert order[0] == (777, "re: other chat")
    assert [t for c, t in order if c == CHAT] == ["re: slow", "re: then fast"]
    await bot.shutdown()
