"""The rehearsal customers (knowledge/personas.yml) and how their products are judged."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from jujube.config import get_settings
from jujube.knowledge import language_overlays, read_overlay
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.matching import (
    GRADES, CatalogProduct, Mention, ProductIndex, contains_phrase, load_catalog, short_name, tokens,
)
from jujube.rehearsal.seeds import generate

logger = logging.getLogger(__name__)

DIMENSIONS = ("functional", "formal", "emotional", "price")
TOPICS = ("recipient", "situation", "matters", "quality", "budget")
REQUIRED_TOPICS = ("recipient", "situation", "matters", "budget")
PRODUCT_LISTS = ("good", "acceptable", "poor")


@dataclass(frozen=True)
class Fact:
    """Something the customer tells when asked about one topic, in one or more ways of telling it."""

    topic: str
    answers: tuple[str, ...]
    deepers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()

    @property
    def answer(self) -> str:
        """The first way of telling the answer."""
        return self.answers[0]

    @property
    def deeper(self) -> str:
        """The first way of telling the deeper story ("" when there is none)."""
        return self.deepers[0] if self.deepers else ""

    def answer_for(self, telling: int) -> str:
        """The answer as told in one rehearsal (its `telling` picks among the variants)."""
        return self.answers[telling % len(self.answers)]

    def deeper_for(self, telling: int) -> str:
        """The deeper story as told in one rehearsal ("" when there is none)."""
        return self.deepers[telling % len(self.deepers)] if self.deepers else ""

    def guessed_by(self, text: str) -> bool:
        """True when a yes/no question names one of this fact's keywords (in an unspaced script: anywhere in it,
        as `contains_phrase` reads such scripts a character at a time)."""
        return any(contains_phrase(text, k) for k in self.keywords)


@dataclass
class Persona:
    """A customer with a stated request and a hidden need."""

    key: str
    title: str
    name: str
    opening: str
    stated_request: str
    facts: dict[str, Fact]
    need: dict[str, Any]
    products: dict[str, tuple[str, ...]]
    good_tags: tuple[frozenset[str], ...] = ()
    ok_tags: frozenset[str] = frozenset()
    avoid_tags: frozenset[str] = frozenset()
    replies: dict[str, list[str]] = field(default_factory=dict)
    skus: dict[str, set[str]] = field(default_factory=dict)
    lexicon: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lexicon section -> need keys
    language: str = "en"  # the language of the customer's lines
    voices: dict[str, "Voice"] = field(default_factory=dict)  # the customer's lines in other languages

    def localized(self, language: str | None) -> "Persona":
        """The same customer speaking `language` (itself when it has no lines in that language)."""
        voice = self.voices.get(language or "")
        if voice is None or language == self.language:
            return self
        facts = {t: replace(f, answers=voice.answers.get(t) or f.answers, deepers=voice.deepers.get(t, f.deepers),
                            keywords=f.keywords + voice.keywords.get(t, ()))
                 for t, f in self.facts.items()}
        return replace(self, name=voice.name or self.name, title=voice.title or self.title,
                       opening=voice.opening or self.opening, facts=facts,
                       stated_request=voice.stated_request or self.stated_request, need=self._need_in(voice),
                       replies={**self.replies, **voice.replies}, language=language or self.language, voices={})

    def _need_in(self, voice: "Voice") -> dict[str, Any]:
        """The hidden need with the voice's words for it (its summary, its budget note)."""
        need = {**self.need, **{k: v for k, v in voice.need.items() if k != "price"}}
        price = self.need.get("price")
        if "price" in voice.need:
            need["price"] = {**price, "note": voice.need["price"]} if isinstance(price, dict) else voice.need["price"]
        return need

    def reply(self, kind: str, turn: int, **values: str) -> str:
        """One of the persona's replies of a kind, chosen by turn number (deterministic)."""
        options = self.replies.get(kind) or ["..."]
        text = options[turn % len(options)]
        return text.format(**values) if values else text

    def dimensions_of(self, topics: set[str] | dict[str, int], told_only: bool = False) -> set[str]:
        """Need dimensions uncovered by the revealed topics (only those told, not just guessed, if asked)."""
        if told_only and isinstance(topics, dict):
            topics = {t for t, level in topics.items() if level > 0}
        return {d for t in topics if t in self.facts for d in self.facts[t].dimensions}

    @property
    def tellings(self) -> int:
        """How many ways this customer has of telling its story (the most variants of any fact)."""
        return max((max(len(f.answers), len(f.deepers)) for f in self.facts.values()), default=1)

    def product_names(self, index: ProductIndex, which: str = "good") -> list[str]:
        """Readable names of the persona's products in one list (catalog names where known)."""
        names = []
        for ref in self.products.get(which, ()):
            found = index.of_kind(ref)
            names.append(short_name(found[0].name) if ref in index.by_sku and found else ref)
        return names

    @property
    def budget_max(self) -> float | None:
        """The most the customer will spend, if the persona says."""
        price = self.need.get("price")
        value = price.get("max") if isinstance(price, dict) else None
        return float(value) if isinstance(value, (int, float)) else None

    def grade(self, index: ProductIndex, text: str) -> list[Mention]:
        """Products named in `text`, each graded good / acceptable / off / poor for this customer.

        A phrase this persona lists itself is graded by its list; a phrase naming several
        catalog products gets the worst of their grades (a vague suggestion earns no credit).
        """
        mentions = []
        for phrase, targets in index.find(text):
            own = self._own_grade(phrase)
            products = [t for t in targets if isinstance(t, CatalogProduct)]
            if own:
                mentions.append(Mention(phrase, phrase, own))
            elif products:
                graded = [self._grade_product(phrase, p) for p in products]
                mentions.append(max(graded, key=lambda m: GRADES.index(m.grade)))
            else:
                mentions.append(Mention(phrase, phrase, "off"))
        return mentions

    def _own_grade(self, phrase: str) -> str | None:
        key = tuple(phrase.split())
        return next((g for g in ("poor", "good", "acceptable")
                     if any(tokens(r) == key for r in self.products.get(g, ()))), None)

    def _grade_product(self, phrase: str, product: CatalogProduct) -> Mention:
        sku, tags = product.sku, product.tags
        if sku in self.skus.get("poor", set()):
            grade = "poor"
        elif sku in self.skus.get("good", set()):
            grade = "good"
        elif sku in self.skus.get("acceptable", set()):
            grade = "acceptable"
        elif tags & self.avoid_tags:
            grade = "poor"
        elif any(entry <= tags for entry in self.good_tags):
            grade = "good"
        elif tags & self.ok_tags:
            grade = "acceptable"
        else:
            grade = "off"
        budget = self.budget_max
        over = budget is not None and product.price is not None and product.price > budget
        return Mention(phrase, short_name(product.name), grade, sku, product.price, "over budget" if over else "")


@dataclass(frozen=True)
class Voice:
    """A customer's lines in another language (an overlay such as knowledge/zh/personas.yml)."""

    name: str = ""
    title: str = ""
    opening: str = ""
    stated_request: str = ""  # the product words of the opening in this language
    need: dict[str, Any] = field(default_factory=dict)  # the need's words in this language (summary, price note)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> ways of answering
    deepers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> deeper stories
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> words a right guess names
    replies: dict[str, list[str]] = field(default_factory=dict)


def _strings(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, (str, int, float)):
        return (str(raw),)
    return tuple(str(x) for x in raw)


def _persona(raw: dict[str, Any], defaults: dict[str, Any], where: str) -> Persona:
    for name in ("key", "title", "name", "opening", "stated_request", "facts", "need", "products"):
        if not raw.get(name):
            raise RehearsalError(f"{where}: missing '{name}'")
    dims_default = defaults.get("dimensions") or {}
    facts = {}
    for topic, body in (raw.get("facts") or {}).items():
        if topic not in TOPICS:
            raise RehearsalError(f"{where}: unknown fact topic {topic!r} (use {', '.join(TOPICS)})")
        if isinstance(body, (str, list)):
            body = {"answer": body}
        answers = tuple(" ".join(a.split()) for a in _strings(body.get("answer")) if a.strip())
        answers += tuple(a for a in _retold(topic, raw, answers) if a not in answers)
        if not answers:
            raise RehearsalError(f"{where}: fact {topic!r} needs an answer")
        dims = _strings(body.get("dimensions") or dims_default.get(topic))
        bad = [d for d in dims if d not in DIMENSIONS]
        if bad:
            raise RehearsalError(f"{where}: fact {topic!r} has unknown dimensions {bad}")
        deepers = tuple(" ".join(d.split()) for d in _strings(body.get("deeper")) if d.strip())
        facts[topic] = Fact(topic, answers, deepers, _strings(body.get("keywords")), dims)
    missing = [t for t in REQUIRED_TOPICS if t not in facts]
    if missing:
        raise RehearsalError(f"{where}: facts missing for {', '.join(missing)}")
    products = {k: _strings((raw.get("products") or {}).get(k)) for k in PRODUCT_LISTS}
    if not products["good"]:
        raise RehearsalError(f"{where}: products.good must name at least one product")
    replies = {k: list(_strings(v)) for k, v in (defaults.get("replies") or {}).items()}
    replies.update({k: list(_strings(v)) for k, v in (raw.get("replies") or {}).items()})
    good_tags = tuple(frozenset(_strings(entry)) for entry in raw.get("good_tags") or ())
    return Persona(
        key=str(raw["key"]).strip().lower(),
        title=str(raw["title"]).strip(),
        name=str(raw["name"]).strip(),
        opening=str(raw["opening"]).strip(),
        stated_request=str(raw["stated_request"]).strip(),
        facts=facts,
        need=dict(raw["need"]),
        products=products,
        good_tags=good_tags,
        ok_tags=frozenset(_strings(raw.get("ok_tags"))),
        avoid_tags=frozenset(_strings(raw.get("avoid_tags"))),
        replies=replies,
        lexicon={str(k): _strings(v) for k, v in (raw.get("lexicon") or {}).items()},
    )


def _retold(topic: str, raw: dict[str, Any], answers: tuple[str, ...]) -> tuple[str, ...]:
    """A plainer second way of telling a one-way answer: "It's for my father.", "No more than 200 yuan."."""
    if len(answers) != 1:
        return ()
    price = (raw.get("need") or {}).get("price")
    if topic == "budget" and isinstance(price, dict) and isinstance(price.get("max"), (int, float)):
        return (f"No more than {price['max']:g} yuan, please.",)
    who = _strings((raw.get("lexicon") or {}).get("recipient"))
    if topic == "recipient" and who:
        return ("For me, actually." if who[0] == "myself" else f"It's for my {who[0]}.",)
    return ()


def _lines(raw: Any) -> tuple[str, ...]:
    return tuple(" ".join(a.split()) for a in _strings(raw) if a.strip())


def _voice(raw: dict[str, Any], defaults: dict[str, Any], persona: Persona, where: str) -> Voice:
    """One customer's lines in an overlay's language, checked against the English customer."""
    answers, deepers, keywords = {}, {}, {}
    for topic, body in (raw.get("facts") or {}).items():
        if topic not in persona.facts:
            raise RehearsalError(f"{where}: {persona.key} has no fact {topic!r} in the English file")
        if isinstance(body, (str, list)):
            body = {"answer": body}
        if _lines(body.get("answer")):
            answers[topic] = _lines(body.get("answer"))
        if _lines(body.get("deeper")):
            deepers[topic] = _lines(body.get("deeper"))
        if _lines(body.get("keywords")):
            keywords[topic] = _lines(body.get("keywords"))
    replies = {k: list(_strings(v)) for k, v in (defaults.get("replies") or {}).items()}
    replies.update({k: list(_strings(v)) for k, v in (raw.get("replies") or {}).items()})
    return Voice(name=str(raw.get("name") or "").strip(), title=str(raw.get("title") or "").strip(),
                 opening=str(raw.get("opening") or "").strip(),
                 stated_request=str(raw.get("stated_request") or "").strip(), answers=answers,
                 need={str(k): v for k, v in (raw.get("need") or {}).items()}, deepers=deepers,
                 keywords=keywords, replies=replies)


def add_voices(personas: list[Persona], overlays: dict[str, dict[str, Any]]) -> None:
    """Give each customer its lines from every language overlay ({language: the overlay's mapping}; in place)."""
    by_key = {p.key: p for p in personas}
    for language, raw in overlays.items():
        source = f"{language}/personas.yml"
        defaults = raw.get("defaults") or {}
        for key, entry in (raw.get("personas") or {}).items():
            persona = by_key.get(str(key).strip().lower())
            if persona is None:  # a typo, or a generated customer left out of this library
                logger.warning("%s: no persona %r in the English files; its lines are ignored", source, key)
                continue
            persona.voices[language] = _voice(entry or {}, defaults, persona, source)
        logger.debug("%s: %d customers speak %s", source, len(raw.get("personas") or {}), language)


class PersonaLibrary:
    """Every rehearsal customer, with the catalog their product references resolve against."""

    def __init__(self, personas: list[Persona], index: ProductIndex) -> None:
        self.personas = {p.key: p for p in personas}
        self.index = index
        for p in personas:
            p.skus = {which: {prod.sku for ref in p.products[which] for prod in index.of_kind(ref)}
                      for which in PRODUCT_LISTS}

    def keys(self) -> list[str]:
        """Persona keys in file order."""
        return list(self.personas)

    def get(self, key: str) -> Persona | None:
        """A persona by key, or by a word that names exactly one persona (key or a title in any language)."""
        q = (key or "").strip().lower()
        if not q:
            return None
        if q in self.personas:
            return self.personas[q]
        hits = [p for p in self.personas.values()
                if q in p.key or any(q in t.lower() for t in (p.title, *(v.title for v in p.voices.values())))]
        return hits[0] if len(hits) == 1 else None

    def unresolved(self) -> list[tuple[str, str]]:
        """(persona key, reference) pairs naming no catalog product (sku or kind)."""
        return [(p.key, ref) for p in self.personas.values() for which in PRODUCT_LISTS
                for ref in p.products[which] if not self.index.of_kind(ref)]


def personas_path() -> Path:
    """Where the rehearsal personas live."""
    return get_settings().knowledge_dir / "personas.yml"


def load_library(path: Path | None = None, catalog_path: Path | None = None,
                 seeds: Path | bool | None = None, overlays: dict[str, Path] | None = None) -> PersonaLibrary:
    """Read and check the personas file and the generated ones; resolve product references against the catalog.

    `seeds` is the persona seeds file (default knowledge/rehearsal/persona_seeds.yml); False leaves them out.
    `overlays` maps languages to the customers' lines in them (default: knowledge/<language>/personas.yml).
    """
    path = path or personas_path()
    if not path.is_file():
        raise RehearsalError(f"personas not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = raw.get("defaults") or {}
    personas = []
    seen = set()
    entries = list(raw.get("personas") or [])
    if seeds is not False:
        entries += generate(seeds if isinstance(seeds, Path) else None, catalog_path=catalog_path)
    for i, entry in enumerate(entries):
        p = _persona(entry or {}, defaults, f"{path.name}: persona #{i + 1}")
        if p.key in seen:
            raise RehearsalError(f"{path.name}: duplicate persona key {p.key!r}")
        seen.add(p.key)
        personas.append(p)
    if not personas:
        raise RehearsalError(f"{path}: no personas")
    add_voices(personas, language_overlays(path.parent, "personas.yml") if overlays is None
               else {language: read_overlay(p) for language, p in overlays.items()})
    catalog = load_catalog(catalog_path or get_settings().catalog_path)
    words = {ref for p in personas for which in PRODUCT_LISTS for ref in p.products[which]}
    library = PersonaLibrary(personas, ProductIndex(catalog, words))
    if catalog:
        for key, ref in library.unresolved():
            logger.debug("persona %s: %r names no catalog product", key, ref)
    return library
