"""Choosing the next discovery question, and saying it."""
from __future__ import annotations

from typing import Iterable, Optional

from jujube.knowledge import Knowledge
from jujube.profile import Profile

PRONOUNS = {
    "female": ("she", "her"), "male": ("he", "him"), "plural": ("they", "them"), "self": ("you", "you"),
}
_FEMALE = ("mother", "mum", "mom", "wife", "daughter", "grandmother", "grandma", "sister", "girlfriend", "aunt",
           "niece", "granny", "nan", "mama", "-in-law's wife", "daughter-in-law", "mother-in-law")
_MALE = ("father", "dad", "husband", "son", "grandfather", "grandpa", "brother", "boyfriend", "uncle", "nephew",
         "papa", "son-in-law", "father-in-law", "grandad")


def pronouns(recipient: Optional[str]) -> tuple[str, str]:
    """Subject and object pronoun for a recipient."""
    if not recipient:
        return PRONOUNS["plural"]
    if recipient in ("me", "myself", "self"):
        return PRONOUNS["self"]
    if recipient in _FEMALE or recipient.endswith(("mother", "mum", "wife", "daughter")):
        return PRONOUNS["female"]
    if recipient in _MALE or recipient.endswith(("father", "dad", "husband", "son")):
        return PRONOUNS["male"]
    return PRONOUNS["plural"]


def order_is_complete(profile: Profile) -> bool:
    """A direct order ("two kilos of kiwi"): the shopper knows exactly what they want."""
    return bool(profile.kinds and profile.quantity)


def next_topic(
    profile: Profile,
    kb: Knowledge,
    asked: Iterable[str],
    max_questions: int = 4,
    wants_suggestion: bool = False,
) -> Optional[str]:
    """The most useful topic still unknown, or None when a good recommendation is possible."""
    asked = list(asked)
    done = profile.known | set(asked)
    if order_is_complete(profile) or len(asked) >= max_questions:
        return None
    if wants_suggestion and profile.has_facts():
        return None
    gift = profile.is_gift(kb)
    order = ["recipient", "purpose", "preference", "budget"]
    if gift and "quality" not in done and "preference" not in profile.known and not _formal_known(profile, kb):
        order.append("quality")
    if gift and "preference" not in done and "quality" in profile.known:
        done.add("preference")
    for topic in order:
        if topic not in done:
            return topic
    return None


def _formal_known(profile: Profile, kb: Knowledge) -> bool:
    """True when a quality, packaging or presentation wish is already known."""
    return any(concept.needs.get("formal") for concept in profile.concepts(kb))


def _thing(profile: Profile, kb: Knowledge) -> tuple[str, bool]:
    """What the shopper asked for, and whether it is plural."""
    if profile.stated_request and (profile.kinds or profile.sections):
        words = profile.stated_request
        if kb.section_of(words) == "gift boxes and hampers":
            return "the present", False
        return words, words.endswith("s")
    if profile.kinds:
        kind = profile.kinds[0]
        return kind, kind.endswith("s")
    if profile.sections:
        section = profile.sections[0]
        if section == "gift boxes and hampers":
            return "the present", False
        return section, section.endswith("s")
    return "it", False


def ask(topic: str, profile: Profile, kb: Knowledge) -> str:
    """One short, natural question about `topic`."""
    thing, plural = _thing(profile, kb)
    they, them = pronouns(profile.recipient)
    gift = profile.is_gift(kb)
    if topic == "recipient":
        target = f"the {thing}" if thing not in ("it", "the present") else thing
        verb = "are" if plural else "is"
        return f"Who {verb} {target} for?"
    if topic == "purpose":
        if gift:
            return "What's the occasion?"
        return (f"Is there a particular reason or situation I should know about, "
                f"such as a health condition, a diet or an occasion?")
    if topic == "preference":
        if gift:
            does = "do" if they in ("they", "you") else "does"
            return f"What kind of thing {does} {they} enjoy?"
        does = "do" if they in ("they", "you") else "does"
        return f"What taste or texture {does} {they} prefer: sweet, sour, crunchy, soft?"
    if topic == "quality":
        return "Is the quality, brand or packaging important for this one?"
    if topic == "budget":
        return "What budget do you have in mind?"
    raise ValueError(f"unknown topic {topic!r}")
