"""The simulated customer: answers only what the trainee asked, reacts to pitches like a real shopper."""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from jujube.messages import get_messages, reply_language
from jujube.rehearsal.classifier import Prediction
from jujube.rehearsal.matching import ProductIndex, contains_phrase, overall_fit, tokens
from jujube.rehearsal.offers import AVOIDING
from jujube.rehearsal.personas import Fact, Persona

logger = logging.getLogger(__name__)

TOPIC_OF = {
    "ask_recipient": "recipient",
    "ask_purpose": "situation",
    "ask_preference": "matters",
    "ask_quality": "quality",
    "ask_budget": "budget",
}
QUESTIONS = frozenset(TOPIC_OF) | {"ask_followup", "closed_question"}
QUESTION_WORDS = frozenset(
    "who whom whose what which why how when where is are do does did would could can may should will "
    "have has any tell".split()
)


GUESSED = 0  # a topic confirmed by a right yes/no guess: "Yes." and no more
OPEN = frozenset(TOPIC_OF) | {"ask_followup"}
WH_WORDS = frozenset("who whom whose what which why how when where".split())
OFFER_TO_LOOK = re.compile(
    r"\b(?:shall|should|can|could|may|let)\s+(?:i|me|we|us)\s+(?:\w+\s+){0,2}"
    r"(?:find|look|search|show|check|get|bring|pick|see|fetch|compare|help)\b|\b(?:i|we)\s+(?:can|could)\s+"
    r"(?:\w+\s+){0,2}(?:find|look|search|show|check)\b|\boptions\b|\bchoices\b", re.IGNORECASE)


def asks_open(text: str) -> bool:
    """True for a question led by a question word ("what do you like about the milk you pick?")."""
    ws = re.findall(r"[a-z]+", text.lower())
    return bool(ws) and (bool(WH_WORDS & set(ws[:4])) or ws[0] in ("tell", "describe"))


def _runner_up(pred: Prediction, exclude: tuple[str, ...]) -> str | None:
    """The model's most likely label outside `exclude`."""
    ranked = sorted(((v, k) for k, v in pred.scores.items() if k not in exclude), reverse=True)
    return ranked[0][1] if ranked else None


def looks_like_question(text: str) -> bool:
    """True for a question mark or a leading question word ("what kind of dates ...")."""
    stripped = text.strip()
    first = stripped.split(maxsplit=1)[0].lower().strip(",.!") if stripped else ""
    return stripped.endswith(("?", "？")) or first in QUESTION_WORDS or first.split("'")[0] in QUESTION_WORDS


@dataclass(frozen=True)
class Rules:
    """How the customer behaves (rubric.yml `rules`)."""

    ready_after: int = 2
    patience: int = 3
    max_questions: int = 20
    min_confidence: float = 0.3

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> "Rules":
        """Rules from the rubric file's `rules` mapping (missing keys keep their defaults)."""
        raw = raw or {}
        return cls(**{k: type(getattr(cls, k))(raw[k]) for k in cls.__dataclass_fields__ if k in raw})


@dataclass
class CustomerState:
    """Everything the customer remembers of a rehearsal (stored as JSON between messages)."""

    revealed: dict[str, int] = field(default_factory=dict)  # topic -> 0 (guessed), 1 (answered), 2 (deeper told)
    closed_guesses: list[str] = field(default_factory=list)
    last_topic: str | None = None
    turns: int = 0
    questions: int = 0
    open_questions: int = 0
    closed_questions: int = 0
    follow_ups: int = 0
    repeats: int = 0
    premature_pitches: int = 0
    unclear: int = 0
    recommendation: dict[str, Any] | None = None
    ended: str | None = None  # recommended | walked_away | gave_up | time_up | stopped | switched
    telling: int = 0  # which of the persona's ways of telling its story this rehearsal hears
    language: str | None = None  # the language of the trainee's latest message (the customer answers in it)
    moves: list[dict[str, Any]] = field(default_factory=list)  # every trainee message: text, label, event, topic

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> "CustomerState":
        """Rebuild from `to_dict` output (unknown keys are ignored)."""
        raw = raw or {}
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Turn:
    """What happened on one trainee message."""

    label: str
    confidence: float
    event: str
    reply: str
    topic: str | None = None
    mentions: tuple[dict[str, Any], ...] = ()


class Customer:
    """Plays one persona: reveals a fact per fitting question, keeps the rest hidden."""

    def __init__(self, persona: Persona, index: ProductIndex, rules: Rules) -> None:
        self.persona = persona
        self.voice = persona  # the persona speaking the language of the trainee's latest message
        self.index = index
        self.rules = rules

    def uncovered(self, state: CustomerState) -> set[str]:
        """Need dimensions the trainee has uncovered so far."""
        return self.persona.dimensions_of(state.revealed)

    def respond(self, state: CustomerState, text: str, pred: Prediction) -> Turn:
        """React to one trainee message (every question in it), in its language; updates `state` in place."""
        state.turns += 1
        state.language = reply_language(text, state.language)
        self.voice = self.persona.localized(state.language)
        label = self.reading(text, pred)
        handler = getattr(self, f"_on_{label}", self._on_other)
        event, reply, topic, mentions = handler(state, text)
        if label in OPEN and not state.ended:
            # A second open question in the same message ("Who is it for, and what's the occasion?").
            for part in pred.parts:
                if part.label in OPEN and part.label != label and part.confidence >= self.rules.min_confidence:
                    ev2, reply2, topic2, _ = getattr(self, f"_on_{part.label}")(state, part.text)
                    if ev2 in ("revealed", "deeper"):
                        reply, event, topic = self._joined(state, reply, reply2), \
                            event if event == "revealed" else ev2, topic2
                    break
        if label in QUESTIONS and state.questions >= self.rules.max_questions and not state.ended:
            state.ended = "time_up"
            reply = self._joined(state, reply, self._say("time_up", state))
        state.moves.append({"text": text[:300], "label": label, "event": event, "topic": topic,
                            "labels": list(pred.labels)})
        return Turn(label, pred.confidence, event, reply, topic, tuple(mentions))

    def reading(self, text: str, pred: Prediction) -> str:
        """What the customer takes the message for: the classifier's label, corrected by what was named."""
        label = pred.label
        if label != "other" and pred.confidence < self.rules.min_confidence:
            return "other"
        pitched = self._pitched_products(text)
        if label not in ("recommend", "give_up") and pitched and (
                label == "closed_question" or not looks_like_question(text)):
            return "recommend"  # a statement or a yes/no question pushing a product is a pitch
        if label == "recommend" and pred.source != "rule" and not pitched and asks_open(text):
            # Asking about the customer's own request ("what matters to you about the milk?") is discovery.
            return _runner_up(pred, exclude=("recommend", "give_up", "other")) or "ask_preference"
        if label == "give_up" and OFFER_TO_LOOK.search(text):
            # "Shall I find the cheapest one?" offers a search; it does not give up
            return _runner_up(pred, exclude=("recommend", "give_up", "other")) or "closed_question"
        return label

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _joined(state: CustomerState, *sentences: str) -> str:
        """Sentences as the conversation's language writes them one after another (Chinese: no space)."""
        return get_messages(state.language).space.join(sentences)

    def _say(self, kind: str, state: CustomerState, **values: str) -> str:
        return self.voice.reply(kind, state.turns, **values)

    def _pitched_products(self, text: str) -> bool:
        """Naming products other than the stated request pitches them (unless asking what to avoid)."""
        if AVOIDING & set(tokens(text)):
            return False
        asked = (self.persona.stated_request, self.voice.stated_request)
        return any(not any(contains_phrase(request, m.phrase) for request in asked)
                   for m in self.persona.grade(self.index, text))

    def _reveal(self, state: CustomerState, topic: str) -> tuple[str, str, str | None, list]:
        state.questions += 1
        state.open_questions += 1
        fact = self.persona.facts.get(topic)
        if fact is None:
            return "not_fussy", self._say("not_fussy", state), None, []
        if state.revealed.get(topic, GUESSED) > GUESSED:
            if state.last_topic == topic and state.revealed[topic] == 1 and fact.deeper_for(state.telling):
                return self._deeper(state, topic)
            state.repeats += 1
            state.last_topic = topic
            return "repeat", self._say("repeat", state, answer=self._told(topic).answer_for(state.telling)), topic, []
        state.revealed[topic] = 1
        state.last_topic = topic
        return "revealed", self._told(topic).answer_for(state.telling), topic, []

    def _told(self, topic: str) -> Fact:
        """A fact as the customer tells it in the language of the conversation."""
        return self.voice.facts[topic]  # a voice has every fact of the persona

    def _deeper(self, state: CustomerState, topic: str) -> tuple[str, str, str | None, list]:
        state.revealed[topic] = 2
        state.follow_ups += 1
        return "deeper", self._told(topic).deeper_for(state.telling), topic, []

    # -- one handler per question kind --------------------------------------------------------
    def _on_ask_recipient(self, state: CustomerState, text: str) -> tuple:
        return self._reveal(state, "recipient")

    def _on_ask_purpose(self, state: CustomerState, text: str) -> tuple:
        return self._reveal(state, "situation")

    def _on_ask_preference(self, state: CustomerState, text: str) -> tuple:
        return self._reveal(state, "matters")

    def _on_ask_quality(self, state: CustomerState, text: str) -> tuple:
        return self._reveal(state, "quality" if "quality" in self.persona.facts else "matters")

    def _on_ask_budget(self, state: CustomerState, text: str) -> tuple:
        return self._reveal(state, "budget")

    def _on_ask_followup(self, state: CustomerState, text: str) -> tuple:
        topic = state.last_topic
        if topic is None:  # "why?" before anything was said: why the stated request
            return self._reveal(state, "situation")
        state.questions += 1
        state.open_questions += 1
        fact = self.persona.facts[topic]
        if state.revealed.get(topic) == GUESSED:  # "tell me more" after a right guess: now the story
            state.questions -= 1
            state.open_questions -= 1
            return self._reveal(state, topic)
        if state.revealed.get(topic) == 1 and fact.deeper_for(state.telling):
            return self._deeper(state, topic)
        return "no_more", self._say("no_more", state), topic, []

    def _on_closed_question(self, state: CustomerState, text: str) -> tuple:
        state.questions += 1
        state.closed_questions += 1
        for topic, fact in self.voice.facts.items():  # the keywords of every language the customer speaks
            if fact.guessed_by(text):
                if topic not in state.revealed:  # a right guess is confirmed, the story stays untold
                    state.revealed[topic] = GUESSED
                    state.closed_guesses.append(topic)
                state.last_topic = topic
                return "closed_yes", self._say("closed_yes", state), topic, []
        return "closed_no", self._say("closed_no", state), None, []

    def _on_recommend(self, state: CustomerState, text: str) -> tuple:
        mentions = self.persona.grade(self.index, text)
        fit = overall_fit(m.grade for m in mentions)
        as_dicts = [m.as_dict() for m in mentions]
        if len(self.uncovered(state)) < self.rules.ready_after:
            state.premature_pitches += 1
            if state.premature_pitches >= self.rules.patience:
                state.ended = "walked_away"
                return "walk_away", self._say("walk_away", state), None, as_dicts
            kind = "premature_fit" if fit in ("good", "acceptable") else "premature_miss"
            return "premature_pitch", self._say(kind, state), None, as_dicts
        if not mentions:
            return "which", self._say("which", state), None, []
        state.recommendation = {"text": text, "fit": fit, "products": as_dicts}
        state.ended = "recommended"
        kind = {"good": "accept", "acceptable": "partial"}.get(fit, "decline")
        return f"recommendation_{fit}", self._say(kind, state), None, as_dicts

    def _on_small_talk(self, state: CustomerState, text: str) -> tuple:
        if state.questions == 0 and state.premature_pitches == 0:
            return "small_talk", self._joined(state, self._say("greeting", state), self.voice.opening), None, []
        return "small_talk", self._say("small_talk", state), None, []

    def _on_give_up(self, state: CustomerState, text: str) -> tuple:
        state.ended = "gave_up"
        return "give_up", self._say("give_up", state), None, []

    def _on_other(self, state: CustomerState, text: str) -> tuple:
        state.unclear += 1
        return "unclear", self._say("unclear", state), None, []
