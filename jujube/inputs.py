"""Recognising messages the assistant cannot read: empty, emoji, other languages, gibberish."""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
_VOWELS = set("aeiouy")


def kind_of_message(text: str) -> str:
    """One of: empty, emoji, foreign, gibberish, text."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    letters = [c for c in stripped if c.isalpha()]
    if not letters:
        symbols = [c for c in stripped if not c.isspace()]
        if symbols and all(unicodedata.category(c).startswith("S") or c in "\u200d\ufe0f" for c in symbols):
            return "emoji"
        return "gibberish" if not re.search(r"\d", stripped) else "text"
    latin = sum(1 for c in letters if c.isascii())
    if latin / len(letters) < 0.5:
        return "foreign"
    words = re.findall(r"[a-z]+", stripped.lower())
    if words and all(len(w) >= 4 and (not _VOWELS & set(w) or re.search(r"[^aeiouy]{5,}", w)) for w in words):
        return "gibberish"
    return "text"


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """The first `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut[-100:] else cut
