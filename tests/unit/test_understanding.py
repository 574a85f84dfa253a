"""From text to facts to a need profile: the spaCy matcher, fact extraction and the profile."""
from __future__ import annotations

from jujube.messages import get_messages
from jujube.facts import extract_facts
from jujube.profile import Profile


def facts_of(text: str, kb, matcher, asked_budget: bool = False):
    return extract_facts(text, matcher.extract(text), kb, asked_budget=asked_budget)


def test_matcher_finds_entities_with_canonical_values(kb, matcher) -> None:
    ents = {(e["entity"], e["value"]) for e in matcher.extract("a sugar-free gift for my diabetic dad, under ¥200")}
    assert ("taste", "sugar-free") in ents
    assert ("recipient", "father") in ents
    assert ("situation", "diabetic") in ents
    assert ("category", "gift boxes and hampers") in ents
    assert ("amount", 200.0) in ents and ("currency", "CNY") in ents


def test_matcher_marks_negated_wishes(matcher) -> None:
    ents = matcher.extract("Not the sweet ones. She wants something sour.")
    roles = {e["value"]: e.get("role") for e in ents if e["entity"] == "taste"}
    assert roles == {"sweet": "excluded", "sour": None}


def test_age_is_not_money(kb, matcher) -> None:
    ents = matcher.extract("She's 86 and has trouble chewing.")
    assert not [e for e in ents if e["entity"] == "amount"]
    facts = facts_of("She's 86 and has trouble chewing.", kb, matcher)
    assert facts.situations == ["chewing difficulty", "elderly"]


def test_jujube_conversation_builds_the_profile(kb, matcher) -> None:
    profile = Profile()
    for text, budget_q in [("Do you have dates?", False), ("They're for my daughter-in-law.", False),
                           ("She's pregnant and keeps craving something.", False),
                           ("Not the sweet ones. She wants something sour.", False),
                           ("Not too pricey, around 50 is fine.", True)]:
        profile.apply(facts_of(text, kb, matcher, asked_budget=budget_q))
    assert profile.stated_request == "dates"
    assert profile.recipient == "daughter-in-law"
    assert profile.situations == ["pregnant"]
    assert ("taste", "sour") in profile.prefers and ("taste", "sweet") in profile.avoids
    dims = profile.dimensions(kb)
    assert "sour taste" in dims["functional"] and "safe during pregnancy" in dims["functional"]
    assert "not sweet" in dims["functional"]
    assert dims["formal"] == ["fresh"]
    assert "caring for family" in dims["emotional"]
    assert dims["price"] == {"max": 50.0, "currency": "CNY", "sensitivity": "high", "note": "around 50"}
    summary = profile.summary(kb, get_messages("en"))
    assert "sour" in summary and "pregnan" in summary and "daughter-in-law" in summary


def test_changing_mind_replaces_the_wish(kb, matcher) -> None:
    profile = Profile()
    profile.apply(facts_of("something sweet please", kb, matcher))
    profile.apply(facts_of("actually not sweet, sour", kb, matcher))
    assert profile.prefers == [("taste", "sour")]
    assert profile.avoids == [("taste", "sweet")]


def test_quantity_and_unknown_items(kb, matcher) -> None:
    order = facts_of("Two kilos of kiwi fruit, please.", kb, matcher)
    assert order.kinds and order.quantity == "Two kilos"
    unknown = facts_of("do you have durian?", kb, matcher)
    assert unknown.unknown_item == "durian" and not unknown.kinds
    assert facts_of("I want something sour", kb, matcher).unknown_item is None


def test_facts_topics(kb, matcher) -> None:
    facts = facts_of("a sugar-free gift box for my diabetic grandfather dad, under 200", kb, matcher)
    assert facts.topics() == {"recipient", "purpose", "preference", "budget"}
    assert facts_of("hello there", kb, matcher).empty()


def test_a_classified_occasion_stays_when_it_shares_a_word_with_a_feeling(kb) -> None:
    from jujube.understanding import classified_needs
    entities = [{"entity": "emotion", "value": "festival cheer", "start": 0, "end": 8}]
    needs = [{"label": "occasion:mid-autumn festival", "confidence": 0.9}]
    assert [n["value"] for n in classified_needs(needs, entities, kb)] == ["mid-autumn festival"]


def test_a_classified_occasion_named_after_the_recipient_is_dropped(kb) -> None:
    from jujube.understanding import classified_needs
    entities = [{"entity": "recipient", "value": "mid-autumn festival fan", "start": 0, "end": 8}]
    needs = [{"label": "occasion:mid-autumn festival", "confidence": 0.9}]
    assert classified_needs(needs, entities, kb) == []
