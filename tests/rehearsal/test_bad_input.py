"""Bad input during a rehearsal is handled without a crash; everything is stored per trainee."""
from __future__ import annotations

from sqlalchemy import func, select

from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession, RehearsalTurn


def _sessions(service, trainee):  # type: ignore[no-untyped-def]
    with service.factory() as s:
        return s.scalars(select(RehearsalSession).where(RehearsalSession.trainee_id == trainee)
                         .order_by(RehearsalSession.id)).all()


def test_empty_gibberish_and_very_long_messages(service):
    service.start("tg:7", "housewarming")
    assert service.handle("tg:7", "") == ["(The customer is waiting for you to say something.)"]
    assert service.handle("tg:7", "   \n ") is not None
    out = service.handle("tg:7", "qwpoeiru zmxncb")
    assert out and out[0].startswith("Jun: ") and service.active("tg:7")
    out = service.handle("tg:7", "🙂🙂🙂 ???")
    assert out and service.active("tg:7")
    out = service.handle("tg:7", "who is it for? " * 400)
    assert out and service.active("tg:7")
    with service.factory() as s:
        longest = s.scalar(select(func.max(func.length(RehearsalTurn.text))))
    assert longest <= 1000


def test_i_give_up_ends_with_a_scorecard(service):
    service.start("tg:8", "jujube")
    service.handle("tg:8", "Who is it for?")
    out = service.handle("tg:8", "I give up")
    assert len(out) == 2 and "Scorecard" in out[1]
    assert not service.active("tg:8")
    assert service.handle("tg:8", "hello?") is None
    (rehearsal,) = _sessions(service, "tg:8")
    assert rehearsal.status == "finished" and rehearsal.end_reason == "gave_up"


def test_switching_persona_midway(service):
    first = service.start("tg:9", "jujube")
    service.handle("tg:9", "Who is it for?")
    out = service.start("tg:9", "office-snacks")
    assert any("Scorecard" in line for line in out)
    assert out[-1].startswith("Ms Tang: ")
    assert first[-1].startswith("Mrs Wang: ")
    old, new = _sessions(service, "tg:9")
    assert old.status == "abandoned" and old.end_reason == "switched"
    assert new.status == "active" and new.persona_key == "office-snacks"
    out = service.handle("tg:9", "What's the occasion?")
    assert "healthy" in out[0]


def test_switching_before_saying_anything_is_not_scored(service):
    service.start("tg:10", "jujube")
    service.start("tg:10", "boss-gift")
    with service.factory() as s:
        assert s.scalar(select(func.count(RehearsalScorecard.id))) == 0
    assert [r.status for r in _sessions(service, "tg:10")] == ["abandoned", "active"]


def test_unknown_persona_and_idle_trainee(service):
    out = service.start("tg:11", "no-such-customer")
    assert "jujube" in out[0] and not service.active("tg:11")
    assert service.handle("tg:11", "hello") is None
    assert "No rehearsal" in service.stop("tg:11")[0]
    out = service.start("tg:11", "dates")  # a word of exactly one title
    assert out[-1] == "Mrs Wang: Do you have dates?"


def test_random_persona_prefers_ones_not_practised(service):
    seen = set()
    for _ in range(len(service.personas())):
        service.start("tg:12")
        with service.factory() as s:
            key = s.scalar(select(RehearsalSession.persona_key).where(RehearsalSession.status == "active"))
        seen.add(key)
    assert len(seen) == len(service.personas())


def test_stop_command_inside_the_conversation(service):
    service.start("tg:13", "night-nurse")
    service.handle("tg:13", "Who's the coffee for?")
    out = service.handle("tg:13", "/stop")
    assert "Scorecard" in out[0] and not service.active("tg:13")


def test_terminal_rehearsal(service, monkeypatch, capsys):
    from jujube.cli import rehearsal as cli
    from jujube.cli.main import main
    from jujube.db import migrate

    lines = iter(["hello", "", "who is it for?", "/personas", "/rehearse dates", "what's it for?", "/stop",
                  "anything?", "/rehearse office-snacks", "Who's it for?"])

    def fake_input(prompt: str = "") -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(cli, "_service", lambda: service)
    monkeypatch.setattr(migrate, "upgrade", lambda url=None: None)
    monkeypatch.setattr("builtins.input", fake_input)
    assert main(["rehearsal", "play", "--persona", "night-nurse", "--trainee", "term:anna"]) == 0
    out = capsys.readouterr().out
    assert "Mr Sun: A bag of your strongest coffee." in out
    assert "spring-festival" in out  # the /personas list
    assert "Mrs Wang: She's expecting a baby" in out
    assert out.count("Scorecard:") == 3  # switched, stopped, and scored on end of input
    assert "No rehearsal is running" in out
    assert not service.active("term:anna")
    assert [r.persona_key for r in _sessions(service, "term:anna")] == ["night-nurse", "jujube", "office-snacks"]
