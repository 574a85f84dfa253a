"""The discovery policy on the shop's real knowledge: one pure function, driven turn by turn."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import pytest

from jujube.knowledge import load_knowledge
from jujube.messages import load_messages
from jujube.nlu.matcher import EntityMatcher
from jujube.policy import Context, Step, next_step
from jujube.shop import load_shop
from jujube.state import DiscoveryState
from jujube.understanding import understand

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
PRICE = re.compile(r"¥\d")


@pytest.fixture(scope="module")
def ctx() -> Context:
    """The shop's real catalog, lexicon, answers and words."""
    kb = load_knowledge(KNOWLEDGE / "catalog.yml", KNOWLEDGE / "lexicon.yml")
    return Context(kb=kb, shop=load_shop(KNOWLEDGE / "shop.yml"), msgs=load_messages(KNOWLEDGE / "messages/en.yml"))


@pytest.fixture(scope="module")
def real_matcher(ctx: Context) -> EntityMatcher:
    """The NLU's entity matcher over the real knowledge."""
    return EntityMatcher(ctx.kb)


class Chat:
    """A shopper talking to the policy; the intent of each line is given, as Rasa would find it."""

    def __init__(self, ctx: Context, matcher: EntityMatcher) -> None:
        self.ctx, self.matcher = ctx, matcher
        self.state = DiscoveryState()
        self.step: Optional[Step] = None
        self.records: dict[str, dict[str, Any]] = {}

    def say(self, text: str, intent: str, confidence: float = 0.9) -> Step:
        parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
                 "entities": self.matcher.extract(text)}
        u = understand(parse, self.ctx.kb, self.ctx.shop, open_question=self.state.last_question)
        self.step = next_step(self.state, u, self.ctx)
        self.state = self.step.state
        for record in self.step.records:
            self.records[record["discovery_id"]] = record
        return self.step

    @property
    def outcomes(self) -> list[str]:
        return [r["outcome"] for r in self.records.values()]


@pytest.fixture
def chat(ctx: Context, real_matcher: EntityMatcher) -> Chat:
    return Chat(ctx, real_matcher)


def test_the_jujube_story(chat: Chat) -> None:
    chat.say("Do you have dates?", "request_product")
    chat.say("They're for my daughter-in-law.", "inform_recipient")
    chat.say("She's pregnant and keeps craving something.", "inform_situation")
    said = chat.say("Not the sweet ones. She wants something sour.", "inform_preference").text
    step = chat.say("Not too pricey, around 50 is fine.", "inform_budget")
    said += step.text
    assert step.kind == "recommend", step.text
    assert "Fresh sour jujubes, ¥32/kg" in said and "Medjool" not in said
    assert "Most of our dates are sweet" in said  # why only some of what was asked for
    assert "FR-JUJ-SOUR" in chat.state.recommended
    [record] = chat.records.values()
    assert record["recipient"] == "daughter-in-law" and "pregnant" in record["situation"]
    assert "sour taste" in record["needs"]["functional"] and record["needs"]["price"]["max"] == 50
    assert record["stated_request"] == "dates" and record["outcome"] == "pending"


def three_picks(chat: Chat) -> Step:
    step = chat.say("sugar-free snacks for my diabetic dad, under 100", "request_product")
    assert step.kind == "recommend" and len(chat.state.recommended) >= 2, step.text
    return step


@pytest.mark.parametrize("text,intent", [("ok", "acknowledge"), ("cool", "acknowledge"), ("👍", "acknowledge"),
                                         ("yes", "affirm"), ("sounds good", "affirm")])
def test_a_vague_yes_to_several_picks_is_not_an_order(chat: Chat, text: str, intent: str) -> None:
    three_picks(chat)
    step = chat.say(text, intent)
    assert step.kind == "which_one" and "Which one" in step.text
    assert [b["title"] for b in step.messages[-1]["buttons"]][:2] == [
        chat.ctx.kb.by_sku[s].name for s in chat.state.recommended[:2]]
    assert "accepted" not in chat.outcomes
    step = chat.say("the second one", "choose_option")
    assert step.kind == "accepted" and chat.outcomes == ["accepted"]


def one_pick(chat: Chat) -> None:
    if chat.say("Two kilos of kiwi fruit, please.", "request_product").kind == "ask_purpose":
        chat.say("no, just that", "deny")
    chat.state.recommended = chat.state.recommended[:1]


@pytest.mark.parametrize("text,intent", [("ok", "acknowledge"), ("👍", "acknowledge"), ("yes please", "affirm")])
def test_a_yes_to_one_pick_is_an_order_with_a_short_confirmation(chat: Chat, text: str, intent: str) -> None:
    one_pick(chat)
    step = chat.say(text, intent)
    assert step.kind == "accepted" and chat.outcomes == ["accepted"] and len(step.text) < 200


@pytest.mark.parametrize("intent", ["acknowledge", "affirm"])
def test_naming_something_else_after_one_pick_is_not_an_order(chat: Chat, intent: str) -> None:
    one_pick(chat)
    chat.say("he likes tea and good food", intent)
    assert "accepted" not in chat.outcomes


def test_i_see_to_one_pick_is_asked_before_it_becomes_an_order(chat: Chat) -> None:
    one_pick(chat)
    step = chat.say("i see", "acknowledge")
    assert step.kind == "confirm" and "Would you like" in step.text and "accepted" not in chat.outcomes
    assert chat.say("yes", "affirm").kind == "accepted"


@pytest.mark.parametrize("text", [
    "it's for a party of around 25 guests", "it's for my Pixel 6a", "the table is 1.5 meters long",
    "my postcode is 200031", "mail me at li1922@qq.com", "she loves the book 1922", "call me on 138 0013 8000",
])
def test_numbers_that_are_not_money_never_become_a_budget(chat: Chat, text: str) -> None:
    chat.say("I'm looking for some snacks", "request_product")
    chat.say(text, "inform_budget")
    assert chat.state.profile.budget is None or chat.state.profile.budget.max is None


def test_a_headcount_is_a_group_not_a_budget(chat: Chat) -> None:
    chat.say("snacks for a party, we'll be around 25 guests", "request_product")
    assert chat.state.profile.headcount == 25 and chat.state.profile.budget is None


def test_money_with_a_cue_is_a_budget(chat: Chat) -> None:
    chat.say("some fruit for my mum under 100 yuan", "request_product")
    assert chat.state.profile.budget.max == 100


@pytest.mark.parametrize("text,words", [("do you have a good novel?", "novel"),
                                        ("I need running shoes", "running shoes"),
                                        ("got any phone cases?", "phone cases")])
def test_outside_the_range_is_said_plainly_and_logged(chat: Chat, text: str, words: str) -> None:
    step = chat.say(text, "request_product")
    assert step.kind == "outside_range" and "don't sell" in step.text
    assert not PRICE.search(step.text)  # no groceries offered as if food was asked for
    [record] = chat.records.values()
    assert record["unmet"] is True and record["stated_request"] == words


def test_a_book_as_a_present_gets_a_gift_that_serves_the_same_need(chat: Chat) -> None:
    step = chat.say("I wanted to buy a novel as a birthday present for my teacher", "request_product")
    assert "don't sell" in step.text
    for _ in range(5):
        if PRICE.search(step.text):
            break
        step = chat.say("not sure", "unsure")
    assert PRICE.search(step.text) and chat.state.profile.sections == ["gift boxes and hampers"], step.text


def test_shop_questions_are_answered_and_the_question_comes_back(chat: Chat) -> None:
    first = chat.say("Do you have dates?", "request_product")
    step = chat.say("do you deliver?", "ask_shop_info")
    assert "deliver" in step.text and first.messages[-1]["text"].split(". ")[-1] in step.text
    step = chat.say("what time do you close?", "ask_shop_info")
    assert "8 am to 10 pm" in step.text


@pytest.mark.parametrize("text,intent", [("i see", "acknowledge"), ("can I see a picture?", "ask_shop_info"),
                                         ("how are you?", "chitchat"), ("bye", "goodbye")])
def test_goodbye_only_on_a_clear_goodbye(chat: Chat, text: str, intent: str) -> None:
    chat.say("Do you have dates?", "request_product")
    step = chat.say(text, intent, confidence=0.9 if intent != "goodbye" else 0.95)
    assert (step.kind == "goodbye") == (intent == "goodbye")


def test_an_unsure_goodbye_guess_is_not_a_goodbye(chat: Chat) -> None:
    chat.say("Do you have dates?", "request_product")
    assert chat.say("i see", "goodbye", confidence=0.4).kind != "goodbye"


def test_not_sure_never_gets_the_same_sentence_twice_and_never_loops(chat: Chat) -> None:
    chat.say("I need a present", "request_product")
    replies = [chat.say("I'm not sure", "unsure").text for _ in range(6)]
    assert all(a != b for a, b in zip(replies, replies[1:])), replies
    assert any(PRICE.search(r) for r in replies[:4]), replies  # concrete options, not an endless interview


def test_not_sure_to_a_question_offers_concrete_options(chat: Chat) -> None:
    step = chat.say("I'm looking for something for my mum", "request_product")
    assert step.kind.startswith("ask_")
    step = chat.say("I'm not sure", "unsure")
    assert step.messages[-1]["buttons"], step.text


def test_nothing_recognised_keeps_the_shoppers_words_and_asks(chat: Chat) -> None:
    step = chat.say("I need something to sort out the mess from yesterday", "nlu_fallback", confidence=0.3)
    assert step.kind == "ask_open" and "nothing we have" not in step.text
    [record] = chat.records.values()
    assert "mess from yesterday" in record["underlying_need"]


def test_nothing_fits_only_for_a_known_need_and_the_nearest_is_offered(chat: Chat) -> None:
    step = chat.say("something sour and crunchy for my diabetic dad under ¥5", "request_product")
    assert step.kind == "no_match" and "nothing we have fits" in step.text
    [record] = chat.records.values()
    assert record["outcome"] == "no_match" and record["unmet"] is True


def test_a_new_request_after_picks_is_a_new_discovery(chat: Chat) -> None:
    three_picks(chat)
    first = chat.state.discovery_id
    chat.say("do you have honey? for my dad", "request_product")
    assert chat.state.discovery_id != first and len(chat.records) == 2


def test_staying_with_the_request_when_it_serves_the_need(chat: Chat) -> None:
    chat.say("do you have dates? for my wife, she likes sweet things", "request_product")
    step = chat.say("what would you suggest?", "ask_suggestion")
    first_line = next(line for line in step.text.splitlines() if line.startswith("1."))
    kb = chat.ctx.kb
    assert any(set(kb.by_sku[s].kinds) & {"dates"} for s in chat.state.recommended[:1]), first_line


def test_compare_two_shown_products(chat: Chat) -> None:
    three_picks(chat)
    step = chat.say("what's the difference between the first two?", "ask_compare")
    names = [chat.ctx.kb.by_sku[s].name for s in chat.state.recommended[:2]]
    assert all(n in step.text for n in names) and step.kind == "which_one"
    assert "cheaper one" in step.text or "same" in step.text  # says what sets them apart


def test_product_questions_answer_price_origin_allergens_and_storage(chat: Chat) -> None:
    three_picks(chat)
    step = chat.say("how much is the first one and what's in it?", "ask_product_info")
    product = chat.ctx.kb.by_sku[chat.state.recommended[0]]
    assert product.name in step.text and PRICE.search(step.text) and "Storage" in step.text


def test_the_same_picks_are_never_listed_twice_in_a_row(chat: Chat) -> None:
    three_picks(chat)
    first, shown = chat.step.text, list(chat.state.recommended)
    again = chat.say("there are two of us at home", "inform_situation")  # new, but the picks stay the same
    assert again.text != first and "Which one" in again.text and again.messages[-1]["buttons"]
    assert chat.state.recommended == shown


def test_the_need_said_again_after_picks_brings_other_options(chat: Chat) -> None:
    three_picks(chat)
    shown = set(chat.state.recommended)
    again = chat.say("he's diabetic", "inform_situation")  # nothing new: the picks did not land
    assert again.kind == "refine" and chat.state.recommended and not shown & set(chat.state.recommended)


def test_a_pick_carries_no_guessed_need() -> None:
    from jujube.understanding import understand as read
    kb = load_knowledge(KNOWLEDGE / "catalog.yml", KNOWLEDGE / "lexicon.yml")
    parse = {"text": "I'll take the first one", "intent": {"name": "choose_option", "confidence": 0.9},
             "entities": [], "needs": [{"label": "occasion:birthday", "confidence": 0.9}]}
    assert read(parse, kb, load_shop(KNOWLEDGE / "shop.yml")).facts.empty()


def test_a_pick_repeated_after_the_order_starts_no_phantom_need(chat: Chat) -> None:
    three_picks(chat)
    chat.say("great, I'll take the first one", "choose_option")
    chat.say("I'll take the first one", "choose_option")
    assert chat.outcomes == ["accepted"] and len(chat.records) == 1


@pytest.mark.parametrize("text,intent", [("something respectful", "chitchat"), ("I like warm drinks", "inform_preference")])
def test_the_same_answer_again_never_gets_the_same_reply(chat: Chat, text: str, intent: str) -> None:
    chat.say("I'm looking for something for my neighbour", "request_product")
    replies = [chat.say(text, intent).text for _ in range(5)]
    assert all(a != b for a, b in zip(replies, replies[1:])), replies


def test_a_verb_is_never_read_as_a_product(real_matcher: EntityMatcher) -> None:
    found = real_matcher.extract("our boss is retiring, we're all chipping in")
    assert not [e for e in found if e["entity"] in ("product", "category")]


def test_a_purpose_the_lexicon_cannot_place_is_kept_in_the_shoppers_words(chat: Chat) -> None:
    chat.say("something for my grandma's mahjong afternoon", "request_product")
    record = next(iter(chat.records.values()))
    assert record["recipient"] == "grandmother" and "mahjong afternoon" in record["underlying_need"]


def test_a_plain_answer_is_not_kept_as_a_purpose(chat: Chat) -> None:
    chat.say("something for my grandma", "request_product")
    chat.say("no preference, just show me what you have", "ask_suggestion")
    assert "preference" not in next(iter(chat.records.values()))["underlying_need"]


@pytest.mark.parametrize("text,who", [
    ("regular milk leaves me bloated for hours, what can I put in my coffee", "myself"),
    ("I'm pregnant and craving something sour", "myself"),
    ("it's our anniversary on friday, she loves cherries", "partner"),
])
def test_who_it_is_for_is_not_asked_when_the_message_says_it(chat: Chat, text: str, who: str) -> None:
    step = chat.say(text, "request_product")
    assert chat.state.profile.recipient == who and "Who" not in step.text


def test_asking_again_for_what_is_not_sold_brings_the_alternative(chat: Chat) -> None:
    first = chat.say("a novel for my dad, he loves reading", "request_product")
    again = chat.say("ok so what would you get a book lover from your shop then?", "chitchat")
    assert "don't sell" in first.text and "don't sell" not in again.text
    assert again.kind == "recommend" and chat.state.recommended


def test_a_product_chosen_by_its_short_name_is_an_order(chat: Chat) -> None:
    chat.say("I'd like some lactose-free milk please", "request_product")
    chat.say("it's for me, just the milk please", "inform_recipient")
    chat.say("no particular reason", "deny")
    assert "DY-MLK-LF" in chat.state.recommended
    chat.say("great, I'll take the lactose-free milk", "choose_option")
    assert chat.outcomes == ["accepted"] and next(iter(chat.records.values()))["chosen_sku"] == "DY-MLK-LF"


def test_a_complete_order_gets_at_most_one_question(chat: Chat) -> None:
    for order in ("Two kilos of kiwi fruit, please.", "Two bottles of milk please"):
        chat.state = type(chat.state)()
        first = chat.say(order, "request_product")
        if first.kind != "recommend":
            assert first.kind == "ask_purpose" and "what for?" in first.text  # an open question
            assert "kiwi" not in first.text and "milk" not in first.text  # the order is not read back as a pitch
            assert chat.say("no, just that", "deny").kind == "recommend"  # never a second question


def test_a_complete_order_whose_purpose_changes_nothing_is_not_questioned(ctx: Context) -> None:
    from jujube.profile import Profile
    from jujube.questions import next_topic
    water = Profile(stated_request="spring water", kinds=["spring water"], quantity="six bottles")
    assert next_topic(water, ctx.kb, []) is None


@pytest.mark.parametrize("text,intent", [("Hmm, none of those really. Thanks anyway, bye.", "deny"),
                                         ("that's all, bye!", "thank")])
def test_a_message_ending_on_goodbye_ends_the_discovery(chat: Chat, text: str, intent: str) -> None:
    three_picks(chat)
    step = chat.say(text, intent)
    assert step.kind == "goodbye" and chat.outcomes == ["abandoned"]


def test_bye_inside_a_word_is_no_goodbye(chat: Chat) -> None:
    assert not chat.ctx.msgs.says_goodbye("something for my hubby") and chat.ctx.msgs.says_goodbye("ok bye")


def test_asking_where_a_product_is_starts_its_discovery(chat: Chat) -> None:
    step = chat.say("Where's the yoghurt?", "ask_product_info")
    assert step.kind.startswith("ask_") and chat.state.profile.kinds == ["yoghurt"]


# ---------------------------------------------------------------------------------------------- unscripted shoppers

def test_a_wish_about_the_same_person_after_the_picks_refines_them(chat: Chat) -> None:
    chat.say("a birthday present for my sister", "request_product")
    chat.say("around 150", "inform_budget")
    while chat.state.last_question:
        chat.say("no idea", "unsure")
    first = chat.state.discovery_id
    step = chat.say("she's more into walnuts and salty snacks", "request_product")
    assert chat.state.discovery_id == first and chat.state.profile.recipient == "sister"
    assert chat.state.profile.occasion == "birthday" and "walnuts" in chat.state.profile.kinds, step.text


def test_a_romantic_present_is_a_treat_not_a_remedy(chat: Chat) -> None:
    step = chat.say("a valentine's present for my husband, he can't stand sweets", "request_product")
    while step.kind.startswith("ask_"):
        step = chat.say("not sure", "unsure")
    kb = chat.ctx.kb
    picks = [kb.by_sku[s] for s in chat.state.recommended]
    assert picks and all("premium" in p.tags or "rich" in p.tags for p in picks), step.text
    assert not any(p.tags & {"pregnancy-safe", "patient"} and "premium" not in p.tags for p in picks)


def test_either_wish_will_do_when_said_with_or(ctx: Context) -> None:
    from jujube.profile import Profile
    from jujube.ranking import rank
    profile = Profile(recipient="kids", prefers=[("taste", "sour"), ("texture", "soft")])
    tags = [s.product.tags for s in rank(profile, ctx.kb, limit=10)]
    assert any("sour" in t and "soft" not in t for t in tags) or any("soft" in t and "sour" not in t for t in tags)
    assert all(t & {"sour", "tangy", "soft", "easy-to-chew"} for t in tags)


def test_the_kind_asked_for_is_weighed_not_dropped_for_a_taste_wish(ctx: Context) -> None:
    from jujube.profile import Profile
    from jujube.ranking import rank
    profile = Profile(stated_request="milk", kinds=["milk"], recipient="daughter",
                      situations=["lactose intolerant"], prefers=[("taste", "sweet")])
    picks = rank(profile, ctx.kb)
    kinds = [p.product for p in picks if ctx.kb.is_kind(p.product, ["milk"])]
    assert len(kinds) >= 2 and any("sweet" not in p.tags for p in kinds)
    assert not any("lactose" in p.product.tags for p in picks)


@pytest.mark.parametrize("text,entity,value", [
    ("we're heading to a wake on friday", "emotion", "condolence"),
    ("my neighbours bought a house last month", "occasion", "housewarming"),
    ("my aunt has the sugar sickness, what can she eat", "situation", "diabetic"),
    ("grandad's doctor is worried about his heart", "situation", "heart condition"),
])
def test_needs_said_in_plain_words(real_matcher: EntityMatcher, text: str, entity: str, value: str) -> None:
    assert (entity, value) in {(e["entity"], e["value"]) for e in real_matcher.extract(text)}


def test_a_basket_for_someone_is_a_gift_and_anything_but_is_a_refusal(real_matcher: EntityMatcher) -> None:
    ents = {(e["entity"], e["value"], e.get("role")) for e in real_matcher.extract("a little basket for my teacher")}
    assert ("category", "gift boxes and hampers", None) in ents
    ents = {(e["entity"], e["value"], e.get("role")) for e in real_matcher.extract("anything but walnuts")}
    assert ("product", "walnuts", "excluded") in ents


def test_a_refused_kind_takes_in_its_plural_forms(ctx: Context) -> None:
    from jujube.profile import Profile
    from jujube.ranking import rank
    profile = Profile(occasion="valentine's day", recipient="girlfriend", excluded_kinds=["chocolate"])
    kb = ctx.kb
    boxes = {p.sku for p in kb.products if "chocolates" in p.kinds}
    assert boxes and boxes <= kb.kind_skus(("chocolate",))
    assert not {s.product.sku for s in rank(profile, kb, limit=20)} & boxes


def test_a_taste_said_about_the_meal_being_cooked_gets_what_goes_with_it(chat: Chat) -> None:
    chat.say("my in-laws are coming for dinner on sunday", "inform_situation")
    chat.say("they love it fiery, I'm cooking a sichuan meal", "inform_preference")
    while chat.state.last_question:
        chat.say("not sure", "unsure")
    assert "spicy meal" in chat.state.profile.situations
    assert ("taste", "spicy") not in chat.state.profile.prefers
    kb = chat.ctx.kb
    assert chat.state.recommended and not any("spicy" in kb.by_sku[s].tags for s in chat.state.recommended)


def test_a_named_product_for_someone_else_gets_asked_what_it_is_for(chat: Chat) -> None:
    step = chat.say("do you sell energy drinks? they're for my nephew", "request_product")
    assert step.kind == "ask_purpose", step.text
    step = chat.say("he's cramming for his finals", "inform_situation")
    while chat.state.last_question:
        step = chat.say("no idea", "unsure")
    kb = chat.ctx.kb
    assert chat.state.recommended and not any("high-caffeine" in kb.by_sku[s].tags for s in chat.state.recommended)
    assert "exam stress" in chat.state.profile.situations, step.text


def test_the_order_question_reads_the_quantity_once_in_lower_case(chat: Chat) -> None:
    step = chat.say("Three bottles of orange juice please", "request_product")
    if step.kind == "ask_purpose":
        assert "three bottles" in step.text and "Three bottles" not in step.text and step.text.count("Sure") <= 1


def test_the_purpose_question_is_a_plain_open_question(chat: Chat) -> None:
    step = chat.say("do you sell energy drinks? they're for my nephew", "request_product")
    assert step.kind == "ask_purpose"
    question = step.text.split("Yes, we do.")[-1].strip()
    assert question.lower().startswith("what") and "should know about" not in question
