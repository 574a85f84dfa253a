"""The offer rule: a catalog product or kind offered by name is a pitch; asking about one is not."""
from __future__ import annotations

import pytest
import yaml

from jujube.knowledge import get_knowledge
from jujube.rehearsal.classifier import labelled_examples, load_examples, questions_path
from jujube.rehearsal.offers import OfferRule, default_rule

from .conftest import HERE

FRAMES = ("How about the {}?", "What about some {}?", "Try the {}.", "I'd recommend the {}.",
          "You could take the {}.", "May I suggest the {}?", "Why not try the {}?", "Would you like the {}?")


@pytest.fixture(scope="module")
def rule() -> OfferRule:
    """The rule over the shop's knowledge."""
    found = default_rule()
    assert found is not None
    return found


def test_every_catalog_product_and_kind_offered_in_any_frame_is_an_offer(rule, library):
    names = [p.name for p in library.index.products]
    kinds = sorted({k for p in get_knowledge().products for k in p.kinds})
    assert len(names) > 20 and len(kinds) > 20
    missed = [f.format(n) for n in names + kinds for f in FRAMES if not rule.is_offer(f.format(n))]
    assert not missed, missed[:20]


@pytest.mark.parametrize("text", [
    "what do you like about the milk you buy?",
    "What about the dates you usually buy?",
    "what about the tea that she drinks now?",
    "what about your usual dates?",
    "How about the gift box packaging?",
    "What about the price of the dates?",
    "Is she allergic to peanuts?",
    "How about something without nuts?",
    "Do you like dates?",
    "why would you like some coffee?",
    "how about we start with who the dates are for?",
    "What kind of tea does he drink?",
    "Who are the dates for?",
    "How about the weather today?",
    "",
])
def test_asking_about_a_product_or_avoiding_one_is_not_an_offer(rule, text):
    assert rule.offers(text) == []


@pytest.mark.parametrize("text, phrase", [
    ("Would you like our Medjool dates?", "Medjool dates"),
    ("Then I'd go with the Medjool dates", "Medjool dates"),
    ("Try our sweet Medjool dates, they're delicious", "Medjool dates"),
    ("So how about some kiwi fruit then?", "kiwi fruit"),
    ("Why don't you try the chamomile tea?", "chamomile tea"),
    ("Have you tried our oat milk?", "oat milk"),
    ("what about fruit?", "fruit"),
])
def test_offers_name_what_was_offered(rule, text, phrase):
    assert [o.phrase for o in rule.offers(text)][:1] == [phrase]


def test_the_rule_never_claims_a_labelled_question_that_is_not_a_pitch(rule, capsys):
    """Over the training data and the held-out set, the rule only ever fires on `recommend` lines."""
    examples = load_examples(questions_path()) + labelled_examples(
        yaml.safe_load((HERE / "heldout_questions.yml").read_text(encoding="utf-8")))
    fired = [(text, label) for text, label in examples if rule.is_offer(text)]
    wrong = [(text, label) for text, label in fired if label != "recommend"]
    pitches = sum(label == "recommend" for _, label in examples)
    with capsys.disabled():
        print(f"\nmeasured: the offer rule reads {len(fired) - len(wrong)}/{pitches} labelled pitches, "
              f"{len(wrong)} other questions")
    assert not wrong
    assert len(fired) >= pitches // 4  # the rule is not dead code: product offers are a good share of pitches
