"""The coach in the trainee's language: Chinese customer lines for a Chinese trainee, English for an English one."""
from __future__ import annotations

import re
import string

import pytest

from jujube.messages import get_messages, language_of
from jujube.rehearsal.service import RehearsalService

@pytest.fixture
def coach(service) -> RehearsalService:  # type: ignore[no-untyped-def]
    """The rehearsal service: Chinese questions are read by the Chinese cue phrases, English ones by the classifier."""
    return service


def _fields(text: str) -> set[str]:
    """The names of a text's format fields."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _han(text: str) -> bool:
    return language_of(text) == "zh"


def test_a_chinese_trainee_hears_the_customer_in_chinese(coach, library) -> None:
    zh = library.personas["jujube"].localized("zh")
    intro, opening = coach.start("tg:1", "jujube", channel="telegram", language="zh")
    assert _han(intro) and "王阿姨" in intro
    assert opening == "王阿姨：老板，有枣吗？"
    out = coach.handle("tg:1", "给谁买的呀？")
    assert out == [f"王阿姨：{zh.facts['recipient'].answer}"]
    out = coach.handle("tg:1", "买来做什么用的？")
    assert out == [f"王阿姨：{zh.facts['situation'].answer}"]
    out = coach.handle("tg:1", "为什么呢？")
    assert out == [f"王阿姨：{zh.facts['situation'].deeper}"]
    out = coach.handle("tg:1", "是给儿媳妇的吗？")
    assert out[0].startswith("王阿姨：") and _han(out[0])
    card = coach.stop("tg:1")[0]
    assert card.startswith("成绩单：王阿姨（来买枣的老太太）")
    for heading in ("发现的需求维度：", "提问：", "评分项：", "王阿姨真正需要的是："):
        assert heading in card, heading
    assert "Scorecard" not in card and "Need dimensions" not in card


def test_an_english_trainee_still_hears_english(coach, library) -> None:
    en = library.personas["jujube"]
    intro, opening = coach.start("term:anna", "jujube")
    assert intro.startswith("Rehearsal: Old woman asking for dates.") and opening == "Mrs Wang: Do you have dates?"
    out = coach.handle("term:anna", "Who are they for?")
    assert out == [f"Mrs Wang: {en.facts['recipient'].answer}"]
    card = coach.stop("term:anna")[0]
    assert card.startswith("Scorecard: Mrs Wang (Old woman asking for dates)")
    assert "Need dimensions uncovered:" in card and not re.search(r"[\u4e00-\u9fff]", card)


def test_the_customer_follows_the_trainee_switching_language(coach, library) -> None:
    en, zh = library.personas["jujube"], library.personas["jujube"].localized("zh")
    coach.start("tg:2", "jujube")
    assert coach.handle("tg:2", "Who are they for?") == [f"Mrs Wang: {en.facts['recipient'].answer}"]
    assert coach.handle("tg:2", "预算大概多少？") == [f"王阿姨：{zh.facts['budget'].answer}"]
    out = coach.handle("tg:2", "What do you need them for?")
    assert out == [f"Mrs Wang: {en.facts['situation'].answer}"]
    # a command is no language: the scorecard stays in the language of the last words
    assert coach.handle("tg:2", "/stop")[0].startswith("Scorecard: Mrs Wang")


def test_a_greeting_in_chinese_repeats_the_opening_in_chinese(coach) -> None:
    coach.start("tg:3", "jujube", language="zh")
    out = coach.handle("tg:3", "你好！")
    assert out[0].startswith("王阿姨：") and out[0].endswith("老板，有枣吗？")


def test_a_customer_without_chinese_lines_answers_in_english(factory, rubric, classifier, tmp_path) -> None:
    from jujube.rehearsal.personas import load_library
    overlay = tmp_path / "zh" / "personas.yml"
    overlay.parent.mkdir()
    overlay.write_text("language: zh\npersonas:\n  jujube: {opening: 老板，有枣吗？}\n", encoding="utf-8")
    library = load_library(overlays={"zh": overlay})
    coach = RehearsalService(factory, library=library, rubric=rubric, classifier=classifier)
    silent = library.personas["new-mother"]
    assert "zh" not in silent.voices
    _, opening = coach.start("tg:4", silent.key, language="zh")
    assert opening == f"{silent.name}：{silent.opening}"
    out = coach.handle("tg:4", "给谁买的呀？")
    assert out == [f"{silent.name}：{silent.facts['recipient'].answer}"]


def test_chinese_words_naming_a_customer_start_a_chinese_rehearsal(coach) -> None:
    intro, opening = coach.start("tg:5", "红糖的丈夫")
    assert _han(intro) and opening == "徐先生：有红糖吗？"


def test_the_coach_texts_exist_in_both_languages_with_the_same_fields() -> None:
    en, zh = get_messages("en").rehearsal, get_messages("zh").rehearsal
    assert en and set(en) == set(zh), sorted(set(en) ^ set(zh))
    for key in en:
        assert _fields(zh[key]) <= _fields(en[key]), key  # a language may leave out what its grammar does not need
        assert _han(zh[key]) or not re.search("[A-Za-z]", zh[key].format_map({f: "" for f in _fields(zh[key])})), key


def test_telegram_s_language_code_is_a_hint_for_the_opening(coach) -> None:
    _, opening = coach.start("tg:6", "jujube", channel="telegram", language="zh-hans")
    assert opening == "王阿姨：老板，有枣吗？"
    _, opening = coach.start("tg:7", "jujube", channel="telegram", language="de")
    assert opening == "Mrs Wang: Do you have dates?"


def test_a_chinese_scorecard_shows_the_rubric_in_chinese_and_stores_it_in_english(coach, rubric) -> None:
    from sqlalchemy import select

    from jujube.rehearsal.models import RehearsalScorecard
    coach.start("tg:11", "jujube", language="zh")
    coach.handle("tg:11", "给谁买的呀？")
    card = coach.stop("tg:11")[0]
    zh = rubric.localized("zh")
    for item in zh.items:
        assert item.label in card, item.key
        assert language_of(item.label) == "zh" and language_of(item.advice or "中") == "zh", item.key
    assert any(label in card for _, label in zh.grades)
    with coach.factory() as s:
        stored = s.scalars(select(RehearsalScorecard)).one()
    assert {i["label"] for i in stored.items} == {i.label for i in rubric.items}  # the report's words stay canonical
    assert stored.text == card and stored.grade in {label for _, label in rubric.grades}


def test_the_rubric_has_chinese_texts_for_every_item(rubric) -> None:
    zh = rubric.localized("zh")
    assert rubric.localized(None) is rubric and rubric.localized("en") is rubric
    assert [i.key for i in zh.items] == [i.key for i in rubric.items]
    assert [(i.metric, i.levels, i.priority, i.requires) for i in zh.items] == \
           [(i.metric, i.levels, i.priority, i.requires) for i in rubric.items]
    for en_item, zh_item in zip(rubric.items, zh.items):
        assert zh_item.label != en_item.label and zh_item.advice != en_item.advice, en_item.key
        assert _fields(zh_item.advice) == _fields(en_item.advice), en_item.key
    assert len(zh.praise) == len(rubric.praise) and zh.praise != rubric.praise


def test_coaching_suggests_a_chinese_question_for_a_chinese_trainee(coach) -> None:
    coach.start("tg:12", "jujube", language="zh")
    coach.handle("tg:12", "给谁买的呀？")
    card = coach.stop("tg:12")[0]
    assert "你漏掉的需求维度：功能（要为他们解决什么）。" in card, card
    assert "可以问：“这枣买来做什么用？您儿媳妇最近是什么情况？”" in card, card


def test_self_play_customers_still_shop_in_english(library) -> None:
    from jujube.selfplay import play
    asked = iter(["Happy to help! Who is it for?", "What is the occasion?", "Got it. What matters most to you?"])

    def send(sender: str, text: str) -> list[dict[str, str]]:
        return [{"text": next(asked, "I recommend Fresh sour jujubes, ¥32/kg.")}]

    result = play("jujube", library, send, max_turns=6)
    shopper = [line.removeprefix("shopper: ") for line in result.transcript if line.startswith("shopper: ")]
    assert shopper[0] == "Do you have dates?" and len(shopper) >= 3
    assert all(language_of(line) == "en" for line in shopper), shopper
    assert result.success, result.transcript
