"""/rehearse and /stop, and routing a trainee's messages to the rehearsal coach instead of Rasa."""
from __future__ import annotations

import inspect
import threading
from typing import Any, Callable, Optional

import pytest

from bot import rehearsal
from bot.rehearsal import Rehearsals
from telegram_harness import CHAT, bot_text
from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa

TRAINEE = f"tg:{CHAT}"


class FakeCoach:
    """Stands in for jujube.rehearsal.service.RehearsalService (same methods, synchronous)."""

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.threads: set[str] = set()
        self.fail = False

    def _log(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        self.threads.add(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("no such table: rehearsals")

    def personas(self) -> list[tuple[str, str]]:
        self._log("personas")
        return [("grandma", "Grandmother buying dates"), ("boss-gift", "A gift for the boss")]

    def start(self, trainee_id: str, persona_key: Optional[str] = None, channel: str = "terminal",
              language: Optional[str] = None) -> list[str]:
        self._log("start", trainee_id, persona_key, channel=channel)
        self.sessions[trainee_id] = persona_key or "grandma"
        return ["Rehearsal: send /stop to finish.", "Grandma: Do you have dates?"]

    def handle(self, trainee_id: str, text: str) -> Optional[list[str]]:
        self._log("handle", trainee_id, text)
        if trainee_id not in self.sessions:
            return None
        return [f"{self.sessions[trainee_id]} answers: {text}"]

    def stop(self, trainee_id: str) -> list[str]:
        self._log("stop", trainee_id)
        self.sessions.pop(trainee_id)
        return ["Scorecard: asked about the recipient 1/1, uncovered the need: yes."]

    def active(self, trainee_id: str) -> bool:
        self._log("active", trainee_id)
        return trainee_id in self.sessions


@pytest.fixture
async def coach_bot(start_bot: Callable[..., Any], fake_rasa: FakeRasa) -> Any:
    coach = FakeCoach()
    bot = await start_bot(rasa_url=fake_rasa.url, rehearsal=coach)
    bot.coach = coach
    yield bot
    await bot.shutdown()


async def test_rehearse_offers_personas_and_routes_messages_to_the_coach_until_stop(
    coach_bot: Any, fake_tg: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    coach = coach_bot.coach
    (offer,) = await coach_bot.say("/rehearse")
    assert offer["text"] == bot_text("rehearsal_pick")
    buttons = {b["text"]: b["callback_data"] for row in offer["reply_markup"]["inline_keyboard"] for b in row}
    assert set(buttons) == {"Grandmother buying dates", "A gift for the boss", bot_text("rehearsal_any")}

    since = fake_tg.mark()
    fake_tg.tap(CHAT, fake_tg.last_message_id(CHAT), buttons["A gift for the boss"])
    await coach_bot.wait("sendMessage", count=2, since=since)
    assert fake_tg.texts(CHAT, since) == ["Rehearsal: send /stop to finish.", "Grandma: Do you have dates?"]
    assert fake_tg.sent("answerCallbackQuery", since)
    assert ("start", (TRAINEE, "boss-gift"), {"channel": "telegram"}) in coach.calls

    (answer,) = await coach_bot.say("What are they for?")
    assert answer["text"] == "boss-gift answers: What are they for?"
    assert fake_rasa.received == []  # the trainee's words never reached the shop assistant

    greeting, note = await coach_bot.say("/start", count=2)
    assert (greeting["text"], note["text"]) == (bot_text("greeting"), bot_text("in_rehearsal_note"))

    (card,) = await coach_bot.say("/stop")
    assert card["text"].startswith("Scorecard:")
    (reply,) = await coach_bot.say("Do you have dates?")
    assert reply["text"] == "You said: Do you have dates?"
    assert fake_rasa.messages() == ["Do you have dates?"]
    assert threading.main_thread().name not in coach.threads  # the coach is called off the event loop


async def test_rehearse_with_a_persona_and_the_deep_link_start_directly(coach_bot: Any, fake_tg: FakeTelegram) -> None:
    coach = coach_bot.coach
    await coach_bot.say("/rehearse grandma", count=2)
    assert ("start", (TRAINEE, "grandma"), {"channel": "telegram"}) in coach.calls
    (running,) = await coach_bot.say("/rehearse")
    assert running["text"] == bot_text("rehearsal_running")
    await coach_bot.say("/stop")
    await coach_bot.say("/start rehearse_boss-gift", count=2)
    assert ("start", (TRAINEE, "boss-gift"), {"channel": "telegram"}) in coach.calls
    assert (await coach_bot.say("/stop"))[0]["text"].startswith("Scorecard:")
    assert (await coach_bot.say("/stop"))[0]["text"] == bot_text("rehearsal_none")


async def test_any_customer_starts_without_a_persona(coach_bot: Any, fake_tg: FakeTelegram) -> None:
    (offer,) = await coach_bot.say("/rehearse")
    data = offer["reply_markup"]["inline_keyboard"][-1][0]["callback_data"]
    since = fake_tg.mark()
    fake_tg.tap(CHAT, fake_tg.last_message_id(CHAT), data)
    await coach_bot.wait("sendMessage", count=2, since=since)
    assert ("start", (TRAINEE, None), {"channel": "telegram"}) in coach_bot.coach.calls


async def test_a_failing_coach_gets_an_apology_and_the_bot_carries_on(coach_bot: Any, fake_rasa: FakeRasa) -> None:
    await coach_bot.say("/rehearse grandma", count=2)
    coach_bot.coach.fail = True
    assert (await coach_bot.say("hello"))[0]["text"] == bot_text("rehearsal_failed")
    assert (await coach_bot.say("/stop"))[0]["text"] == bot_text("rehearsal_failed")
    coach_bot.coach.fail = False
    assert (await coach_bot.say("hello"))[0]["text"] == "grandma answers: hello"


async def test_a_broken_coach_does_not_keep_shoppers_from_rasa(coach_bot: Any, fake_rasa: FakeRasa, caplog: Any) -> None:
    coach_bot.coach.fail = True
    assert (await coach_bot.say("Do you have dates?"))[0]["text"] == "You said: Do you have dates?"
    assert any("rehearsal coach failed" in r.getMessage() for r in caplog.records)


async def test_without_the_coach_rehearsals_are_not_available(bot: Any, fake_rasa: FakeRasa) -> None:
    assert (await bot.say("/rehearse"))[0]["text"] == bot_text("rehearsals_unavailable")
    assert (await bot.say("/stop"))[0]["text"] == bot_text("rehearsals_unavailable")
    assert (await bot.say("/start rehearse"))[0]["text"] == bot_text("rehearsals_unavailable")
    assert (await bot.say("hi"))[0]["text"] == "You said: hi"


async def test_the_coach_is_imported_lazily_and_missing_means_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rehearsal, "SERVICE_MODULE", "jujube.no_such_coach.service")
    assert rehearsal.load_service() is None
    assert await Rehearsals().available() is False
    loads: list[str] = []
    lazy = Rehearsals(loader=lambda: loads.append(threading.current_thread().name) or FakeCoach())
    assert loads == []
    assert await lazy.available() and await lazy.available()
    assert len(loads) == 1 and loads[0] != threading.main_thread().name  # loaded once, off the event loop


def test_the_real_coach_has_the_interface_the_bot_calls() -> None:
    try:
        from jujube.rehearsal.service import RehearsalService
    except ModuleNotFoundError:
        pytest.skip("jujube.rehearsal.service is not installed")
    expected = {"personas": [], "start": ["trainee_id", "persona_key", "channel", "language"], "handle": ["trainee_id", "text"],
                "stop": ["trainee_id"], "active": ["trainee_id"]}
    for name, params in expected.items():
        signature = inspect.signature(getattr(RehearsalService, name))
        assert list(signature.parameters)[1:] == params, name
