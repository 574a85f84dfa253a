"""What the handlers share: the Rasa client, button store, rehearsals, and sending helpers."""
from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Iterable, Optional

from telegram import Bot, Chat, Update, User
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.rasa_client import RasaClient
from bot.rehearsal import Rehearsals
from bot.render import ButtonStore, Outgoing, split_text
from jujube.messages import Messages, get_messages, reply_language

logger = logging.getLogger(__name__)

TYPING_EVERY = 4.5  # Telegram shows "typing…" for about 5 seconds
_TAG = re.compile(r"<[^>]+>")


def forget_in_needs_log(conversation_id: str) -> dict[str, int]:
    """Delete everything kept about a conversation (needs, transcript, events, rehearsals); returns the counts."""
    from jujube.db.store import forget_everywhere

    return forget_everywhere(conversation_id)


@dataclass
class Services:
    """Dependencies of the handlers, stored in `application.bot_data["services"]`."""

    rasa: RasaClient
    buttons: ButtonStore = field(default_factory=ButtonStore)
    rehearsals: Rehearsals = field(default_factory=Rehearsals)
    forget: Callable[[str], dict[str, int]] = forget_in_needs_log
    _locks: "weakref.WeakValueDictionary[int, asyncio.Lock]" = field(default_factory=weakref.WeakValueDictionary)

    def lock(self, chat_id: int) -> asyncio.Lock:
        """The lock that keeps one chat's messages in order."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock

    async def aclose(self) -> None:
        """Release network resources."""
        await self.rasa.aclose()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The Services of the running application."""
    return context.application.bot_data["services"]


def sender_id(chat: Chat) -> str:
    """Rasa sender id (and needs-log conversation id) of a chat."""
    return f"tg:{chat.id}"


def trainee_id(user: Optional[User], chat: Chat) -> str:
    """Rehearsal trainee id of a Telegram user."""
    return f"tg:{user.id if user else chat.id}"


def language(user: Optional[User]) -> Optional[str]:
    """The user's language code as Telegram reports it."""
    return user.language_code if user and user.language_code else None


def words_of(update: object) -> str:
    """The words of an update's message: the user's text or caption (a command's words are not the user's
    language), or, for a button tap, the text of the message the button belongs to."""
    message = update.effective_message if isinstance(update, Update) else None
    if message is None:
        return ""
    text = getattr(message, "text", None) or getattr(message, "caption", None) or ""
    return "" if text.startswith("/") else text


def texts_for(update: object) -> Messages:
    """The catalog to answer an update from: the language of its words, else the user's Telegram language,
    else English."""
    user = update.effective_user if isinstance(update, Update) else None
    return get_messages(reply_language(words_of(update), None, language(user)))


def text_for(update: object, key: str, **values: Any) -> str:
    """The bot's own message `key` in the language of `update`."""
    return texts_for(update).telegram_text(key, **values)


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends."""

    done = asyncio.Event()

    async def keep_typing() -> None:
        while not done.is_set():
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING, read_timeout=TYPING_EVERY)
            except TelegramError as exc:
                logger.debug("typing indicator failed in chat %s: %s", chat_id, exc)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        task.cancel()
        # never let the indicator hold up the reply; it ends on its own once `done` is seen
        await asyncio.wait({task}, timeout=1.0)


def plain(text_html: str) -> str:
    """The visible text of a message rendered by `render.to_html`."""
    return html.unescape(_TAG.sub("", text_html))


async def deliver(bot: Bot, chat_id: int, items: Iterable[Outgoing]) -> int:
    """Send rendered messages in order; returns how many were sent."""
    sent = 0
    for item in items:
        if item.photo:
            try:
                await bot.send_photo(chat_id, item.photo)
                sent += 1
                continue
            except TelegramError as exc:
                logger.warning("could not send image %s to chat %s: %s", item.photo, chat_id, exc)
                item = Outgoing(text=html.escape(item.photo, quote=False))
        try:
            await bot.send_message(chat_id, item.text, parse_mode=ParseMode.HTML, reply_markup=item.keyboard)
        except BadRequest as exc:
            if "parse" not in str(exc).lower():
                raise
            logger.warning("Telegram could not parse a reply, sending it as plain text: %s", exc)
            await bot.send_message(chat_id, plain(item.text), reply_markup=item.keyboard)
        sent += 1
    return sent


async def say(bot: Bot, chat_id: int, *lines: str, keyboard: Any = None) -> None:
    """Send plain-text lines (one message each, long ones split); the keyboard goes on the last."""
    texts = [part for line in lines if line for part in split_text(line)]
    for i, text in enumerate(texts):
        await bot.send_message(chat_id, text, reply_markup=keyboard if i == len(texts) - 1 else None)
