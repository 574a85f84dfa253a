"""Scripted trainees against several personas: good scores high, a pusher low, half-way in between."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from jujube.rehearsal.customer import Customer, CustomerState
from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession, RehearsalTurn
from jujube.rehearsal.personas import load_library
from jujube.rehearsal.scoring import score

from . import scripts

PERSONAS = load_library().keys()


def _card(service, trainee):  # type: ignore[no-untyped-def]
    with service.factory() as s:
        return s.scalars(select(RehearsalScorecard).where(RehearsalScorecard.trainee_id == trainee)
                         .order_by(RehearsalScorecard.id.desc())).first()


# The scores rest on the trained question classifier reading each scripted line. Measured with
# 8 OpenBLAS kernels (OPENBLAS_CORETYPE Prescott to SkylakeX): good 96%, half-way 59%, pusher 0%
# on every persona. The bands leave 16 points or more of margin on every side.
GOOD_MIN, HALF_RANGE, PUSHER_MAX = 80, (25, 75), 20


@pytest.mark.parametrize("key", PERSONAS)
def test_good_pusher_and_half_way_trainees_are_ranked(service, library, key, capsys):
    persona = library.personas[key]
    scripts.play(service, "good", key, scripts.good(persona, library.index))
    scripts.play(service, "half", key, scripts.half_way(persona, library.index))
    scripts.play(service, "pusher", key, scripts.pusher(persona, library.index))
    good, half, pusher = (_card(service, t) for t in ("good", "half", "pusher"))
    with capsys.disabled():
        print(f"\nmeasured {key}: good {good.percent}% (>= {GOOD_MIN}), half-way {half.percent}% "
              f"(in {HALF_RANGE}), pusher {pusher.percent}% (<= {PUSHER_MAX})")

    assert good.percent >= GOOD_MIN, good.text
    assert all(good.dimensions.values()), good.dimensions
    assert good.recommendation["fit"] == "good"
    assert good.metrics["premature_pitches"] == 0

    assert pusher.percent <= PUSHER_MAX, pusher.text
    assert pusher.metrics["premature_pitches"] >= 1
    assert not any(pusher.dimensions.values())
    advice = " ".join(pusher.advice)
    assert "before understanding the need" in advice
    assert "never asked who it was for" in advice

    assert pusher.percent < half.percent < good.percent
    assert HALF_RANGE[0] <= half.percent <= HALF_RANGE[1], half.text
    assert half.dimensions["functional"] and not half.dimensions["price"]


def test_the_jujube_case_end_to_end(service, library):
    lines = ["Good morning!", "Who are the dates for?", "What do you need them for?", "Why is that?",
             "What's most important to you?", "How much would you like to spend?",
             "I'd suggest sour jujubes, and some kiwi fruit too."]
    replies = scripts.play(service, "tg:1", "jujube", lines)
    said = [r[0] for r in replies]
    assert "daughter-in-law" in said[1]
    assert "expecting" in said[2] and "sour" in said[2]
    assert "morning sickness" in said[3]
    assert "50" in said[5]
    card_text = replies[-1][-1]
    assert "Scorecard" in card_text and "fits the hidden need" in card_text
    for dim in ("functional", "formal", "emotional", "price"):
        assert f"✓ {dim}" in card_text
    assert "follow-ups: 1" in card_text


def test_pusher_gets_lukewarm_then_walks_away(service, library):
    persona = library.personas["jujube"]
    replies = scripts.play(service, "p", "jujube", scripts.pusher(persona, library.index))
    first = replies[0][0]
    assert "daughter-in-law" not in first and "pregnant" not in first
    assert any(w in first.lower() for w in ("no", "don't", "maybe", "perhaps"))
    assert any("somewhere else" in r[0] for r in replies)
    card = _card(service, "p")
    assert card.recommendation is None and card.metrics["questions"] == 0


def test_score_is_stable_for_the_same_transcript(service, library, rubric, classifier):
    persona = library.personas["boss-gift"]
    lines = scripts.half_way(persona, library.index)[:2] + ["Is it for your boss?", "Tell me more", "What's your budget?",
                                              "I recommend the tea gift box"]
    cards = []
    for i in range(2):
        scripts.play(service, f"same{i}", "boss-gift", lines)
        cards.append(_card(service, f"same{i}"))
    strip = lambda c: (c.score, c.percent, c.items, c.advice, c.dimensions, c.metrics, c.text)  # noqa: E731
    assert strip(cards[0]) == strip(cards[1])

    # Replaying the stored transcript through a fresh customer gives the same scorecard.
    with service.factory() as s:
        sid = cards[0].session_id
        said = s.scalars(select(RehearsalTurn.text).where(RehearsalTurn.session_id == sid,
                                                          RehearsalTurn.role == "trainee")
                         .order_by(RehearsalTurn.seq)).all()
        stored = s.get(RehearsalSession, sid).state
    state = CustomerState()
    customer = Customer(persona, library.index, rubric.rules)
    for text in said:
        customer.respond(state, text, classifier.predict(text))
    assert state.to_dict() == stored
    assert score(persona, state, rubric, library.index)["score"] == cards[0].score


def test_scorecard_shows_the_rubric_item_by_item(service, library, rubric):
    replies = scripts.play(service, "r", "sore-throat", ["Who is it for?", "Is she ill?", "What's your budget?",
                                                         "I'd suggest the ice cream"])
    text = replies[-1][-1]
    card = _card(service, "r")
    assert len(card.items) == len(rubric.items)
    for item, row in zip(rubric.items, card.items):
        assert row["key"] == item.key
        assert f"{item.label}: {row['points']:g}/{item.max_points:g}" in text
    assert card.score == sum(r["points"] for r in card.items)
    # "Is she ill?" -> "Yes.": a right guess is confirmed but the story stays untold, for half the points.
    assert card.metrics["closed_questions"] == 1 and card.metrics["uncovered_functional"] == 0.5
    assert not card.dimensions["functional"]
    assert card.recommendation["fit"] == "acceptable"
    assert 2 <= len(card.advice) <= 3


def test_saying_nothing_useful_earns_nothing(service):
    scripts.play(service, "quiet", "jujube", ["asdfgh", "qwerty"])
    card = _card(service, "quiet")
    assert card.score == 0
    assert not any("pitched" in a for a in card.advice)
