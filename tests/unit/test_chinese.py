"""Chinese beside English: the language of a message, Chinese numbers and budgets, Chinese words in the
matcher, and replies from the Chinese message catalog with the knowledge's Chinese texts."""
from __future__ import annotations

from pathlib import Path

import pytest

from jujube.budget import headcount, parse_budget
from jujube.facts import extract_facts
from jujube.inputs import kind_of_message
from jujube.knowledge import load_knowledge
from jujube.messages import get_messages, language_of, readable, reply_language

PROJECT_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def kb():
    """The shop's own knowledge, with its Chinese overlay (knowledge/zh/)."""
    return load_knowledge(PROJECT_KNOWLEDGE / "catalog.yml", PROJECT_KNOWLEDGE / "lexicon.yml")


@pytest.fixture(scope="module")
def matcher(kb):
    """The entity matcher over the shop's knowledge, both languages."""
    from jujube.nlu.matcher import EntityMatcher

    return EntityMatcher(kb)


def facts_of(text: str, kb, matcher, asked_budget: bool = False):
    return extract_facts(text, matcher.extract(text), kb, asked_budget=asked_budget)


@pytest.mark.parametrize("text, language", [
    ("老板，有枣吗？", "zh"), ("do you have dates?", "en"), ("买点kiwi", "zh"), ("kiwi 一斤多少钱", "zh"),
    ("I want 月饼 for my boss", "en"), ("300", None), ("👍", None)])
def test_the_language_of_a_message_is_its_script(text, language) -> None:
    assert language_of(text) == language


def test_the_reply_follows_the_latest_message_and_telegram_only_hints() -> None:
    assert reply_language("有枣吗", "en") == "zh"
    assert reply_language("ok thanks", "zh") == "en"
    assert reply_language("300", "zh") == "zh"  # no letters: the conversation's language stays
    assert reply_language("/start", None, "zh-hans") == "en"  # letters decide, not the hint
    assert reply_language("👋", None, "zh-hans") == "zh"
    assert reply_language("👋", None, "ru") is None


def test_chinese_is_read_and_other_scripts_are_foreign() -> None:
    assert kind_of_message("老板，有枣吗？", readable) == "text"
    assert kind_of_message("у вас есть финики?", readable) == "foreign"
    assert readable("😀") is None


@pytest.mark.parametrize("text, asked, maximum, minimum, note", [
    ("别太贵，五十块左右吧。", False, 50, None, "around 50"),
    ("一百以内。", True, 100, None, "up to 100"),
    ("一百以内的零食", False, 100, None, "up to 100"),
    ("两百左右", True, 200, None, "around 200"),
    ("不超过三百", False, 300, None, "up to 300"),
    ("三五十", True, 50, 30, "between 30 and 50"),
    ("预算一百五", False, 150, None, "150"),
    ("五十到一百块之间", False, 100, 50, "between 50 and 100"),
])
def test_chinese_budgets(kb, text, asked, maximum, minimum, note) -> None:
    budget = parse_budget(kb.plain_numbers(text), asked_budget=asked)
    assert budget is not None and budget.max == maximum and budget.min == minimum and budget.note == note


def test_chinese_counts_and_ages_are_not_budgets(kb) -> None:
    for text in ("十个人吃", "我妈80岁了", "来两斤橙子", "孩子3岁"):
        assert parse_budget(kb.plain_numbers(text), asked_budget=False) is None, text
    assert headcount(kb.plain_numbers("大概二十个人")) == 20
    assert kb.plain_numbers("便宜一点的") .startswith("cheap")
    assert parse_budget(kb.plain_numbers("价格无所谓"), asked_budget=True).sensitivity == "low"


def test_every_english_message_has_a_chinese_one_with_the_same_blanks() -> None:
    import string

    en, zh = get_messages("en"), get_messages("zh")
    assert zh.language == "zh"
    missing = sorted(set(en.texts) - set(zh.texts))
    assert not missing, missing
    assert not sorted(set(en.buttons) - set(zh.buttons))
    fmt = string.Formatter()
    for key, variants in zh.texts.items():
        allowed = {f for v in en.texts.get(key, ()) for _, f, _, _ in fmt.parse(v) if f}
        used = {f for v in variants for _, f, _, _ in fmt.parse(v) if f}
        assert used <= allowed, (key, used - allowed)
