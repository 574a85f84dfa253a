"""Entity matching on a blank spaCy pipeline, with patterns generated from the knowledge files.

Patterns match on lower-cased text and, where spaCy's lookup lemmatizer is available
(spacy-lookups-data), on lemmas too, so "dates", "craving" and "chewing" match
"date", "crave" and "chew". Money amounts and currencies come from `jujube.budget`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from jujube.budget import CURRENCIES, find_amounts
from jujube.facts import EXCLUDED_ROLE
from jujube.knowledge import PREFERENCE_ENTITIES, Knowledge
from jujube.nlu.unspaced import UNSPACED

logger = logging.getLogger(__name__)

# When two entity types claim the same words, the first one here wins.
PRIORITY = ("situation", "recipient", "occasion", "emotion", "taste", "texture", "quality", "product", "category")
_CLAUSE_BREAKS = {",", ".", ";", "!", "?", "but", "and", "though", "however", "so"}
_UNSPACED_BREAKS = re.compile(r"[，。；！？、,.;!?\s]")
_CURRENCY_RE = re.compile(
    r"[¥￥$€£]|\b(?:" + "|".join(re.escape(w) for w in CURRENCIES if w.isalpha()) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Pattern:
    """One phrase that means one entity value."""

    entity: str
    value: str
    phrase: str


def patterns_from(kb: Knowledge) -> list[Pattern]:
    """Every phrase the knowledge files give, labelled with its entity and canonical value."""
    out: list[Pattern] = []
    for (entity, key), concept in kb.concepts.items():
        out += [Pattern(entity, key, p) for p in concept.patterns]
    for product in kb.products:
        out += [Pattern("product", kind, kind) for kind in product.kinds]
    for section in kb.sections:
        out += [Pattern("category", section.name, a) for a in (section.name,) + section.aliases]
    seen: set[tuple[str, str]] = set()
    unique = []
    for p in out:
        if (p.entity, p.phrase) not in seen:
            seen.add((p.entity, p.phrase))
            unique.append(p)
    return unique


def blank_pipeline() -> Language:
    """A blank English pipeline, with a lookup lemmatizer when its tables are installed."""
    nlp = spacy.blank("en")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except (ValueError, OSError, ImportError) as exc:  # spacy-lookups-data missing
        logger.warning("no lemma tables (%s); matching on exact words only", exc)
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
    return nlp


class EntityMatcher:
    """Finds product, category, recipient, situation, occasion, taste, texture, quality, amount, currency."""

    def __init__(self, kb: Knowledge, nlp: Language | None = None) -> None:
        self.nlp = nlp or blank_pipeline()
        self.labels: dict[int, tuple[str, str]] = {}
        self.negations = tuple(kb.negations)
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(self.nlp.vocab, attr="LEMMA") if "lemmatizer" in self.nlp.pipe_names else None
        self.unspaced_negations = tuple(n for n in kb.negations if UNSPACED.search(n))
        single = "".join(re.escape(n) for n in self.unspaced_negations if len(n) == 1)
        # A word, a one-character negation and the same word again is a question ("要不要", "能不能").
        self._asking_form = re.compile(f"(.)[{single}]\\1") if single else None
        by_label: dict[str, list[Pattern]] = {}
        unspaced: dict[str, tuple[str, str]] = {}  # phrase -> (entity, value); the first entity of PRIORITY wins
        rank = {e: i for i, e in enumerate(PRIORITY)}
        for p in sorted(patterns_from(kb), key=lambda p: rank.get(p.entity, 99)):
            if UNSPACED.search(p.phrase):
                unspaced.setdefault(p.phrase, (p.entity, p.value))
            else:
                by_label.setdefault(f"{p.entity}|{p.value}", []).append(p)
        self._unspaced = unspaced
        self._unspaced_re = re.compile("|".join(re.escape(p) for p in sorted(unspaced, key=len, reverse=True))) \
            if unspaced else None
        for label, pats in by_label.items():
            entity, value = label.split("|", 1)
            self.labels[self.nlp.vocab.strings.add(label)] = (entity, value)
            phrases = [p.phrase for p in pats]
            self._lower.add(label, [self.nlp.make_doc(ph) for ph in phrases])
            if self._lemma is not None:
                self._lemma.add(label, list(self.nlp.pipe(phrases)))

    def _spans(self, doc: Doc) -> list[Span]:
        found: list[tuple[int, int, int]] = list(self._lower(doc))
        if self._lemma is not None:
            found += [(m, s, e) for m, s, e in self._lemma(doc) if not self._verb_as_thing(doc[s:e], m)]
        rank = {e: i for i, e in enumerate(PRIORITY)}
        spans = [Span(doc, s, e, label=m) for m, s, e in found]
        # longest first, then by entity priority
        spans.sort(key=lambda sp: (-(sp.end - sp.start), rank.get(self.labels[sp.label][0], 99), sp.start))
        return sorted(filter_spans(spans), key=lambda sp: sp.start)

    def _verb_as_thing(self, span: Span, label: int) -> bool:
        """A verb form lemmatised into a product or section ("chipping in" is not chips)."""
        entity = self.labels[label][0]
        return entity in ("product", "category") and any(
            t.lower_.endswith("ing") and t.lemma_.lower() != t.lower_ for t in span)

    def _negated(self, doc: Doc, span: Span) -> bool:
        after = doc[span.end: span.end + 2].text.lower()
        if after.startswith("-free") or after.startswith("free") or after.startswith("- free"):
            return True
        window = []
        for i, tok in enumerate(reversed(doc[max(0, span.start - 4): span.start])):
            if tok.lower_ in _CLAUSE_BREAKS:
                phrase = f"{doc[span.start - i - 2].lower_} {tok.lower_}" if span.start - i - 2 >= 0 else ""
                if phrase in self.negations:  # "anything but chocolate": the break word ends a negation
                    window.insert(0, phrase)
                break
            window.insert(0, tok.lower_)
        text = " " + " ".join(window) + " "
        return any(f" {n} " in text or (n.startswith("n't") and "n't" in text) for n in self.negations) or \
            any(w.endswith("n't") for w in window)

    def _negated_unspaced(self, text: str, start: int) -> bool:
        """A negation word shortly before, in the same clause ("不要太甜", "别买梨")."""
        window = _UNSPACED_BREAKS.split(text[max(0, start - 6):start])[-1]
        if self._asking_form is not None:
            window = self._asking_form.sub("", window)  # "要不要来点辣的" asks, it does not refuse
        return any(n in window for n in self.unspaced_negations)

    def _unspaced_matches(self, text: str) -> list[dict[str, Any]]:
        """Phrases of unspaced scripts (Chinese), longest first, as entity dicts."""
        if self._unspaced_re is None or not UNSPACED.search(text):
            return []
        out = []
        low = text.lower()
        for m in self._unspaced_re.finditer(low):
            entity, value = self._unspaced[m.group(0)]
            ent: dict[str, Any] = {"entity": entity, "start": m.start(), "end": m.end(), "value": value,
                                   "confidence_entity": 1.0}
            if entity in PREFERENCE_ENTITIES + ("product", "category") and self._negated_unspaced(low, m.start()):
                ent["role"] = EXCLUDED_ROLE
            out.append(ent)
        return out

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Entities in `text` as Rasa entity dicts (start, end, entity, value, role)."""
        if not text or not text.strip():
            return []
        doc = self.nlp(text)
        out: list[dict[str, Any]] = self._unspaced_matches(text)
        for span in self._spans(doc):
            if any(span.start_char < e["end"] and e["start"] < span.end_char for e in out):
                continue
            entity, value = self.labels[span.label]
            ent: dict[str, Any] = {
                "entity": entity, "start": span.start_char, "end": span.end_char,
                "value": value, "confidence_entity": 1.0,
            }
            if entity in PREFERENCE_ENTITIES + ("product", "category") and self._negated(doc, span):
                ent["role"] = EXCLUDED_ROLE
            out.append(ent)
        out += money_entities(text, taken=[(e["start"], e["end"]) for e in out])
        return sorted(out, key=lambda e: e["start"])


def money_entities(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """Amount and currency entities; ages and quantities are not money."""
    taken = list(taken)
    out: list[dict[str, Any]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in _CURRENCY_RE.finditer(text):
        if free(m.start(), m.end()):
            out.append({"entity": "currency", "start": m.start(), "end": m.end(),
                        "value": CURRENCIES.get(m.group(0).lower(), m.group(0)), "confidence_entity": 1.0})
    currency_spans = [(c["start"], c["end"]) for c in out]
    for start, end, value, _ in find_amounts(text):
        seg = text[start:end]
        num = re.search(r"\d+(?:[.,]\d+)?\s*k\b|\d+(?:[.,]\d+)?|[a-z][a-z -]*[a-z]", seg, re.IGNORECASE)
        if not num:
            continue
        s, e = start + num.start(), start + num.end()
        if free(s, e) and not any(s < ce and cs < e for cs, ce in currency_spans):
            out.append({"entity": "amount", "start": s, "end": e, "value": value, "confidence_entity": 1.0})
    return out
