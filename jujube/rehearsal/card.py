"""The scorecard as text, for Telegram and the terminal."""
from __future__ import annotations

import logging
from typing import Any, Callable

from jujube.knowledge import get_knowledge
from jujube.messages import Messages, get_messages
from jujube.rehearsal.personas import DIMENSIONS, Persona

logger = logging.getLogger(__name__)

ENDINGS = ("recommended", "walked_away", "gave_up", "time_up", "stopped", "switched")


def _mark(points: float, full: float) -> str:
    if points >= full:
        return "✓"
    return "~" if points > 0 else "✗"


def _num(x: float) -> str:
    return f"{x:g}"


def _need_text(persona: Persona, dim: str, joiner: str = "; ", label: Callable[[str], str] = str) -> str:
    raw = persona.need.get(dim)
    if dim == "price" and isinstance(raw, dict):
        return str(raw.get("note") or raw.get("max") or "")
    if isinstance(raw, (list, tuple)):
        return joiner.join(label(str(x)) for x in raw)
    return label(str(raw or ""))


def coaching_lines(coach: dict[str, Any], msgs: Messages | None = None) -> list[str]:
    """The coaching part of the scorecard: best question, weakest move, missed dimension, a better question."""
    if not coach:
        return []
    say = (msgs or get_messages()).rehearsal_text
    lines = ["", say("card_coaching")]
    best, weak = coach.get("best_question"), coach.get("weakest_move")
    lines.append(say("best_question", text=best["text"]) if best else say("best_question_none"))
    if weak:
        lines.append(say("weakest_move", text=weak["text"], why=weak["why"]))
    if coach.get("missed_dimension"):
        lines.append(say("missed_dimension", missed=coach["missed_text"]))
    else:
        lines.append(say("all_uncovered"))
    if coach.get("suggestion"):
        lines.append(say("next_time", suggestion=coach["suggestion"]))
    return lines


def render(card: dict[str, Any], persona: Persona, msgs: Messages | None = None) -> str:
    """A readable scorecard in `msgs`' language: total, dimensions, counts, recommendation, rubric, advice."""
    msgs = msgs or get_messages()
    say = msgs.rehearsal_text
    label = get_knowledge().localized(msgs.language).label  # the lexicon's words for a need, in this language
    m = card["metrics"]
    lines = [
        say("card_title", name=persona.name, title=persona.title),
        say("card_score", score=_num(card["score"]), max=_num(card["max_score"]), percent=f"{card['percent']:g}",
            grade=card["grade"]),
    ]
    if card.get("ended") in ENDINGS:
        lines.append(say("card_ended", reason=say(f"ended_{card['ended']}")))
    lines += ["", say("card_dimensions")]
    for dim in DIMENSIONS:
        mark = "✓" if card["dimensions"].get(dim) else "✗"
        lines.append(say("card_dimension", mark=mark, dimension=say(f"dimension_{dim}"),
                         need=_need_text(persona, dim, say("need_joiner"), label)))
    lines.append(say("card_counts", questions=int(m["questions"]), closed=int(m["closed_questions"]),
                     follow_ups=int(m["follow_ups"]), pitches=int(m["premature_pitches"])))
    rec = card.get("recommendation")
    if rec:
        names = say("list_joiner").join(p["label"] + (f" ({p['note']})" if p.get("note") else "")
                                        for p in rec.get("products") or []) or rec.get("text", "")
        fit = rec.get("fit", "none") if rec.get("fit", "none") in ("good", "acceptable", "poor") else "none"
        lines.append(say("card_recommendation", names=names, fit=say(f"fit_{fit}")))
    else:
        lines.append(say("card_no_recommendation"))
    lines += ["", say("card_rubric")]
    for row in card["items"]:
        lines.append(say("card_item", mark=_mark(row["points"], row["max"]), label=row["label"],
                         points=_num(row["points"]), max=_num(row["max"])))
    lines += coaching_lines(card.get("coaching") or {}, msgs)
    if card["advice"]:
        lines += ["", say("card_advice")]
        lines += [f"  {i}. {text}" for i, text in enumerate(card["advice"], 1)]
    lines += ["", say("really_needed", name=persona.name, summary=persona.need.get("summary", ""))]
    return "\n".join(lines)
