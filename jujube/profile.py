"""The need profile: every fact of one discovery, and the need it adds up to on four dimensions."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional

from jujube.budget import Budget
from jujube.facts import Facts
from jujube.knowledge import DIMENSIONS, Concept, Knowledge
from jujube.messages import Messages

TOPICS = ("recipient", "purpose", "preference", "quality", "budget")


@dataclass
class Profile:
    """What is known about one shopper's need so far."""

    stated_request: str = ""
    kinds: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    quantity: Optional[str] = None
    recipient: Optional[str] = None
    situations: list[str] = field(default_factory=list)
    occasion: Optional[str] = None
    emotions: list[str] = field(default_factory=list)
    headcount: Optional[int] = None
    own_words: str = ""  # the shopper's words when nothing in them was recognised
    prefers: list[tuple[str, str]] = field(default_factory=list)
    avoids: list[tuple[str, str]] = field(default_factory=list)
    excluded_kinds: list[str] = field(default_factory=list)
    budget: Optional[Budget] = None
    unknown_item: Optional[str] = None
    known: set[str] = field(default_factory=set)

    def apply(self, facts: Facts) -> None:
        """Add one message's facts; newer facts win over older ones."""
        if not self.stated_request:
            self.stated_request = facts.stated or (facts.kinds[:1] or facts.sections[:1] or [facts.unknown_item or ""])[0]
        for kind in facts.kinds:
            if kind not in self.kinds:
                self.kinds.append(kind)
            if kind in self.excluded_kinds:
                self.excluded_kinds.remove(kind)
        for kind in facts.excluded_kinds:
            if kind not in self.excluded_kinds:
                self.excluded_kinds.append(kind)
            if kind in self.kinds:
                self.kinds.remove(kind)
        for section in facts.sections:
            if section not in self.sections:
                self.sections.append(section)
        self.quantity = facts.quantity or self.quantity
        if facts.recipient and (not self.recipient or facts.for_recipient):
            self.recipient = facts.recipient  # "the doctor said..." later on does not change who it is for
        for s in facts.situations:
            if s not in self.situations:
                self.situations.append(s)
        self.occasion = facts.occasion or self.occasion
        for e in facts.emotions:
            if e not in self.emotions:
                self.emotions.append(e)
        self.headcount = facts.headcount or self.headcount
        for pref in facts.prefers:
            if pref in self.avoids:
                self.avoids.remove(pref)
            if pref not in self.prefers:
                self.prefers.append(pref)
        for pref in facts.avoids:
            if pref in self.prefers:
                self.prefers.remove(pref)
            if pref not in self.avoids:
                self.avoids.append(pref)
        if facts.budget is not None:
            self.budget = facts.budget
        if facts.untold and not self.own_words and not (self.situations or self.occasion or self.emotions):
            self.own_words = facts.untold  # a purpose the lexicon could not place: keep it in their words
        if facts.unknown_item and not self.unknown_item and not self.kinds:
            self.unknown_item = facts.unknown_item
        self.known |= facts.topics()

    def concepts(self, kb: Knowledge) -> list[Concept]:
        """Lexicon concepts behind the profile, recipient first."""
        keys: list[tuple[str, str]] = []
        if self.recipient:
            keys.append(("recipient", self.recipient))
        keys += [("situation", s) for s in self.situations]
        if self.occasion:
            keys.append(("occasion", self.occasion))
        keys += [("emotion", e) for e in self.emotions]
        keys += self.prefers
        return [c for c in (kb.concept(e, k) for e, k in keys) if c is not None]

    def is_gift(self, kb: Knowledge) -> bool:
        """True when the shopper is buying a present."""
        occasion = kb.concept("occasion", self.occasion) if self.occasion else None
        recipient = kb.concept("recipient", self.recipient) if self.recipient else None
        return ("gift boxes and hampers" in self.sections or bool(occasion and occasion.gift)
                or bool(recipient and recipient.group == "work"))

    def has_facts(self) -> bool:
        """True once anything about the need is known."""
        return bool(self.stated_request or self.known or self.kinds or self.sections or self.own_words)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for the conversation's state slot."""
        out = asdict(self)
        out["known"] = sorted(self.known)
        out["prefers"] = [list(p) for p in self.prefers]
        out["avoids"] = [list(p) for p in self.avoids]
        out["budget"] = asdict(self.budget) if self.budget else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Profile":
        """The profile `to_dict` wrote (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in names}
        values["known"] = set(values.get("known") or ())
        values["prefers"] = [tuple(p) for p in values.get("prefers") or ()]
        values["avoids"] = [tuple(p) for p in values.get("avoids") or ()]
        budget = values.get("budget")
        values["budget"] = Budget(**budget) if isinstance(budget, dict) else None
        return cls(**values)

    def dimensions(self, kb: Knowledge) -> dict[str, Any]:
        """The need on the four dimensions, as the needs log stores it."""
        dims: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
        for concept in self.concepts(kb):
            for dim, item in concept.items():
                if item.text not in dims[dim]:
                    dims[dim].append(item.text)
        for entity, key in self.avoids:
            concept = kb.concept(entity, key)
            text = f"not {key}"
            dim = next((d for d, _ in concept.items()), "functional") if concept else "functional"
            if text not in dims[dim]:
                dims[dim].append(text)
        for kind in self.excluded_kinds:
            dims["functional"].append(f"no {kind}")
        out: dict[str, Any] = dict(dims)
        out["price"] = self.budget.as_dict() if self.budget else {}
        if self.budget and "currency" not in out["price"] and self.budget.max is not None:
            out["price"]["currency"] = kb.currency
        return out

    def situation_text(self) -> Optional[str]:
        """The situation as one short line."""
        parts = list(self.situations) + ([self.occasion] if self.occasion else []) + list(self.emotions)
        return ", ".join(parts) or None

    def summary(self, kb: Knowledge, msgs: Messages, with_request: bool = True) -> str:
        """One line naming the underlying need, in the language of `kb` and `msgs`."""
        wishes = [kb.label(k) for e, k in self.prefers if e in ("taste", "texture")]
        request = self.stated_request if with_request else ""
        head = msgs.text("need_something", wishes=msgs.text("and").join(wishes)) if wishes else \
            (request or msgs.text("need_suitable"))
        if self.own_words and not (self.known or self.kinds or self.sections):
            return msgs.text("need_details", head=head, details=self.own_words)
        if self.recipient:
            head = msgs.text("need_for", head=head, who=_who(self.recipient, kb, msgs))
        if self.occasion:
            head = msgs.text("need_for_occasion", head=head, occasion=kb.label(self.occasion))
        details = []
        for s in self.situations:
            c = kb.concept("situation", s)
            details.append(c.summary if c and c.summary else kb.label(s))
        for e in self.emotions:
            c = kb.concept("emotion", e)
            details.append(c.summary if c and c.summary else kb.label(e))
        if self.own_words and not (self.situations or self.occasion or self.emotions):
            details.append(msgs.text("need_own_words", words=self.own_words))
        details += [kb.label(k) for e, k in self.prefers if e == "quality"]
        if self.headcount:
            details.append(msgs.text("need_people", count=self.headcount))
        if self.unknown_item and self.unknown_item != self.stated_request:
            details.append(msgs.text("need_asked", item=self.unknown_item))
        return msgs.text("need_details", head=head, details=msgs.text("detail_sep").join(details)) if details else head


def _who(recipient: str, kb: Knowledge, msgs: Messages) -> str:
    """The recipient as said inside a sentence ("a mother", "the kids", "yourself")."""
    if recipient in ("me", "myself", "self"):
        return msgs.text("who_self")
    name = kb.label(recipient)
    if recipient.endswith("s") and not recipient.endswith("ss"):
        return msgs.text("who_many", recipient=name)
    return msgs.text("who_one", recipient=name, article="an" if recipient[0] in "aeiou" else "a")
