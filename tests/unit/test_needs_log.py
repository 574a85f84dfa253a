"""The needs log: one record per discovery, updated in place, exported as the contract says."""
from __future__ import annotations

import json
import threading
import uuid

from jujube.cli.main import main
from jujube.db.needs import forget_conversation, iter_needs, record_messages, save_need
from jujube.db.session import get_sessionmaker

D1, D2 = str(uuid.uuid4()), str(uuid.uuid4())


def record(**over) -> dict:
    base = {"conversation_id": "c1", "discovery_id": D1, "channel": "rest", "stated_request": "dates",
            "underlying_need": "something sour", "recipient": "daughter-in-law", "situation": "pregnant",
            "needs": {"functional": ["sour taste"], "formal": [], "emotional": [],
                      "price": {"max": 50, "currency": "CNY", "sensitivity": "medium", "note": "around 50"}},
            "recommendations": [{"sku": "FR-KIWI-GRN", "name": "Green kiwi fruit", "price": 28.0, "reason": "tangy"}],
            "outcome": "pending", "unmet": False}
    return {**base, **over}


def test_updates_do_not_duplicate() -> None:
    f = get_sessionmaker()
    first = save_need(f, record())
    again = save_need(f, record(outcome="accepted", chosen_sku="FR-KIWI-GRN"))
    other = save_need(f, record(discovery_id=D2, stated_request="tea"))
    assert first == again != other
    rows = list(iter_needs(f))
    assert [(r["discovery_id"], r["outcome"]) for r in rows] == [(D1, "accepted"), (D2, "pending")]
    assert rows[0]["needs"]["price"]["max"] == 50


def test_a_later_discovery_never_overwrites_an_earlier_one() -> None:
    """After a restart the discovery number starts again at 1; the discovery id does not repeat."""
    f = get_sessionmaker()
    save_need(f, record(discovery_no=1, stated_request="dates"))
    save_need(f, record(discovery_id=D2, discovery_no=1, stated_request="honey", recipient="dad"))
    rows = list(iter_needs(f))
    assert [r["stated_request"] for r in rows] == ["dates", "honey"]
    assert {r["discovery_id"] for r in rows} == {D1, D2}


def test_concurrent_first_writes_of_one_discovery_make_one_need() -> None:
    f = get_sessionmaker()
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            save_need(f, record(conversation_id="race", outcome="accepted" if i % 2 else "pending"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(list(iter_needs(f, conversation_id="race"))) == 1


def test_records_without_a_discovery_id_get_a_stable_one() -> None:
    f = get_sessionmaker()
    old = {k: v for k, v in record(discovery_no=3).items() if k != "discovery_id"}
    save_need(f, old)
    save_need(f, {**old, "outcome": "declined"})
    [row] = list(iter_needs(f))
    assert row["outcome"] == "declined" and uuid.UUID(row["discovery_id"])


def test_transcript_lines_are_stored_once() -> None:
    f = get_sessionmaker()
    lines = [{"role": "user", "text": "hi", "sent_at": 1700000000.25},
             {"role": "bot", "text": "hello", "sent_at": 1700000000.5}]
    assert record_messages(f, "c1", "rest", lines) == 2
    assert record_messages(f, "c1", "rest", lines + [{"role": "user", "text": "dates?", "sent_at": 1700000001}]) == 1
    save_need(f, record())
    counts = forget_conversation(f, "c1")
    assert (counts["conversations"], counts["needs"], counts["messages"]) == (1, 1, 3)
    assert list(iter_needs(f)) == []


def test_export_prints_only_json_lines(capsys) -> None:
    f = get_sessionmaker()
    save_need(f, record())
    save_need(f, record(conversation_id="c2", discovery_id=D2))
    assert main(["needs", "export", "--format", "jsonl", "--conversation", "c2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    rec = json.loads(out[0])
    for key in ("conversation_id", "discovery_id", "channel", "captured_at", "stated_request", "underlying_need",
                "recipient", "situation", "needs", "recommendations", "outcome", "unmet"):
        assert key in rec
    assert rec["conversation_id"] == "c2" and rec["discovery_id"] == D2 and rec["captured_at"].endswith("Z")
    assert main(["needs", "export", "--format", "jsonl", "--since", "2999-01-01T00:00:00Z"]) == 0
    assert capsys.readouterr().out == ""


def test_export_rejects_a_bad_date(capsys) -> None:
    assert main(["needs", "export", "--format", "jsonl", "--since", "last tuesday"]) == 2
    assert "ISO-8601" in capsys.readouterr().err
