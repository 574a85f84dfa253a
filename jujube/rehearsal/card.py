"""The scorecard as text, for Telegram and the terminal."""
from __future__ import annotations

import logging
from typing import Any

from jujube.rehearsal.personas import DIMENSIONS, Persona

logger = logging.getLogger(__name__)

FIT_TEXT = {
    "good": "fits the hidden need",
    "acceptable": "fits the need only partly",
    "poor": "does not fit the hidden need",
    "none": "no product recognised",
}
ENDED_TEXT = {
    "recommended": "you made your recommendation",
    "walked_away": "the customer walked away",
    "gave_up": "you gave up",
    "time_up": "the customer ran out of time",
    "stopped": "you stopped the rehearsal",
    "switched": "you switched to another customer",
}


def _mark(points: float, full: float) -> str:
    if points >= full:
        return "✓"
    return "~" if points > 0 else "✗"


def _num(x: float) -> str:
    return f"{x:g}"


def _need_text(persona: Persona, dim: str) -> str:
    raw = persona.need.get(dim)
    if dim == "price" and isinstance(raw, dict):
        return str(raw.get("note") or raw.get("max") or "")
    if isinstance(raw, (list, tuple)):
        return "; ".join(str(x) for x in raw)
    return str(raw or "")


def coaching_lines(coach: dict[str, Any]) -> list[str]:
    """The coaching part of the scorecard: best question, weakest move, missed dimension, a better question."""
    if not coach:
        return []
    lines = ["", "Coaching:"]
    best, weak = coach.get("best_question"), coach.get("weakest_move")
    lines.append(f"  Your best question: \"{best['text']}\"" if best else
                 "  Your best question: none of your questions got the customer talking yet.")
    if weak:
        lines.append(f"  Your weakest move: \"{weak['text']}\" - {weak['why']}.")
    if coach.get("missed_dimension"):
        lines.append(f"  Need dimension you missed: {coach['missed_text']}.")
    else:
        lines.append("  You uncovered every need dimension.")
    if coach.get("suggestion"):
        lines.append(f"  Next time: {coach['suggestion']}")
    return lines


def render(card: dict[str, Any], persona: Persona) -> str:
    """A readable scorecard: total, dimensions, counts, recommendation, rubric item by item, advice."""
    m = card["metrics"]
    lines = [
        f"Scorecard: {persona.name} ({persona.title})",
        f"Score: {_num(card['score'])}/{_num(card['max_score'])} ({card['percent']:g}%) - {card['grade']}",
    ]
    if card.get("ended") in ENDED_TEXT:
        lines.append(f"Ended: {ENDED_TEXT[card['ended']]}.")
    lines += ["", "Need dimensions uncovered:"]
    for dim in DIMENSIONS:
        mark = "✓" if card["dimensions"].get(dim) else "✗"
        lines.append(f"  {mark} {dim:<10} {_need_text(persona, dim)}")
    lines.append(
        f"Questions: {int(m['questions'])} ({int(m['closed_questions'])} closed) | "
        f"follow-ups: {int(m['follow_ups'])} | premature pitches: {int(m['premature_pitches'])}"
    )
    rec = card.get("recommendation")
    if rec:
        names = ", ".join(p["label"] + (f" ({p['note']})" if p.get("note") else "")
                          for p in rec.get("products") or []) or rec.get("text", "")
        lines.append(f"Recommendation: {names} - {FIT_TEXT.get(rec.get('fit', 'none'), '')}")
    else:
        lines.append("Recommendation: none made")
    lines += ["", "Rubric:"]
    for row in card["items"]:
        lines.append(f"  {_mark(row['points'], row['max'])} {row['label']}: {_num(row['points'])}/{_num(row['max'])}")
    lines += coaching_lines(card.get("coaching") or {})
    if card["advice"]:
        lines += ["", "Advice:"]
        lines += [f"  {i}. {text}" for i, text in enumerate(card["advice"], 1)]
    lines += ["", f"What {persona.name} really needed: {persona.need.get('summary', '')}."]
    return "\n".join(lines)
