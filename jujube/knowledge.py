"""Loading the shop's knowledge files: the catalog and the needs lexicon, with their other-language overlays.

An overlay folder (knowledge/zh/) adds a language's words to every concept, product and section, so
one matcher understands every language, and holds that language's display texts; `Knowledge.localized`
gives the same knowledge with those texts, for replies.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from jujube import JujubeError
from jujube.config import get_settings
from jujube.nlu.unspaced import UNSPACED
from jujube.numbers import NumberWords

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
    meal: bool = False  # a meal the shopper is cooking: a taste said with it is the meal's, not the purchase's

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
    label: str = ""  # the name shown to shoppers (the name itself when empty)

    @property
    def shown(self) -> str:
        """The section as shoppers read it."""
        return self.label or self.name


@dataclass
class Translation:
    """One language's display texts for the knowledge (an overlay folder such as knowledge/zh/)."""

    language: str
    phrases: dict[str, str] = field(default_factory=dict)  # English lexicon text -> this language
    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # sku -> name, reason, origin
    sections: dict[str, str] = field(default_factory=dict)  # section name -> label
    units: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


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
    address_words: tuple[str, ...] = ()  # how shoppers address the shop ("老板，..."): not a person it is for
    self_words: frozenset[str] = frozenset()  # "my voice", "my sleep": the speaker's own, not someone else
    language: str = "en"  # the language of the display texts (names, reasons, need texts)
    translations: dict[str, Translation] = field(default_factory=dict)
    recipient_markers: tuple[str, ...] = ()  # words just before a person that say it is for them ("给")
    first_person: tuple[str, ...] = ()  # "我": a need told in the first person is the speaker's own...
    other_people: tuple[str, ...] = ()  # ...unless someone else is spoken of ("他", "她")
    request_patterns: tuple[re.Pattern[str], ...] = ()  # "有(?P<item>...)吗": asking for a thing by name
    numbers: Optional["NumberWords"] = None  # number words of other languages, read as digits
    canonical: Optional["Knowledge"] = field(default=None, repr=False)  # the English view of a localized one
    # Derived from the fields above in __post_init__ (and again for a localized view).
    by_sku: dict[str, Product] = field(init=False, default_factory=dict)
    by_kind: dict[str, list[Product]] = field(init=False, default_factory=dict)
    by_head: dict[str, list[Product]] = field(init=False, default_factory=dict)  # "biscuits" -> "rice biscuits"
    section_by_alias: dict[str, str] = field(init=False, default_factory=dict)
    specificity: dict[str, float] = field(init=False, default_factory=dict)
    unspaced_fillers: tuple[str, ...] = field(init=False, default=())  # fillers without spaces, longest first
    unspaced_noise: tuple[str, ...] = field(init=False, default=())  # those and the number words, longest first
    _kind_cache: dict[tuple[str, ...], frozenset[str]] = field(init=False, default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(init=False, default_factory=dict, repr=False)  # pure per-product results
    _views: dict[str, "Knowledge"] = field(init=False, default_factory=dict, repr=False)

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
        self.unspaced_fillers = tuple(sorted((f for f in self.filler_words if UNSPACED.search(f)), key=len,
                                             reverse=True))
        numbers = tuple(w for w in self.numbers.vocabulary if UNSPACED.search(w)) if self.numbers else ()
        self.unspaced_noise = tuple(sorted(self.unspaced_fillers + numbers, key=len, reverse=True))

    def localized(self, language: Optional[str]) -> "Knowledge":
        """The same knowledge with its display texts in `language` (itself when there is no overlay for it)."""
        base = self.canonical or self
        if not language or language == base.language or language not in base.translations:
            return base
        view = base._views.get(language)
        if view is None:
            view = base._views[language] = _translated(base, base.translations[language])
        return view

    def label(self, text: str) -> str:
        """A lexicon text or key (need, recipient, taste) in this view's language."""
        tr = self.translations.get(self.language)
        return tr.phrases.get(text, text) if tr else text

    def tag_label(self, tag: str) -> str:
        """A product tag as shoppers read it ("gift-packaged" -> "gift packaged")."""
        tr = self.translations.get(self.language)
        return tr.tags.get(tag, tag.replace("-", " ")) if tr else tag.replace("-", " ")

    def section_label(self, name: str) -> str:
        """A section's name as shoppers read it."""
        return next((s.shown for s in self.sections if s.name == name), name)

    def plain_numbers(self, text: str) -> str:
        """`text` with other languages' number and money words read out as digits and English cues."""
        return self.numbers.plain(text) if self.numbers else text

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
        found: list[Product] = []  # every form counts: "chocolate" takes in a box sold as "chocolates"
        for cand in dict.fromkeys((w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w, w + "s")):
            if cand in self.by_kind:
                for p in self.by_kind[cand] + self.by_head.get(cand, []):
                    if p not in found:
                        found.append(p)
        return found

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
        meal=bool(entry.get("meal", False)),
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


SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: 5-10x faster


def read_yaml(path: Path) -> dict[str, Any]:
    """A knowledge file's mapping; KnowledgeError when it is missing or malformed."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError as exc:
        raise KnowledgeError(f"missing knowledge file {path}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path} should hold a mapping")
    return data


def read_overlay(path: Path) -> dict[str, Any]:
    """A language overlay's mapping (an empty file is an empty one)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader


def language_overlays(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    """Language -> the mapping of `folder/<language>/<name>`, for each such file saying `language: <language>`."""
    out = {}
    for path in sorted(folder.glob(f"*/{name}")):
        raw = read_overlay(path)
        if raw.get("language") == path.parent.name:
            out[path.parent.name] = raw
    return out


def _overlays(folder: Path) -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(language, catalog, lexicon, numbers) of every overlay folder next to the catalog (knowledge/zh/):
    a folder whose catalog.yml or lexicon.yml says `language:` its own name."""
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = {name: sub / f"{name}.yml" for name in ("catalog", "lexicon", "numbers")}
        read = {name: read_yaml(f) if f.is_file() else {} for name, f in files.items()}
        if sub.name in (read["catalog"].get("language"), read["lexicon"].get("language")):
            out.append((sub.name, read["catalog"], read["lexicon"], read["numbers"]))
    return out


def load_knowledge(catalog_path: Path, lexicon_path: Path) -> Knowledge:
    """Read and check the catalog and the lexicon, with the overlays of other languages."""
    cat, lex = read_yaml(catalog_path), read_yaml(lexicon_path)
    overlays = _overlays(catalog_path.parent)
    for language, ocat, olex, _ in overlays:
        _merge_words(cat, lex, ocat, olex, language)
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
    translations = {language: _translation(language, ocat, olex) for language, ocat, olex, _ in overlays}
    numbers = [NumberWords.read(onum) for _, _, _, onum in overlays if onum]
    markers = tuple(str(m) for _, _, olex, _ in overlays for m in olex.get("recipient_markers") or ())
    first = tuple(str(m) for _, _, olex, _ in overlays for m in olex.get("first_person") or ())
    others = tuple(str(m) for _, _, olex, _ in overlays for m in olex.get("other_people") or ())
    requests = tuple(re.compile(str(r)) for _, _, olex, _ in overlays for r in olex.get("request_patterns") or ())
    return Knowledge(
        translations=translations,
        numbers=NumberWords.merge(numbers) if numbers else None,
        recipient_markers=markers,
        first_person=first,
        other_people=others,
        request_patterns=requests,
        taboos=taboos,
        customer_cultures=_strs(lex.get("customer_cultures")),
        filler_words=frozenset(_strs(lex.get("filler_words"))),
        address_words=tuple(_strs(lex.get("address_words"))),
        self_words=frozenset(_strs(lex.get("self_words"))),
        currency=str(cat.get("currency") or "CNY"),
        currency_symbol=str(cat.get("currency_symbol") or "¥"),
        sections=sections,
        products=products,
        concepts=concepts,
        negations=negations,
    )


def _merge_words(cat: dict[str, Any], lex: dict[str, Any], ocat: dict[str, Any], olex: dict[str, Any],
                 language: str) -> None:
    """Add an overlay's words to the English files' entries (in place), so one matcher reads both."""
    groups = {"situation": "situations", "recipient": "recipients", "occasion": "occasions", "emotion": "emotions"}
    phrases = {str(k).lower(): str(v) for k, v in (olex.get("phrases") or {}).items()}
    for entity, by_key in (olex.get("patterns") or {}).items():
        entries = lex.get(groups.get(entity, "preferences")) or []
        index = {str(e.get("key", "")).lower(): e for e in entries
                 if entity in groups or str(e.get("entity", "taste")) == entity}
        for key, words in (by_key or {}).items():
            entry = index.get(str(key).lower())
            if entry is None:
                raise KnowledgeError(f"{language}/lexicon.yml: no {entity} {key!r} in lexicon.yml")
            label = [phrases[str(key).lower()]] if str(key).lower() in phrases else []  # a tapped option is its label
            entry["patterns"] = list(entry.get("patterns") or []) + [str(w) for w in words or ()] + label
    for name in ("negations", "filler_words", "address_words"):
        lex[name] = list(lex.get(name) or []) + list(olex.get(name) or [])
    sections = {str(s["name"]): s for s in cat.get("sections") or []}
    for name, spec in (ocat.get("sections") or {}).items():
        if name not in sections:
            raise KnowledgeError(f"{language}/catalog.yml: no section {name!r} in catalog.yml")
        sections[name]["aliases"] = list(sections[name].get("aliases") or []) + list((spec or {}).get("aliases") or []) \
            + ([spec["label"]] if (spec or {}).get("label") else [])
    products = {str(p.get("sku")): p for p in cat.get("products") or []}
    for sku, spec in (ocat.get("products") or {}).items():
        if sku not in products:
            raise KnowledgeError(f"{language}/catalog.yml: no product {sku!r} in catalog.yml")
        products[sku]["kinds"] = list(products[sku].get("kinds") or []) + list((spec or {}).get("kinds") or [])


def _translation(language: str, ocat: dict[str, Any], olex: dict[str, Any]) -> Translation:
    """An overlay's display texts."""
    return Translation(
        language=language,
        phrases={str(k): str(v) for k, v in (olex.get("phrases") or {}).items()},
        products={str(k): dict(v or {}) for k, v in (ocat.get("products") or {}).items()},
        sections={str(k): str((v or {}).get("label") or k) for k, v in (ocat.get("sections") or {}).items()},
        units={str(k): str(v) for k, v in (ocat.get("units") or {}).items()},
        tags={str(k): str(v) for k, v in (ocat.get("tags") or {}).items()},
    )


def _translated(base: Knowledge, tr: Translation) -> Knowledge:
    """A view of `base` whose display texts are in `tr`'s language (keys, tags and words unchanged)."""
    say = lambda text: tr.phrases.get(text, text)  # noqa: E731

    def product(p: Product) -> Product:
        spec = tr.products.get(p.sku, {})
        return replace(p, name=str(spec.get("name") or p.name), reason=str(spec.get("reason") or p.reason),
                       origin=str(spec.get("origin") or p.origin), unit=tr.units.get(p.unit, p.unit))

    def concept(c: Concept) -> Concept:
        needs = {dim: tuple(replace(item, text=say(item.text)) for item in items) for dim, items in c.needs.items()}
        return replace(c, needs=needs, summary=say(c.summary) if c.summary else c.summary)

    return replace(
        base,
        sections=[replace(s, label=tr.sections.get(s.name, s.shown)) for s in base.sections],
        products=[product(p) for p in base.products],
        concepts={k: concept(c) for k, c in base.concepts.items()},
        taboos=tuple(replace(t, reason=say(t.reason)) for t in base.taboos),
        language=tr.language,
        canonical=base,
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
