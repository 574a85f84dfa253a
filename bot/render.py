"""Turning Rasa's bot messages into Telegram messages (pure functions, no I/O)."""
from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4096          # Telegram's limit, in UTF-16 code units after entity parsing
MAX_CALLBACK_DATA = 64      # bytes
MAX_BUTTON_TITLE = 64
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message to send: HTML text (with an optional keyboard) or a photo."""

    text: str = ""
    photo: Optional[str] = None
    keyboard: Optional[InlineKeyboardMarkup] = None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_point(text: str, limit: int) -> int:
    """Index of the longest prefix of `text` within `limit` UTF-16 units, preferring a natural break."""
    end, units = 0, 0
    for end, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
    else:
        return len(text)
    window = text[:end]
    for sep in ("\n\n", "\n", ". ", " "):
        at = window.rfind(sep)
        if at > end // 2:
            return at + len(sep)
    return end


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, at paragraph, line or word breaks."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            parts.append(rest)
            break
        cut = _cut_point(rest, limit)
        head = rest[:cut].rstrip()
        parts.append(head if head else rest[:cut])
        rest = rest[cut:].lstrip()
    return parts


def to_html(text: str) -> str:
    """Escape `text` for Telegram's HTML parse mode; `**bold**` becomes bold."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


class ButtonStore:
    """Maps Rasa button payloads to callback data of at most 64 bytes and back."""

    INLINE = "p:"
    HASHED = "h:"

    def __init__(self, capacity: int = 20000) -> None:
        self.capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """Callback data for `payload`: the payload itself if it fits, else a short digest."""
        inline = self.INLINE + payload
        if len(inline.encode("utf-8")) <= MAX_CALLBACK_DATA:
            return inline
        digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode("utf-8")).digest())[:22].decode()
        data = self.HASHED + digest
        self._payloads[data] = payload
        self._payloads.move_to_end(data)
        while len(self._payloads) > self.capacity:
            self._payloads.popitem(last=False)
        return data

    def decode(self, data: str) -> Optional[str]:
        """The payload behind callback data, or None when it is unknown (e.g. after a restart)."""
        if data.startswith(self.INLINE):
            return data[len(self.INLINE):]
        return self._payloads.get(data)

    @classmethod
    def owns(cls, data: str) -> bool:
        """Whether `data` was made by a ButtonStore."""
        return data.startswith((cls.INLINE, cls.HASHED))


def _title(button: dict[str, Any]) -> str:
    title = str(button.get("title") or button.get("payload") or "?").strip()
    return title if len(title) <= MAX_BUTTON_TITLE else title[: MAX_BUTTON_TITLE - 1] + "…"


def keyboard(buttons: Iterable[dict[str, Any]], store: ButtonStore) -> Optional[InlineKeyboardMarkup]:
    """An inline keyboard for Rasa buttons ({title, payload}); short titles share a row."""
    keys = [
        InlineKeyboardButton(_title(b), callback_data=store.encode(str(b.get("payload") or b.get("title") or "")))
        for b in buttons
        if isinstance(b, dict) and (b.get("payload") or b.get("title"))
    ]
    if not keys:
        return None
    longest = max(len(key.text) for key in keys)
    width = 1 if longest > 20 else 2 if longest > 10 else 3
    return InlineKeyboardMarkup([keys[i : i + width] for i in range(0, len(keys), width)])


def render(replies: Iterable[dict[str, Any]], store: ButtonStore, prompt: str) -> list[Outgoing]:
    """Telegram messages for Rasa's replies: text split under the limit, buttons on the last part (under
    `prompt` when a reply has buttons but no text), images."""
    out: list[Outgoing] = []
    for reply in replies:
        image = reply.get("image")
        if isinstance(image, str) and image.strip():
            out.append(Outgoing(photo=image.strip()))
        text = reply.get("text")
        text = text if isinstance(text, str) else ""
        attachment = reply.get("attachment")
        if isinstance(attachment, str) and attachment.strip():
            text = f"{text}\n{attachment.strip()}".strip()
        buttons = reply.get("buttons") or reply.get("quick_replies") or []
        markup = keyboard(buttons, store) if isinstance(buttons, list) else None
        parts = split_text(text) or ([prompt] if markup else [])
        for i, part in enumerate(parts):
            out.append(Outgoing(text=to_html(part), keyboard=markup if i == len(parts) - 1 else None))
        if not (parts or image):
            logger.debug("ignored a Rasa message with nothing to show: %s", sorted(reply))
    return out
