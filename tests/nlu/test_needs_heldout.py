"""Need detection on the held-out set (tests/heldout/needs_en.yml, written apart, never trained on).

The need is read the way the assistant reads it: the lexicon matcher's entities plus
the need classifier's labels, merged as the core merges them. The classifier is a
trained model, so the figure is checked against a threshold with a margin and printed.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jujube.knowledge import get_knowledge
from jujube.nlu.detect import detect_needs
from jujube.nlu.matcher import EntityMatcher
from jujube.nlu.needs import entity_labels, evaluate, get_classifier, load_examples
from jujube.understanding import classified_needs

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "heldout" / "needs_en.yml"
RESULTS = ROOT / "results" / "needs"
# Measured 0.873 on the reference machine; the margin absorbs other machines' floating point
# and small data changes. The issue's target is 0.85: the README reports the measured figure.
MIN_MACRO_F1 = 0.84


@pytest.fixture(scope="module")
def detections() -> tuple[list, list[set[str]]]:
    kb = get_knowledge()
    matcher, classifier = EntityMatcher(kb), get_classifier(kb)
    assert classifier is not None, "no need classifier: knowledge/needs_training.yml is missing"
    examples = load_examples(HELDOUT)
    found = []
    for text, _ in examples:
        entities = matcher.extract(text)
        needs = detect_needs(classifier, text, entities)
        found.append(entity_labels(entities + classified_needs(needs, entities, kb)))
    return examples, found


def test_need_detection_macro_f1_on_heldout(detections) -> None:
    examples, found = detections
    report = evaluate(examples, found)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(
        {"macro_f1": report.macro_f1, "micro_f1": report.micro_f1, "messages": report.total,
         "per_label": {k: dict(zip(("precision", "recall", "f1", "support"), v))
                       for k, v in report.per_label.items()}}, indent=1), encoding="utf-8")
    print("\n" + report.text(worst=15))
    assert len(examples) >= 400
    assert report.macro_f1 >= MIN_MACRO_F1, report.text(worst=15)


def test_the_issues_own_paraphrases_are_read_as_their_needs() -> None:
    kb = get_knowledge()
    matcher, classifier = EntityMatcher(kb), get_classifier(kb)
    cases = {"dairy doesn't agree with me": "situation:lactose intolerant",
             "we've got a baby on the way": "situation:pregnant",
             "I keep waking up at 3 am": "situation:sleepless",
             "it's my first dinner with her family": "emotion:impress"}
    for text, label in cases.items():
        entities = matcher.extract(text)
        needs = detect_needs(classifier, text, entities)
        assert label in entity_labels(entities + classified_needs(needs, entities, kb)), text
