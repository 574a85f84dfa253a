#!/usr/bin/env python3
"""Score need predictions against the need-detection held-out set (per-label and macro F1).

Predictions are JSON Lines, one object per message: {"text": "...", "needs": ["situation:pregnant", ...]},
matched to the held-out messages by text. A message without a prediction counts as predicting nothing.
Macro F1 is the mean F1 over the labels that occur in the held-out set; labels predicted that never
occur in it are listed separately as spurious.

Usage:
  score_needs.py --pred preds.jsonl [--gold tests/heldout/needs_en.yml] [--json OUT] [--min-macro 0.85]
Exits 1 when --min-macro is given and not reached.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

DEFAULT_GOLD = Path(__file__).with_name("needs_en.yml")


def load_gold(path: Path) -> dict[str, set[str]]:
    """Held-out text -> its set of need labels."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {ex["text"]: set(ex["needs"] or []) for ex in data["examples"]}


def load_predictions(path: Path) -> dict[str, set[str]]:
    """Predicted text -> set of need labels."""
    preds: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            preds[row["text"]] = set(row.get("needs") or [])
    return preds


def score(gold: dict[str, set[str]], pred: dict[str, set[str]]) -> dict:
    """Per-label precision, recall and F1, macro F1 and the missing predictions."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for text, want in gold.items():
        got = pred.get(text, set())
        for label in got & want:
            tp[label] += 1
        for label in got - want:
            fp[label] += 1
        for label in want - got:
            fn[label] += 1
    labels = sorted({label for want in gold.values() for label in want})
    per_label = {}
    for label in labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_label[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                            "support": tp[label] + fn[label]}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    spurious = {label: n for label, n in fp.items() if label not in per_label}
    no_need = [t for t, want in gold.items() if not want]
    return {"macro_f1": round(macro, 4), "labels": per_label, "spurious_labels": spurious,
            "messages": len(gold), "missing_predictions": sum(1 for t in gold if t not in pred),
            "no_need_messages_with_predictions": sum(1 for t in no_need if pred.get(t))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pred", required=True, type=Path)
    ap.add_argument("--gold", default=DEFAULT_GOLD, type=Path)
    ap.add_argument("--json", default=None, type=Path)
    ap.add_argument("--min-macro", default=None, type=float)
    args = ap.parse_args(argv)
    result = score(load_gold(args.gold), load_predictions(args.pred))
    for label, v in sorted(result["labels"].items(), key=lambda kv: (kv[1]["f1"], kv[0])):
        print(f"{label:40s} P={v['precision']:.2f} R={v['recall']:.2f} F1={v['f1']:.2f} n={v['support']}")
    print(f"need detection: macro F1 {result['macro_f1']:.3f} over {len(result['labels'])} labels, "
          f"{result['messages']} messages ({result['missing_predictions']} without a prediction, "
          f"{result['no_need_messages_with_predictions']} no-need messages given a need)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.min_macro is not None and result["macro_f1"] < args.min_macro:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
