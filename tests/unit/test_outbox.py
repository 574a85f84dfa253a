"""The outbox: outages wait and are written later in order; rejected records are set aside, never blocking."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from jujube.cli.main import main
from jujube.db.needs import iter_needs, save_need
from jujube.db.session import get_sessionmaker
from jujube.db.store import NeedsLog, forget_everywhere


def need(conv: str = "c1", **over: Any) -> dict[str, Any]:
    return {"conversation_id": conv, "discovery_id": str(uuid.uuid4()), "channel": "rest", "stated_request": "dates",
            "underlying_need": "something sour", "needs": {"functional": ["sour taste"]}, "recommendations": [],
            "outcome": "pending", "unmet": False, **over}


class Switch:
    """A session factory that can be made unreachable."""

    def __init__(self) -> None:
        self.down = False

    def __call__(self) -> sessionmaker[Session]:
        if self.down:
            raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))
        return get_sessionmaker()


def test_outage_waits_then_lands_in_order(settings: Path) -> None:
    switch = Switch()
    log = NeedsLog(settings / "outbox.jsonl", factory=switch, retry_every=0.2)
    first = need(outcome="pending")
    switch.down = True
    assert log.save_need(first) is False
    assert log.save_need({**first, "outcome": "accepted"}) is False  # queued behind, not tried
    assert log.pending() == 2 and not list(iter_needs(get_sessionmaker()))
    switch.down = False
    deadline = time.time() + 10
    while log.pending() and time.time() < deadline:  # the background retry writes them
        time.sleep(0.1)
    [row] = list(iter_needs(get_sessionmaker()))
    assert row["outcome"] == "accepted" and log.pending() == 0


def test_a_rejected_record_is_set_aside_and_never_blocks(settings: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = NeedsLog(settings / "outbox.jsonl")
    bad = need(conversation_id=None)  # the database refuses a need without a conversation
    assert log.save_need(bad) is False
    assert "rejected" in caplog.text and any(r.levelname == "ERROR" for r in caplog.records)
    assert log.pending() == 0 and len(log.set_aside_entries()) == 1
    assert log.save_need(need("c2")) is True  # later writes go straight through
    assert [r["conversation_id"] for r in iter_needs(get_sessionmaker())] == ["c2"]


def test_a_rejected_record_in_the_outbox_does_not_stop_the_rest(settings: Path) -> None:
    switch = Switch()
    log = NeedsLog(settings / "outbox.jsonl", factory=switch, background=False)
    switch.down = True
    log.save_need(need("a"))
    log.save_need(need(conversation_id=None))
    log.save_need(need("b"))
    switch.down = False
    report = log.flush_report()
    assert (report.written, report.set_aside, report.waiting) == (2, 1, 0)
    assert sorted(r["conversation_id"] for r in iter_needs(get_sessionmaker())) == ["a", "b"]


def test_outbox_command_shows_and_retries(settings: Path, capsys: pytest.CaptureFixture) -> None:
    outbox = settings / "outbox.jsonl"
    switch = Switch()
    log = NeedsLog(outbox, factory=switch, background=False)
    switch.down = True
    log.save_need(need("waiting-1"))
    log.save_need(need(conversation_id=None))
    switch.down = False
    assert main(["needs", "outbox"]) == 0
    out = capsys.readouterr().out
    assert "waiting for the database" in out and "waiting-1" in out and ": 2" in out
    assert main(["needs", "outbox", "--retry", "--json"]) == 1  # something was set aside: the exit code says so
    states = [json.loads(line)["state"] for line in capsys.readouterr().out.splitlines()]
    assert states == ["set_aside"]
    assert [r["conversation_id"] for r in iter_needs(get_sessionmaker())] == ["waiting-1"]


def test_forget_removes_waiting_writes_too(settings: Path) -> None:
    switch = Switch()
    outbox = settings / "outbox.jsonl"
    log = NeedsLog(outbox, factory=switch, background=False)
    save_need(get_sessionmaker(), need("gone"))
    switch.down = True
    log.save_need(need("gone", stated_request="honey"))
    log.save_need(need("kept"))
    counts = forget_everywhere("gone", outbox=outbox)
    assert counts["needs"] == 1 and counts["waiting"] == 1
    switch.down = False
    log.flush()
    assert [r["conversation_id"] for r in iter_needs(get_sessionmaker())] == ["kept"]
