"""The custom actions, run with rasa-sdk's CollectingDispatcher and Tracker."""
from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.discovery import ActionDiscover
from actions.fallback import ActionFallback
from actions.outcome import ActionAccept, ActionDecline, ActionGoodbye
from actions.recommend import ActionProductInfo, ActionRefine
from jujube.db.needs import iter_needs
from jujube.db.session import get_sessionmaker

ACTIONS = {
    "request_product": ActionDiscover, "inform_recipient": ActionDiscover, "inform_situation": ActionDiscover,
    "inform_preference": ActionDiscover, "inform_budget": ActionDiscover, "inform_quality": ActionDiscover,
    "ask_suggestion": ActionDiscover, "affirm": ActionAccept, "deny": ActionDecline, "ask_other": ActionRefine,
    "ask_cheaper": ActionRefine, "ask_product_info": ActionProductInfo, "goodbye": ActionGoodbye,
    "nlu_fallback": ActionFallback, "out_of_scope": ActionFallback,
}


class Shopper:
    """A conversation driven through the actions as the rules would run them."""

    def __init__(self, matcher, sender: str = "test-shopper", channel: str = "rest") -> None:
        self.matcher, self.sender, self.channel = matcher, sender, channel
        self.events: list[dict[str, Any]] = [{"event": "slot", "name": "discovery_no", "value": 1}]
        self.last_events: list[dict[str, Any]] = []

    async def say(self, text: str, intent: str) -> str:
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                 "entities": self.matcher.extract(text)}
        self.events.append({"event": "user", "text": text, "parse_data": parse, "timestamp": time.time(),
                            "metadata": {"channel": self.channel}})
        slots = {}
        for ev in self.events:
            if ev["event"] == "slot":
                slots[ev["name"]] = ev["value"]
        tracker = Tracker(self.sender, slots, parse, list(self.events), False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        self.last_events = await ACTIONS[intent]().run(dispatcher, tracker, {})
        self.events += self.last_events
        texts = [m.get("text") or m.get("response") or "" for m in dispatcher.messages]
        for t in texts:
            self.events.append({"event": "bot", "text": t, "timestamp": time.time()})
        return "\n".join(texts)


def needs() -> list[dict]:
    return list(iter_needs(get_sessionmaker()))


async def test_first_question_events(matcher) -> None:
    shopper = Shopper(matcher)
    reply = await shopper.say("Do you have dates?", "request_product")
    assert reply == "Yes, we have dates. Who are the dates for?"
    assert shopper.last_events == [SlotSet("asked", ["recipient"]), SlotSet("last_question", "recipient")]
    [need] = needs()
    assert need["stated_request"] == "dates" and need["outcome"] == "pending"


async def test_jujube_conversation_recommends_sour_and_logs_the_need(matcher) -> None:
    s = Shopper(matcher)
    await s.say("Do you have dates?", "request_product")
    assert "?" in await s.say("They're for my daughter-in-law.", "inform_recipient")
    assert "?" in await s.say("She's pregnant and keeps craving something.", "inform_situation")
    assert "budget" in await s.say("Not the sweet ones. She wants something sour.", "inform_preference")
    reply = await s.say("Not too pricey, around 50 is fine.", "inform_budget")
    assert "Green kiwi fruit, ¥28/kg" in reply or "Sour jujubes, ¥32/kg" in reply
    assert "Medjool" not in reply
    [need] = needs()
    assert need["recipient"] == "daughter-in-law" and need["situation"] == "pregnant"
    assert "sour taste" in need["needs"]["functional"]
    assert need["needs"]["price"]["max"] == 50
    assert need["recommendations"] and need["outcome"] == "pending"
    reply = await s.say("yes, the kiwi please", "affirm")
    assert reply.startswith("Great choice: Green kiwi fruit")
    [need] = needs()
    assert need["outcome"] == "accepted" and need["chosen_sku"] == "FR-KIWI-GRN"
    assert SlotSet("discovery_no", 2) in s.last_events


async def test_complete_opening_recommends_at_once(matcher) -> None:
    s = Shopper(matcher)
    reply = await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert "Sugar-free oat biscuits, ¥22/pack" in reply
    assert "chocolate" not in reply.lower()


async def test_something_else_then_cheaper(matcher) -> None:
    s = Shopper(matcher)
    await s.say("some fruit for my mum please", "request_product")
    first = await s.say("what would you suggest?", "ask_suggestion")
    assert "Bananas, ¥9/kg" in first
    other = await s.say("something else?", "ask_other")
    assert "Here are some other options" in other and "Bananas" not in other
    shown_now = needs()[0]["recommendations"]
    cheaper = await s.say("anything cheaper?", "ask_cheaper")
    assert "cheaper options" in cheaper
    [need] = needs()
    assert need["recommendations"] and max(r["price"] for r in need["recommendations"]) < min(
        r["price"] for r in shown_now)


async def test_unmet_need_is_logged_honestly(matcher) -> None:
    s = Shopper(matcher)
    reply = await s.say("something sour and crunchy for my diabetic dad under ¥5", "request_product")
    assert "don't have anything that fits" in reply
    [need] = needs()
    assert need["outcome"] == "no_match" and need["unmet"] is True


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
    ("", "didn't get any text"), ("🍓🍓🍓", "emoji"), ("你好，有没有枣？", "English"),
    ("asdfgh qwrtzx", "didn't understand"),
])
async def test_unreadable_messages_get_a_friendly_answer(matcher, text: str, expected: str) -> None:
    s = Shopper(matcher)
    assert expected in await s.say(text, "nlu_fallback")


async def test_facts_in_an_unrecognised_sentence_still_count(matcher) -> None:
    s = Shopper(matcher)
    await s.say("Do you have dates?", "request_product")
    reply = await s.say("it's my daughter-in-law ok", "out_of_scope")
    assert "reason or situation" in reply


async def test_database_down_keeps_the_need_in_the_outbox(matcher, settings, monkeypatch) -> None:
    from jujube.db import session as db_session
    from actions.common import needs_log

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


async def test_a_crash_becomes_an_apology(matcher, monkeypatch) -> None:
    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("actions.steps.next_topic", boom)
    s = Shopper(matcher)
    assert "Sorry, something went wrong" in await s.say("do you have dates?", "request_product")


async def test_picking_a_suggestion_by_position(matcher) -> None:
    s = Shopper(matcher)
    await s.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    second = needs()[0]["recommendations"][1]
    reply = await s.say("I'll take the second one", "inform_situation")  # even when the intent is off
    assert reply.startswith(f"Great choice: {second['name']}")
    assert needs()[0]["outcome"] == "accepted" and needs()[0]["chosen_sku"] == second["sku"]


async def test_recommendations_come_with_buttons(matcher) -> None:
    from actions.discovery import ActionDiscover

    s = Shopper(matcher)
    parse = {"text": "sugar-free snacks for my diabetic dad, under 100", "intent": {"name": "request_product"},
             "entities": matcher.extract("sugar-free snacks for my diabetic dad, under 100")}
    tracker = Tracker("b", {}, parse, s.events + [{"event": "user", "text": parse["text"], "parse_data": parse,
                                                   "timestamp": time.time()}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionDiscover().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == "Take #1" and titles[-2:] == ["Something else", "Cheaper"]
    assert message["buttons"][0]["payload"] == "I'll take number 1"
