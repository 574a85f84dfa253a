"""Whole conversations over the REST channel: Rasa server, action server and database, really started."""
from __future__ import annotations

import uuid

from conftest import Servers


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_jujube_conversation_ends_sour_and_logged(servers: Servers) -> None:
    sender = new_id("live-jujube")
    first = text_of(servers.say(sender, "Do you have dates?"))
    assert "?" in first
    replies = [first]
    for answer in ["They're for my daughter-in-law.", "She's pregnant and keeps craving something.",
                   "Not the sweet ones. She wants something sour.", "Not too pricey, around 50 is fine."]:
        replies.append(text_of(servers.say(sender, answer)))
        if "¥" in replies[-1]:
            break
    final = replies[-1].lower()
    assert "¥" in final and any(w in final for w in ("kiwi", "sour jujube", "hawthorn", "plum", "lemon", "yogurt"))
    [need] = servers.export(sender)
    assert need["stated_request"] == "dates" and need["recipient"] == "daughter-in-law"
    assert any("sour" in f for f in need["needs"]["functional"]) and "pregnan" in str(need)
    assert need["channel"] == "rest" and need["outcome"] == "pending"
    text_of(servers.say(sender, "great, I'll take the first one"))
    [need] = servers.export(sender)
    assert need["outcome"] == "accepted" and need["chosen_sku"] == need["recommendations"][0]["sku"]


def test_channel_metadata_reaches_the_needs_log(servers: Servers) -> None:
    sender = new_id("tg")
    servers.say(sender, "some sugar-free snacks for my diabetic dad, under 100", {"channel": "telegram",
                                                                                   "language": "en"})
    [need] = servers.export(sender)
    assert need["channel"] == "telegram" and need["recommendations"]


def test_bad_input_gets_friendly_answers(servers: Servers) -> None:
    sender = new_id("live-bad")
    for message in ["", "   ", "🍓🍓🍓", "你好，有没有枣？", "asdkjh qwpoeiru zxmcnv", "x" * 5000,
                    "dates " * 1000]:
        replies = servers.say(sender, message)
        assert replies and all(r.get("text") for r in replies), message[:20]
        assert "Traceback" not in text_of(replies)
    assert "?" in text_of(servers.say(sender, "do you have kiwi?"))


def test_action_server_down_apologises_and_keeps_the_message(servers: Servers) -> None:
    sender = new_id("live-outage")
    servers.say(sender, "I want some fruit for my mum.")
    servers.stop_actions()
    try:
        reply = text_of(servers.say(sender, "She's 86 and has trouble chewing."))
        assert "sorry" in reply.lower()
    finally:
        servers.start_actions()
    servers.say(sender, "she likes sweet things")
    servers.say(sender, "price doesn't matter")
    [need] = servers.export(sender)
    assert "chewing" in str(need["needs"]) or "chew" in str(need["situation"])
