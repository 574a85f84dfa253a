"""The shop's everyday answers and what it does not sell (knowledge/shop.yml)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from jujube.config import get_settings
from jujube.knowledge import KnowledgeError


def phrase_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of `patterns` as whole words."""
    alts = sorted((re.escape(p.lower()) for p in patterns if p), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class InfoTopic:
    """A question shoppers ask a shop assistant, and the shop's answer."""

    key: str
    regex: re.Pattern[str]
    answer: str


@dataclass(frozen=True)
class NotSold:
    """A kind of thing the shop does not sell, and sections that may serve the same need."""

    key: str
    regex: re.Pattern[str]
    alternative: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class Shop:
    """Answers, storage notes and the range's limits."""

    name: str
    info: tuple[InfoTopic, ...]
    storage: dict[str, str]
    not_sold: tuple[NotSold, ...]

    def answer(self, text: str) -> Optional[InfoTopic]:
        """The first topic whose words appear in `text`."""
        hits = [(m.start(), t) for t in self.info for m in [t.regex.search(text)] if m]
        return min(hits, key=lambda h: h[0])[1] if hits else None

    def outside_range(self, text: str, taken: list[tuple[int, int]] = ()) -> Optional[tuple[NotSold, str]]:
        """What the shopper asked for that the shop does not sell, in their words (spans in `taken` don't count)."""
        for item in self.not_sold:
            for m in item.regex.finditer(text):
                if not any(m.start() < e and s < m.end() for s, e in taken):
                    return item, m.group(0).lower()
        return None


def _patterns(entry: dict[str, Any], where: str) -> tuple[str, ...]:
    pats = tuple(str(p).lower() for p in entry.get("patterns") or ())
    if not entry.get("key") or not pats:
        raise KnowledgeError(f"shop.yml {where}: every entry needs a key and patterns: {entry!r}")
    return pats


def load_shop(path: Path) -> Shop:
    """Read and check knowledge/shop.yml."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read {path}: {exc}") from exc
    info = tuple(InfoTopic(str(e["key"]), phrase_regex(_patterns(e, "info")), str(e.get("answer") or ""))
                 for e in raw.get("info") or [])
    not_sold = tuple(NotSold(str(e["key"]), phrase_regex(_patterns(e, "not_sold")),
                             tuple(str(s) for s in e.get("alternative") or ()), str(e.get("name") or e["key"]))
                     for e in raw.get("not_sold") or [])
    storage = {str(k): str(v) for k, v in (raw.get("storage") or {}).items()}
    return Shop(name=str(raw.get("name") or "the shop"), info=info, storage=storage, not_sold=not_sold)


@lru_cache(maxsize=1)
def get_shop() -> Shop:
    """The shop's info, loaded once per process."""
    return load_shop(get_settings().knowledge_dir / "shop.yml")
