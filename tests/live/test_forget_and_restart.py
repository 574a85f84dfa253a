"""Starting over and forgetting, over REST with the real Rasa server, action server and database."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import urllib.request
import uuid
from pathlib import Path

from conftest import ROOT, Servers

PRICE = re.compile(r"¥\s?\d|\d+(\.\d+)?\s?(yuan|cny)", re.I)
ANSWERS = {  # cue words in the bot's question -> the shopper's answer
    ("who", "whom", "for you", "gift", "recipient", "family", "someone"): "They're for my daughter-in-law.",
    ("why", "occasion", "reason", "what for", "situation", "purpose", "special", "happening", "use"):
        "She's pregnant and keeps craving something.",
    ("taste", "flavo", "sweet", "sour", "kind", "type", "prefer", "like"): "Not the sweet ones. She wants something sour.",
    ("budget", "price", "spend", "cost", "expensive", "how much", "range"): "Not too pricey, around 50 is fine.",
}


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def discover(servers: Servers, sender: str, opening: str, fallback: str = "around 100 yuan is fine") -> list[str]:
    """Talk until the bot recommends something with a price (or stops asking); returns what the bot said."""
    said = [text_of(servers.say(sender, opening))]
    used: set[str] = set()
    for _ in range(7):
        if PRICE.search(said[-1]) or "?" not in said[-1]:
            break
        question = said[-1].lower()
        answer = next((a for cues, a in ANSWERS.items() if a not in used and any(c in question for c in cues)), None)
        used.add(answer or fallback)
        said.append(text_of(servers.say(sender, answer or fallback)))
    return said


def events_of(servers: Servers, sender: str) -> list[dict]:
    """The tracker store's rows of one conversation, read straight from the database file."""
    path = servers.db_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        return [json.loads(d) for (d,) in conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id",
                                                        (sender,))]


def test_restart_starts_over_politely_and_keeps_the_earlier_need(servers: Servers) -> None:
    sender = f"live-restart-{uuid.uuid4().hex[:8]}"
    first = discover(servers, sender, "Do you have dates?")
    assert PRICE.search(first[-1]), "\n".join(first)
    reply = text_of(servers.say(sender, "/restart"))
    assert "starting over" in reply.lower() and "trouble" not in reply.lower(), reply
    second = discover(servers, sender, "do you have honey? for my dad")
    needs = servers.export(sender)
    print(f"\nneeds after /restart: {[(n['stated_request'], n['discovery_id'][:8]) for n in needs]}")
    assert len(needs) == 2, (needs, second)
    assert needs[0]["stated_request"] == "dates" and needs[0]["recipient"] == "daughter-in-law"
    assert "honey" in needs[1]["stated_request"].lower() or "honey" in str(needs[1]).lower()
    assert needs[0]["discovery_id"] != needs[1]["discovery_id"]
    log = (servers.tmp / "rasa.log").read_text(errors="replace")
    assert f"no reply for {sender}" not in log


def test_forget_leaves_nothing_and_nothing_comes_back(servers: Servers) -> None:
    sender = f"live-forget-{uuid.uuid4().hex[:8]}"
    said = discover(servers, sender, "Do you have dates?")
    assert PRICE.search(said[-1]), "\n".join(said)
    assert servers.export(sender) and events_of(servers, sender)

    # the transcript a manager sees comes from the conversation's events and holds the bot's last reply
    show = subprocess.run([str(ROOT / ".venv/bin/jujube"), "needs", "show", str(servers.export(sender)[0]["id"])],
                          env=servers.env, capture_output=True, text=True, timeout=60, check=True).stdout
    last_line = said[-1].splitlines()[0][:40]
    assert last_line in show, (last_line, show)

    out = subprocess.run([str(ROOT / ".venv/bin/jujube"), "needs", "forget", sender], env=servers.env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert servers.export(sender) == [] and events_of(servers, sender) == []

    reply = text_of(servers.say(sender, "hello"))
    assert reply
    with urllib.request.urlopen(f"{servers.url}/conversations/{sender}/tracker", timeout=30) as resp:
        tracker = json.loads(resp.read())
    everything = json.dumps(tracker) + json.dumps(events_of(servers, sender)) + json.dumps(servers.export(sender))
    for gone in ("do you have dates?", "daughter-in-law", "pregnant"):
        assert gone not in everything.lower(), gone
    assert servers.export(sender) == []
