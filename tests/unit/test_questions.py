"""Choosing the next discovery question."""
from __future__ import annotations

from jujube.facts import extract_facts
from jujube.profile import Profile
from jujube.questions import ask, next_topic


def profile_of(kb, matcher, *texts: str) -> Profile:
    p = Profile()
    for t in texts:
        p.apply(extract_facts(t, matcher.extract(t), kb))
    return p


def test_vague_request_asks_who_then_why_then_taste_then_budget(kb, matcher) -> None:
    p = profile_of(kb, matcher, "do you have dates?")
    asked: list[str] = []
    order = []
    while (topic := next_topic(p, kb, asked)) is not None:
        order.append(topic)
        asked.append(topic)
    assert order == ["recipient", "purpose", "preference", "budget"]


def test_known_facts_are_skipped(kb, matcher) -> None:
    p = profile_of(kb, matcher, "I want some fruit for my mum")
    assert next_topic(p, kb, []) == "purpose"
    assert "Who" not in ask("purpose", p, kb)


def test_complete_opening_needs_no_question(kb, matcher) -> None:
    p = profile_of(kb, matcher, "a sugar-free gift box for my diabetic dad, under 200")
    assert next_topic(p, kb, []) is None


def test_direct_order_needs_no_question(kb, matcher) -> None:
    assert next_topic(profile_of(kb, matcher, "Two kilos of kiwi fruit, please."), kb, []) is None


def test_at_most_max_questions(kb, matcher) -> None:
    p = profile_of(kb, matcher, "I need a present")
    assert next_topic(p, kb, ["recipient", "purpose"], max_questions=2) is None


def test_suggestion_request_stops_questions(kb, matcher) -> None:
    p = profile_of(kb, matcher, "do you have dates?")
    assert next_topic(p, kb, ["recipient"], wants_suggestion=True) is None


def test_gift_questions_use_gift_words(kb, matcher) -> None:
    p = profile_of(kb, matcher, "I need a present", "It's for my boss.")
    assert next_topic(p, kb, ["recipient"]) == "purpose"
    assert ask("purpose", p, kb) == "What's the occasion?"
    assert "he" in ask("preference", p, kb)
