"""The simulated customer answers only what was asked, and reacts to pitches like a real shopper."""
from __future__ import annotations

import pytest

from jujube.rehearsal.classifier import Prediction
from jujube.rehearsal.customer import Customer, CustomerState


@pytest.fixture
def wang(library, rubric):  # type: ignore[no-untyped-def]
    return Customer(library.personas["jujube"], library.index, rubric.rules)


def ask(customer, state, text, classifier):  # type: ignore[no-untyped-def]
    return customer.respond(state, text, classifier.predict(text))


def test_each_question_reveals_only_its_own_fact(wang, classifier):
    facts = wang.persona.facts
    state = CustomerState()
    turn = ask(wang, state, "Who will be eating them?", classifier)
    assert turn.reply == facts["recipient"].answer
    assert set(state.revealed) == {"recipient"}
    assert "expecting" not in turn.reply and "50" not in turn.reply

    turn = ask(wang, state, "How much were you planning to spend?", classifier)
    assert turn.reply == facts["budget"].answer
    assert set(state.revealed) == {"recipient", "budget"}
    assert wang.uncovered(state) == {"emotional", "price"}

    turn = ask(wang, state, "What are they for?", classifier)
    assert turn.reply == facts["situation"].answer
    assert wang.uncovered(state) == {"emotional", "price", "functional"}


def test_follow_up_reveals_the_deeper_story_once(wang, classifier):
    state = CustomerState()
    ask(wang, state, "What do you need them for?", classifier)
    turn = ask(wang, state, "Really? Why is that?", classifier)
    assert turn.event == "deeper" and "morning sickness" in turn.reply
    assert state.follow_ups == 1
    turn = ask(wang, state, "Tell me more", classifier)
    assert turn.event == "no_more" and state.follow_ups == 1


def test_closed_questions_get_short_answers(wang, classifier):
    state = CustomerState()
    turn = ask(wang, state, "Is it for your husband?", classifier)
    assert turn.event == "closed_no" and len(turn.reply.split()) <= 3
    turn = ask(wang, state, "Is it for your daughter-in-law?", classifier)
    assert turn.event == "closed_yes" and len(turn.reply.split()) <= 3
    assert state.closed_questions == 2 and state.open_questions == 0


def test_a_pitch_before_understanding_is_premature(wang, classifier):
    state = CustomerState()
    turn = ask(wang, state, "Try our sweet Medjool dates, they're delicious", classifier)
    assert turn.event == "premature_pitch"
    assert state.premature_pitches == 1 and state.ended is None
    assert turn.reply in wang.persona.replies["premature_miss"]
    turn = ask(wang, state, "How about some kiwi fruit then?", classifier)
    assert turn.event == "premature_pitch" and turn.reply in wang.persona.replies["premature_fit"]


def test_a_leading_yes_no_pitch_counts_as_a_pitch(wang, classifier):
    state = CustomerState()
    turn = ask(wang, state, "Would you like our Medjool dates?", classifier)
    assert turn.label == "recommend" and state.premature_pitches == 1


def test_asking_what_to_avoid_is_not_a_pitch(wang, classifier):
    state = CustomerState()
    turn = wang.respond(state, "Is she allergic to peanuts?", Prediction("closed_question", 0.9))
    assert turn.label == "closed_question" and state.premature_pitches == 0
    turn = ask(wang, state, "Is she allergic to peanuts?", classifier)  # whatever question kind the model reads
    assert turn.label != "recommend" and state.premature_pitches == 0


def test_recommendation_after_discovery_ends_the_rehearsal(wang, classifier):
    state = CustomerState()
    for q in ("Who are they for?", "What's the occasion?"):
        ask(wang, state, q, classifier)
    turn = ask(wang, state, "Then I'd go with the Medjool dates", classifier)
    assert state.ended == "recommended" and state.recommendation["fit"] == "poor"
    assert turn.reply in wang.persona.replies["decline"]


def test_low_confidence_is_not_guessed(wang):
    state = CustomerState()
    turn = wang.respond(state, "hm", Prediction("ask_budget", 0.1))
    assert turn.event == "unclear" and "budget" not in state.revealed


def test_the_customer_leaves_after_too_many_questions(library, classifier):
    from jujube.rehearsal.customer import Rules

    customer = Customer(library.personas["jujube"], library.index, Rules(max_questions=3))
    state = CustomerState()
    for q in ("Who is it for?", "Why?", "What's your budget?"):
        turn = ask(customer, state, q, classifier)
    assert state.ended == "time_up" and "go now" in turn.reply
