"""The state of a discovery, rebuilt from a conversation's events.

The profile is folded over every shopper message of the current discovery, so a
message that arrived while the action server was down is not lost: the next
action that runs reads it from the conversation and counts it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from jujube.facts import extract_facts
from jujube.knowledge import Knowledge
from jujube.profile import Profile

DISCOVERY_SLOT = "discovery_no"
START_SLOT = "discovery_start"
LAST_QUESTION_SLOT = "last_question"
SUGGESTION_INTENT = "ask_suggestion"


@dataclass
class DiscoveryState:
    """Everything the actions need to know about the current discovery."""

    discovery_no: int = 1
    profile: Profile = field(default_factory=Profile)
    asked: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    recommended: list[str] = field(default_factory=list)
    outcome: str = "pending"
    chosen_sku: Optional[str] = None
    wants_suggestion: bool = False
    channel: str = "rest"
    language: Optional[str] = None
    user_turns: int = 0



def apply_slot(state: DiscoveryState, name: str, value: Any) -> None:
    """Record a slot that holds the discovery's own state (not its facts)."""
    if name == DISCOVERY_SLOT and value is not None:
        state.discovery_no = int(value)
    elif name == "asked":
        state.asked = list(value or [])
    elif name == "shown_skus":
        state.shown = list(value or [])
    elif name == "recommended":
        state.recommended = list(value or [])
    elif name == "outcome":
        state.outcome = value or "pending"
    elif name == "chosen_sku":
        state.chosen_sku = value


def fold_events(events: list[dict[str, Any]], kb: Knowledge) -> DiscoveryState:
    """Rebuild the current discovery from a conversation's events."""
    state = DiscoveryState()
    last_question: Optional[str] = None
    messages: list[tuple[float, str, list[dict[str, Any]], Optional[str], Optional[str]]] = []

    def take(ts: float, text: str, entities: list[dict[str, Any]], intent: Optional[str], asked: Optional[str]) -> None:
        state.user_turns += 1
        facts = extract_facts(text, entities, kb, asked_budget=asked == "budget")
        if intent not in (None, "request_product"):
            facts.unknown_item = None  # only a request names something the shop lacks
        state.profile.apply(facts)
        if intent == SUGGESTION_INTENT:
            state.wants_suggestion = True
        messages.append((ts, text, entities, intent, asked))

    for ev in events:
        kind = ev.get("event")
        if kind in ("restart", "session_started"):
            state, last_question, messages = DiscoveryState(), None, []
        elif kind == "slot":
            name, value = ev.get("name"), ev.get("value")
            if name == START_SLOT and value is not None:
                keep = [m for m in messages if m[0] >= float(value)]
                state = DiscoveryState(discovery_no=state.discovery_no, channel=state.channel,
                                       language=state.language)
                last_question, messages = None, []
                for ts, text, entities, intent, _ in keep:
                    take(ts, text, entities, intent, None)
            elif name == LAST_QUESTION_SLOT:
                last_question = value
            else:
                apply_slot(state, name, value)
        elif kind == "user":
            meta = ev.get("metadata") or {}
            state.channel = str(meta.get("channel") or state.channel)
            state.language = meta.get("language") or state.language
            text = ev.get("text") or ""
            if text.startswith("/"):
                continue
            parse = ev.get("parse_data") or {}
            take(float(ev.get("timestamp") or 0.0), text, parse.get("entities") or [],
                 (parse.get("intent") or {}).get("name"), last_question)
    return state


def latest_user_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The last shopper message event (empty dict if none)."""
    for ev in reversed(events):
        if ev.get("event") == "user":
            return ev
    return {}


def transcript_lines(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """User and bot messages of a conversation as transcript lines."""
    lines = []
    for ev in events:
        if ev.get("event") not in ("user", "bot") or ev.get("timestamp") is None:
            continue
        role = "user" if ev["event"] == "user" else "bot"
        intent = ((ev.get("parse_data") or {}).get("intent") or {}).get("name") if role == "user" else None
        lines.append({"role": role, "text": ev.get("text") or "", "intent": intent, "sent_at": ev["timestamp"]})
    return lines

