"""The shop's everyday answers and what it does not sell (knowledge/shop.yml)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional


from jujube.config import get_settings
from jujube.knowledge import KnowledgeError, read_yaml
from jujube.nlu.unspaced import UNSPACED


def phrase_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of `patterns` as whole words (as substrings in unspaced scripts)."""
    ordered = sorted((p.lower() for p in patterns if p), key=len, reverse=True)
    alts = [re.escape(p) if UNSPACED.search(p) else r"(?<![\w-])" + re.escape(p) + r"(?![\w-])" for p in ordered]
    return re.compile("|".join(alts) or "(?!x)x", re.IGNORECASE)


@dataclass(frozen=True)
class InfoTopic:
    """A question shoppers ask a shop assistant, and the shop's answer (in other languages too)."""

    key: str
    regex: re.Pattern[str]
    answer: str
    answers: dict[str, str] = field(default_factory=dict)  # language -> answer

    def answer_in(self, language: Optional[str]) -> str:
        """The answer in `language` (the shop's own when there is none)."""
        return self.answers.get(language or "", self.answer)


@dataclass(frozen=True)
class NotSold:
    """A kind of thing the shop does not sell, and sections that may serve the same need."""

    key: str
    regex: re.Pattern[str]
    alternative: tuple[str, ...]
    name: str = ""
    names: dict[str, str] = field(default_factory=dict)  # language -> name

    def name_in(self, language: Optional[str]) -> str:
        """What the shop calls it in `language`."""
        return self.names.get(language or "", self.name)


@dataclass(frozen=True)
class Shop:
    """Answers, storage notes and the range's limits."""

    name: str
    info: tuple[InfoTopic, ...]
    storage: dict[str, str]
    not_sold: tuple[NotSold, ...]
    storage_by_language: dict[str, dict[str, str]] = field(default_factory=dict)
    popular: tuple[str, ...] = ()  # best sellers (skus), offered when a shopper cannot say what they need

    def storage_note(self, section: str, language: Optional[str]) -> Optional[str]:
        """How to keep a section's products, in `language` when the shop has it."""
        return self.storage_by_language.get(language or "", {}).get(section) or self.storage.get(section)

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
    """Read and check knowledge/shop.yml, with the other languages' overlays (knowledge/zh/shop.yml)."""
    raw = read_yaml(path)
    overlays = {sub.name: read_yaml(sub / "shop.yml") for sub in sorted(path.parent.iterdir())
                if sub.is_dir() and (sub / "shop.yml").is_file()}

    def more(group: str, key: str, field_name: str) -> dict[str, Any]:
        return {lang: (o.get(group) or {}).get(key, {}).get(field_name) for lang, o in overlays.items()
                if (o.get(group) or {}).get(key, {}).get(field_name)}

    def words(e: dict[str, Any], group: str) -> tuple[str, ...]:
        extra = [str(w).lower() for ws in more(group, str(e["key"]), "patterns").values() for w in ws]
        return _patterns(e, group) + tuple(extra)

    info = tuple(InfoTopic(str(e["key"]), phrase_regex(words(e, "info")), str(e.get("answer") or ""),
                           {k: str(v) for k, v in more("info", str(e["key"]), "answer").items()})
                 for e in raw.get("info") or [])
    not_sold = tuple(NotSold(str(e["key"]), phrase_regex(words(e, "not_sold")),
                             tuple(str(s) for s in e.get("alternative") or ()), str(e.get("name") or e["key"]),
                             {k: str(v) for k, v in more("not_sold", str(e["key"]), "name").items()})
                     for e in raw.get("not_sold") or [])
    storage = {str(k): str(v) for k, v in (raw.get("storage") or {}).items()}
    by_language = {lang: {str(k): str(v) for k, v in (o.get("storage") or {}).items()} for lang, o in overlays.items()}
    return Shop(name=str(raw.get("name") or "the shop"), info=info, storage=storage, not_sold=not_sold,
                storage_by_language=by_language, popular=tuple(str(s) for s in raw.get("popular") or ()))


@lru_cache(maxsize=1)
def get_shop() -> Shop:
    """The shop's info, loaded once per process."""
    return load_shop(get_settings().knowledge_dir / "shop.yml")
