"""What Jujube says: one message catalog per language, read from knowledge/messages/."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from jujube.config import get_settings
from jujube.knowledge import SAFE_LOADER, KnowledgeError
from jujube.nlu.unspaced import UNSPACED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Messages:
    """The texts and buttons of one language."""

    language: str
    texts: dict[str, tuple[str, ...]]
    buttons: dict[str, dict[str, str]]
    pronouns: dict[str, dict[str, Any]] = field(default_factory=dict)
    assent: frozenset[str] = frozenset()
    farewell: tuple[str, ...] = ()
    script: str = ""  # a character class of the script this language is written in
    ordinals: dict[str, int] = field(default_factory=dict)  # words that pick a suggestion by position
    joiners: tuple[str, ...] = (",",)  # what joins the items of a list ("the first and the third")
    space: str = " "  # what goes between two sentences
    telegram: dict[str, str] = field(default_factory=dict)  # what the Telegram bot says on its own
    rehearsal: dict[str, str] = field(default_factory=dict)  # what the rehearsal coach says, its scorecard

    def parts(self, text: str) -> list[str]:
        """The items of a list the shopper wrote ("the first and the third" -> two parts)."""
        return re.split("|".join(re.escape(j) for j in sorted(self.joiners, key=len, reverse=True)), text)

    def says_goodbye(self, text: str) -> bool:
        """True when a message ends on a farewell ("none of those, thanks anyway, bye")."""
        tail = text.strip().lower().rstrip(".!?。！？～~ ")
        return any(tail.endswith(w) and (len(tail) == len(w) or not tail[-len(w) - 1].isalpha() or UNSPACED.match(w))
                   for w in self.farewell)

    def assents(self, text: str) -> bool:
        """True for a short yes ('ok', 'cool', 'sounds good')."""
        return text.strip().lower().strip(".!?。！？～~ ") in self.assent

    def position(self, text: str) -> Optional[int]:
        """Which suggestion a message picks by this language's ordinal words (0-based, -1 the last)."""
        hits = [(text.find(word), n) for word, n in self.ordinals.items() if word in text]
        return min(hits)[1] if hits else None

    def pronoun(self, recipient: Optional[str]) -> dict[str, str]:
        """Subject, object and verb form for a recipient ('she', 'her', 'does')."""
        other = self.pronouns.get("other", {"subject": "they", "object": "them", "verb": "do"})
        if not recipient:
            return other
        for group in self.pronouns.values():
            if recipient in group.get("recipients", ()):
                return group
        return other

    def text(self, key: str, avoid: str = "", **values: Any) -> str:
        """The message `key` filled with `values`; another variant if the first equals `avoid`."""
        variants = self.texts.get(key)
        if not variants:
            raise KnowledgeError(f"no message {key!r} for language {self.language!r}")
        out = variants[0].format(**values)
        if out == avoid and len(variants) > 1:
            out = variants[1].format(**values)
        return out

    def telegram_text(self, key: str, **values: Any) -> str:
        """The Telegram bot's own message `key` filled with `values`."""
        return self._section_text("telegram", self.telegram, key, values)

    def rehearsal_text(self, key: str, **values: Any) -> str:
        """The rehearsal coach's text `key` filled with `values`."""
        return self._section_text("rehearsal", self.rehearsal, key, values)

    def _section_text(self, section: str, texts: dict[str, str], key: str, values: dict[str, Any]) -> str:
        text = texts.get(key)
        if text is None:
            raise KnowledgeError(f"no {section} text {key!r} for language {self.language!r}")
        return text.format(**values)

    def telegram_count(self, key: str, count: int) -> str:
        """A counted thing ('1 need', '2 needs'): `key_one` for one when the language has it, else `key_other`."""
        one = f"{key}_one"
        return self.telegram_text(one if count == 1 and one in self.telegram else f"{key}_other", count=count)

    def button(self, key: str, **values: Any) -> dict[str, str]:
        """One button (title and payload) filled with `values`."""
        spec = self.buttons.get(key)
        if not spec:
            raise KnowledgeError(f"no button {key!r} for language {self.language!r}")
        return {"title": spec["title"].format(**values), "payload": spec["payload"].format(**values)}


def load_messages(path: Path) -> Messages:
    """Read one language's catalog."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read messages {path}: {exc}") from exc
    texts: dict[str, tuple[str, ...]] = {}
    for key, value in (raw.get("texts") or {}).items():
        variants = value if isinstance(value, list) else [value]
        texts[str(key)] = tuple(str(v) for v in variants)
    buttons = {str(k): {"title": str(v["title"]), "payload": str(v["payload"])}
               for k, v in (raw.get("buttons") or {}).items()}
    return Messages(language=str(raw.get("language") or path.stem), texts=texts, buttons=buttons,
                    pronouns=dict(raw.get("pronouns") or {}), script=str(raw.get("script") or ""),
                    ordinals={str(k): int(v) for k, v in (raw.get("ordinals") or {}).items()},
                    joiners=tuple(str(j) for j in raw.get("joiners") or (",",)),
                    space=str(raw.get("space", " ")),
                    assent=frozenset(str(a).lower() for a in raw.get("assent") or ()),
                    farewell=tuple(str(a).lower() for a in raw.get("farewell") or ()),
                    telegram={str(k): str(v) for k, v in (raw.get("telegram") or {}).items()},
                    rehearsal={str(k): str(v) for k, v in (raw.get("rehearsal") or {}).items()})


@lru_cache(maxsize=8)
def get_messages(language: Optional[str] = None) -> Messages:
    """The catalog for `language` (English when there is none for it)."""
    folder = get_settings().knowledge_dir / "messages"
    path = folder / f"{language or 'en'}.yml"
    if not path.is_file():
        path = folder / "en.yml"
    return load_messages(path)


@lru_cache(maxsize=1)
def languages() -> dict[str, re.Pattern[str]]:
    """Every language with a message catalog, and the script it is written in."""
    folder = get_settings().knowledge_dir / "messages"
    out = {}
    for path in sorted(folder.glob("*.yml")):
        msgs = get_messages(path.stem)
        if msgs.script and msgs.language == path.stem:
            out[msgs.language] = re.compile(msgs.script)
    return out


def words_in(pattern: re.Pattern[str], text: str) -> int:
    """How many words of a script a text holds: runs of letters, or characters in unspaced scripts."""
    chars = pattern.findall(text)
    if chars and UNSPACED.search("".join(chars)):
        return len(chars)
    return len(re.findall(f"(?:{pattern.pattern})+", text))


def language_of(text: str, scripts: Optional[dict[str, re.Pattern[str]]] = None) -> Optional[str]:
    """The language most of the message's words are in ("买点kiwi" is Chinese); None when none is."""
    counts = {lang: words_in(pattern, text) for lang, pattern in (scripts or languages()).items()}
    best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
    return best[0] if best[1] else None


def readable(text: str, scripts: Optional[dict[str, re.Pattern[str]]] = None) -> Optional[bool]:
    """True when most letters are in a script the shop speaks; None when the message has no letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    known = sum(1 for c in letters if any(p.match(c) for p in (scripts or languages()).values()))
    return known * 2 >= len(letters)


def reply_language(text: str, current: Optional[str], hint: Optional[str] = None) -> Optional[str]:
    """The language to answer in: the message's own; else the conversation's; else the channel's hint
    (Telegram's language_code, "zh-hans" -> "zh") when the shop speaks it."""
    said = language_of(text)
    if said or current:
        return said or current
    code = (hint or "").lower().split("-")[0].split("_")[0]
    return code if code in languages() else None
