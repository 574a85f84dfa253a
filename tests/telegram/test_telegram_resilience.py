"""Rasa down, slow or broken; Telegram hiccups and flood limits: the bot apologises and carries on.

Timings are asserted as orderings and generous upper bounds (half of what waiting it out would
take), so the tests hold on a loaded two-core machine.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from telegram_harness import CHAT, bot_text, free_port
from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa


async def test_rasa_unreachable_gets_an_apology_and_the_bot_recovers_when_rasa_is_back(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, caplog: Any
) -> None:
    port = free_port()
    bot = await start_bot(rasa_url=f"http://127.0.0.1:{port}", rasa_timeout=30.0)
    started = time.monotonic()
    (reply,) = await bot.say("Do you have dates?", timeout=30)
    took = time.monotonic() - started
    print(f"measured: apology for a refused connection after {took:.2f} s (Rasa timeout 30 s, bound 15 s)")
    assert reply["text"] == bot_text("rasa_down")
    assert took < 15  # a refused connection is not waited out
    assert any("no answer from Rasa for tg:4242" in r.getMessage() for r in caplog.records)
    assert not bot.task.done()

    rasa = FakeRasa(port=port).start()  # Rasa comes back on the same address
    try:
        (reply,) = await bot.say("Do you have dates?")
        assert reply["text"] == "You said: Do you have dates?"
    finally:
        rasa.stop()
    await bot.shutdown()


async def test_slow_rasa_gets_an_apology_within_the_timeout(start_bot: Callable[..., Any], fake_rasa: FakeRasa) -> None:
    fake_rasa.delay = 30.0
    bot = await start_bot(rasa_url=fake_rasa.url, rasa_timeout=1.0)
    started = time.monotonic()
    (reply,) = await bot.say("hello?", timeout=30)
    took = time.monotonic() - started
    print(f"measured: apology for a slow Rasa after {took:.2f} s (timeout 1 s, Rasa answers at 30 s, bound 15 s)")
    assert reply["text"] == bot_text("rasa_down")
    assert 0.9 < took < 15  # the timeout was waited for, and the apology came long before Rasa's answer
    fake_rasa.delay = 0
    (reply,) = await bot.say("still there?")
    assert reply["text"] == "You said: still there?"
    await bot.shutdown()


async def test_rasa_errors_and_garbage_get_an_apology(bot: Any, fake_rasa: FakeRasa) -> None:
    fake_rasa.status = 500
    assert (await bot.say("one"))[0]["text"] == bot_text("rasa_down")
    fake_rasa.status = 200
    fake_rasa.responder = lambda body: {"not": "a list"}  # type: ignore[assignment, return-value]
    assert (await bot.say("two"))[0]["text"] == bot_text("rasa_down")
    fake_rasa.responder = lambda body: [{"text": "back to normal"}]
    assert (await bot.say("three"))[0]["text"] == "back to normal"


async def test_flood_limits_are_respected_by_retrying_after_the_wait(bot: Any, fake_tg: FakeTelegram) -> None:
    fake_tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    since = fake_tg.mark()
    fake_tg.send_text(CHAT, "hi")
    calls = await asyncio.to_thread(fake_tg.wait, "sendMessage", 2, since, 30.0)
    assert len(calls) == 2
    attempts = [c.at for c in fake_tg.calls[since:] if c.method == "sendMessage"]
    assert attempts[1] - attempts[0] >= 1.0
    assert fake_tg.texts(CHAT, since) == ["You said: hi"]


async def test_polling_survives_a_telegram_outage(bot: Any, fake_tg: FakeTelegram) -> None:
    fake_tg.fail_next("getUpdates", 502, "Bad Gateway")
    await bot.wait("getUpdates", count=2, since=fake_tg.mark(), timeout=30)
    (reply,) = await bot.say("are you there?", timeout=30)
    assert reply["text"] == "You said: are you there?"


async def test_a_failing_handler_is_logged_and_the_bot_apologises(
    bot: Any, fake_rasa: FakeRasa, fake_tg: FakeTelegram, caplog: Any
) -> None:
    fake_tg.fail_next("sendMessage", 400, "Bad Request: something unexpected")
    since = fake_tg.mark()
    fake_tg.send_text(CHAT, "hi")
    await asyncio.to_thread(fake_tg.wait, "sendMessage", 2, since)
    assert fake_tg.texts(CHAT, since) == [bot_text("something_wrong")]
    assert any("error while handling an update" in r.getMessage() for r in caplog.records)
    assert (await bot.say("again"))[0]["text"] == "You said: again"
