"""Trainee messages read as their parts, and what the customer does with each kind of part."""
from __future__ import annotations

import pytest

from jujube.rehearsal.classifier import Part, Prediction, main_label, sentences
from jujube.rehearsal.customer import Customer, CustomerState

from . import scripts


def test_sentences_and_joined_questions_are_cut_apart():
    assert sentences("That sounds tough. How does she manage?") == ["That sounds tough.", "How does she manage?"]
    assert sentences("Who is it for, and what's the occasion?") == ["Who is it for", "what's the occasion?"]
    assert sentences("Is it for you or someone else?") == ["Is it for you or someone else?"]
    assert sentences("Thanks!Who's it for?") == ["Thanks!", "Who's it for?"]
    assert sentences("") == []


def test_the_weightiest_part_decides():
    assert main_label(["small_talk", "ask_followup"]) == "ask_followup"
    assert main_label(["closed_question", "ask_budget"]) == "ask_budget"
    assert main_label(["small_talk", "recommend", "ask_recipient"]) == "recommend"
    assert main_label(["give_up", "ask_preference"]) == "ask_preference"
    pred = Prediction("ask_followup", 0.9, parts=(Part("That sounds tough.", "small_talk", 0.9),
                                                  Part("How does she manage?", "ask_followup", 0.9)))
    assert pred.labels == ("ask_followup", "small_talk")


@pytest.mark.parametrize("text, labels", [
    ("That sounds tough. How does she manage?", {"small_talk", "ask_followup"}),
    ("Oh no, tell me a bit about how he's coping.", {"small_talk", "ask_followup"}),
    ("Hi there! Who are you shopping for today?", {"small_talk", "ask_recipient"}),
    ("Who is it for, and what's the occasion?", {"ask_recipient", "ask_purpose"}),
])
def test_a_kind_opening_and_the_question_both_count(classifier, text, labels):
    assert set(classifier.predict(text).labels) == labels


@pytest.fixture
def wang(library, rubric):  # type: ignore[no-untyped-def]
    return Customer(library.personas["jujube"], library.index, rubric.rules)


def say(customer, state, text, classifier):  # type: ignore[no-untyped-def]
    return customer.respond(state, text, classifier.predict(text))


def test_a_kind_opening_does_not_hide_the_question(wang, classifier):
    state = CustomerState()
    say(wang, state, "Who are the dates for?", classifier)
    turn = say(wang, state, "Oh, how lovely. And what do you need them for?", classifier)
    assert turn.event == "revealed" and "expecting" in turn.reply
    turn = say(wang, state, "That sounds tough. How is she coping?", classifier)
    assert turn.event == "deeper" and "morning sickness" in turn.reply


def test_two_questions_in_one_message_are_both_answered(wang, classifier):
    state = CustomerState()
    turn = say(wang, state, "Who are they for, and what's the occasion?", classifier)
    assert "daughter-in-law" in turn.reply and "expecting" in turn.reply
    assert {"recipient", "situation"} <= set(state.revealed)


def test_asking_about_the_stated_product_is_discovery_not_a_pitch(wang, classifier):
    state = CustomerState()
    for text in ("What's most important to you about the dates you pick?",
                 "What are you looking for in the dates?"):
        turn = say(wang, state, text, classifier)
        assert turn.label != "recommend" and state.premature_pitches == 0, text
    assert not state.ended


def test_offering_a_search_or_options_is_not_giving_up(wang, classifier):
    state = CustomerState()
    for text in ("Shall I find the cheapest one?", "Would you like to see a few options?",
                 "Can I show you what we have?"):
        turn = say(wang, state, text, classifier)
        assert turn.label != "give_up" and state.ended is None, text


def test_a_right_closed_guess_gets_a_short_yes_not_the_story(wang, classifier):
    state = CustomerState()
    turn = say(wang, state, "Is it for a family occasion?", classifier)
    assert turn.label == "closed_question" and len(turn.reply.split()) <= 4
    assert state.revealed == {"recipient": 0}  # "family" was right, but nothing was told
    turn = say(wang, state, "Is she pregnant, by any chance?", classifier)
    assert turn.label == "closed_question" and turn.event == "closed_yes"
    assert turn.reply in wang.persona.replies["closed_yes"]  # "Yes." and nothing of the story
    assert state.revealed == {"recipient": 0, "situation": 0}
    assert wang.persona.dimensions_of(state.revealed, told_only=True) == set()
    turn = say(wang, state, "Tell me more about that.", classifier)  # an open follow-up: now the story
    assert turn.event == "revealed" and "sour" in turn.reply


def test_plain_questions_in_fresh_wording(wang, classifier):
    state = CustomerState()
    assert "50" in say(wang, state, "What's your spending limit for this present?", classifier).reply
    turn = say(wang, state, "What's the thinking behind choosing dates?", classifier)
    assert turn.label == "ask_purpose" and state.premature_pitches == 0


def test_a_kind_trainee_through_the_service(service):
    replies = scripts.play(service, "tg:kind", "jujube", [
        "Hello! Welcome in. Who are you shopping for today?", "Oh, lovely. What's the occasion?",
        "That sounds tough. How does she manage?", "What's most important to you about the dates you pick?",
        "Shall I look for something under 50?", "I'd suggest the sour jujubes and some kiwi fruit."])
    said = [r[0] for r in replies]
    assert "daughter-in-law" in said[0] and "expecting" in said[1] and "morning sickness" in said[2]
    assert "fits the hidden need" in replies[-1][-1]
