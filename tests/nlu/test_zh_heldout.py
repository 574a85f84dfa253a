"""Chinese understanding on held-out sets written apart from the training data and the knowledge files:
tests/heldout/intents_zh.yml (intents, evaluated by `rasa test nlu` into results/nlu_zh) and
tests/heldout/needs_zh.yml (needs, read as the assistant reads them: matcher plus need classifier).

Both are trained models: the figures are asserted with a margin below what was measured, and printed.
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
INTENTS = ROOT / "results" / "nlu_zh" / "intent_report.json"
NEEDS = ROOT / "tests" / "heldout" / "needs_zh.yml"
# Measured on the reference machine: intent macro F1 0.940 (422 messages), need macro F1 0.866 (472 messages).
# The targets are 0.93 and 0.85; the thresholds sit about 0.035 below the figures for other machines.
MIN_INTENT_MACRO_F1 = 0.905
MIN_NEED_MACRO_F1 = 0.83


def test_chinese_intent_macro_f1_on_heldout() -> None:
    if not INTENTS.exists():
        pytest.fail(f"{INTENTS} is missing: run `rasa test nlu --nlu tests/heldout/intents_zh.yml --out results/nlu_zh`")
    report = json.loads(INTENTS.read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    weak = sorted((v["f1-score"], k) for k, v in report.items() if isinstance(v, dict) and "support" in v
                  and k not in ("macro avg", "weighted avg", "micro avg"))[:4]
    support = report["macro avg"]["support"]
    print(f"\nmeasured: Chinese held-out intent macro-F1 {macro:.3f} on {support} messages "
          f"(threshold {MIN_INTENT_MACRO_F1}), accuracy {report.get('accuracy', 0.0):.3f}; "
          f"weakest {[(k, round(f, 3)) for f, k in weak]}")
    assert support >= 300
    assert macro >= MIN_INTENT_MACRO_F1, f"Chinese intent macro-F1 {macro:.3f}; weakest: {weak}"


def test_chinese_need_detection_macro_f1_on_heldout() -> None:
    kb = get_knowledge()
    matcher, classifier = EntityMatcher(kb), get_classifier(kb)
    assert classifier is not None
    examples = load_examples(NEEDS)
    found = []
    for text, _ in examples:
        entities = matcher.extract(text)
        found.append(entity_labels(entities + classified_needs(detect_needs(classifier, text, entities),
                                                               entities, kb)))
    report = evaluate(examples, found)
    out = ROOT / "results" / "needs"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_zh.json").write_text(json.dumps(
        {"macro_f1": report.macro_f1, "micro_f1": report.micro_f1, "messages": report.total,
         "per_label": {k: dict(zip(("precision", "recall", "f1", "support"), v))
                       for k, v in report.per_label.items()}}, indent=1, ensure_ascii=False), encoding="utf-8")
    print("\nChinese " + report.text(worst=15))
    assert len(examples) >= 200
    assert report.macro_f1 >= MIN_NEED_MACRO_F1, report.text(worst=15)
