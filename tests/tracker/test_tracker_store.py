"""The conversation store inside the Rasa server: persistent, and riding out a database outage in order."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from jujube import tracker_store as ts
from jujube.tracker_store import JujubeTrackerStore

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\nresponses:\n  utter_hi:\n  - text: hi\n")


def rows(path: Path, sender: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [json.loads(d).get("text") or json.loads(d)["event"]
                for (d,) in conn.execute("SELECT data FROM events WHERE sender_id=? ORDER BY id", (sender,))]


def say(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered(f"re: {text}"))
    tracker.update(ActionExecuted("action_listen"))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JujubeTrackerStore:
    monkeypatch.setattr(ts, "RETRY_EVERY", 0.05)
    return JujubeTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'conv.db'}")


def test_conversations_survive_a_new_store(store: JujubeTrackerStore, tmp_path: Path) -> None:
    async def go() -> None:
        tracker = await store.get_or_create_tracker("s1")
        tracker.update(SessionStarted())
        say(tracker, "hello")
        await store.save(tracker)
        again = await JujubeTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'conv.db'}").retrieve("s1")
        assert [e.text for e in again.events if isinstance(e, (UserUttered, BotUttered))] == ["hello", "re: hello"]

    asyncio.run(go())


def test_an_outage_holds_the_conversation_and_writes_it_in_order(store: JujubeTrackerStore, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    real = store._insert

    def down(*_a, **_k):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    async def go() -> None:
        tracker = await store.get_or_create_tracker("s1")
        tracker.update(SessionStarted())
        say(tracker, "one")
        await store.save(tracker)
        monkeypatch.setattr(store, "_insert", down)
        tracker = await store.retrieve("s1")
        say(tracker, "two (during the outage)")
        await store.save(tracker)  # no error: held in memory
        tracker = await store.retrieve("s1")  # the held conversation, not the database's older one
        say(tracker, "three (during the outage)")
        await store.save(tracker)
        newcomer = await store.get_or_create_tracker("s2")  # someone new during the outage
        say(newcomer, "hi from s2")
        await store.save(newcomer)
        monkeypatch.setattr(store, "_insert", real)
        for _ in range(100):  # the background retry writes them without anyone talking
            if not store._pending:
                break
            await asyncio.sleep(0.05)
        assert not store._pending

    asyncio.run(go())
    texts = [t for t in rows(tmp_path / "conv.db", "s1") if " " in t or t in ("one",)]
    assert [t for t in texts if not t.startswith("re:")] == ["one", "two (during the outage)",
                                                              "three (during the outage)"]
    stored = rows(tmp_path / "conv.db", "s1")
    assert stored.count("one") == 1 and stored.count("two (during the outage)") == 1  # nothing written twice
    assert "hi from s2" in rows(tmp_path / "conv.db", "s2")


def test_forgotten_conversations_do_not_come_back(store: JujubeTrackerStore, tmp_path: Path) -> None:
    async def go() -> None:
        tracker = await store.get_or_create_tracker("s1")
        say(tracker, "my secret")
        await store.save(tracker)
        with sqlite3.connect(tmp_path / "conv.db") as conn:
            conn.execute("DELETE FROM events WHERE sender_id='s1'")
        assert await store.retrieve("s1") is None
        fresh = await store.get_or_create_tracker("s1")
        say(fresh, "new start")
        await store.save(fresh)

    asyncio.run(go())
    assert "my secret" not in rows(tmp_path / "conv.db", "s1") and "new start" in rows(tmp_path / "conv.db", "s1")


def test_concurrent_writers_never_write_a_held_conversation_twice(store: JujubeTrackerStore, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    real = store._insert

    def down(*_a, **_k):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    async def go() -> None:
        monkeypatch.setattr(store, "_insert", down)
        trackers = []
        for sender in ("a", "b", "c"):
            tracker = await store.get_or_create_tracker(sender)
            say(tracker, f"{sender} during the outage")
            await store.save(tracker)
            trackers.append(tracker)
        monkeypatch.setattr(store, "_insert", real)
        store._retry_at = 0.0
        say(trackers[0], "a after the outage")
        await asyncio.gather(store._flush_pending(), store.save(trackers[0]), store._flush_pending(),
                             store.retrieve("b"), store._flush_until_empty())

    asyncio.run(go())
    for sender in ("a", "b", "c"):
        stored = rows(tmp_path / "conv.db", sender)
        assert stored.count(f"{sender} during the outage") == 1, stored
    assert rows(tmp_path / "conv.db", "a").count("a after the outage") == 1


def test_a_store_rereads_a_conversation_another_process_wrote(store: JujubeTrackerStore, tmp_path: Path) -> None:
    """Two Rasa workers on one database: each sees the other's turns, and no event is written twice."""
    other = JujubeTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'conv.db'}")

    async def go() -> None:
        tracker = await store.get_or_create_tracker("s1")
        tracker.update(SessionStarted())
        say(tracker, "one")
        await store.save(tracker)
        kept = await store.retrieve("s1")  # read once: kept with the database's count and last id
        there = await other.retrieve("s1")
        say(there, "two")
        await other.save(there)
        again = await store.retrieve("s1")
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["one", "two"]
        say(again, "three")
        await store.save(again)
        assert len(kept.events) < len(again.events)

    asyncio.run(go())
    assert [r for r in rows(tmp_path / "conv.db", "s1") if r.startswith(("one", "two", "three"))] == \
        ["one", "two", "three"]
