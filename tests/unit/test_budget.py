"""Budget parsing."""
from __future__ import annotations

import pytest

from jujube.budget import parse_budget, words_to_number


@pytest.mark.parametrize("text,asked,max_,min_,sens", [
    ("under ¥30", False, 30, None, "medium"),
    ("Up to 100.", True, 100, None, "medium"),
    ("around 50 is fine", True, 50, None, "medium"),
    ("Not too pricey, around 50 is fine.", True, 50, None, "high"),
    ("50k", True, 50000, None, "medium"),
    ("fifty", True, 50, None, "medium"),
    ("two hundred yuan max", False, 200, None, "medium"),
    ("between 100 and 150 rmb", False, 150, 100, "medium"),
    ("not too expensive", False, None, None, "high"),
    ("Price doesn't matter much.", True, None, None, "low"),
])
def test_budgets(text: str, asked: bool, max_, min_, sens: str) -> None:
    b = parse_budget(text, asked_budget=asked)
    assert b is not None
    assert (b.max, b.min, b.sensitivity) == (max_, min_, sens)


@pytest.mark.parametrize("text", ["She's 86 and has trouble chewing.", "two kilos of kiwi", "for my 2 kids", "hello",
                                  "for around 25 guests", "my Pixel 6a", "1.5 metres wide", "postcode 200031",
                                  "li1922@qq.com", "the novel 1922", "call 138-0013-8000", "room 12"])
def test_no_budget_without_money(text: str) -> None:
    assert parse_budget(text, asked_budget=True) is None


def test_bare_number_needs_context() -> None:
    assert parse_budget("50") is None
    assert parse_budget("50", asked_budget=True).max == 50


def test_currency_detected() -> None:
    assert parse_budget("under $20").currency == "USD"
    assert parse_budget("max 200 rmb").currency == "CNY"
    assert parse_budget("under 30").as_dict() == {"max": 30.0, "currency": "CNY", "sensitivity": "medium",
                                                 "note": "up to 30"}


@pytest.mark.parametrize("text,value", [("1.5k", 1500), ("two hundred", 200), ("ninety nine", 99), ("a hundred", 100)])
def test_words_to_number(text: str, value: float) -> None:
    assert words_to_number(text) == value


@pytest.mark.parametrize("text", ["around 50 is fine", "about 300", "for 25 people"])
def test_an_unprompted_bare_number_is_not_a_budget(text: str) -> None:
    b = parse_budget(text)
    assert b is None or b.max is None


@pytest.mark.parametrize("text,value", [
    ("we need 6 gift sets, around 300 each", 300),
    ("we're all chipping in, about 600 total", 600),
    ("the big gift box, for a client, about 400", 400),
    ("two boxes, 50 apiece", 50),
])
def test_a_number_said_the_way_prices_are_said_is_a_budget(text: str, value: float) -> None:
    budget = parse_budget(text)
    assert budget is not None and budget.max == value


@pytest.mark.parametrize("text", ["she is about 30, loves tea", "for a party, about 25 people",
                                  "we need 6 gift sets", "my son is about 7"])
def test_counts_and_ages_said_roughly_stay_out_of_the_budget(text: str) -> None:
    assert parse_budget(text) is None


@pytest.mark.parametrize("text", ["whatever", "up to you", "I don't mind"])
def test_any_price_said_in_answer_to_the_budget_question(text: str) -> None:
    budget = parse_budget(text, asked_budget=True)
    assert budget is not None and budget.sensitivity == "low" and parse_budget(text) is None


@pytest.mark.parametrize("text", [
    "most nights I'm up at 4 and can't get back to sleep",
    "my alarm goes off at 5:30 for the early shift",
    "she's asleep by 9 and wakes about 2",
])
def test_a_time_of_day_is_not_a_budget(text: str) -> None:
    assert parse_budget(text, asked_budget=True) is None


@pytest.mark.parametrize("text,max_", [("up to 20", 20), ("from 10 to 20", 20), ("I'm up early, under 15 yuan", 15)])
def test_small_budgets_near_time_words_still_count(text: str, max_: float) -> None:
    b = parse_budget(text, asked_budget=True)
    assert b is not None and b.max == max_
