"""Choosing the next discovery question, and saying it."""
from __future__ import annotations

import copy
from typing import Iterable, Optional

from jujube.budget import Budget
from jujube.knowledge import Knowledge
from jujube.messages import Messages
from jujube.profile import Profile
from jujube.ranking import rank

def order_is_complete(profile: Profile) -> bool:
    """A direct order ("two kilos of kiwi"): the shopper knows exactly what they want."""
    return bool(profile.kinds and profile.quantity)


MIN_VALUE = 0.3  # ask only when about a third of the plausible answers would change the picks
# A complete order is asked about once when one plausible purpose in ten would change it: a wrong order
# (hard apples for someone who cannot chew, an energy drink for a child) costs more than one question.
ORDER_MIN_VALUE = 0.1
# Who and why reveal the underlying need; taste, quality and price refine it.
PRIOR = {"recipient": 1.0, "purpose": 1.0, "preference": 0.8, "quality": 0.7, "budget": 0.8}


def _top(profile: Profile, kb: Knowledge, shown: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s.product.sku for s in rank(profile, kb, exclude_skus=shown))


def _hypotheses(topic: str, profile: Profile, kb: Knowledge) -> list[Profile]:
    """Profiles for plausible answers to `topic`."""
    out: list[Profile] = []

    def variant(**changes: object) -> Profile:
        p = copy.copy(profile)  # ranking only reads a profile: the fields not changed are shared
        for name, value in changes.items():
            old = getattr(p, name)
            setattr(p, name, [*old, value] if isinstance(old, list) else value)
        return p

    if topic == "recipient":
        groups: dict[str, str] = {}
        for c in kb.of_entity("recipient"):
            groups.setdefault(c.group or c.key, c.key)
        out = [variant(recipient=key) for key in groups.values()]
    elif topic == "purpose":
        entities = ("occasion", "emotion") if profile.is_gift(kb) else ("situation", "occasion", "emotion")
        for entity in entities:
            for c in kb.of_entity(entity):
                out.append(variant(occasion=c.key) if entity == "occasion" else
                           variant(situations=c.key) if entity == "situation" else variant(emotions=c.key))
    elif topic in ("preference", "quality"):
        pool = {t for s in rank(profile, kb, limit=12) for t in s.product.tags}
        entities = ("taste", "texture") if topic == "preference" else ("quality",)
        out = [variant(prefers=(c.entity, c.key)) for e in entities for c in kb.of_entity(e)
               if c.prefer_tags & pool]  # only answers some candidate can satisfy
    elif topic == "budget":
        prices = sorted(s.product.price for s in rank(profile, kb, limit=30))
        for q in (0.2, 0.5):
            if prices:
                out.append(variant(budget=Budget(max=prices[int(q * (len(prices) - 1))], sensitivity="medium")))
        out.append(variant(budget=Budget(sensitivity="high")))
    return out


def topic_value(topic: str, profile: Profile, kb: Knowledge, shown: tuple[str, ...] = (),
                current: Optional[tuple[str, ...]] = None) -> float:
    """The share of plausible answers to `topic` that would change the top pick or most of the picks."""
    if current is None:
        current = _top(profile, kb, shown)
    hypotheses = _hypotheses(topic, profile, kb)
    if not hypotheses:
        return 0.0
    changed = 0
    for hyp in hypotheses:
        top = _top(hyp, kb, shown)
        if top and (not current or top[:1] != current[:1] or len(set(top) ^ set(current)) >= 4):
            changed += 1
    return PRIOR[topic] * changed / len(hypotheses)


def next_topic(
    profile: Profile,
    kb: Knowledge,
    asked: Iterable[str],
    max_questions: int = 3,
    wants_suggestion: bool = False,
    shown: tuple[str, ...] = (),
) -> Optional[str]:
    """The question whose answer would change the recommendation most, or None when the picks are clear."""
    asked = list(asked)
    done = profile.known | set(asked) | {t for c in profile.concepts(kb) for t in c.skip_questions}
    if order_is_complete(profile):  # at most one question, when what it is for could change the order
        purpose_open = not (profile.situations or profile.occasion or profile.emotions) and not asked
        worth = purpose_open and "purpose" not in done and \
            topic_value("purpose", profile, kb, shown) >= ORDER_MIN_VALUE
        return "purpose" if worth else None
    if len(asked) >= max_questions:
        return None
    if wants_suggestion and profile.has_facts():
        return None
    gift = profile.is_gift(kb)
    order = ["recipient", "purpose", "preference", "budget"]
    if gift and not _formal_known(profile, kb):
        order.insert(3, "quality")
    if gift and "quality" in profile.known:
        done.add("preference")
    if profile.recipient and "recipient" not in done and "purpose" in profile.known:
        done.add("recipient")
    open_topics = [t for t in order if t not in done]
    if not open_topics:
        return None
    if open_topics[0] == "recipient":
        return "recipient"  # who it is for comes first: it opens the underlying need and how they feel about it
    if gift and open_topics[0] == "purpose" and topic_value("purpose", profile, kb, shown) >= MIN_VALUE:
        return "purpose"  # a present's occasion comes next: it decides festival foods and gift customs
    if profile.kinds and open_topics[0] == "purpose" and _for_someone_else(profile, kb) and \
            topic_value("purpose", profile, kb, shown) >= ORDER_MIN_VALUE:
        return "purpose"  # a named product for someone else: what it is for can rule it out, as for an order
    best, best_value = None, 0.0
    current = _top(profile, kb, shown)
    for topic in open_topics:
        value = topic_value(topic, profile, kb, shown, current)
        if value > best_value + 0.05:
            best, best_value = topic, value
    return best if best_value >= MIN_VALUE else None


def _for_someone_else(profile: Profile, kb: Knowledge) -> bool:
    """True when the purchase is for someone other than the shopper."""
    recipient = kb.concept("recipient", profile.recipient) if profile.recipient else None
    return recipient is not None and recipient.group != "self"


def _formal_known(profile: Profile, kb: Knowledge) -> bool:
    """True when a quality, packaging or presentation wish is already known."""
    return any(concept.needs.get("formal") for concept in profile.concepts(kb))


def _thing(profile: Profile, kb: Knowledge) -> tuple[Optional[str], bool]:
    """What the shopper asked for, and whether it is plural (None for a present, "" when nothing was named)."""
    if profile.stated_request and (profile.kinds or profile.sections):
        words = profile.stated_request
        if kb.section_of(words) == "gift boxes and hampers":
            return None, False
        return words, words.endswith("s")
    if profile.kinds:
        kind = profile.kinds[0]
        return kind, kind.endswith("s")
    if profile.sections:
        section = profile.sections[0]
        if section == "gift boxes and hampers":
            return None, False
        return kb.section_label(section), section.endswith("s")
    return "", False


def ask(topic: str, profile: Profile, kb: Knowledge, msgs: Messages) -> str:
    """One short, natural question about `topic`."""
    named, plural = _thing(profile, kb)
    thing = msgs.text("thing_present") if named is None else named or msgs.text("thing_it")
    pronoun = msgs.pronoun(profile.recipient)
    they, does = pronoun["subject"], pronoun["verb"]
    gift = profile.is_gift(kb)
    if topic == "recipient":
        target = msgs.text("thing_the", thing=named) if named else thing
        return msgs.text("ask_recipient", verb=msgs.text("verb_many" if plural else "verb_one"), thing=target)
    if topic == "purpose" and order_is_complete(profile):
        return msgs.text("ask_purpose_order", quantity=(profile.quantity or "").lower(), thing=thing)
    if topic in ("purpose", "preference"):
        return msgs.text(f"ask_{topic}_gift" if gift else f"ask_{topic}", does=does, they=they)
    if topic in ("quality", "budget"):
        return msgs.text(f"ask_{topic}")
    raise ValueError(f"unknown topic {topic!r}")
