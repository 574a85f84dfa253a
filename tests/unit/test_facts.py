"""Facts read from one message: who the purchase is for when several people are named."""
from __future__ import annotations

import pytest

from jujube.facts import extract_facts


@pytest.mark.parametrize("text,who", [
    ("my mum's been lonely since my dad passed last year, I'd like to send her something", "mother"),
    ("my mum says I should get something for my father", "father"),
    ("a gift for my boss, my mum suggested tea", "boss"),
    ("my dad and my mum are both diabetic", "father"),
])
def test_the_recipient_is_who_it_is_for_not_everyone_named(kb, matcher, text: str, who: str) -> None:
    assert extract_facts(text, matcher.extract(text), kb).recipient == who


def test_a_wish_that_names_a_product_asks_for_it(kb, matcher) -> None:
    text = "some sugar-free dates please"
    facts = extract_facts(text, [{"entity": "taste", "value": "sugar-free", "start": 5, "end": 21}], kb)
    assert ("taste", "sugar-free") in facts.prefers and facts.kinds == ["dates"]


def test_a_wish_that_names_a_section_asks_for_that_section(kb, matcher) -> None:
    text = "a jar of really sour coffee please"
    start = text.index("really")
    facts = extract_facts(text, [{"entity": "taste", "value": "sour", "start": start, "end": len(text) - 7}], kb)
    assert ("taste", "sour") in facts.prefers and facts.sections == ["tea and coffee"]
    assert facts.stated == "really sour coffee" and not facts.kinds


@pytest.mark.parametrize("text,who", [
    ("something for my mother's boss", "boss"),
    ("a present for my boss's father", "father"),
])
def test_whose_person_it_is_does_not_make_them_the_recipient(kb, matcher, text: str, who: str) -> None:
    assert extract_facts(text, matcher.extract(text), kb).recipient == who


def test_a_section_named_beside_the_wish_wins_over_the_wish_words(kb, matcher) -> None:
    text = "really sour coffee in a gift box"
    ents = [{"entity": "taste", "value": "sour", "start": 0, "end": 18},
            {"entity": "category", "value": "gift box", "start": 24, "end": 32}]
    facts = extract_facts(text, ents, kb)
    assert facts.sections == ["gift boxes and hampers"] and facts.stated == "gift box"
