"""The scorecard coaches: the best question and the weakest move quoted, the missed dimension, a better question."""
from __future__ import annotations

from jujube.rehearsal.customer import Customer, CustomerState
from jujube.rehearsal.scoring import coaching, metrics

from . import scripts


def _card_text(replies):  # type: ignore[no-untyped-def]
    return replies[-1][-1]


def test_scorecard_quotes_the_best_question_and_the_weakest_move(service):
    replies = scripts.play(service, "tg:c1", "jujube", [
        "Hello!", "Is it for you?", "Who are they for?", "What do you need them for?", "Why is that?",
        "How about the honey dates?", "What's your budget?", "I'd recommend the sour jujubes."])
    text = _card_text(replies)
    assert 'Your best question: "Why is that?"' in text  # it drew out the deeper story
    assert 'Your weakest move: "How about the honey dates?"' in text and "pitched before" in text
    assert "Need dimension you missed: formal" in text
    assert 'Instead of "How about the honey dates?", ask: "What matters most to you about the dates for your ' \
           'daughter-in-law' in text


def test_the_missed_dimension_and_the_better_question_follow_the_conversation(library, rubric, classifier):
    persona = library.personas["boss-gift"]
    customer = Customer(persona, library.index, rubric.rules)

    def coach(lines):  # type: ignore[no-untyped-def]
        state = CustomerState()
        for line in lines:
            customer.respond(state, line, classifier.predict(line))
        return coaching(persona, state, metrics(persona, state))

    nothing = coach(["Hi", "Is it for your wife?"])
    assert nothing["best_question"] is None
    assert nothing["missed_dimension"] == "emotional" and nothing["better_question"] == "Who are you buying the tea for?"
    assert nothing["weakest_move"]["text"] == "Is it for your wife?" and "missed" in nothing["weakest_move"]["why"]

    asked_who = coach(["Who is it for?", "What matters most to you?"])
    assert asked_who["missed_dimension"] == "functional"
    assert asked_who["better_question"] == "What's the tea for? What's going on with your boss at the moment?"
    assert asked_who["best_question"]["text"] in ("Who is it for?", "What matters most to you?")

    no_budget = coach(["Who is it for?", "What's the occasion?", "Why?", "What matters most to you?"])
    assert no_budget["missed_dimension"] == "price" and "price range" in no_budget["better_question"]
    assert no_budget["best_question"]["text"] == "Why?"


def test_a_perfect_rehearsal_is_coached_to_go_deeper(service, library):
    persona = library.personas["sleepless-father"]
    replies = scripts.play(service, "tg:c3", "sleepless-father", [
        "Who is the tea for?", "What's it for?", "Why is that?", "What matters most to you?",
        "What's your budget?", "I'd suggest the chamomile tea."])
    text = _card_text(replies)
    assert "You uncovered every need dimension." in text
    assert f'"You said "{persona.facts["matters"].answer_for(0)}" Why is that so important?"' in text or \
        "Why is that so important?" in text
