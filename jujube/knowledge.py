"""Loading the shop's knowledge files: the catalog and the needs lexicon."""
from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from jujube import JujubeError
from jujube.config import get_settings

logger = logging.getLogger(__name__)

DIMENSIONS = ("functional", "formal", "emotional")
PREFERENCE_ENTITIES = ("taste", "texture", "quality")


class KnowledgeError(JujubeError):
    """A knowledge file is missing or malformed."""


@dataclass(frozen=True)
class NeedItem:
    """One need on one dimension, with the product tags that serve or rule it out."""

    text: str
    prefer: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """Something a shopper can say that implies needs: a situation, recipient, occasion or preference."""

    key: str
    entity: str  # situation | recipient | occasion | taste | texture | quality
    patterns: tuple[str, ...]
    needs: dict[str, tuple[NeedItem, ...]]
    summary: str = ""
    hints: tuple[str, ...] = ()
    group: str = ""
    gift: bool = False
    recipient: str = ""  # who an occasion is usually for, when the shopper does not say (anniversary: partner)
    ages: tuple[int, ...] = ()  # a recipient's age range, for "my 4-year-old"
    skip_questions: tuple[str, ...] = ()  # discovery topics not worth asking about for this need

    def items(self) -> Iterable[tuple[str, NeedItem]]:
        """(dimension, need) pairs of this concept."""
        for dim in DIMENSIONS:
            for item in self.needs.get(dim, ()):
                yield dim, item

    @property
    def prefer_tags(self) -> set[str]:
        """Every tag this concept prefers."""
        return {t for _, item in self.items() for t in item.prefer}

    @property
    def avoid_tags(self) -> set[str]:
        """Every tag this concept rules out."""
        return {t for _, item in self.items() for t in item.avoid}


@dataclass(frozen=True)
class Product:
    """One product of the catalog."""

    sku: str
    name: str
    section: str
    price: float
    unit: str
    kinds: tuple[str, ...]
    tags: frozenset[str]
    origin: str = ""
    allergens: tuple[str, ...] = ()
    sugar: str = "medium"
    reason: str = ""


@dataclass(frozen=True)
class GiftTaboo:
    """Products many recipients take as an unlucky present, and why."""

    kinds: tuple[str, ...]
    tags: tuple[str, ...]
    reason: str
    cultures: tuple[str, ...] = ()  # empty: anyone
    recipients: tuple[str, ...] = ()  # empty: anyone
    when: tuple[str, ...] = ()  # emotions or occasions it is limited to (empty: always)
    unless: tuple[str, ...] = ()  # emotions or occasions where it does not apply

    def applies(self, product: Product) -> bool:
        """True when `product` is one of the taboo things."""
        return bool(set(self.kinds) & set(product.kinds) or set(self.tags) & product.tags)

    def holds_for(self, cultures: Iterable[str], recipient: str, context: Iterable[str]) -> bool:
        """True when the taboo matters for this purchase: the recipient's culture, who, and what for."""
        context = set(context)
        if self.cultures and not set(self.cultures) & set(cultures):
            return False
        if self.recipients and recipient not in self.recipients:
            return False
        if self.when and not set(self.when) & context:
            return False
        return not set(self.unless) & context


@dataclass(frozen=True)
class Section:
    """A section of the shop and the words shoppers use for it."""

    name: str
    aliases: tuple[str, ...]
    includes: tuple[str, ...] = ()  # other sections that also hold what this one's words mean


@dataclass
class Knowledge:
    """Catalog and lexicon together, with look-ups the discovery needs."""

    currency: str
    currency_symbol: str
    sections: list[Section]
    products: list[Product]
    concepts: dict[tuple[str, str], Concept]
    negations: tuple[str, ...]
    taboos: tuple[GiftTaboo, ...] = ()
    customer_cultures: tuple[str, ...] = ()  # whose gift customs hold unless the shopper says otherwise
    filler_words: frozenset[str] = frozenset()  # words that say nothing about a need
    self_words: frozenset[str] = frozenset()  # "my voice", "my sleep": the speaker's own, not someone else
    by_sku: dict[str, Product] = field(default_factory=dict)
    by_kind: dict[str, list[Product]] = field(default_factory=dict)
    by_head: dict[str, list[Product]] = field(default_factory=dict)  # "biscuits" -> the "rice biscuits"
    _kind_cache: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # pure per-product results, kept for speed
    section_by_alias: dict[str, str] = field(default_factory=dict)
    specificity: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_sku = {p.sku: p for p in self.products}
        counts = Counter(t for p in self.products for t in p.tags)
        n = max(len(self.products), 2)
        self.specificity = {t: max(math.log(n / c) / math.log(n), 0.05) for t, c in counts.items()}
        for p in self.products:
            for kind in p.kinds:
                self.by_kind.setdefault(kind.lower(), []).append(p)
                head = kind.lower().rsplit(" ", 1)[-1]
                if head != kind.lower() and p not in self.by_head.setdefault(head, []):
                    self.by_head[head].append(p)
        for s in self.sections:
            self.section_by_alias[s.name.lower()] = s.name
            for alias in s.aliases:
                self.section_by_alias[alias.lower()] = s.name

    def tag_weight(self, tag: str) -> float:
        """How much a tag tells products apart: near 1 for a rare tag, near 0 for one most products carry."""
        return self.specificity.get(tag, 1.0)

    def concept(self, entity: str, key: str) -> Concept | None:
        """The concept named `key` of an entity type, if any."""
        return self.concepts.get((entity, key.lower()))

    def of_entity(self, entity: str) -> list[Concept]:
        """All concepts of one entity type."""
        return [c for (e, _), c in self.concepts.items() if e == entity]

    def products_of_kind(self, word: str) -> list[Product]:
        """Products a shopper means by `word` (a kind, singular or plural; "biscuits" takes in "rice biscuits")."""
        w = word.lower().strip()
        for cand in (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w, w + "s"):
            if cand in self.by_kind:
                return self.by_kind[cand] + [p for p in self.by_head.get(cand, []) if p not in self.by_kind[cand]]
        return []

    def is_kind(self, product: Product, kinds: Iterable[str]) -> bool:
        """True when `product` is one of the kinds a shopper named."""
        return product.sku in self.kind_skus(tuple(kinds))

    def taboo_skus(self, taboo: GiftTaboo) -> frozenset[str]:
        """The products a gift custom rules out (cached)."""
        found = self.memo.get(taboo)
        if found is None:
            found = self.memo[taboo] = frozenset(p.sku for p in self.products if taboo.applies(p))
        return found

    def kind_skus(self, kinds: tuple[str, ...]) -> frozenset[str]:
        """The products of any of the named kinds, by sku (cached: ranking asks this for every product)."""
        found = self._kind_cache.get(kinds)
        if found is None:
            found = frozenset(p.sku for k in kinds for p in self.products_of_kind(k))
            if len(self._kind_cache) > 4096:
                self._kind_cache.clear()
            self._kind_cache[kinds] = found
        return found

    def covered(self, sections: Iterable[str]) -> set[str]:
        """The sections a shopper's words cover: the named ones and the sections they include."""
        out = set(sections)
        for s in self.sections:
            if s.name in out:
                out.update(s.includes)
        return out

    def section_of(self, word: str) -> str | None:
        """The section a shopper means by `word`, if any."""
        w = word.lower().strip()
        return self.section_by_alias.get(w) or self.section_by_alias.get(w.rstrip("s"))

    def price(self, amount: float) -> str:
        """A price as shoppers read it."""
        text = f"{amount:.2f}".rstrip("0").rstrip(".")
        return f"{self.currency_symbol}{text}"


def _items(raw: Any, where: str) -> tuple[NeedItem, ...]:
    out = []
    for entry in raw or []:
        if isinstance(entry, str):
            out.append(NeedItem(text=entry))
        elif isinstance(entry, dict) and entry.get("text"):
            out.append(NeedItem(
                text=str(entry["text"]),
                prefer=tuple(str(t) for t in entry.get("prefer") or ()),
                avoid=tuple(str(t) for t in entry.get("avoid") or ()),
            ))
        else:
            raise KnowledgeError(f"{where}: a need needs a 'text': {entry!r}")
    return tuple(out)


def _concept(entry: dict[str, Any], entity: str, where: str) -> Concept:
    key = str(entry.get("key", "")).strip().lower()
    patterns = tuple(str(p).lower() for p in entry.get("patterns") or ())
    if not key or not patterns:
        raise KnowledgeError(f"{where}: every entry needs a key and patterns: {entry!r}")
    needs = {dim: _items(entry.get(dim), f"{where} {key}") for dim in DIMENSIONS}
    if entity in PREFERENCE_ENTITIES:
        dim = entry.get("dimension", "functional")
        if dim not in DIMENSIONS:
            raise KnowledgeError(f"{where} {key}: dimension must be one of {DIMENSIONS}")
        item = NeedItem(
            text=str(entry.get("text") or key),
            prefer=tuple(entry.get("prefer") or ()),
            avoid=tuple(entry.get("avoid") or ()),
        )
        needs = {**needs, dim: needs[dim] + (item,)}
    return Concept(
        key=key,
        entity=entity,
        patterns=patterns,
        needs=needs,
        summary=str(entry.get("summary") or ""),
        hints=tuple(entry.get("hints") or ()),
        group=str(entry.get("group") or ""),
        gift=bool(entry.get("gift", False)),
        recipient=str(entry.get("recipient") or "").lower(),
        ages=tuple(int(a) for a in entry.get("ages") or ()),
        skip_questions=_strs(entry.get("skip_questions")),
    )


def _product(entry: dict[str, Any], sections: set[str]) -> Product:
    try:
        sku, name, section, price = entry["sku"], entry["name"], entry["section"], float(entry["price"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(f"catalog: product needs sku, name, section and a numeric price: {entry!r}") from exc
    if section not in sections:
        raise KnowledgeError(f"catalog: {sku} is in unknown section {section!r}")
    allergens = tuple(str(a) for a in entry.get("allergens") or ())
    sugar = str(entry.get("sugar") or "medium")
    tags = {str(t) for t in entry.get("tags") or ()} | set(allergens)
    if sugar == "high":
        tags.add("high-sugar")
    return Product(
        sku=str(sku),
        name=str(name),
        section=str(section),
        price=price,
        unit=str(entry.get("unit") or "each"),
        kinds=tuple(str(k).lower() for k in entry.get("kinds") or ()),
        tags=frozenset(tags),
        origin=str(entry.get("origin") or ""),
        allergens=allergens,
        sugar=sugar,
        reason=str(entry.get("reason") or ""),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KnowledgeError(f"missing knowledge file {path}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path} should hold a mapping")
    return data


def load_knowledge(catalog_path: Path, lexicon_path: Path) -> Knowledge:
    """Read and check the catalog and the lexicon."""
    cat, lex = _read(catalog_path), _read(lexicon_path)
    sections = [
        Section(name=str(s["name"]), aliases=tuple(str(a).lower() for a in s.get("aliases") or ()),
                includes=tuple(str(a) for a in s.get("includes") or ()))
        for s in cat.get("sections") or []
    ]
    names = {s.name for s in sections}
    products = [_product(p, names) for p in cat.get("products") or []]
    if len({p.sku for p in products}) != len(products):
        raise KnowledgeError("catalog: duplicate sku")
    concepts: dict[tuple[str, str], Concept] = {}
    for group, entity in (("situations", "situation"), ("recipients", "recipient"), ("occasions", "occasion"),
                          ("emotions", "emotion")):
        for entry in lex.get(group) or []:
            c = _concept(entry, entity, group)
            concepts[(entity, c.key)] = c
    for entry in lex.get("preferences") or []:
        entity = str(entry.get("entity", "taste"))
        if entity not in PREFERENCE_ENTITIES:
            raise KnowledgeError(f"preferences {entry.get('key')}: entity must be one of {PREFERENCE_ENTITIES}")
        c = _concept(entry, entity, "preferences")
        concepts[(entity, c.key)] = c
    negations = tuple(str(n).lower() for n in lex.get("negations") or ("not", "no", "n't", "without"))
    taboos = tuple(
        GiftTaboo(kinds=_strs(t.get("kinds")), tags=_strs(t.get("tags")), reason=str(t.get("reason") or ""),
                  cultures=_strs(t.get("cultures")), recipients=_strs(t.get("recipients")),
                  when=_strs(t.get("emotions")) + _strs(t.get("occasions")), unless=_strs(t.get("except")))
        for t in lex.get("gift_taboos") or [] if isinstance(t, dict)
    )
    return Knowledge(
        taboos=taboos,
        customer_cultures=_strs(lex.get("customer_cultures")),
        filler_words=frozenset(_strs(lex.get("filler_words"))),
        self_words=frozenset(_strs(lex.get("self_words"))),
        currency=str(cat.get("currency") or "CNY"),
        currency_symbol=str(cat.get("currency_symbol") or "¥"),
        sections=sections,
        products=products,
        concepts=concepts,
        negations=negations,
    )


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in values or ())


@lru_cache(maxsize=1)
def get_knowledge() -> Knowledge:
    """The shop's knowledge, loaded once per process."""
    settings = get_settings()
    knowledge = load_knowledge(settings.catalog_path, settings.lexicon_path)
    logger.info("knowledge: %d products, %d concepts", len(knowledge.products), len(knowledge.concepts))
    return knowledge
