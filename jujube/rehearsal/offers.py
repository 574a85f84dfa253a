"""Reading a product offer by rule: a catalog product or kind named in an offering frame is a pitch.

The question classifier is a trained model, and how it reads a product name it never saw
can differ between machines. Offering a product by name or kind ("How about the Medjool
dates?", "I'd recommend the oat milk", "you could take a gift box") is a pitch whatever the
model says, so it is decided here, with the entity matcher the assistant itself uses.
Asking about the customer's own product ("what do you like about the milk you buy?",
"what about your usual dates?") is not an offer and is left to the model.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

from jujube.facts import EXCLUDED_ROLE
from jujube.knowledge import KnowledgeError, get_knowledge
from jujube.nlu.matcher import EntityMatcher

logger = logging.getLogger(__name__)

OFFERED_ENTITIES = ("product", "category")
MAX_LEAD_WORDS = 6  # "how about the [Pre-Qingming West Lake] Longjing ...": words between the frame and the product

_MODAL = r"(?:'d|'ll| would| will| could| should| might| may| can| must| really| definitely| also| just| probably)"
_FRAMES = [
    r"\b(?:how|what) about\b",
    r"\bwhy not(?: (?:try|get|take|have|buy|grab|pick|go for|go with))?\b",
    r"\bwhy (?:don't|dont) you (?:try|get|take|have|buy|grab|pick|go for|go with)\b",
    r"\byou" + _MODAL + r"+ (?:try|take|get|have|buy|grab|pick|choose|go for|go with|like|love|enjoy|want|consider)\b",
    r"\b(?:i|we)" + _MODAL + r"* (?:personally |strongly |highly )?(?:recommend|suggest|propose|advise)\b",
    r"\b(?:i|we)(?:'d| would|'ll| will)? (?:go with|go for|pick|choose|offer(?: you| him| her| them)?)\b",
    r"\b(?:may|can|could|might|let) (?:i|me|we|us) "
    r"(?:recommend|suggest|propose|offer(?: you)?|show you|interest you in)\b",
    r"\b(?:would|wouldn't|will|could) you (?:like|want|fancy|care for|consider|try)"
    r"(?: to (?:try|get|take|have|buy))?\b",
    r"\b(?:do|don't) you want to (?:try|get|take|have|buy)\b",
    r"\bhave you (?:tried|tasted|considered|thought about|seen)\b",
    r"^(?:(?:just|then|so|ok|okay|well|maybe|perhaps|please|do|definitely|now|and|but|oh|honestly|trust me) )*"
    r"(?:try|take|get|grab|pick|choose|buy|go for|go with)\b",
]
FRAME = re.compile("|".join(f"(?:{f})" for f in _FRAMES))
# "why not try the tea" offers the tea: the matcher must not read "not" as excluding it.
_WHY_NOT = re.compile(r"\bwhy (not|don't|dont)\b", re.IGNORECASE)
QUESTION_WORDS = frozenset("why who whom whose what which when where how".split())
_CLAUSE = re.compile(r"[,.;:!?()\"]|\s[-–—]\s")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Words that, between the frame and the product, show the line is about something else:
# the customer ("your", "she"), a question ("who", "when"), a topic ("the price of the dates") or
# packing ("would you like it in a gift box?").
NOT_LEAD = frozenset(
    "i me my we us you your yours he him his she her they them their it who whom whose what which why how when "
    "where is are was were do does did has have had about than other instead except besides rather apart "
    "price prices cost budget money spend size quality packaging wrapping taste flavour flavor brand kind type "
    "sort occasion reason allergy allergies".split()
)
# A product followed by a person or a topic is asked about, not offered ("the dates you buy", "the milk
# that she drinks", "the gift box packaging").
PERSONS = frozenset("you your she he they we i".split())
RELATIVES = frozenset("that which who whom".split())
TOPICS = frozenset("price prices cost size quality packaging wrapping taste flavour flavor brand".split())
AVOIDING = frozenset(
    "allergic allergy allergies avoid avoids avoiding intolerant intolerance without dislike dislikes hate "
    "hates".split()
)


class Extractor(Protocol):
    """What the rule needs of an entity matcher."""

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Entity dicts with start, end, entity and (optionally) role."""


@dataclass(frozen=True)
class Offer:
    """A product or kind the trainee offered, and the words that framed it."""

    phrase: str
    entity: str
    frame: str


def _normalize(text: str) -> str:
    """Lowercase with plain apostrophes, character for character (offsets stay those of `text`)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("’", "'").replace("‘", "'")


class OfferRule:
    """Finds products offered by name or kind in what a trainee says."""

    def __init__(self, matcher: Extractor) -> None:
        self.matcher = matcher

    def offers(self, text: str) -> list[Offer]:
        """Products the text offers; empty when it offers none (or asks what to avoid)."""
        low = _normalize(text or "")
        if not low.strip() or AVOIDING & set(_WORD.findall(low)):
            return []
        found = []
        unnegated = _WHY_NOT.sub(lambda m: m.group()[:4] + " " * len(m.group(1)), text)
        for ent in self.matcher.extract(unnegated):
            if ent.get("entity") not in OFFERED_ENTITIES or ent.get("role") == EXCLUDED_ROLE:
                continue
            start, end = int(ent["start"]), int(ent["end"])
            frame = self._frame_before(low[:start])
            if frame and not self._asked_about(low[end:]):
                found.append(Offer(text[start:end], str(ent["entity"]), frame))
        return found

    def is_offer(self, text: str) -> bool:
        """True when the text offers a catalog product or kind."""
        return bool(self.offers(text))

    @staticmethod
    def _frame_before(before: str) -> str:
        """The offering frame that leads straight to the product (at most a few plain words between)."""
        clause = _CLAUSE.split(before)[-1].strip()
        for m in FRAME.finditer(clause):
            if QUESTION_WORDS & set(_WORD.findall(clause[:m.start()])):
                continue  # "why would you like coffee?" asks, it does not offer
            lead = _WORD.findall(clause[m.end():])
            if len(lead) <= MAX_LEAD_WORDS and not NOT_LEAD & set(lead):
                return m.group().strip()
        return ""

    @staticmethod
    def _asked_about(after: str) -> bool:
        """True when the words right after the product make it the customer's own or a topic."""
        if _CLAUSE.match(after.lstrip()) or not after.strip():
            return False
        following = _WORD.findall(after)[:2]
        if not following:
            return False
        first, second = following[0], following[1] if len(following) > 1 else ""
        return first in PERSONS or first in TOPICS or (first in RELATIVES and second in PERSONS)


@lru_cache(maxsize=1)
def default_rule() -> OfferRule | None:
    """The rule over the catalog's kinds and sections (the assistant's matcher); None if they cannot load."""
    try:
        kb = get_knowledge()
        # Only products and sections: a kind such as "herbal tea" must not be claimed by a taste.
        return OfferRule(EntityMatcher(replace(kb, concepts={})))
    except (KnowledgeError, OSError) as exc:
        logger.warning("product offers are left to the question model alone: %s", exc)
        return None
