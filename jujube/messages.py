"""What Jujube says: one message catalog per language, read from knowledge/messages/."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from jujube.config import get_settings
from jujube.knowledge import KnowledgeError

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

    def says_goodbye(self, text: str) -> bool:
        """True when a message ends on a farewell ("none of those, thanks anyway, bye")."""
        tail = text.strip().lower().rstrip(".!? ")
        return any(tail.endswith(w) and (len(tail) == len(w) or not tail[-len(w) - 1].isalpha())
                   for w in self.farewell)

    def assents(self, text: str) -> bool:
        """True for a short yes ('ok', 'cool', 'sounds good')."""
        return text.strip().lower().strip(".!? ") in self.assent

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

    def button(self, key: str, **values: Any) -> dict[str, str]:
        """One button (title and payload) filled with `values`."""
        spec = self.buttons.get(key)
        if not spec:
            raise KnowledgeError(f"no button {key!r} for language {self.language!r}")
        return {"title": spec["title"].format(**values), "payload": spec["payload"].format(**values)}


def load_messages(path: Path) -> Messages:
    """Read one language's catalog."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read messages {path}: {exc}") from exc
    texts: dict[str, tuple[str, ...]] = {}
    for key, value in (raw.get("texts") or {}).items():
        variants = value if isinstance(value, list) else [value]
        texts[str(key)] = tuple(str(v) for v in variants)
    buttons = {str(k): {"title": str(v["title"]), "payload": str(v["payload"])}
               for k, v in (raw.get("buttons") or {}).items()}
    return Messages(language=str(raw.get("language") or path.stem), texts=texts, buttons=buttons,
                    pronouns=dict(raw.get("pronouns") or {}),
                    assent=frozenset(str(a).lower() for a in raw.get("assent") or ()),
                    farewell=tuple(str(a).lower() for a in raw.get("farewell") or ()))


@lru_cache(maxsize=8)
def get_messages(language: Optional[str] = None) -> Messages:
    """The catalog for `language` (English when there is none for it)."""
    folder = get_settings().knowledge_dir / "messages"
    path = folder / f"{language or 'en'}.yml"
    if not path.is_file():
        path = folder / "en.yml"
    return load_messages(path)
