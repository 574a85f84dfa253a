"""The need classifiers per language: a message is read by the classifiers of the scripts it is written in."""
from __future__ import annotations

from pathlib import Path

from jujube.nlu.detect import detect_needs
from jujube.nlu.needs import LanguageNeedClassifier, language_of_path


class FixedScorer:
    """One language's classifier: the same scores for every text, and the texts it was asked about."""

    def __init__(self, labels: tuple[str, ...], scores: dict[str, float]) -> None:
        self.labels = labels
        self._scores = scores
        self.seen: list[str] = []

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        self.seen += texts
        return [dict(self._scores) for _ in texts]


def _classifiers() -> tuple[LanguageNeedClassifier, FixedScorer, FixedScorer]:
    en = FixedScorer(("situation:pregnant", "recipient:wife"), {"situation:pregnant": 0.9, "recipient:wife": 0.2})
    zh = FixedScorer(("situation:pregnant", "recipient:mother-in-law"),
                     {"situation:pregnant": 0.3, "recipient:mother-in-law": 0.8})
    return LanguageNeedClassifier({"en": en, "zh": zh}), en, zh  # type: ignore[dict-item]


def test_a_message_is_read_by_its_own_languages_classifier_only() -> None:
    both, en, zh = _classifiers()
    assert both.scores("we have a baby on the way") == {
        "recipient:mother-in-law": 0.0, "recipient:wife": 0.2, "situation:pregnant": 0.9}
    assert both.scores("给婆婆买点东西")["recipient:mother-in-law"] == 0.8
    assert en.seen == ["we have a baby on the way"] and zh.seen == ["给婆婆买点东西"]


def test_a_mixed_message_keeps_each_needs_best_score_over_its_languages() -> None:
    both, en, zh = _classifiers()
    scores = both.scores("something for my 婆婆")
    assert scores == {"recipient:mother-in-law": 0.8, "recipient:wife": 0.2, "situation:pregnant": 0.9}
    assert en.seen == zh.seen == ["something for my 婆婆"]


def test_a_message_without_letters_is_read_by_every_classifier() -> None:
    both, en, zh = _classifiers()
    assert both.predict("200") == {"situation:pregnant", "recipient:mother-in-law"}
    assert both.predict("   ") == set()


def test_detection_takes_the_threshold_set_on_the_whole() -> None:
    both, _, _ = _classifiers()
    both.threshold = 0.85
    assert [n["label"] for n in detect_needs(both, "我老婆怀孕了", [])] == []
    assert [n["label"] for n in detect_needs(both, "my wife is expecting", [])] == ["situation:pregnant"]


def test_a_need_files_language_is_its_folder() -> None:
    base = Path("knowledge/needs_training.yml")
    assert language_of_path(base, base) == "en"
    assert language_of_path(Path("knowledge/zh/needs_training.yml"), base) == "zh"
