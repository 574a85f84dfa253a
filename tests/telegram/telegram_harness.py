"""Shared pieces of the Telegram tests: the test chat, free ports, and a handle on a running bot."""
from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.config import BotSettings
from bot.services import Services
from fake_bot_api import FakeTelegram
from jujube.messages import get_messages

CHAT = 4242
WAIT = 30.0  # seconds any single wait may take before a test fails; generous for loaded machines


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningBot:
    """The bot running in this event loop against the fakes."""

    tg: FakeTelegram
    settings: BotSettings
    services: Services
    stop: asyncio.Event
    task: "asyncio.Task[Any]"
    deleted: list[str] = field(default_factory=list)

    async def shutdown(self, timeout: float = 2 * WAIT) -> None:
        """Stop the bot and wait for it to finish."""
        self.stop.set()
        await asyncio.wait_for(self.task, timeout)

    async def say(self, text: str, chat_id: int = CHAT, count: int = 1, timeout: float = WAIT, **kwargs: Any) -> list[dict[str, Any]]:
        """Send `text` as a user and wait for `count` messages back; returns their params."""
        since = self.tg.mark()
        self.tg.send_text(chat_id, text, **kwargs)
        where: Callable[[dict[str, Any]], bool] = lambda p: int(p["chat_id"]) == chat_id
        return await asyncio.to_thread(self.tg.wait, "sendMessage", count, since, timeout, where)

    async def wait(self, method: str, count: int = 1, since: int = 0, timeout: float = WAIT) -> list[dict[str, Any]]:
        """Wait (without blocking the bot) for calls the bot makes."""
        return await asyncio.to_thread(self.tg.wait, method, count, since, timeout)


def bot_text(key: str, language: str = "en", **values: Any) -> str:
    """What the bot says by itself for `key`, read from the message catalog of `language`."""
    return get_messages(language).telegram_text(key, **values)
