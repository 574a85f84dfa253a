"""End to end: fake Telegram, the real bot process, a real Rasa server with the trained model, the action server."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from telegram_harness import bot_text, free_port
from fake_bot_api import FakeTelegram

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / os.environ.get("MODEL", "models/jujube.tar.gz")  # like scripts/lib.sh
CHAT = 5150001
SOUR = ("kiwi", "sour jujube", "hawthorn", "plum", "green apple", "lemon", "yogurt", "grapefruit", "orange")
# The shopper of the jujube story answers the bot's questions from these facts, chosen by cue words.
FACTS = [
    (("who", "whom", "someone", "yourself", "for you", "gift", "recipient", "family"), "They're for my daughter-in-law."),
    (("why", "occasion", "reason", "what for", "use", "situation", "purpose", "special", "happening"),
     "She's pregnant and keeps craving something."),
    (("taste", "flavo", "sweet", "sour", "kind", "type", "prefer", "like", "crisp"),
     "Not the sweet ones. She wants something sour."),
    (("budget", "price", "spend", "cost", "expensive", "how much", "afford", "range"), "Not too pricey, around 50 is fine."),
    (("brand", "quality", "organic", "imported", "fresh", "origin", "packag", "important"),
     "Fresh and safe for a pregnant woman, that's what matters."),
]
FALLBACK = "I'm not sure. What would you suggest?"


def wait_for(url: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    """Wait until `url` answers; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not come up within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, then kill if it does not stop."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Migrated temporary database, action server and Rasa server on free ports."""
    if not MODEL.exists():
        pytest.skip(f"{MODEL.relative_to(ROOT)} does not exist (run `make train`)")
    tmp = tmp_path_factory.mktemp("telegram-e2e")
    rasa_port, actions_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'needs.db'}", "JUJUBE_OUTBOX": str(tmp / "outbox.jsonl"),
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook", "ACTIONS_PORT": str(actions_port),
           "RASA_PORT": str(rasa_port), "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([str(ROOT / ".venv/bin/jujube"), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    procs: list[subprocess.Popen] = []
    try:
        actions_log, rasa_log = tmp / "actions.log", tmp / "rasa.log"
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
            cwd=ROOT, env=env, stdout=actions_log.open("wb"), stderr=subprocess.STDOUT))
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "-m", str(MODEL), "--port", str(rasa_port),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            cwd=ROOT, env=env, stdout=rasa_log.open("wb"), stderr=subprocess.STDOUT))
        wait_for(f"http://127.0.0.1:{actions_port}/health", 180, procs[0], actions_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/status", 300, procs[1], rasa_log)
        yield {"env": env, "rasa_url": f"http://127.0.0.1:{rasa_port}", "tmp": tmp}
    finally:
        for proc in reversed(procs):
            stop(proc)


def export(env: dict[str, str], conversation: str) -> list[dict[str, Any]]:
    """The needs log's export for one conversation."""
    out = subprocess.run([str(ROOT / ".venv/bin/jujube"), "needs", "export", "--format", "jsonl", "--conversation",
                          conversation], env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


class Shopper:
    """A Telegram user in the fake: writes, taps, and collects what the bot answers."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.tg = tg

    def _settle(self, since: int, timeout: float) -> list[dict[str, Any]]:
        self.tg.wait("sendMessage", since=since, timeout=timeout, where=lambda p: int(p["chat_id"]) == CHAT)
        count, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 1.5:  # the bot sends a turn's messages back to back
            now = len(self.tg.sent("sendMessage", since)) + len(self.tg.sent("sendPhoto", since))
            if now != count:
                count, quiet_since = now, time.monotonic()
            time.sleep(0.1)
        return [c.result for c in self.tg.calls[since:] if c.method == "sendMessage" and c.result]

    def say(self, text: str, timeout: float = 60) -> list[dict[str, Any]]:
        since = self.tg.mark()
        self.tg.send_text(CHAT, text)
        return self._settle(since, timeout)

    def tap(self, message: dict[str, Any], title: str, expect: str = "sendMessage", timeout: float = 60) -> Any:
        """Tap the button called `title` under `message`; returns the params of the bot's `expect` call."""
        data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                    if b["text"] == title)
        since = self.tg.mark()
        self.tg.tap(CHAT, message["message_id"], data)
        return self.tg.wait(expect, since=since, timeout=timeout)[0]


def is_recommendation(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in SOUR) and bool(re.search(r"¥\s?\d|\d+(\.\d+)?\s?(yuan|cny)", low))


def test_the_jujube_conversation_on_telegram(stack: dict[str, Any], fake_tg: FakeTelegram) -> None:
    env = {**stack["env"], "TELEGRAM_BOT_TOKEN": fake_tg.token, "TELEGRAM_API_BASE_URL": fake_tg.url,
           "RASA_URL": stack["rasa_url"], "TELEGRAM_RASA_TIMEOUT": "60", "TELEGRAM_POLL_TIMEOUT": "1",
           "TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_WEBHOOK_SECRET": "", "PYTHONPATH": str(ROOT)}
    bot_log = stack["tmp"] / "bot.log"
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=bot_log.open("wb"),
                            stderr=subprocess.STDOUT)
    shopper, sender = Shopper(fake_tg), f"tg:{CHAT}"
    try:
        fake_tg.wait("getUpdates", timeout=30)
        replies = shopper.say("Do you have dates?")
        transcript = [m["text"] for m in replies]
        used: set[int] = set()
        for _turn in range(8):
            if any(is_recommendation(m["text"]) for m in replies):
                break
            question = replies[-1]["text"].lower()
            pick = next((i for i, (cues, _) in enumerate(FACTS) if i not in used and any(c in question for c in cues)),
                        None)
            if pick is not None:
                used.add(pick)
            replies = shopper.say(FACTS[pick][1] if pick is not None else FALLBACK)
            transcript += [m["text"] for m in replies]
        recommendation = next((m for m in replies if is_recommendation(m["text"])), None)
        assert recommendation is not None, "no sour recommendation with a price:\n" + "\n".join(transcript)
        assert bot_text("rasa_down") not in transcript

        [need] = export(stack["env"], sender)
        assert need["conversation_id"] == sender and need["channel"] == "telegram"
        assert any("sour" in f for f in need["needs"]["functional"]), need
        assert need["recommendations"]

        transcript += [m["text"] for m in shopper.say("great, I'll take the first one")]
        [need] = export(stack["env"], sender)
        assert need["outcome"] == "accepted", "\n".join(transcript)

        (question,) = shopper.say("/forget")
        edit = shopper.tap(question, bot_text("forget_yes"), expect="editMessageText")  # the answer replaces the question
        assert edit["text"].startswith("Deleted 1 conversation, 1 need and "), edit
        assert export(stack["env"], sender) == []
        shopper.say("hello")  # a new message must not bring anything of the forgotten conversation back
        db = stack["env"]["DATABASE_URL"].split("///", 1)[1]
        with sqlite3.connect(db) as conn:
            kept = " ".join(d for (d,) in conn.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))
        assert "Do you have dates?" not in kept and "daughter-in-law" not in kept
        assert export(stack["env"], sender) == []
    finally:
        stop(proc, timeout=15)
    log = bot_log.read_text()
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
