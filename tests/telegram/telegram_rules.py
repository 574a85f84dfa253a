"""Telegram's validation rules that the fake Bot API enforces (HTML, keyboards, commands, secrets)."""
from __future__ import annotations

import html
import re
from typing import Any, Optional

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "span", "blockquote", "tg-emoji"}
_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>|&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);|[<&]")


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: Optional[int] = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def check_html(text: str) -> str:
    """The visible text of an HTML-mode message; raises like Telegram on bad markup."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos:match.start()])
        pos = match.end()
        offset = len(text[:match.start()].encode())
        if match.group(2):
            closing, tag = match.group(1) == "/", match.group(2).lower()
            if tag not in ALLOWED_TAGS:
                raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}" at byte offset {offset}')
            if not closing:
                stack.append(tag)
            elif not stack or stack.pop() != tag:
                raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag at byte offset {offset}')
        elif match.group(4):
            out.append(html.unescape(match.group(0)))
        else:
            raise ApiError(400, f"Bad Request: can't parse entities: Unclosed start tag at byte offset {offset}")
    out.append(text[pos:])
    if stack:
        raise ApiError(400, f'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def check_reply_markup(markup: Any) -> Optional[dict[str, Any]]:
    """The inline keyboard as stored; raises like Telegram on invalid buttons."""
    if not markup:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup["inline_keyboard"]:
        if not isinstance(row, list):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for button in row:
            if not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is None and not button.get("url"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                    "InlineKeyboardButton must have exactly one of the optional fields")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def check_commands(commands: Any) -> list[dict[str, Any]]:
    """The bot's command list; raises like Telegram on invalid names or descriptions."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "Bad Request: commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: command description is empty or too long")
    return commands


def check_secret(secret: str) -> None:
    """Raises like Telegram when a webhook secret token is not allowed."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
