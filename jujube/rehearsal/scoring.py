"""Scoring a rehearsal against the rubric in knowledge/rehearsal/rubric.yml."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import yaml

from jujube.config import get_settings
from jujube.knowledge import get_knowledge, language_overlays
from jujube.messages import get_messages
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.customer import CustomerState, Rules
from jujube.rehearsal.matching import ProductIndex
from jujube.rehearsal.personas import DIMENSIONS, Persona

logger = logging.getLogger(__name__)

GUESS_CREDIT = 0.5
FIT_VALUE = {"good": 1.0, "acceptable": 0.5, "poor": 0.0, "none": 0.0}


@dataclass(frozen=True)
class Level:
    """Points given when a metric lies within [min, max]."""

    points: float
    min: float | None = None
    max: float | None = None

    def matches(self, value: float) -> bool:
        """True when `value` lies within this level's bounds."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class Item:
    """One line of the rubric."""

    key: str
    label: str
    metric: str
    levels: tuple[Level, ...]
    advice: str = ""
    priority: int = 0
    requires: tuple[tuple[str, float], ...] = ()

    @property
    def max_points(self) -> float:
        """Points of the item's best level."""
        return max((lv.points for lv in self.levels), default=0.0)

    def points(self, metrics: dict[str, float], check_requires: bool = True) -> float:
        """Points of the first level the metric meets (none when a required minimum is missed)."""
        if check_requires and any(metrics[name] < floor for name, floor in self.requires):
            return 0.0
        value = metrics[self.metric]
        return next((lv.points for lv in self.levels if lv.matches(value)), 0.0)


@dataclass
class Rubric:
    """The scoring rubric and the customer's rules."""

    items: list[Item]
    rules: Rules
    grades: list[tuple[float, str]]
    praise: list[str] = field(default_factory=list)
    advice_count: int = 3
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)  # language -> its overlay file

    def localized(self, language: str | None) -> "Rubric":
        """The same rubric with its labels, grades, advice and praise in `language` (itself when it has none)."""
        raw = self.translations.get(language or "")
        if raw is None:
            return self
        texts = raw.get("items") or {}
        items = [replace(i, label=str((texts.get(i.key) or {}).get("label") or i.label),
                         advice=" ".join(str((texts.get(i.key) or {}).get("advice") or i.advice).split()))
                 for i in self.items]
        names = {str(k): str(v) for k, v in (raw.get("grades") or {}).items()}
        grades = [(floor, names.get(label, label)) for floor, label in self.grades]
        praise = [str(p) for p in raw.get("praise") or []] or self.praise
        return replace(self, items=items, grades=grades, praise=praise, translations={})

    @property
    def max_score(self) -> float:
        """The best possible total."""
        return sum(i.max_points for i in self.items)

    def grade(self, percent: float) -> str:
        """The label of the first grade band the percentage reaches."""
        return next((label for floor, label in self.grades if percent >= floor), "")


def rubric_path() -> Path:
    """Where the rubric lives."""
    return get_settings().knowledge_dir / "rehearsal" / "rubric.yml"


def load_rubric(path: Path | None = None) -> Rubric:
    """Read and check the rubric file."""
    path = path or rubric_path()
    if not path.is_file():
        raise RehearsalError(f"rubric not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for entry in raw.get("items") or []:
        if not entry.get("key") or not entry.get("metric") or not entry.get("levels"):
            raise RehearsalError(f"{path.name}: every item needs key, metric and levels: {entry!r}")
        requires = tuple((str(k), float(v)) for k, v in (entry.get("requires") or {}).items())
        for name in (entry["metric"], *(k for k, _ in requires)):
            if name not in METRICS:
                raise RehearsalError(f"{path.name}: item {entry['key']!r}: unknown metric {name!r}")
        levels = tuple(Level(float(lv["points"]), lv.get("min"), lv.get("max")) for lv in entry["levels"])
        items.append(Item(str(entry["key"]), str(entry.get("label") or entry["key"]), str(entry["metric"]), levels,
                          " ".join(str(entry.get("advice") or "").split()), int(entry.get("priority", 0)),
                          requires))
    if not items:
        raise RehearsalError(f"{path}: no rubric items")
    grades = sorted(((float(g["min"]), str(g["label"])) for g in raw.get("grades") or []), reverse=True)
    return Rubric(items, Rules.from_dict(raw.get("rules")), grades, [str(p) for p in raw.get("praise") or []],
                  int(raw.get("advice_count", 3)), _translations(path, {i.key for i in items}))


def _translations(path: Path, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Language -> the rubric's texts in it (knowledge/<language>/rubric.yml saying `language: <language>`)."""
    out = language_overlays(path.parent.parent, path.name)
    for language, raw in out.items():
        unknown = set(raw.get("items") or {}) - keys
        if unknown:
            raise RehearsalError(f"{language}/{path.name}: no rubric items {sorted(unknown)} in {path.name}")
    return out


METRICS = (
    "uncovered_recipient", "uncovered_functional", "uncovered_formal", "uncovered_emotional", "uncovered_price",
    "dimensions_uncovered", "follow_ups", "questions", "open_questions", "closed_questions", "open_share",
    "premature_pitches", "recommendation_fit", "recommended", "unclear", "repeats", "dimensions_told",
)


def metrics(persona: Persona, state: CustomerState) -> dict[str, float]:
    """The measurable facts of a rehearsal that rubric items refer to."""
    told = persona.dimensions_of(state.revealed, told_only=True)
    guessed = persona.dimensions_of(state.revealed) - told
    fit = (state.recommendation or {}).get("fit", "none")
    # A dimension only confirmed by a right yes/no guess counts half: the customer never told the story.
    out: dict[str, float] = {f"uncovered_{d}": 1.0 if d in told else GUESS_CREDIT if d in guessed else 0.0
                             for d in DIMENSIONS}
    recipient = state.revealed.get("recipient")
    out.update(
        uncovered_recipient=0.0 if recipient is None else 1.0 if recipient > 0 else GUESS_CREDIT,
        dimensions_uncovered=float(len(told)) + GUESS_CREDIT * len(guessed),
        dimensions_told=float(len(told)),
        follow_ups=float(state.follow_ups),
        questions=float(state.questions),
        open_questions=float(state.open_questions),
        closed_questions=float(state.closed_questions),
        open_share=state.open_questions / state.questions if state.questions else 0.0,
        premature_pitches=float(state.premature_pitches),
        recommendation_fit=FIT_VALUE.get(fit, 0.0),
        recommended=float(state.recommendation is not None),
        unclear=float(state.unclear),
        repeats=float(state.repeats),
    )
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _advice_values(persona: Persona, index: ProductIndex, m: dict[str, float]) -> _Blank:
    facts = persona.facts
    return _Blank(
        name=persona.name,
        recipient=facts["recipient"].answer,
        situation=facts["situation"].answer,
        matters=facts["matters"].answer,
        budget=facts["budget"].answer,
        summary=str(persona.need.get("summary", "")),
        good_products=", ".join(persona.product_names(index, "good")),
        questions=str(int(m["questions"])),
        premature_pitches=str(int(m["premature_pitches"])),
        closed_questions=str(int(m["closed_questions"])),
    )


def score(persona: Persona, state: CustomerState, rubric: Rubric, index: ProductIndex,
          language: str | None = None) -> dict[str, Any]:
    """The scorecard of a rehearsal: item by item, total, uncovered dimensions and advice."""
    m = metrics(persona, state)
    values = _advice_values(persona, index, m)
    rows, missed = [], []
    for order, item in enumerate(rubric.items):
        got = item.points(m)
        rows.append({"key": item.key, "label": item.label, "metric": item.metric, "value": m[item.metric],
                     "points": got, "max": item.max_points})
        # Advice only when the item's own metric fell short, not merely a requirement.
        if item.points(m, check_requires=False) < item.max_points and item.advice:
            missed.append((-item.priority, got - item.max_points, order, item.advice.format_map(values)))
    missed.sort()
    advice = [text for *_, text in missed[: rubric.advice_count]]
    for extra in rubric.praise:
        if len(advice) >= 2:
            break
        advice.append(extra)
    total = sum(r["points"] for r in rows)
    max_score = rubric.max_score
    percent = round(100.0 * total / max_score, 1) if max_score else 0.0
    return {
        "persona": persona.key,
        "score": total,
        "max_score": max_score,
        "percent": percent,
        "grade": rubric.grade(percent),
        "dimensions": {d: m[f"uncovered_{d}"] >= 1.0 for d in DIMENSIONS},
        "guessed": [d for d in DIMENSIONS if 0.0 < m[f"uncovered_{d}"] < 1.0],
        "metrics": m,
        "items": rows,
        "advice": advice,
        "recommendation": state.recommendation,
        "ended": state.ended,
        "coaching": coaching(persona, state, m, language),
    }


# -- coaching ------------------------------------------------------------------------------------
# How much a move told about the need (best question) and how much it cost (weakest move).
MOVE_VALUE = {"deeper": 3.0, "revealed": 2.0, "closed_yes": 0.5}
HIDDEN_TOPICS = ("situation", "matters", "quality")
MOVE_COST = {  # what a move costs; why, in words, is the message catalogs' `why_<event>`
    "walk_away": 5.0,
    "premature_pitch": 4.0,
    "give_up": 4.0,
    "recommendation_poor": 3.5,
    "recommendation_none": 3.0,
    "recommendation_acceptable": 2.0,
    "closed_no": 2.0,
    "closed_yes": 1.5,
    "unclear": 1.0,
    "repeat": 1.0,
}


def coaching(persona: Persona, state: CustomerState, m: dict[str, float],
             language: str | None = None) -> dict[str, Any]:
    """The trainee's best question and weakest move (quoted), the missed need dimension and one better question.

    The words come from the message catalog of `language` (`missed_*`, `ask_*`, `why_*`, `whom_*`).
    """
    say = get_messages(language).rehearsal_text
    moves = list(state.moves)
    best = _best_question(moves)
    weakest = _weakest_move(moves, say)
    missed = _missed(m)
    told_recipient = (state.revealed.get("recipient") or 0) > 0
    keys = persona.lexicon.get("recipient") or ()
    myself = bool(keys) and keys[0] == "myself"
    if told_recipient and keys:
        whom = say("whom_self") if myself else say("whom_recipient",
                                                   recipient=get_knowledge().localized(language).label(keys[0]))
    else:
        whom = say("whom_unknown")
    values = {
        "request": persona.stated_request,
        "for_whom": say("for_whom", whom=whom) if told_recipient and keys else "",
        "whom": whom,
        "they": say("they_self") if told_recipient and myself else say("they_other"),
    }
    if missed == "emotional" and not told_recipient:
        question = say("ask_recipient", **values)
    elif missed:
        question = say(f"ask_{missed}", **values)
    else:
        # Everything uncovered: go deeper where the story was told but not followed up.
        told = sorted((persona.facts[t].deeper_for(state.telling) == "", i, t) for i, t in enumerate(HIDDEN_TOPICS)
                      if state.revealed.get(t) == 1)
        question = say("ask_deeper", answer=persona.facts[told[0][2]].answer_for(state.telling)) if told else ""
    if question and weakest:
        suggestion = say("instead_of", move=weakest["text"], question=question)
    else:
        suggestion = say("ask_only", question=question) if question else ""
    return {"best_question": best, "weakest_move": weakest, "missed_dimension": missed,
            "missed_text": say(f"missed_{missed}") if missed else "", "better_question": question,
            "suggestion": suggestion}


def _best_question(moves: list[dict[str, Any]]) -> dict[str, Any] | None:
    scored = []
    for i, mv in enumerate(moves):
        value = MOVE_VALUE.get(str(mv.get("event")), 0.0)
        if mv.get("event") == "revealed" and mv.get("topic") in HIDDEN_TOPICS:
            value += 0.5
        if value > 0:
            scored.append((-value, i, mv))
    if not scored:
        return None
    _, _, mv = min(scored)
    return {"text": mv["text"], "label": mv.get("label"), "event": mv.get("event"), "topic": mv.get("topic")}


def _weakest_move(moves: list[dict[str, Any]], say: Callable[..., str]) -> dict[str, Any] | None:
    worst = None
    for i, mv in enumerate(moves):
        cost = MOVE_COST.get(str(mv.get("event")), 0.0)
        if cost > 0 and (worst is None or cost > worst[0]):
            worst = (cost, i, mv)
    if worst is None:
        return None
    _, _, mv = worst
    return {"text": mv["text"], "label": mv.get("label"), "event": mv.get("event"), "why": say(f"why_{mv['event']}")}


def _missed(m: dict[str, float]) -> str | None:
    """The need dimension that cost the most points (functional first on ties), None when all were uncovered."""
    weights = {"functional": 15, "emotional": 10 + 10 * (m["uncovered_recipient"] < 1), "formal": 10, "price": 10}
    lost = [(-(weights[d] * (1.0 - m[f"uncovered_{d}"])), i, d) for i, d in enumerate(DIMENSIONS)
            if m[f"uncovered_{d}"] < 1.0]
    return min(lost)[2] if lost else None
