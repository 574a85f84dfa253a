"""The real coach behind the Telegram bot's async wrapper: a trainee rehearses the jujube case."""
from __future__ import annotations

import pytest

from jujube.rehearsal.report import history

bot_rehearsal = pytest.importorskip("bot.rehearsal")


async def test_trainee_rehearses_over_the_bot_wrapper(service, library):
    coach = bot_rehearsal.Rehearsals(service=service)
    trainee = "tg:4242"
    assert ("jujube", library.personas["jujube"].title) in await coach.personas()
    opening = await coach.start(trainee, "jujube")
    assert opening[-1] == "Mrs Wang: Do you have dates?"
    assert await coach.active(trainee)
    for text in ("Who is it for?", "Why do you need them?", "What matters most to you?", "What's your budget?"):
        assert (await coach.handle(trainee, text))[0].startswith("Mrs Wang: ")
    final = await coach.handle(trainee, "Then take the sour jujubes and some green kiwi fruit")
    assert "Scorecard" in final[-1]
    assert not await coach.active(trainee)
    assert await coach.handle(trainee, "hello again") is None

    (row,) = history(service.factory, trainee)
    assert row["channel"] == "telegram" and row["fit"] == "good" and all(row["dimensions"].values())
