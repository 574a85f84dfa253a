"""Choosing the next discovery question by what its answer would change."""
from __future__ import annotations

from jujube.facts import extract_facts
from jujube.messages import get_messages
from jujube.profile import Profile
from jujube.profile import TOPICS
from jujube.questions import ask, next_topic, topic_value


def profile_of(kb, matcher, *texts: str) -> Profile:
    p = Profile()
    for t in texts:
        p.apply(extract_facts(t, matcher.extract(t), kb))
    return p


def test_a_vague_request_starts_with_the_need_and_stops_within_the_limit(kb, matcher) -> None:
    p = profile_of(kb, matcher, "do you have dates?")
    asked: list[str] = []
    while (topic := next_topic(p, kb, asked, max_questions=3)) is not None:
        asked.append(topic)
    assert 1 <= len(asked) <= 3 and len(set(asked)) == len(asked)
    assert asked[0] in ("recipient", "purpose"), asked


def test_known_facts_are_never_asked(kb, matcher) -> None:
    p = profile_of(kb, matcher, "I want some fruit for my mum")
    asked: list[str] = []
    while (topic := next_topic(p, kb, asked)) is not None:
        asked.append(topic)
    assert "recipient" not in asked


def test_a_question_that_changes_nothing_is_not_asked(kb, matcher) -> None:
    p = profile_of(kb, matcher, "Two kilos of kiwi fruit, please.")
    assert next_topic(p, kb, []) is None
    every = {t: topic_value(t, p, kb) for t in TOPICS}
    assert all(0.0 <= v <= 1.0 for v in every.values()), every


def test_suggestion_request_stops_questions(kb, matcher) -> None:
    p = profile_of(kb, matcher, "do you have dates?")
    assert next_topic(p, kb, ["recipient"], wants_suggestion=True) is None


def test_gift_questions_use_gift_words(kb, matcher) -> None:
    msgs = get_messages()
    p = profile_of(kb, matcher, "I need a present", "It's for my boss.")
    assert ask("purpose", p, kb, msgs) == "What's the occasion?"
    assert "they" in ask("preference", p, kb, msgs).split()  # a boss may be anyone
    assert "he" in ask("preference", profile_of(kb, matcher, "a present for my dad"), kb, msgs).split()
    assert ask("recipient", profile_of(kb, matcher, "do you have dates?"), kb, msgs) == "Who are the dates for?"
