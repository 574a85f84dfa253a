"""/forget: confirmation, deletion of this chat's stored conversation and needs, and a report."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import commands
from telegram_harness import CHAT, bot_text
from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa
from jujube.db.models import Base
from jujube.db.needs import count_needs, forget_conversation, iter_needs, record_messages, save_need
from jujube.db.session import make_engine
from jujube.messages import get_messages


@pytest.fixture
def needs_log(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A needs log holding this chat's conversation and someone else's."""
    engine = make_engine(f"sqlite:///{tmp_path / 'needs.db'}")
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    for conv in (f"tg:{CHAT}", "tg:1"):
        save_need(factory, {"conversation_id": conv, "channel": "telegram", "stated_request": "dates",
                            "needs": {"functional": ["sour taste"]}, "outcome": "pending"})
        record_messages(factory, conv, "telegram", [
            {"role": "user", "text": "Do you have dates?", "sent_at": "2026-11-22T10:00:00Z"},
            {"role": "bot", "text": "Who are they for?", "sent_at": "2026-11-22T10:00:01Z"},
        ])
    save_need(factory, {"conversation_id": f"tg:{CHAT}", "discovery_no": 2, "channel": "telegram",
                        "stated_request": "kiwi", "outcome": "accepted"})
    yield factory
    engine.dispose()


async def ask_to_forget(bot: Any, fake_tg: FakeTelegram) -> tuple[int, dict[str, str]]:
    (question,) = await bot.say("/forget")
    assert question["text"] == bot_text("forget_confirm")
    buttons = {b["text"]: b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row}
    return fake_tg.last_message_id(CHAT), buttons


async def test_forget_deletes_this_chat_after_confirmation_and_reports_counts(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa, needs_log: sessionmaker[Session]
) -> None:
    bot = await start_bot(rasa_url=fake_rasa.url, forget=lambda cid: forget_conversation(needs_log, cid))
    message_id, buttons = await ask_to_forget(bot, fake_tg)
    assert count_needs(needs_log) == 3  # nothing deleted before the answer
    since = fake_tg.mark()
    query_id = fake_tg.tap(CHAT, message_id, buttons[bot_text("forget_yes")])
    (edit,) = await bot.wait("editMessageText", since=since)
    assert fake_tg.sent("answerCallbackQuery", since)[0]["callback_query_id"] == query_id
    assert edit["text"] == "Deleted 1 conversation, 2 needs and 2 messages. Your next message starts a fresh conversation."
    assert "reply_markup" not in fake_tg.messages[(CHAT, message_id)]
    assert [n["conversation_id"] for n in iter_needs(needs_log)] == ["tg:1"]
    assert fake_rasa.received[-1]["message"] == "/restart" and fake_rasa.received[-1]["sender"] == f"tg:{CHAT}"

    message_id, buttons = await ask_to_forget(bot, fake_tg)
    since = fake_tg.mark()
    fake_tg.tap(CHAT, message_id, buttons[bot_text("forget_yes")])
    (edit,) = await bot.wait("editMessageText", since=since)
    assert edit["text"] == bot_text("forget_nothing")
    await bot.shutdown()


async def test_forget_keeps_everything_when_the_user_says_no(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa, needs_log: sessionmaker[Session]
) -> None:
    bot = await start_bot(rasa_url=fake_rasa.url, forget=lambda cid: forget_conversation(needs_log, cid))
    message_id, buttons = await ask_to_forget(bot, fake_tg)
    since = fake_tg.mark()
    fake_tg.tap(CHAT, message_id, buttons[bot_text("forget_no")])
    (edit,) = await bot.wait("editMessageText", since=since)
    assert edit["text"] == bot_text("forget_kept")
    assert count_needs(needs_log) == 3
    assert fake_rasa.received == []
    await bot.shutdown()


async def test_forget_reports_a_failure_and_runs_off_the_event_loop(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    threads: list[str] = []

    def broken(conversation_id: str) -> dict[str, int]:
        threads.append(threading.current_thread().name)
        raise RuntimeError("database is locked")

    bot = await start_bot(rasa_url=fake_rasa.url, forget=broken)
    message_id, buttons = await ask_to_forget(bot, fake_tg)
    since = fake_tg.mark()
    fake_tg.tap(CHAT, message_id, buttons[bot_text("forget_yes")])
    (edit,) = await bot.wait("editMessageText", since=since)
    assert edit["text"] == bot_text("forget_failed")
    assert threads and threads[0] != threading.main_thread().name
    assert (await bot.say("still here?"))[0]["text"] == "You said: still here?"
    await bot.shutdown()


def test_summary_wording() -> None:
    en, zh = get_messages("en"), get_messages("zh")
    assert commands.forget_summary({"conversations": 1, "needs": 1, "messages": 5}, en) == (
        "Deleted 1 conversation, 1 need and 5 messages. Your next message starts a fresh conversation.")
    assert commands.forget_summary({"conversations": 0, "needs": 0, "messages": 0}, en) == bot_text("forget_nothing")
    assert commands.forget_summary({"conversations": 1, "needs": 2, "messages": 5}, zh) == (
        "已删除1段对话、2条需求和5条消息。您的下一条消息会开始新的对话。")


async def test_a_chinese_user_is_asked_and_answered_in_chinese(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa, needs_log: sessionmaker[Session]
) -> None:
    bot = await start_bot(rasa_url=fake_rasa.url, forget=lambda cid: forget_conversation(needs_log, cid))
    (question,) = await bot.say("/forget", language_code="zh-hans")
    assert question["text"] == bot_text("forget_confirm", "zh") == (
        "这会删除这个聊天里存下的对话和其中记下的需求，删除后无法恢复。确定删除吗？")
    buttons = {b["text"]: b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row}
    assert list(buttons) == ["确定删除", "不，保留"]
    message_id = fake_tg.last_message_id(CHAT)

    since = fake_tg.mark()
    fake_tg.tap(CHAT, message_id, buttons["确定删除"], language_code=None)  # the tap carries no language code
    (edit,) = await bot.wait("editMessageText", since=since)
    assert edit["text"] == "已删除1段对话、2条需求和2条消息。您的下一条消息会开始新的对话。"
    assert count_needs(needs_log) == 1

    (question,) = await bot.say("/forget", language_code="zh-cn")
    since = fake_tg.mark()
    fake_tg.tap(CHAT, fake_tg.last_message_id(CHAT), buttons["不，保留"], language_code="zh-hans")
    (edit,) = await bot.wait("editMessageText", since=since)
    assert edit["text"] == bot_text("forget_kept", "zh") == "什么都没有删除。"
    await bot.shutdown()
