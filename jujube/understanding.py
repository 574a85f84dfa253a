"""What Rasa understood of one shopper message, in the core's terms."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from jujube.facts import Facts, extract_facts
from jujube.inputs import MAX_CHARS, clip, kind_of_message
from jujube.knowledge import Knowledge
from jujube.messages import readable
from jujube.shop import NotSold, Shop

CONFIDENT = 0.6  # below this the intent alone does not decide a turn
_THUMBS_UP = re.compile("[\U0001F44D\U0001F44C\u2705\u2714\U0001F197]")


@dataclass
class Understanding:
    """The new message: its text, intent, entities, and the facts they carry."""

    text: str
    intent: str
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)
    language: Optional[str] = None
    kind: str = "text"  # empty | emoji | foreign | gibberish | text
    clipped: bool = False
    facts: Facts = field(default_factory=Facts)
    outside: Optional[tuple[NotSold, str]] = None  # something asked for that the shop does not sell
    ranking: dict[str, float] = field(default_factory=dict)  # every intent's confidence

    @property
    def thumbs_up(self) -> bool:
        """A thumbs-up or OK emoji: an acknowledgement."""
        return self.kind == "emoji" and bool(_THUMBS_UP.search(self.text))

    @property
    def likeliest(self) -> str:
        """The intent, or when the NLU fell back, the intent it rated highest."""
        if self.intent != "nlu_fallback":
            return self.intent
        ranked = [name for name, _ in sorted(self.ranking.items(), key=lambda kv: -kv[1]) if name != "nlu_fallback"]
        return ranked[0] if ranked else self.intent

    def named_entities(self, entity: str) -> list[str]:
        """Canonical values of one entity type in the message (not the excluded ones)."""
        return [str(e.get("value")) for e in self.entities
                if e.get("entity") == entity and e.get("role") != "excluded"]


SINGLE_VALUED = ("recipient", "occasion")
# Intents whose messages tell about the need: only there do the need classifier's guesses count.
NEED_INTENTS = ("request_product", "inform_recipient", "inform_situation", "inform_preference", "inform_quality",
                "inform_budget", "ask_suggestion", "out_of_scope", "nlu_fallback", "unsure", "chitchat")
_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    """Content words of a canonical value, possessives dropped ("father's day" -> father, day)."""
    return {w for w in _WORD.findall(text.lower().replace("'s", "")) if len(w) > 2}


def classified_needs(needs: list[dict[str, Any]], entities: list[dict[str, Any]],
                     kb: Knowledge) -> list[dict[str, Any]]:
    """The need classifier's labels as entities, where the lexicon matcher did not already say otherwise."""
    found = {(e.get("entity"), str(e.get("value")).lower()) for e in entities}
    types = {e.get("entity") for e in entities}
    people_words = {w for e in entities if e.get("entity") == "recipient"
                    for w in _words(str(e.get("value")))}
    out = []
    for need in needs:
        entity, _, key = str(need.get("label", "")).partition(":")
        concept = kb.concept(entity, key) if key else None
        if concept is None or (entity, key) in found:
            continue
        if entity in SINGLE_VALUED + ("taste", "texture") and entity in types:
            continue  # the words said it plainly: "they like sweet things" is not also "not too sweet"
        if entity == "occasion" and _words(key) & people_words:
            continue  # the lexicon read those words as someone ("my father" is not Father's Day)
        out.append({"entity": entity, "value": key, "extractor": "NeedClassifier",
                    "confidence_entity": float(need.get("confidence") or 0.0)})
    return out


def understand(parse: dict[str, Any], kb: Knowledge, shop: Shop, open_question: Optional[str] = None) -> Understanding:
    """Read Rasa's parse of one message (text, intent, entities) into an Understanding.

    A bare number is a budget only as the answer to the budget question or said as a budget.
    """
    raw = str(parse.get("text") or "")
    text = clip(raw)
    intent = parse.get("intent") or {}
    entities = [e for e in parse.get("entities") or [] if int(e.get("end", 0) or 0) <= len(text)]
    if str(intent.get("name")) in NEED_INTENTS:  # a pick or a thank-you carries no need the words merely suggest
        entities += classified_needs(parse.get("needs") or [], entities, kb)
    u = Understanding(
        text=text,
        intent=str(intent.get("name") or "nlu_fallback"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=entities,
        kind=kind_of_message(text, readable),
        clipped=len(raw) > MAX_CHARS,
        ranking={str(r.get("name")): float(r.get("confidence") or 0.0) for r in parse.get("intent_ranking") or []},
    )
    if u.kind != "text":
        return u
    asked_budget = open_question == "budget" or u.intent == "inform_budget"
    u.facts = extract_facts(text, entities, kb, asked_budget=asked_budget, answering=open_question)
    taken = [(int(e["start"]), int(e["end"])) for e in entities
             if e.get("entity") in ("product", "category") and "start" in e]
    u.outside = shop.outside_range(text, taken)
    if u.outside:
        u.facts.unknown_item = None  # said plainly by the policy; not a grocery request
    return u
