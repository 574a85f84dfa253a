"""The one action, run with rasa-sdk's CollectingDispatcher and Tracker."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import ActionTurn
from jujube.db.needs import iter_needs
from jujube.db.session import get_sessionmaker
from jujube.state import STATE_SLOT, since_last_state


class Shopper:
    """A conversation driven through action_turn as the rules run it."""

    def __init__(self, matcher, sender: str = "test-shopper", channel: str = "rest", sent=list) -> None:
        self.matcher, self.sender, self.channel = matcher, sender, channel
        self.sent = sent  # which of the conversation's events the action gets
        self.events: list[dict[str, Any]] = []
        self.last_events: list[dict[str, Any]] = []
        self.buttons: list[dict[str, str]] = []

    def hear(self, text: str, intent: str) -> dict[str, Any]:
        """A shopper message reaches the conversation (the action may not run)."""
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                 "entities": self.matcher.extract(text)}
        self.events.append({"event": "user", "text": text, "parse_data": parse, "timestamp": time.time(),
                            "metadata": {"channel": self.channel}})
        return parse

    async def say(self, text: str, intent: str) -> str:
        """Send a message and run the action."""
        parse = self.hear(text, intent)
        return await self.run(parse)

    async def run(self, parse: dict[str, Any]) -> str:
        slots: dict[str, Any] = {}
        for ev in self.events:  # as Rasa folds them: a restart clears the slots
            if ev["event"] == "restart":
                slots = {}
            elif ev["event"] == "slot":
                slots[ev["name"]] = ev["value"]
        tracker = Tracker(self.sender, slots, parse, self.sent(self.events), False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        self.last_events = await ActionTurn().run(dispatcher, tracker, {})
        self.events += self.last_events
        texts = [m.get("text") or "" for m in dispatcher.messages]
        self.buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
        for t in texts:
            self.events.append({"event": "bot", "text": t, "timestamp": time.time()})
        return "\n".join(texts)


def needs() -> list[dict]:
    return list(iter_needs(get_sessionmaker()))


async def test_one_turn_returns_one_state_event_and_logs_the_need(matcher) -> None:
    shopper = Shopper(matcher)
    reply = await shopper.say("Do you have dates?", "request_product")
    assert reply.startswith("Yes, we do.") and "dates" not in reply.split("?")[0].split(".")[0] and reply.endswith("?")
    [event] = shopper.last_events
    assert event["event"] == "slot" and event["name"] == STATE_SLOT
    state = json.loads(event["value"])  # compact JSON text: Rasa validates it in one step
    assert state["profile"]["kinds"] == ["dates"] and state["last_question"]
    [need] = needs()
    assert need["stated_request"] == "dates" and need["outcome"] == "pending"


# The Rasa server sends the events from the last discovery state on (jujube.rasa_speed); the action
# must take in the same messages as from the whole conversation.
SENT = [pytest.param(list, id="whole-conversation"), pytest.param(since_last_state, id="since-last-state")]


@pytest.mark.parametrize("sent", SENT)
async def test_the_state_carries_from_turn_to_turn(matcher, sent) -> None:
    s = Shopper(matcher, sent=sent)
    await s.say("Do you have dates?", "request_product")
    await s.say("They're for my daughter-in-law.", "inform_recipient")
    state = json.loads(s.last_events[0]["value"])
    assert state["profile"]["recipient"] == "daughter-in-law" and len(state["asked"]) >= 1
    [need] = needs()
    assert need["recipient"] == "daughter-in-law"


@pytest.mark.parametrize("sent", SENT)
async def test_messages_sent_while_the_actions_were_down_still_count(matcher, sent) -> None:
    s = Shopper(matcher, sent=sent)
    await s.say("Do you have dates?", "request_product")
    s.hear("They're for my daughter-in-law.", "inform_recipient")  # the action server was down
    await s.say("She's pregnant.", "inform_situation")
    [need] = needs()
    assert need["recipient"] == "daughter-in-law" and "pregnant" in (need["situation"] or "")


@pytest.mark.parametrize("sent", SENT)
async def test_a_restart_starts_a_new_discovery_with_a_new_id(matcher, sent) -> None:
    s = Shopper(matcher, sent=sent)
    await s.say("Do you have dates?", "request_product")
    first = json.loads(s.last_events[0]["value"])["discovery_id"]
    s.events.append({"event": "restart", "timestamp": time.time()})
    await s.say("do you have honey? for my dad", "request_product")
    second = json.loads(s.last_events[0]["value"])["discovery_id"]
    assert second != first
    assert sorted(n["stated_request"] for n in needs()) == ["dates", "honey"]


def test_the_events_sent_start_at_the_last_discovery_state() -> None:
    user = {"event": "user", "text": "hi", "timestamp": 1.0}
    state = {"event": "slot", "name": STATE_SLOT, "value": "{}", "timestamp": 2.0}
    other = {"event": "slot", "name": "something_else", "value": 1, "timestamp": 3.0}
    later = {"event": "user", "text": "dates?", "timestamp": 4.0}
    assert since_last_state([user, state, other, later]) == [state, other, later]
    assert since_last_state([user, other, later]) == [user, other, later]  # never set: everything
    assert since_last_state([]) == []


async def test_recommendations_name_prices_and_come_with_buttons(matcher) -> None:
    s = Shopper(matcher)
    reply = await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert "Sugar-free oat biscuits, ¥22/pack" in reply
    titles = [b["title"] for b in s.buttons]
    assert titles[0] == "Take #1" and titles[-2:] == ["Something else", "Cheaper"]
    assert s.buttons[0]["payload"] == "I'll take number 1"


async def test_picking_by_position_is_an_order_and_ok_is_not(matcher) -> None:
    s = Shopper(matcher)
    await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert "Which one" in await s.say("ok", "acknowledge")
    assert needs()[0]["outcome"] == "pending"
    second = needs()[0]["recommendations"][1]
    reply = await s.say("I'll take the second one", "choose_option")
    assert reply.startswith(f"Great choice: {second['name']}")
    assert needs()[0]["outcome"] == "accepted" and needs()[0]["chosen_sku"] == second["sku"]


async def test_decline_then_goodbye(matcher) -> None:
    s = Shopper(matcher)
    await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert "something else" in await s.say("no thanks", "deny")
    assert needs()[0]["outcome"] == "declined"
    s2 = Shopper(matcher, sender="leaver")
    await s2.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    await s2.say("bye", "goodbye")
    assert [n["outcome"] for n in needs() if n["conversation_id"] == "leaver"] == ["abandoned"]


@pytest.mark.parametrize("text,expected", [
    ("", "didn't get any text"), ("🍓🍓🍓", "emoji"), ("здравствуйте, у вас есть финики?", "English or Chinese"),
    ("asdfgh qwrtzx", "didn't understand"),
])
async def test_unreadable_messages_get_a_friendly_answer(matcher, text: str, expected: str) -> None:
    s = Shopper(matcher)
    assert expected in await s.say(text, "nlu_fallback")


async def test_database_down_keeps_the_need_in_the_outbox(matcher, settings, monkeypatch) -> None:
    from jujube.db import session as db_session
    from actions.turn import needs_log

    good = db_session.get_sessionmaker()
    monkeypatch.setattr("jujube.db.store.get_sessionmaker",
                        lambda: db_session.get_sessionmaker("sqlite:////proc/no/such/needs.db"))
    needs_log.cache_clear()
    s = Shopper(matcher, sender="outage")
    reply = await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert "Sugar-free oat biscuits" in reply  # the shopper is served all the same
    log = needs_log()
    assert log.pending() >= 1 and not list(iter_needs(good))
    monkeypatch.setattr("jujube.db.store.get_sessionmaker", lambda: good)
    assert log.flush() >= 1 and log.pending() == 0
    [need] = list(iter_needs(good))
    assert need["conversation_id"] == "outage" and need["recommendations"]


async def test_a_crash_becomes_an_apology_and_is_logged(matcher, monkeypatch, caplog) -> None:
    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("actions.turn.next_step", boom)
    s = Shopper(matcher)
    assert "Sorry, something went wrong" in await s.say("do you have dates?", "request_product")
    assert s.last_events == [] and "action_turn failed" in caplog.text
