"""What every Jujube action shares: the knowledge, the needs log and the discovery state."""
from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from jujube.config import get_settings
from jujube.db.store import NeedsLog
from jujube.facts import Facts, extract_facts
from jujube.inputs import chosen_position
from jujube.knowledge import Knowledge, Product, get_knowledge
from jujube.profile import Profile
from jujube.ranking import Scored, rank
from jujube.replies import need_record, recommendation_buttons, recommendation_text
from jujube.state import (
    DISCOVERY_SLOT, START_SLOT, DiscoveryState, apply_slot, fold_events, latest_user_event, transcript_lines,
)

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. I've kept what you told me; could you say that again in a moment?"


@lru_cache(maxsize=1)
def needs_log() -> NeedsLog:
    """The process-wide needs log."""
    return NeedsLog(get_settings().outbox_path)


@dataclass
class Turn:
    """One action run: the tracker, the rebuilt state and what to send back."""

    tracker: Tracker
    kb: Knowledge
    state: DiscoveryState
    events: list[EventType] = field(default_factory=list)

    @property
    def profile(self) -> Profile:
        """The current need profile."""
        return self.state.profile

    @property
    def intent(self) -> str:
        """The intent of the latest shopper message."""
        return str((self.tracker.latest_message.get("intent") or {}).get("name") or "")

    @property
    def text(self) -> str:
        """The latest shopper message."""
        return str(self.tracker.latest_message.get("text") or "")

    def latest_facts(self) -> Facts:
        """What the latest shopper message alone says about the need."""
        entities = self.tracker.latest_message.get("entities") or []
        return extract_facts(self.text, entities, self.kb,
                             asked_budget=self.tracker.get_slot("last_question") == "budget")

    def set(self, name: str, value: Any) -> None:
        """Set a slot now (so later steps of this run see it) and in the conversation."""
        self.events.append(SlotSet(name, value))
        self.tracker.slots[name] = value
        self.tracker.events.append({"event": "slot", "name": name, "value": value})
        if name == START_SLOT:  # a new discovery: which messages count changes
            self.state = fold_events(self.tracker.events, self.kb)
        else:
            apply_slot(self.state, name, value)

    def new_discovery(self, from_this_message: bool) -> None:
        """Start the next discovery, with this message in it or from the next message on."""
        ts = float(latest_user_event(list(self.tracker.events)).get("timestamp") or time.time())
        self.set(DISCOVERY_SLOT, self.state.discovery_no + 1)
        self.set(START_SLOT, ts if from_this_message else ts + 1e-6)
        for slot, empty in (("asked", []), ("shown_skus", []), ("recommended", []), ("outcome", "pending"),
                            ("chosen_sku", None), ("last_question", None)):
            self.set(slot, empty)

    def recommend(self, dispatcher: CollectingDispatcher, exclude: tuple[str, ...] = (),
                  cheaper_than: Optional[float] = None, intro: Optional[str] = None) -> list[Scored]:
        """Rank, reply with 1-3 picks (or an honest no), log the need; returns the picks."""
        picks = rank(self.profile, self.kb, exclude_skus=exclude, cheaper_than=cheaper_than)
        if not picks:
            return []
        dispatcher.utter_message(text=recommendation_text(self.kb, self.profile, picks, intro=intro),
                                 buttons=recommendation_buttons(len(picks)))
        skus = [s.product.sku for s in picks]
        self.set("recommended", skus)
        self.set("shown_skus", list(dict.fromkeys(self.state.shown + skus)))
        self.set("outcome", "pending")
        self.save(outcome="pending", picks=picks)
        return picks

    def save(self, outcome: str, picks: Optional[list[Scored]] = None, unmet: Optional[bool] = None,
             chosen: Optional[str] = None) -> None:
        """Write this discovery's need (and the transcript) to the needs log."""
        if picks is not None:
            products, reasons = [s.product for s in picks], {s.product.sku: s.reason() for s in picks}
        else:
            products = [p for p in (self.kb.by_sku.get(sku) for sku in self.state.recommended) if p]
            reasons = {}
        if unmet is None:
            unmet = outcome == "no_match" or bool(self.profile.unknown_item)
        record = need_record(
            self.kb, self.tracker.sender_id, self.state.discovery_no, self.state.channel, self.profile,
            products, reasons, outcome, unmet, chosen_sku=chosen or self.state.chosen_sku,
            language=self.state.language,
        )
        log = needs_log()
        log.save_transcript(self.tracker.sender_id, self.state.channel, transcript_lines(self.tracker.events),
                            self.state.language)
        if self.profile.has_facts() or products:
            log.save_need(record)

    def products_named(self) -> list[Product]:
        """Products of the latest recommendation the shopper named in this message."""
        low = self.text.lower()
        kinds = {str(e.get("value", "")).lower() for e in self.tracker.latest_message.get("entities") or []
                 if e.get("entity") == "product"}
        out = []
        position = chosen_position(self.text)
        if position is not None and self.state.recommended:
            index = min(position, len(self.state.recommended) - 1)
            product = self.kb.by_sku.get(self.state.recommended[index])
            if product:
                return [product]
        for sku in self.state.recommended:
            p = self.kb.by_sku.get(sku)
            if p and (p.name.lower() in low or set(p.kinds) & kinds or any(k in low for k in p.kinds)):
                out.append(p)
        return out


def start_turn(tracker: Tracker) -> Turn:
    """Rebuild the discovery for this run."""
    kb = get_knowledge()
    return Turn(tracker=tracker, kb=kb, state=fold_events(list(tracker.events), kb))


class JujubeAction(Action, ABC):
    """Base of the discovery actions: runs `act`, and answers politely if anything fails."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Run the action; never lets an error reach the shopper."""
        try:
            turn = start_turn(tracker)
            self.act(turn, dispatcher)
            return turn.events
        except Exception:  # boundary: log everything, apologise to the shopper
            logger.exception("%s failed for %s (message %r)", self.name(), tracker.sender_id,
                             latest_user_event(list(tracker.events)).get("text"))
            dispatcher.messages.clear()
            dispatcher.utter_message(text=SORRY)
            return []

    @abstractmethod
    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Do the action's work."""
