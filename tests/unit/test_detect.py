"""Need detection reads a need around what a message names, never in the name alone."""
from __future__ import annotations

from jujube.nlu.detect import detect_needs, without_things


class WordScorer:
    """Scores a label 0.9 when its trigger word is in the text."""

    threshold = 0.5

    def __init__(self, triggers: dict[str, str]) -> None:
        self.triggers = triggers

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        return [{label: 0.9 if word in text.lower() else 0.01 for label, word in self.triggers.items()}
                for text in texts]


def _thing(text: str, word: str, entity: str = "category") -> dict:
    start = text.index(word)
    return {"entity": entity, "value": word, "start": start, "end": start + len(word)}


def test_a_liked_thing_is_not_a_need() -> None:
    scorer = WordScorer({"situation:nut-allergic": "nuts"})
    text = "she likes nuts"
    assert without_things(text, [_thing(text, "nuts")]) == "she likes"
    assert detect_needs(scorer, text, [_thing(text, "nuts")]) == []


def test_a_need_said_around_the_request_is_kept() -> None:
    scorer = WordScorer({"situation:lactose intolerant": "dairy"})
    text = "I'd like some fresh milk, though dairy and I don't really get on"
    found = detect_needs(scorer, text, [_thing(text, "fresh milk", "product")])
    assert [n["label"] for n in found] == ["situation:lactose intolerant"]


def test_an_excluded_thing_stays_in_the_text() -> None:
    text = "no nuts, she is allergic"
    ent = {**_thing(text, "nuts"), "role": "excluded"}
    assert without_things(text, [ent]) == text


def test_the_shopkeeper_addressed_is_no_recipient() -> None:
    from jujube.nlu.detect import without_address

    words = ("boss", "hey boss", "老板", "阿姨")  # as in the lexicons' address_words
    scorer = WordScorer({"recipient:boss": "老板"})
    for text in ("老板，有枣吗？", "Boss, got any dates?"):
        blanked = without_address(text, words)
        assert len(blanked) == len(text) and blanked.strip() != text.strip()  # offsets kept for the entities
    assert detect_needs(scorer, without_address("老板，有枣吗？", words), []) == []
    assert without_address("老板过生日，买点什么好", words) == "老板过生日，买点什么好"  # the boss's birthday
    assert without_address("my boss likes tea", words) == "my boss likes tea"
