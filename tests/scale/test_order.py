"""One conversation's messages are handled one at a time and in order across 2 Rasa workers (real Redis locks,
conversations on PostgreSQL): over REST, two messages of one conversation sent at once on two connections; through
the Telegram bot, two messages of one chat in one batch of updates."""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from conftest import ROOT, RedisMonitor, Scaled, children

FAILURE = "having a little trouble"
PAIRS = [("Do you have dates?", "They're for my daughter-in-law."),
         ("I'm looking for some snacks.", "For my father."),
         ("I need a present.", "It's for my boss."),
         ("Do you have kiwi?", "for my wife, she is pregnant"),
         ("some sugar-free snacks for my diabetic dad", "under 100 yuan"),
         ("I want some fruit for my mum.", "She's 86 and has trouble chewing."),
         ("Do you sell tea?", "It's a gift for my teacher."),
         ("I need something for a party.", "About twenty people."),
         ("hello", "I'm looking for fruit"),
         ("Two kilos of kiwi fruit, please.", "Just for us at home.")]


def post(url: str, sender: str, text: str) -> tuple[list[dict[str, Any]], float, float]:
    """One REST turn on its own connection: (bot messages, sent at, answered at)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    sent = time.monotonic()
    with opener.open(req, timeout=60) as resp:
        messages = json.loads(resp.read() or b"[]")
    return messages, sent, time.monotonic()


def turns(tracker: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(user text, bot texts that followed it) for each user message, in stored order."""
    out: list[tuple[str, list[str]]] = []
    for event in tracker["events"]:
        if event["event"] == "user":
            out.append((event.get("text") or "", []))
        elif event["event"] == "bot" and out:
            out[-1][1].append(event.get("text") or "")
    return out


def test_two_messages_of_one_conversation_at_two_workers(scaled: Scaled) -> None:
    assert len(children(scaled.rasa.pid)) == 2, "Rasa did not start 2 workers (is the lock store Redis?)"
    assert len(children(scaled.actions.pid)) == 2, "the action server did not start 2 workers"
    run = uuid.uuid4().hex[:6]
    monitor = RedisMonitor(scaled.redis.port)
    results: dict[str, dict[str, Any]] = {}

    def conversation(i: int) -> None:
        sender, (first, second) = f"order-{run}-{i}", PAIRS[i]
        with ThreadPoolExecutor(2) as pool:
            a = pool.submit(post, scaled.rasa_url, sender, first)
            monitor.wait_set(f"lock:{sender}")  # the first message holds its ticket: send the second now
            b = pool.submit(post, scaled.rasa_url, sender, second)
            results[sender] = {"first": first, "second": second, "a": a.result(), "b": b.result()}

    try:
        with ThreadPoolExecutor(len(PAIRS)) as pool:
            for future in [pool.submit(conversation, i) for i in range(len(PAIRS))]:
                future.result()
    finally:
        monitor.close()

    overlapped, split, clients = 0, 0, set()
    for sender, r in results.items():
        (a_msgs, a_sent, a_done), (b_msgs, b_sent, _b_done) = r["a"], r["b"]
        a_text, b_text = [m.get("text", "") for m in a_msgs], [m.get("text", "") for m in b_msgs]
        assert a_text and b_text, f"{sender}: a reply is missing: {a_text} / {b_text}"
        assert not any(FAILURE in t for t in a_text + b_text), f"{sender}: {a_text} / {b_text}"
        stored = turns(scaled.tracker(sender))
        assert [u for u, _ in stored] == [r["first"], r["second"]], f"{sender}: user messages stored {stored}"
        assert stored[0][1] == a_text, f"{sender}: the first request got {a_text}, its turn said {stored[0][1]}"
        assert stored[1][1] == b_text, f"{sender}: the second request got {b_text}, its turn said {stored[1][1]}"
        locks = monitor.sets(f"lock:{sender}")
        issued = [(client, lock) for _t, client, lock in locks if lock["tickets"]]
        clients.update(client for client, _ in issued)
        waiting = [client for client, lock in issued if len(lock["tickets"]) == 2]
        if waiting and b_sent < a_done:
            overlapped += 1  # the second ticket was issued while the first message held the lock
            if waiting[0] != issued[0][0]:
                split += 1  # and the two tickets came from different workers
    print(f"\n{len(results)} conversations, 2 messages each: {overlapped} with the second message waiting on the "
          f"first one's lock, {split} of them with the two messages at different workers; "
          f"{len(clients)} Rasa workers took tickets")
    assert overlapped >= len(results) // 2, "the second message hardly ever arrived while the first was handled"
    assert len(clients) == 2, f"only {len(clients)} worker took part"
    assert split >= 1, "no conversation had its two messages at two different workers"


def test_two_messages_sent_at_the_same_moment_are_not_mixed(scaled: Scaled) -> None:
    """Both messages leave together: either may go first, but each is one whole turn with its own replies."""
    import threading

    run = uuid.uuid4().hex[:6]
    results: dict[str, list[Any]] = {}

    def conversation(i: int) -> None:
        sender, pair = f"burst-{run}-{i}", PAIRS[i]
        gate = threading.Barrier(2)

        def one(text: str) -> tuple[str, list[dict[str, Any]]]:
            gate.wait()
            return text, post(scaled.rasa_url, sender, text)[0]

        with ThreadPoolExecutor(2) as pool:
            results[sender] = [f.result() for f in [pool.submit(one, text) for text in pair]]

    with ThreadPoolExecutor(len(PAIRS)) as pool:
        for future in [pool.submit(conversation, i) for i in range(len(PAIRS))]:
            future.result()
    for sender, answers in results.items():
        stored = turns(scaled.tracker(sender))
        replies = {text: [m.get("text", "") for m in messages] for text, messages in answers}
        assert sorted(u for u, _ in stored) == sorted(replies), f"{sender}: user messages stored {stored}"
        for text, said in stored:
            assert said and replies[text] == said, f"{sender}: {text!r} got {replies[text]}, its turn said {said}"


def test_two_telegram_messages_of_one_chat(scaled: Scaled) -> None:
    from fake_bot_api import FakeTelegram

    chat = 5150000 + int(uuid.uuid4().int % 9999)
    sender = f"tg:{chat}"
    fake = FakeTelegram().start()
    env = {**scaled.env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.url,
           "RASA_URL": scaled.rasa_url, "TELEGRAM_RASA_TIMEOUT": "60", "TELEGRAM_POLL_TIMEOUT": "1",
           "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_WEBHOOK_SECRET": ""}
    log = scaled.tmp / "bot.log"
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log.open("wb"),
                           stderr=subprocess.STDOUT)
    first, second = "Do you have dates?", "They're for my daughter-in-law."
    try:
        fake.wait("getUpdates", timeout=60)
        with fake._cond:  # both messages in one batch of updates, as after a short network hiccup
            fake.send_text(chat, first)
            fake.send_text(chat, second)
        deadline = time.monotonic() + 90
        stored: list[tuple[str, list[str]]] = []
        while time.monotonic() < deadline:
            stored = turns(scaled.tracker(sender)) if _known(scaled, sender) else []
            if len(stored) == 2 and stored[1][1] and len(fake.texts(chat)) >= sum(len(b) for _, b in stored):
                break
            time.sleep(0.3)
        time.sleep(1.0)  # the bot sends a turn's messages back to back
        delivered = [_plain(t) for t in fake.texts(chat)]
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        fake.close()
    assert [u for u, _ in stored] == [first, second], f"stored user messages: {stored}\n{log.read_text()[-2000:]}"
    expected = [_plain(t) for _, bots in stored for t in bots]
    assert expected and delivered == expected, f"Telegram got {delivered}, Rasa's turns said {expected}"
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def _known(scaled: Scaled, sender: str) -> bool:
    try:
        return bool(scaled.tracker(sender)["events"])
    except OSError:
        return False


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip()
