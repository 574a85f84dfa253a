"""Facts in one shopper message: from the NLU's entities plus a few patterns on the text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from jujube.budget import AGE_RE, Budget, headcount, parse_budget, words_to_number
from jujube.knowledge import PREFERENCE_ENTITIES, Knowledge
from jujube.nlu.unspaced import UNSPACED_RUN

EXCLUDED_ROLE = "excluded"
_QUANTITY_RE = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|ten|half a|a couple of|a few)\s*"
    r"(?P<unit>kilos?|kgs?|kilograms?|jin|grams?|g|boxe?s?|bags?|packs?|packets?|bottles?|dozen|pieces?|cartons?|"
    r"jars?|tins?|cans?|bunch(?:es)?|punnets?|crates?|cases?|lbs?|pounds? of)\b",
    re.IGNORECASE,
)
_REQUEST_RE = re.compile(
    r"(?:do you (?:have|sell|stock|carry)|have you got|got any|looking for|i(?:'d| would) like|i want|i need|"
    r"can i (?:get|buy|have)|where (?:is|are) (?:the|your)?|where do you (?:keep|have|put)|where can i (?:find|get)|"
    r"do you do|selling|any)\s+(?:some |a |an |the |any |your )?"
    r"(?P<item>[a-z][a-z' -]{1,40}?)(?:\?|\.|,|!| for | please|$)",
    re.IGNORECASE,
)
_STOP = {"something", "anything", "stuff", "things", "thing", "help", "idea", "ideas", "suggestion", "present",
         "gift", "advice", "recommendation", "food", "it", "one", "more", "else", "other", "cheaper", "that"}


@dataclass
class Facts:
    """What one message tells about the need."""

    kinds: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    recipient: Optional[str] = None
    situations: list[str] = field(default_factory=list)
    occasion: Optional[str] = None
    emotions: list[str] = field(default_factory=list)
    headcount: Optional[int] = None
    prefers: list[tuple[str, str]] = field(default_factory=list)
    avoids: list[tuple[str, str]] = field(default_factory=list)
    excluded_kinds: list[str] = field(default_factory=list)
    budget: Optional[Budget] = None
    quantity: Optional[str] = None
    unknown_item: Optional[str] = None
    stated: Optional[str] = None  # the shopper's own words for what they asked for
    untold: Optional[str] = None  # the message, when it tells of a purpose the lexicon could not place
    for_recipient: bool = False  # the person was named as who it is for ("for my mum"), not in passing

    def topics(self) -> set[str]:
        """Discovery topics this message answered."""
        out = set()
        if self.recipient:
            out.add("recipient")
        if self.situations or self.occasion or self.emotions:
            out.add("purpose")
        if any(e in ("taste", "texture") for e, _ in self.prefers + self.avoids) or self.excluded_kinds:
            out.add("preference")
        if any(e == "quality" for e, _ in self.prefers + self.avoids):
            out.add("quality")
        if self.budget is not None:
            out.add("budget")
        return out

    def empty(self) -> bool:
        """True when the message told nothing about the need."""
        return not (self.kinds or self.sections or self.topics() or self.quantity or self.unknown_item
                    or self.headcount)


def _add(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


def elderly_key(kb: Knowledge) -> Optional[str]:
    """The lexicon's situation for old age, if it has one."""
    for c in kb.of_entity("situation"):
        if "elder" in c.key or c.key in ("old age", "senior"):
            return c.key
    return None


_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’|的)\s*")


def _possessor(text: str, ent: dict[str, Any], entities: Iterable[dict[str, Any]]) -> bool:
    """"My boyfriend's grandparents": the first person only says whose; the second is who it is for."""
    if "end" not in ent:
        return False
    m = _POSSESSIVE_RE.match(text, int(ent["end"]))
    if not m:
        return False
    return any(e.get("entity") == "recipient" and int(e.get("start", -1) or -1) == m.end() for e in entities)


_FOR_RE = re.compile(r"(?:\bfor|\bto|\bgive|\bsend|\bbring|\bget|\bbuy|\bsurprise|\bspoil)\s+"
                     r"(?:(?:my|our|the|a|an|his|her|their)\s+)?(?:\w+\s+)?$", re.IGNORECASE)


def _the_recipient(text: str, found: list[tuple[int, str]],
                   markers: tuple[str, ...] = ()) -> tuple[Optional[str], bool]:
    """Who the purchase is for when a message names several people ("my mum's been lonely since my dad
    passed" is about mum): the one named after "for"/"to"/"give" (or a marker of another language), else the
    first; and whether it was said as who it is for."""
    if not found:
        return None, False
    found = sorted(found)
    for start, value in found:
        before = text[max(0, start - 30):start]
        if _FOR_RE.search(before) or any(m in before[-4:] for m in markers):
            return value, True
    return found[0][1], False


_WORDS_RE = re.compile(r"[a-z][a-z'’]+")


def _unplaced(text: str, entities: Iterable[dict[str, Any]], kb: Knowledge) -> list[str]:
    """Words of the message that neither the lexicon nor the catalog placed, fillers aside."""
    low = text.lower()
    for ent in sorted(entities, key=lambda e: -int(e.get("start", 0) or 0)):
        if "start" in ent:
            low = low[:ent["start"]] + " " + low[ent["end"]:]
    words = [w.replace("’", "'") for w in _WORDS_RE.findall(low)]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    for filler in kb.unspaced_noise:
        low = low.replace(filler, " ")
    unspaced = [run for run in UNSPACED_RUN.findall(low) if len(run) >= 3]  # words of a language without spaces
    return [w for w in words if len(w) >= 4 and w not in kb.filler_words and not kb.products_of_kind(w)
            and not kb.section_of(w)] + unspaced


_CHILD_AGE_RE = re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                           r"[- ](?:year|yr)s?[- ]old\b|\b(?P<m>\d{1,2})\s?(?:yo|y/o)\b", re.IGNORECASE)


def _child_of_age(text: str, kb: Knowledge) -> Optional[str]:
    """"my 4-year-old": the recipient whose age range holds that age."""
    m = _CHILD_AGE_RE.search(text)
    if not m:
        return None
    age = int(words_to_number(m.group("n") or m.group("m")) or 0)
    return next((c.key for c in kb.of_entity("recipient") if len(c.ages) == 2 and c.ages[0] <= age <= c.ages[1]),
                None)


_FIRST_PERSON = {"i", "i'm", "im", "i've", "i'd", "me", "myself", "my", "mine"}
_THIRD_PERSON = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "he's", "she's", "they're"}
_OTHERS = _THIRD_PERSON | {"we", "us", "our", "ours", "we're", "someone", "somebody", "everyone", "anyone"}
_TOKEN_RE = re.compile(r"[a-z][a-z'’]*")


def speaks_of_them(text: str, kb: Knowledge) -> bool:
    """True when a message speaks of someone already mentioned ("he likes wine"), by a pronoun."""
    if kb.other_people and any(w in text for w in kb.other_people):
        return True
    return bool(_THIRD_PERSON & {w.replace("’", "'") for w in _TOKEN_RE.findall(text.lower())})


def _implied_recipient(text: str, facts: Facts, kb: Knowledge) -> Optional[str]:
    """Who it is for when nobody is named: an occasion's usual recipient, or the speaker telling of their own need."""
    occasion = kb.concept("occasion", facts.occasion) if facts.occasion else None
    if occasion and occasion.recipient and kb.concept("recipient", occasion.recipient):
        return occasion.recipient
    myself = next((c.key for c in kb.of_entity("recipient") if c.group == "self"), None)
    if not (facts.situations and myself):
        return None
    if kb.first_person and any(w in text for w in kb.first_person):  # a language without spaces: "我最近睡不好"
        return None if any(w in text for w in kb.other_people) else myself
    words = [w.replace("’", "'") for w in _TOKEN_RE.findall(text.lower())]
    if not _FIRST_PERSON & set(words) or _OTHERS & set(words):
        return None
    owned = [words[i + 1] for i, w in enumerate(words[:-1]) if w == "my"]
    return myself if all(w in kb.self_words for w in owned) else None


def _kind_in(words: str, kb: Knowledge) -> Optional[str]:
    """The product kind a wish's words end in ("lactose-free milk" -> milk), if any."""
    for tail in _tails(words):
        if kb.products_of_kind(tail):
            return tail
    return None


def _section_in(words: str, kb: Knowledge) -> Optional[str]:
    """The shop section a wish's words end in ("the strongest coffee" -> tea and coffee), if any."""
    for tail in _tails(words):
        section = kb.section_of(tail)
        if section:
            return section
    return None


def _tails(words: str) -> list[str]:
    """The endings of a phrase after its first word, longest first ("very strong coffee" -> "strong coffee", "coffee")."""
    parts = words.lower().replace("-", " - ").split()
    tails = [" ".join(parts[i:]).replace(" - ", "-") for i in range(1, len(parts))]
    return [t for t in tails if t != "-"]


def extract_facts(
    text: str,
    entities: Iterable[dict[str, Any]],
    kb: Knowledge,
    asked_budget: bool = False,
    answering: Optional[str] = None,
) -> Facts:
    """Turn the entities the NLU found (and the text) into facts about the need."""
    facts = Facts()
    recipients: list[tuple[int, str]] = []
    wish_sections: list[tuple[str, str]] = []
    for ent in entities:
        kind, value = str(ent.get("entity", "")), str(ent.get("value", "")).lower().strip()
        if not value:
            continue
        negated = ent.get("role") == EXCLUDED_ROLE
        if kind in ("product", "category") and not negated and facts.stated is None and "start" in ent:
            facts.stated = text[ent["start"]:ent["end"]].lower()
        if kind == "product":
            _add(facts.excluded_kinds if negated else facts.kinds, value)
        elif kind == "category":
            section = kb.section_of(value)
            if negated and "start" in ent:
                _add(facts.excluded_kinds, text[ent["start"]:ent["end"]].lower())  # "no nuts"
            elif section:
                _add(facts.sections, section)
        elif kind == "recipient" and kb.concept("recipient", value) and not _possessor(text, ent, entities):
            recipients.append((int(ent.get("start", 0) or 0), value))
        elif kind == "situation" and kb.concept("situation", value):
            _add(facts.situations, value)
        elif kind == "occasion" and kb.concept("occasion", value) and facts.occasion is None:
            facts.occasion = value  # the first occasion named is the one the shopper leads with
        elif kind == "emotion" and kb.concept("emotion", value):
            _add(facts.emotions, value)
        elif kind in PREFERENCE_ENTITIES and kb.concept(kind, value):
            target, other = (facts.avoids, facts.prefers) if negated else (facts.prefers, facts.avoids)
            _add(target, (kind, value))
            if (kind, value) in other:
                other.remove((kind, value))
            thing = _kind_in(text[ent["start"]:ent["end"]], kb) if "start" in ent and not negated else None
            section = _section_in(text[ent["start"]:ent["end"]], kb) if "start" in ent and not negated and \
                not thing else None
            if thing:  # "lactose-free milk": a wish and a product
                _add(facts.kinds, thing)
                facts.stated = facts.stated or text[ent["start"]:ent["end"]].lower()
            elif section:  # "the strongest coffee": a wish and a section, unless something else is named
                wish_sections.append((section, text[ent["start"]:ent["end"]].lower()))
    if wish_sections and not (facts.kinds or facts.sections):
        facts.sections, facts.stated = [wish_sections[0][0]], facts.stated or wish_sections[0][1]
    if any(c.meal for c in (kb.concept("situation", s) for s in facts.situations) if c):
        facts.prefers = [p for p in facts.prefers if p[0] != "taste"]  # the meal's taste: buy what goes with it
    plain = kb.plain_numbers(text)  # numbers said in words of other languages, as digits
    facts.recipient, facts.for_recipient = _the_recipient(text, recipients, kb.recipient_markers)
    facts.recipient = facts.recipient or _child_of_age(plain, kb) or _implied_recipient(text, facts, kb)
    facts.for_recipient = facts.for_recipient or answering == "recipient"
    age = AGE_RE.search(plain)
    if age:
        years = int(age.group("a") or age.group("b") or age.group("c"))
        key = elderly_key(kb)
        if years >= 65 and key:
            _add(facts.situations, key)
    qty = _QUANTITY_RE.search(plain)
    if qty and (facts.kinds or facts.sections):
        facts.quantity = qty.group(0).strip()
    facts.budget = parse_budget(plain, asked_budget=asked_budget, default_currency=kb.currency)
    facts.headcount = headcount(plain)
    if facts.headcount and facts.headcount >= 6 and kb.concept("situation", "hosting"):
        _add(facts.situations, "hosting")

    if not (facts.situations or facts.occasion or facts.emotions) and _unplaced(text, entities, kb):
        facts.untold = text.strip()
    if not facts.kinds and not facts.sections:
        m = _REQUEST_RE.search(text.strip())
        if m:
            item = m.group("item").strip(" -'")
            words = [w for w in item.split() if w not in ("some", "any", "good", "nice", "fresh")]
            if (words and words[0] != "to" and not (set(words) & _STOP)
                    and not kb.products_of_kind(" ".join(words))):
                facts.unknown_item = " ".join(words)
        else:
            facts.unknown_item = _asked_by_name(text, entities, kb)
    return facts


def _asked_by_name(text: str, entities: Iterable[dict[str, Any]], kb: Knowledge) -> Optional[str]:
    """A thing asked for with another language's request words ("有榴莲吗"), when the lexicon places none of it."""
    spans = [(int(e["start"]), int(e["end"])) for e in entities if "start" in e]
    for pattern in kb.request_patterns:
        for m in pattern.finditer(text):
            start, end = m.span("item")
            if any(start < e and s < end for s, e in spans):
                continue
            rest = m.group("item")
            for filler in kb.unspaced_fillers:
                rest = rest.replace(filler, "")
            if len(rest) >= 2:
                return m.group("item")
    return None
