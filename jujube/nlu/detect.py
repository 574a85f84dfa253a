"""Need detection on one message: the classifier's labels, read around what the message names."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Optional, Protocol


# Score a need must keep once the named products and sections are cut out: "she likes nuts" keeps 0.01
# of a nut allergy, "dairy doesn't sit well, which milk..." keeps about 0.07 of lactose intolerance.
AROUND_FLOOR = 0.05
TELLING = 0.3  # ...unless the rest of the words tell of some need ("peanuts make him swell up")


class Scorer(Protocol):
    """Anything that scores need labels for a text (the need classifier)."""

    threshold: float

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        """Every label's probability for each text."""


def without_address(text: str, words: Iterable[str]) -> str:
    """The message with a leading form of address blanked out, offsets kept ("老板，有枣吗" -> "   有枣吗").

    The shopkeeper addressed as "老板" or "boss" is not the boss a present is for.
    """
    pattern = _address_pattern(tuple(sorted(set(words), key=len, reverse=True)))
    found = pattern.match(text) if pattern else None
    return " " * found.end() + text[found.end():] if found else text


@lru_cache(maxsize=8)
def _address_pattern(words: tuple[str, ...]) -> Optional[re.Pattern[str]]:
    if not words:
        return None
    either = "|".join(re.escape(w) for w in words)
    return re.compile(rf"\s*(?:(?:{either})\s*[,，、!！:：~～]\s*)+", re.IGNORECASE)


def without_things(text: str, entities: list[dict[str, Any]]) -> str:
    """The message with the products and sections it names cut out ("she likes nuts" -> "she likes")."""
    spans = sorted((int(e["start"]), int(e["end"])) for e in entities
                   if e.get("entity") in ("product", "category") and e.get("role") != "excluded" and "start" in e)
    out, last = [], 0
    for start, end in spans:
        if start >= last:
            out.append(text[last:start])
            last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


def detect_needs(classifier: Scorer, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{label, confidence}] at or above the threshold, best first.

    A need must show in the words around what was asked for, not in its name alone:
    "she likes nuts" names nuts but says nothing of an allergy.
    """
    if not text.strip():
        return []
    masked = without_things(text, entities)
    scores, *rest = classifier.scores_many([text, masked] if masked and masked != text else [text])
    if masked != text:  # the words around the names must still hint at the need
        around = rest[0] if rest else {}
        telling = max(around.values(), default=0.0) >= TELLING  # the rest of the words tell of some need
        scores = {label: score if telling or around.get(label, 0.0) >= AROUND_FLOOR else 0.0
                  for label, score in scores.items()}
    return [{"label": label, "confidence": round(score, 3)}
            for label, score in sorted(scores.items(), key=lambda kv: -kv[1]) if score >= classifier.threshold]
