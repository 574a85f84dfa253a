"""Checks the NLU evaluation on the held-out set (run by scripts/test_rasa.sh after `rasa test nlu`).

Intent figures come from the trained logistic-regression classifier and can move a little between
machines (library versions, math kernels), so they are asserted with a margin below what was measured.
Entities come from the knowledge-driven matcher (no training), so the same on every machine.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "results" / "nlu"
MIN_INTENT_MACRO_F1 = 0.93
MIN_ENTITY_MACRO_F1 = 0.6


def _report(name: str) -> dict:
    path = RESULTS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `rasa test nlu --nlu tests/nlu/heldout.yml --out results/nlu` first")
    return json.loads(path.read_text(encoding="utf-8"))


def test_intent_macro_f1_on_heldout() -> None:
    report = _report("intent_report.json")
    macro = report["macro avg"]["f1-score"]
    weak = sorted((v["f1-score"], k) for k, v in report.items() if isinstance(v, dict) and "support" in v
                  and k not in ("macro avg", "weighted avg", "micro avg"))[:3]
    entity = _entity_f1()
    summary = {"intent_macro_f1": round(macro, 4), "intent_accuracy": round(report.get("accuracy", 0.0), 4),
               "entity_macro_f1": entity, "weakest_intents": [(k, round(f, 3)) for f, k in weak]}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"\nmeasured: held-out intent macro-F1 {macro:.3f} (threshold {MIN_INTENT_MACRO_F1}), "
          f"accuracy {summary['intent_accuracy']:.3f}, entity macro-F1 {entity} (threshold {MIN_ENTITY_MACRO_F1}); "
          f"weakest intents {summary['weakest_intents']}")
    assert macro >= MIN_INTENT_MACRO_F1, f"intent macro-F1 {macro:.3f} < {MIN_INTENT_MACRO_F1}; weakest: {weak}"


def _entity_f1() -> float | None:
    for path in RESULTS.glob("*Extractor_report.json"):
        report = json.loads(path.read_text(encoding="utf-8"))
        return round(report["macro avg"]["f1-score"], 4)
    return None


def test_entity_report_exists_and_is_useful() -> None:
    f1 = _entity_f1()
    assert f1 is not None, "no entity report for the spaCy knowledge extractor"
    assert f1 >= MIN_ENTITY_MACRO_F1, f"entity macro-F1 {f1} is too low"
