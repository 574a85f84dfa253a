"""Recognising messages the assistant cannot read: empty, emoji, other languages, gibberish."""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Optional

from jujube.nlu.unspaced import UNSPACED, UNSPACED_RUN

MAX_CHARS = 2000
_VOWELS = set("aeiouy")


def kind_of_message(text: str, known_script: Optional[Callable[[str], Optional[bool]]] = None) -> str:
    """One of: empty, emoji, foreign, gibberish, text (`known_script` tells whether the letters are readable)."""
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
    if (known_script(stripped) is False) if known_script else latin / len(letters) < 0.5:
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


_ORDINALS = {"first": 0, "1st": 0, "1": 0, "second": 1, "2nd": 1, "2": 1, "third": 2, "3rd": 2, "3": 2, "last": -1}
_ORDINAL_RE = re.compile(r"\b(?:the )?(first|second|third|last|1st|2nd|3rd)\b|(?:number|option|no\.?|#)\s*([1-3])\b",
                         re.IGNORECASE)


def chosen_position(text: str) -> int | None:
    """Which suggestion the shopper picked by position (0-based, -1 for the last), if any."""
    m = _ORDINAL_RE.search(text)
    if not m:
        return None
    return _ORDINALS[(m.group(1) or m.group(2)).lower()]


def length_in_words(text: str) -> int:
    """Roughly how many words a message has, counting about two characters as a word in unspaced scripts."""
    spaced = len(re.findall(r"[^\W_]+", UNSPACED_RUN.sub(" ", text)))
    return spaced + len(UNSPACED.findall(text)) // 2
