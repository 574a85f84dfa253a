"""Webhook mode: registered with a secret token; updates without it are refused and never reach Rasa."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Optional

import httpx

from telegram_harness import CHAT, free_port
from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa

HOOK = "https://shop.example/telegram/hook"


def update(update_id: int, text: str, fake: FakeTelegram) -> dict[str, Any]:
    """A message update as Telegram would post it."""
    return {"update_id": update_id, "message": fake.message(CHAT, text)}


async def post(port: int, body: Any, secret: Optional[str], path: str = "/telegram/hook") -> httpx.Response:
    """Post like Telegram does (with the secret header when given)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with httpx.AsyncClient(timeout=10) as client:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await client.post(f"http://127.0.0.1:{port}{path}", content=data,
                                 headers={"Content-Type": "application/json", **headers})


async def test_webhook_is_registered_with_a_random_secret_and_checks_it(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    port = free_port()
    bot = await start_bot(rasa_url=fake_rasa.url, webhook_url=HOOK, webhook_port=port)
    secret = fake_tg.webhook["secret_token"]
    assert fake_tg.webhook["url"] == HOOK
    assert secret and len(secret) >= 32
    assert "callback_query" in fake_tg.webhook["allowed_updates"]

    for bad in (None, "", "wrong", secret[:-1], secret + "x"):
        response = await post(port, update(10, "sneaky", fake_tg), bad)
        assert response.status_code == 403, bad
    since = fake_tg.mark()
    response = await post(port, update(11, "Do you have dates?", fake_tg), secret)
    assert response.status_code == 200
    await bot.wait("sendMessage", since=since)
    assert fake_tg.texts(CHAT, since) == ["You said: Do you have dates?"]
    assert fake_rasa.messages() == ["Do you have dates?"]  # nothing of the refused ones
    assert fake_tg.sent("getUpdates") == []  # no polling in webhook mode
    await bot.shutdown()


async def test_webhook_refuses_malformed_requests(start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa) -> None:
    port = free_port()
    bot = await start_bot(rasa_url=fake_rasa.url, webhook_url=HOOK, webhook_port=port, webhook_secret="s3cret_-Token")
    assert fake_tg.webhook["secret_token"] == "s3cret_-Token"
    assert (await post(port, update(1, "x", fake_tg), "s3cret_-Token", path="/other")).status_code == 404
    for body in (b"{not json", {"no": "update id"}, b"x" * (2 * 1024 * 1024)):
        assert 400 <= (await post(port, body, "s3cret_-Token")).status_code < 600  # refused, never queued
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"http://127.0.0.1:{port}/telegram/hook",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_-Token"})
    assert response.status_code == 405
    await asyncio.sleep(0.2)
    assert fake_rasa.received == []
    assert fake_tg.sent("sendMessage") == []
    await bot.shutdown()


async def test_each_start_registers_a_new_secret_and_the_listener_closes_on_shutdown(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    port = free_port()
    bot = await start_bot(rasa_url=fake_rasa.url, webhook_url=HOOK, webhook_port=port)
    first = fake_tg.webhook["secret_token"]
    await bot.shutdown()
    try:
        await post(port, update(1, "x", fake_tg), first)
        raise AssertionError("the webhook listener is still open after shutdown")
    except httpx.ConnectError:
        pass
    bot = await start_bot(rasa_url=fake_rasa.url, webhook_url=HOOK, webhook_port=port)
    assert fake_tg.webhook["secret_token"] != first
    assert (await post(port, update(2, "x", fake_tg), first)).status_code == 403
    await bot.shutdown()


async def test_connections_without_a_request_leave_no_traceback(
    start_bot: Callable[..., Any], fake_tg: FakeTelegram, fake_rasa: FakeRasa, caplog: Any
) -> None:
    """Health checks and port scans open and close a connection without a request: nothing to log."""
    port = free_port()
    bot = await start_bot(rasa_url=fake_rasa.url, webhook_url=HOOK, webhook_port=port)
    for _ in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await writer.wait_closed()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n")  # a request cut short
        await writer.drain()
        writer.close()
    await asyncio.sleep(0.5)
    assert (await post(port, update(3, "still here", fake_tg), fake_tg.webhook["secret_token"])).status_code == 200
    await bot.shutdown()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
