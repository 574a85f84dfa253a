"""Forgetting a conversation deletes its needs, transcript, tracker events and rehearsal records, and only those."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import func, insert, select

from jujube.cli.main import main
from jujube.db.needs import EVENTS, iter_needs, save_need, transcript
from jujube.db.session import get_sessionmaker
from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession, RehearsalTurn


def _event(sender: str, kind: str, ts: float, **data: object) -> dict:
    body = {"event": kind, "timestamp": ts, **data}
    return {"sender_id": sender, "type_name": kind, "timestamp": ts, "data": json.dumps(body)}


def fill(conv: str) -> None:
    f = get_sessionmaker()
    save_need(f, {"conversation_id": conv, "discovery_id": str(uuid.uuid4()), "stated_request": "dates",
                  "needs": {"functional": ["sour taste"]}, "outcome": "pending"})
    with f.begin() as s:
        s.execute(insert(EVENTS), [
            _event(conv, "session_started", 1.0), _event(conv, "user", 2.0, text="Do you have dates?"),
            _event(conv, "bot", 3.0, text="Who are they for?"), _event(conv, "restart", 4.0),
            _event(conv, "user", 5.0, text="honey for my dad"), _event(conv, "bot", 6.0, text="Here: honey ¥58")])
        rehearsal = RehearsalSession(trainee_id=conv, persona_key="p", channel="telegram")
        s.add(rehearsal)
        s.flush()
        s.add(RehearsalTurn(session_id=rehearsal.id, seq=1, role="trainee", text="hello"))
        s.add(RehearsalScorecard(session_id=rehearsal.id, trainee_id=conv, persona_key="p", score=1, max_score=2,
                                 percent=50))


def count(model_or_table, column, value) -> int:
    with get_sessionmaker()() as s:
        return int(s.scalar(select(func.count()).select_from(model_or_table).where(column == value)) or 0)


def test_transcript_is_the_part_since_the_last_restart_with_the_last_reply() -> None:
    fill("tg:7")
    lines = transcript(get_sessionmaker(), "tg:7")
    assert [line["text"] for line in lines] == ["honey for my dad", "Here: honey ¥58"]


def test_forget_command_deletes_everything_of_that_conversation_only(capsys) -> None:
    fill("tg:7")
    fill("tg:8")
    assert main(["needs", "forget", "tg:7"]) == 0
    assert "1 needs" in capsys.readouterr().err
    assert [n["conversation_id"] for n in iter_needs(get_sessionmaker())] == ["tg:8"]
    assert count(EVENTS, EVENTS.c.sender_id, "tg:7") == 0 and count(EVENTS, EVENTS.c.sender_id, "tg:8") == 6
    assert count(RehearsalSession, RehearsalSession.trainee_id, "tg:7") == 0
    assert count(RehearsalScorecard, RehearsalScorecard.trainee_id, "tg:7") == 0
    assert count(RehearsalSession, RehearsalSession.trainee_id, "tg:8") == 1
    with get_sessionmaker()() as s:
        assert s.scalar(select(func.count()).select_from(RehearsalTurn)) == 1
    assert transcript(get_sessionmaker(), "tg:7") == []
