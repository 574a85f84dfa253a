"""A trainee's Chinese questions read by cue phrases (knowledge/zh/rehearsal_questions.yml); English ones by the model."""
from __future__ import annotations

import pytest

from jujube.rehearsal.classifier import load_examples, questions_path
from jujube.rehearsal.cues import ByLanguage, CueReader, cue_readers
from jujube.rehearsal.service import RehearsalService

# Written apart from the cue file: what a Chinese shop assistant might say, and how it should read.
SAID = [
    ("请问是买给谁的？", "ask_recipient"),
    ("这是给谁吃的呀", "ask_recipient"),
    ("您买这个是做什么用的？", "ask_purpose"),
    ("是有什么场合要用吗？", "ask_purpose"),
    ("为什么呢？", "ask_followup"),
    ("能多说说吗？", "ask_followup"),
    ("您最看重什么？", "ask_preference"),
    ("她喜欢什么口味？", "ask_preference"),
    ("对包装有要求吗？", "ask_quality"),
    ("要不要新鲜一点的？", "ask_quality"),
    ("您预算大概多少？", "ask_budget"),
    ("打算花多少钱？", "ask_budget"),
    ("是给您孙子的吗？", "closed_question"),
    ("她怀孕了吧？", "closed_question"),
    ("我推荐您试试酸枣。", "recommend"),
    ("您看这个猕猴桃怎么样？", "recommend"),
    ("您好！", "small_talk"),
    ("谢谢您告诉我。", "small_talk"),
    ("我放弃了，您去别家看看吧。", "give_up"),
    ("股票又跌了", "other"),
    # a second set, read first at 18/30 and then the cues widened for it (so no longer apart from them)
    ("阿姨，这枣是您自己吃吗？", "closed_question"), ("家里谁要吃呀？", "ask_recipient"),
    ("是送人还是自己吃？", "ask_recipient"), ("最近家里有什么事吗？", "ask_purpose"),
    ("怎么突然想买枣了？", "ask_purpose"), ("哦？怎么说？", "ask_followup"), ("这个很重要吗？为什么？", "ask_followup"),
    ("您对口味有什么讲究？", "ask_preference"), ("喜欢甜一点还是酸一点？", "ask_preference"),
    ("要新鲜的还是干的？", "ask_quality"), ("对产地有要求吗？", "ask_quality"), ("打算花多少？", "ask_budget"),
    ("大概什么价位的？", "ask_budget"), ("那我给您推荐酸枣吧。", "recommend"), ("这款猕猴桃挺适合孕妇的。", "recommend"),
    ("您可以看看我们的红枣。", "recommend"), ("不好意思，我真帮不了您。", "give_up"),
    ("您慢慢看，我先去忙了。", "give_up"), ("哈哈，您真会开玩笑。", "small_talk"), ("好的好的。", "small_talk"),
    ("恭喜恭喜！", "small_talk"), ("她是不是怀孕了？", "closed_question"), ("预算一百够吗？", "ask_budget"),
    ("您想要什么样的？", "ask_preference"), ("能说说具体情况吗？", "ask_followup"), ("为什么是酸的呢？", "ask_followup"),
    ("她有什么忌口吗？", "ask_preference"), ("包装要精美一点吗？", "ask_quality"), ("是过年送礼用吗？", "ask_purpose"),
]


@pytest.fixture(scope="module")
def zh() -> CueReader:
    return cue_readers()["zh"]


@pytest.mark.parametrize("text, kind", SAID)
def test_chinese_questions_read_as_their_kind(zh: CueReader, text: str, kind: str) -> None:
    assert zh.predict(text).label == kind


@pytest.fixture
def zh_coach(factory, library, rubric, classifier):
    """A rehearsal with the jujube customer, started in Chinese for `chat`; (coach, her Chinese lines)."""
    def start(chat: str):
        coach = RehearsalService(factory, library=library, rubric=rubric, classifier=classifier)
        coach.start(chat, "jujube", language="zh")
        return coach, library.personas["jujube"].localized("zh")
    return start


def test_cue_kinds_are_the_classifier_s_kinds(zh: CueReader) -> None:
    english = {label for _, label in load_examples(questions_path())}
    assert {k for k, _ in zh.cues} <= english
    assert all(phrases for _, phrases in zh.cues)


def test_english_messages_still_go_to_the_trained_classifier(classifier, zh: CueReader) -> None:
    reader = ByLanguage(classifier, {"zh": zh})
    assert reader.predict("Who are they for?").label == "ask_recipient"
    assert reader.predict("Who are they for?").source != "cues"
    assert reader.predict("给谁买的？").source == "cues"


def test_a_chinese_rehearsal_from_opening_to_scorecard(zh_coach) -> None:
    coach, zh = zh_coach("tg:8")
    assert coach.handle("tg:8", "您好！请问是买给谁的？") == [f"王阿姨：{zh.facts['recipient'].answer}"]
    out = coach.handle("tg:8", "她怀孕了吧？")  # a right guess: "yes" and no more
    assert out[0].removeprefix("王阿姨：") in zh.replies["closed_yes"]
    out = coach.handle("tg:8", "买来做什么用的？")
    assert out[0].startswith("王阿姨：") and "酸" in out[0]
    out = coach.handle("tg:8", "为什么呢？")
    assert out == [f"王阿姨：{zh.facts['situation'].deeper}"]
    out = coach.handle("tg:8", "您最看重什么？")
    assert out == [f"王阿姨：{zh.facts['matters'].answer}"]
    out = coach.handle("tg:8", "预算大概多少？")
    assert out == [f"王阿姨：{zh.facts['budget'].answer}"]
    card = coach.stop("tg:8")[0]
    assert card.startswith("成绩单：王阿姨")
    assert card.count("✓") >= 4, card


def test_a_chinese_recommendation_names_catalog_products(zh_coach) -> None:
    coach, zh = zh_coach("tg:9")
    # asking about the customer's own request is not a pitch
    out = coach.handle("tg:9", "您想要什么样的枣？")
    assert out == [f"王阿姨：{zh.facts['matters'].answer}"]
    out = coach.handle("tg:9", "给谁买的？")
    assert out == [f"王阿姨：{zh.facts['recipient'].answer}"]
    out = coach.handle("tg:9", "买来做什么用的？")
    assert out[0].startswith("王阿姨：")
    out = coach.handle("tg:9", "我推荐您试试新鲜酸枣和绿心猕猴桃。")
    assert out[0].removeprefix("王阿姨：") in zh.replies["accept"], out
    card = out[1]
    assert "推荐：" in card and "符合隐藏的需求" in card, card


def test_a_product_asked_about_in_chinese_is_a_pitch(zh_coach) -> None:
    coach, zh = zh_coach("tg:14")
    out = coach.handle("tg:14", "来点青梅怎么样？")  # a yes/no question naming a product offers it
    assert out[0].removeprefix("王阿姨：") in zh.replies["premature_fit"] + zh.replies["premature_miss"], out


def test_a_chinese_pitch_before_any_question_is_premature(zh_coach) -> None:
    coach, zh = zh_coach("tg:10")
    out = coach.handle("tg:10", "蜜枣要不要来点？")
    assert out[0].removeprefix("王阿姨：") in zh.replies["premature_miss"] + zh.replies["premature_fit"], out


def test_each_sentence_is_read_and_the_weightiest_decides(zh: CueReader) -> None:
    pred = zh.predict("您好！请问是买给谁的？")
    assert pred.label == "ask_recipient" and [p.label for p in pred.parts] == ["small_talk", "ask_recipient"]
    pred = zh.predict("明白了。她喜欢什么口味？预算大概多少？")
    assert pred.label == "ask_preference" and "ask_budget" in pred.labels
    assert zh.predict("谢谢您告诉我。").label == "small_talk"


def test_two_chinese_questions_in_one_message_are_both_answered(zh_coach) -> None:
    coach, zh = zh_coach("tg:13")
    out = coach.handle("tg:13", "给谁买的？买来做什么用的？")
    assert out == [f"王阿姨：{zh.facts['recipient'].answer}{zh.facts['situation'].answer}"]
