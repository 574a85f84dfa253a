"""The one discovery action: hands the state and Rasa's understanding to the core's policy."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from jujube.config import get_settings
from jujube.db.store import NeedsLog
from jujube.knowledge import get_knowledge
from jujube.messages import get_messages, reply_language
from jujube.policy import Context, Step, next_step
from jujube.shop import get_shop
from jujube.state import STATE_SLOT, DiscoveryState, latest_user_event, unseen_user_events
from jujube.understanding import understand

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def needs_log() -> NeedsLog:
    """The process-wide needs log."""
    return NeedsLog(get_settings().outbox_path)


def context(language: str | None = None) -> Context:
    """The shop's knowledge and words for one turn, in `language`."""
    return Context(kb=get_knowledge().localized(language), shop=get_shop(), msgs=get_messages(language),
                   max_questions=get_settings().max_questions, in_language=context)


def take_in(state: DiscoveryState, event: dict[str, Any]) -> Step:
    """Run the policy on one shopper message event, answering in the language of the message."""
    meta = event.get("metadata") or {}
    state.channel = str(meta.get("channel") or state.channel)
    state.language = reply_language(event.get("text") or "", state.language, meta.get("language"))
    ctx = context(state.language)
    parse = dict(event.get("parse_data") or {})
    parse["text"] = event.get("text") or ""
    u = understand(parse, ctx.kb, ctx.shop, open_question=state.last_question)
    step = next_step(state, u, ctx)
    step.state.seen_until = float(event.get("timestamp") or step.state.seen_until)
    return step


def stamp(record: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """Add what only the action knows: the conversation id and the time."""
    return {**record, "conversation_id": conversation_id, "captured_at": datetime.now(timezone.utc).isoformat()}


def save(records: list[dict[str, Any]]) -> None:
    """Write the need records (runs off the event loop; the transcript is the conversation store's)."""
    log = needs_log()
    for record in records:
        log.save_need(record)


class ActionTurn(Action):
    """Every shopper message: fold it into the discovery, reply with the policy's next step."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Run the policy; never lets an error reach the shopper."""
        events = list(tracker.events)
        try:
            state = DiscoveryState.from_slot(tracker.get_slot(STATE_SLOT))
            unseen = unseen_user_events(events, state.seen_until) or [latest_user_event(events)]
            records: list[dict[str, Any]] = []
            for event in unseen:  # messages sent while this server was down are counted too
                step = take_in(state, event)
                records += [stamp(r, tracker.sender_id) for r in step.records]
                state = step.state
            for message in step.messages:
                dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])
            await asyncio.to_thread(save, records)
            logger.debug("%s: %s", tracker.sender_id, step.kind)
            return [SlotSet(STATE_SLOT, state.to_slot())]
        except Exception:  # boundary: log everything, apologise to the shopper
            logger.exception("action_turn failed for %s (message %r)", tracker.sender_id,
                             latest_user_event(events).get("text"))
            dispatcher.messages.clear()
            latest = latest_user_event(events)
            dispatcher.utter_message(text=get_messages(reply_language(
                latest.get("text") or "", None, (latest.get("metadata") or {}).get("language"))).text("sorry"))
            return []
