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


def test_chinese_words_are_found_and_negated_in_their_clause(kb, matcher) -> None:
    ents = {(e["entity"], e["value"], e.get("role")) for e in matcher.extract("给我儿媳妇买的，她怀孕了，不要太甜的")}
    assert ("recipient", "daughter-in-law", None) in ents and ("situation", "pregnant", None) in ents
    assert any(e == "taste" and v == "not too sweet" for e, v, _ in ents)
    refused = {e["value"]: e.get("role") for e in matcher.extract("他不吃辣，喜欢甜的") if e["entity"] == "taste"}
    assert refused.get("sweet") is None and ("spicy" not in refused or refused["spicy"] == "excluded")
    asked = {e["value"]: e.get("role") for e in matcher.extract("要不要来点辣的") if e["entity"] == "taste"}
    assert asked == {"spicy": None}  # 要不要 asks, it does not refuse


def test_chinese_facts_recipient_budget_and_unknown_things(kb, matcher) -> None:
    facts = facts_of("送给我婆婆的，她血糖高，一百以内", kb, matcher)
    assert facts.recipient == "mother-in-law" and facts.for_recipient
    assert "diabetic" in facts.situations and facts.budget is not None and facts.budget.max == 100
    assert facts_of("有枣吗？", kb, matcher).kinds
    assert facts_of("你们有没有螺蛳粉？", kb, matcher).unknown_item == "螺蛳粉"
    assert facts_of("有没有适合老人吃的", kb, matcher).unknown_item is None  # 老人 is a need, not a product
    assert facts_of("给奶奶打麻将的时候吃", kb, matcher).untold  # kept in the shopper's own words
    assert not facts_of("别太贵，五十块左右吧。", kb, matcher).untold  # a budget says nothing unplaced


def test_the_chinese_view_of_the_knowledge_keeps_keys_and_changes_only_the_words(kb) -> None:
    zh = kb.localized("zh")
    assert kb.localized("zh") is zh and zh.localized("en") is kb and zh.canonical is kb
    sour = kb.by_sku["FR-JUJ-SOUR"]
    assert zh.by_sku["FR-JUJ-SOUR"].name != sour.name and zh.by_sku["FR-JUJ-SOUR"].tags == sour.tags
    assert zh.label("pregnant") != "pregnant" and kb.label("pregnant") == "pregnant"
    assert zh.section_label("fresh fruit") != "fresh fruit"
    missing = [p.sku for p in kb.products if zh.by_sku[p.sku].name == p.name]
    assert not missing, missing
    untranslated = [f"{c.entity}:{c.key}" for c in kb.concepts.values() if c.summary and zh.concept(c.entity, c.key).summary == c.summary]
    assert not untranslated, untranslated


def test_a_chinese_discovery_is_answered_and_logged_in_chinese(kb, matcher) -> None:
    from jujube.policy import Context, next_step
    from jujube.shop import load_shop
    from jujube.state import DiscoveryState
    from jujube.understanding import understand

    shop = load_shop(PROJECT_KNOWLEDGE / "shop.yml")
    contexts = {lang: Context(kb=kb.localized(lang), shop=shop, msgs=get_messages(lang)) for lang in ("en", "zh")}

    def in_language(lang):
        return contexts.get(lang or "en", contexts["en"])

    contexts = {k: Context(kb=c.kb, shop=c.shop, msgs=c.msgs, in_language=in_language) for k, c in contexts.items()}
    state = DiscoveryState()
    for text in ("老板，有枣吗？", "给我儿媳妇买的。", "她怀孕了，想吃酸的。", "五十块左右。", "Thanks, bye!"):
        lang = language_of(text)
        ctx = contexts[lang]
        parse = {"text": text, "intent": {"name": "goodbye" if lang == "en" else "inform_situation",
                                          "confidence": 0.9}, "entities": matcher.extract(text)}
        step = next_step(state, understand(parse, ctx.kb, ctx.shop, state.last_question), ctx)
        state = step.state
        if text.startswith("五十"):
            assert "酸枣" in step.text and "¥" in step.text  # Chinese names and prices
        if lang == "en":
            assert "Goodbye" in step.text  # the reply follows the latest message
    record = step.records[-1]
    assert record["language"] == "zh" and record["stated_request"] == "枣"
    assert "孕" in record["underlying_need"]  # the need in the shopper's language
    assert "safe during pregnancy" in record["needs"]["functional"]  # dimensions in canonical words
    assert record["recipient"] == "daughter-in-law"


def _talk(kb, matcher, lines):
    """Play (text, intent) lines through the policy with the shop's own knowledge; the steps."""
    from jujube.policy import Context, next_step
    from jujube.shop import load_shop
    from jujube.state import DiscoveryState
    from jujube.understanding import understand

    shop = load_shop(PROJECT_KNOWLEDGE / "shop.yml")
    state, steps = DiscoveryState(), []
    for text, intent in lines:
        ctx = Context(kb=kb.localized(language_of(text)), shop=shop, msgs=get_messages(language_of(text)))
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": matcher.extract(text)}
        steps.append(next_step(state, understand(parse, ctx.kb, ctx.shop, state.last_question), ctx))
        state = steps[-1].state
    return steps


def test_a_need_that_stays_unknown_gets_best_sellers_not_a_loop_or_a_dead_end(kb, matcher) -> None:
    steps = _talk(kb, matcher, [("随便看看，想买点东西。", "request_product"), ("不知道，还没想好。", "unsure"),
                                ("都行。", "unsure"), ("都行。", "unsure")])
    kinds = [s.kind for s in steps]
    assert kinds.count("ask_section") <= 1, kinds
    assert "recommend_popular" in kinds, kinds
    assert "no_match" not in kinds


def test_someone_mentioned_in_passing_does_not_replace_who_it_is_for(kb, matcher) -> None:
    steps = _talk(kb, matcher, [("my boss is in hospital, I want to bring him something", "inform_situation"),
                                ("the doctor says only soft food for now", "inform_situation")])
    assert steps[-1].state.profile.recipient == "boss"
    steps = _talk(kb, matcher, [("something for my mum", "inform_recipient"),
                                ("actually it's for my sister", "inform_recipient")])
    assert steps[-1].state.profile.recipient == "sister"


def test_a_need_told_in_the_first_person_is_the_speakers_own(kb, matcher) -> None:
    assert facts_of("我最近老失眠，晚上睡不着", kb, matcher).recipient == "myself"
    assert facts_of("她最近老失眠，晚上睡不着", kb, matcher).recipient is None
    assert facts_of("我老婆最近睡不好", kb, matcher).recipient == "wife"
