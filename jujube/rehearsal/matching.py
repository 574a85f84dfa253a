"""Finding products named in what a trainee says, and judging how well they fit a customer's hidden need."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from jujube.knowledge import language_overlays
from jujube.nlu.unspaced import UNSPACED

logger = logging.getLogger(__name__)

GRADES = ("good", "acceptable", "off", "poor")  # best first
# A word of a spaced script, or one character of an unspaced one (酸枣 is 酸 + 枣, matched in order).
_TOKEN = re.compile(r"[a-z0-9]+|" + UNSPACED.pattern, re.IGNORECASE)
PRODUCT_PLACEHOLDER = "product"
_KEEP_S = frozenset({"this", "his", "yes", "was", "has", "does", "tennis", "analysis", "christmas"})
_PAREN = re.compile(r"\([^)]*\)")
MODIFIER_WINDOW = 3


def singular(word: str) -> str:
    """A crude singular of an English word (dates -> date, cherries -> cherry, boxes -> box)."""
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ie"):  # cookie and cookies share one form
        return word[:-2] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "oes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("us") and word not in _KEEP_S:
        return word[:-1]
    return word


def short_name(name: str) -> str:
    """A product name without its parenthesised pack size: "Chamomile tea (20 bags)" -> "Chamomile tea"."""
    return " ".join(_PAREN.sub(" ", name).split())


def tokens(text: str) -> tuple[str, ...]:
    """Lowercase singular word tokens (hyphens split words: sugar-free -> sugar free)."""
    return tuple(singular(t.lower()) for t in _TOKEN.findall(text))


def _token_spans(text: str) -> list[tuple[str, int, int]]:
    return [(singular(m.group().lower()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def contains_phrase(text: str, phrase: str) -> bool:
    """True when the words of `phrase` occur in order and adjacent in `text`."""
    hay, needle = tokens(text), tokens(phrase)
    n = len(needle)
    return n > 0 and any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


@dataclass(frozen=True)
class CatalogProduct:
    """What the coach needs to know about a product of the shop's catalog."""

    sku: str
    name: str
    kinds: tuple[str, ...]
    tags: frozenset[str]
    price: float | None = None
    aliases: tuple[str, ...] = ()  # its names and kinds in other languages (knowledge/<language>/catalog.yml)


def load_catalog(path: Path) -> list[CatalogProduct]:
    """The catalog's products; an empty list (with a warning) when the file is missing."""
    if not path.is_file():
        logger.warning("catalog %s not found: rehearsal products are matched by their names only", path)
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    aliases = _aliases(path)
    out = []
    for entry in raw.get("products") or []:
        if not isinstance(entry, dict) or not entry.get("sku"):
            continue
        tags = {str(t).lower() for t in entry.get("tags") or []} | {str(t).lower() for t in entry.get("allergens") or []}
        price = entry.get("price")
        out.append(CatalogProduct(
            sku=str(entry["sku"]),
            name=str(entry.get("name") or entry["sku"]),
            kinds=tuple(str(k) for k in entry.get("kinds") or ()),
            tags=frozenset(tags),
            price=float(price) if isinstance(price, (int, float)) else None,
            aliases=aliases.get(str(entry["sku"]), ()),
        ))
    return out


def _aliases(path: Path) -> dict[str, tuple[str, ...]]:
    """Sku -> names and kinds in other languages, from the overlays next to the catalog (knowledge/zh/catalog.yml)."""
    out: dict[str, tuple[str, ...]] = {}
    for raw in language_overlays(path.parent, path.name).values():
        for sku, entry in (raw.get("products") or {}).items():
            if isinstance(entry, dict):
                words = [entry.get("name"), *(entry.get("kinds") or ())]
                out[str(sku)] = out.get(str(sku), ()) + tuple(str(w) for w in words if w)
    return out


@dataclass(frozen=True)
class Mention:
    """A product (or a product word of the persona) the trainee named, with its fit."""

    phrase: str
    label: str
    grade: str
    sku: str | None = None
    price: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the database."""
        return {"phrase": self.phrase, "label": self.label, "grade": self.grade, "sku": self.sku,
                "price": self.price, "note": self.note}


class ProductIndex:
    """Phrase look-up over catalog products plus extra words (the personas' product references)."""

    def __init__(self, catalog: Iterable[CatalogProduct], extra_words: Iterable[str] = ()) -> None:
        self.products = list(catalog)
        self.by_sku = {p.sku: p for p in self.products}
        self.phrases: dict[tuple[str, ...], list[CatalogProduct | str]] = {}
        self.words_of: dict[str, set[str]] = {}
        for p in self.products:
            for phrase in (*p.kinds, p.name, short_name(p.name), *p.aliases):
                self._add(phrase, p)
            self.words_of[p.sku] = set(tokens(p.name)) | {w for tag in p.tags for w in tokens(tag)}
        for word in extra_words:
            if word not in self.by_sku:
                self._add(word, word)
        self.longest = max((len(k) for k in self.phrases), default=0)

    def _add(self, phrase: str, target: CatalogProduct | str) -> None:
        key = tokens(phrase)
        if key:
            targets = self.phrases.setdefault(key, [])
            if target not in targets:
                targets.append(target)

    def of_kind(self, word: str) -> list[CatalogProduct]:
        """Catalog products a word refers to (a sku, a kind or a name)."""
        if word in self.by_sku:
            return [self.by_sku[word]]
        return [t for t in self.phrases.get(tokens(word), []) if isinstance(t, CatalogProduct)]

    def _matches(self, toks: tuple[str, ...]) -> list[tuple[int, int, set[str]]]:
        """(start, end, modifiers) of product phrases in a token list, longest first, no overlaps."""
        out = []
        i = prev_end = 0
        while i < len(toks):
            for n in range(min(self.longest, len(toks) - i), 0, -1):
                if toks[i:i + n] in self.phrases:
                    out.append((i, i + n, set(toks[max(prev_end, i - MODIFIER_WINDOW):i])))
                    i = prev_end = i + n
                    break
            else:
                i += 1
        return out

    def find(self, text: str) -> list[tuple[str, list[CatalogProduct | str]]]:
        """Phrases of `text` that name products, longest match first, without overlaps.

        When a phrase names several products ("mooncakes"), the words just before it
        ("sugar-free mooncakes") keep only the products whose name or tags carry them.
        """
        toks = tokens(text)
        found = []
        for start, end, modifiers in self._matches(toks):
            key = toks[start:end]
            found.append((" ".join(key), self._narrow(self.phrases[key], modifiers)))
        return found

    def mask(self, text: str) -> str:
        """The text with every product phrase replaced by a placeholder ("how about product?")."""
        spans = _token_spans(text)
        toks = tuple(t for t, _, _ in spans)
        out, pos = [], 0
        for start, end, _ in self._matches(toks):
            out.append(text[pos:spans[start][1]])
            out.append(PRODUCT_PLACEHOLDER)
            pos = spans[end - 1][2]
        out.append(text[pos:])
        return "".join(out)

    def _narrow(self, targets: list[CatalogProduct | str], modifiers: set[str]) -> list[CatalogProduct | str]:
        products = [t for t in targets if isinstance(t, CatalogProduct)]
        if len(products) < 2 or not modifiers:
            return targets
        overlap = {p.sku: len(modifiers & self.words_of[p.sku]) for p in products}
        best = max(overlap.values())
        if best == 0:
            return targets
        return [t for t in targets if not isinstance(t, CatalogProduct) or overlap[t.sku] == best]


def overall_fit(grades: Iterable[str]) -> str:
    """Fit of a whole recommendation: good, acceptable, poor, or none (no product recognised)."""
    gs = set(grades)
    if not gs:
        return "none"
    if "good" in gs and "poor" not in gs:
        return "good"
    if "good" in gs or "acceptable" in gs:
        return "acceptable"
    return "poor"
