"""Fixtures of the Telegram tests: a fake Bot API, a fake Rasa, and the real bot between them."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import build_application, serve  # noqa: E402
from bot.config import BotSettings  # noqa: E402
from bot.rasa_client import RasaClient  # noqa: E402
from bot.rehearsal import Rehearsals  # noqa: E402
from bot.services import Services  # noqa: E402
from fake_bot_api import FakeTelegram  # noqa: E402
from fake_rasa import FakeRasa  # noqa: E402
from telegram_harness import RunningBot  # noqa: E402

START_WITHIN = 60  # seconds; generous, so a loaded machine does not fail the start


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of tests that need the trained model and real servers."""
    config.addinivalue_line("markers", "e2e: end to end with a real Rasa server (needs models/jujube.tar.gz)")


@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API server."""
    fake = FakeTelegram().start()
    yield fake
    fake.close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    """A fake Rasa REST channel."""
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture
async def start_bot(fake_tg: FakeTelegram) -> AsyncIterator[Callable[..., Any]]:
    """Start the real bot against the fake Bot API: `await start_bot(rasa_url=..., rehearsal=..., ...)`."""
    running: list[RunningBot] = []

    async def start(
        rasa_url: str = "http://127.0.0.1:9",
        rasa_timeout: float = 10.0,
        rehearsal: Optional[Any] = None,
        forget: Optional[Callable[[str], dict[str, int]]] = None,
        webhook_url: Optional[str] = None,
        webhook_port: int = 8443,
        webhook_secret: Optional[str] = None,
    ) -> RunningBot:
        settings = BotSettings(
            token=fake_tg.token, api_base_url=fake_tg.url, rasa_url=rasa_url, rasa_timeout=rasa_timeout,
            poll_timeout=1.0, webhook_url=webhook_url, webhook_port=webhook_port, webhook_secret=webhook_secret,
        )
        deleted: list[str] = []

        def default_forget(conversation_id: str) -> dict[str, int]:
            deleted.append(conversation_id)
            return {"conversations": 0, "needs": 0, "messages": 0}

        svc = Services(
            rasa=RasaClient(settings.rasa_url, settings.rasa_timeout),
            rehearsals=Rehearsals(service=rehearsal) if rehearsal is not None else Rehearsals(loader=lambda: None),
            forget=forget or default_forget,
        )
        app = build_application(settings, svc)
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(app, settings, stop, ready))
        waiter = asyncio.ensure_future(ready.wait())
        done, _ = await asyncio.wait({task, waiter}, timeout=START_WITHIN, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if task in done:
            task.result()  # raises what went wrong
        assert ready.is_set(), f"the bot did not start within {START_WITHIN} s"
        bot = RunningBot(fake_tg, settings, svc, stop, task, deleted)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        if not bot.task.done():
            await bot.shutdown()


@pytest.fixture
async def bot(start_bot: Callable[..., Any], fake_rasa: FakeRasa) -> AsyncIterator[RunningBot]:
    """The bot in polling mode talking to the fake Rasa."""
    running = await start_bot(rasa_url=fake_rasa.url)
    yield running
    await running.shutdown()
