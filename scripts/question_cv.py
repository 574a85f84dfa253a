"""K-fold cross-validation of the trainee-question classifier on knowledge/rehearsal/questions.yml.

Usage: PYTHONPATH=$PWD .venv/bin/python scripts/question_cv.py [--folds 5] [--seed 1] [--misses]
       [--test-from EARLIER_QUESTIONS_YML]

Each fold trains on the other folds and reads the held-back examples with the full `predict`
(message parts, offer rule). Two figures per fold: the macro F1 of the main label on the single
examples, and the multi-label macro F1 (as in the held-out test) on the single examples plus
two-part messages built from held-back examples ("That sounds tough. How does she manage?").
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean

from jujube.rehearsal.classifier import QuestionClassifier, load_examples, multilabel_f1, questions_path
from jujube.rehearsal.offers import default_rule
from jujube.rehearsal.personas import load_library

logger = logging.getLogger(__name__)


def macro_f1(pairs: list[tuple[str, str]], labels: list[str]) -> tuple[float, dict[str, float]]:
    """Single-label macro F1 of (gold, predicted) pairs over `labels`."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, got in pairs:
        if gold == got:
            tp[gold] += 1
        else:
            fp[got] += 1
            fn[gold] += 1
    per = {}
    for lab in labels:
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        per[lab] = 2 * p * r / (p + r) if p + r else 0.0
    return mean(per.values()), per


def combined(test: list[tuple[str, str]], rng: random.Random) -> list[dict]:
    """Two-part messages from held-back examples: a courtesy before a question, or a question then a pitch."""
    courtesies = [t for t, lab in test if lab == "small_talk" and not t.rstrip().endswith("?")]
    asks = [(t, lab) for t, lab in test if lab not in ("small_talk", "other")]
    out = []
    for text, label in asks:
        if courtesies and rng.random() < 0.5:
            lead = rng.choice(courtesies).rstrip(".!")
            out.append({"text": f"{lead[:1].upper()}{lead[1:]}. {text[:1].upper()}{text[1:]}",
                        "labels": [label, "small_talk"]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--misses", action="store_true", help="print the misread examples")
    ap.add_argument("--test-from", type=Path, default=None,
                    help="a questions file: only its examples are held back, the others always train "
                         "(to compare training data against an earlier version on the same examples)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    examples = load_examples(questions_path())
    always: list[tuple[str, str]] = []
    if args.test_from is not None:
        earlier = set(load_examples(args.test_from))
        always = [ex for ex in examples if ex not in earlier]
        examples = [ex for ex in examples if ex in earlier]
    labels = sorted({lab for _, lab in examples})
    mask = load_library().index.mask
    offers = default_rule()
    rng = random.Random(args.seed)
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ex in examples:
        by_label[ex[1]].append(ex)
    folds: list[list[tuple[str, str]]] = [[] for _ in range(args.folds)]
    for lab in labels:  # stratified
        items = by_label[lab][:]
        rng.shuffle(items)
        for i, ex in enumerate(items):
            folds[i % args.folds].append(ex)
    singles, multis, per_all = [], [], defaultdict(list)
    misses = []
    for k, test in enumerate(folds):
        train = [ex for j, f in enumerate(folds) if j != k for ex in f] + always
        clf = QuestionClassifier.train(train, mask, offers)
        pairs = []
        for text, gold in test:
            got = clf.predict(text).label
            pairs.append((gold, got))
            if got != gold:
                misses.append((gold, got, text))
        single, per = macro_f1(pairs, labels)
        messages = [{"text": t, "labels": [lab]} for t, lab in test] + combined(test, rng)
        multi = multilabel_f1(clf, messages)
        singles.append(single)
        multis.append(multi.macro_f1)
        for lab in labels:
            per_all[lab].append(multi.f1[lab])
        print(f"fold {k + 1}: main-label macro F1 {single:.3f}, multi-label macro F1 {multi.macro_f1:.3f} "
              f"({len(messages)} messages)", flush=True)
    print(f"mean: main-label macro F1 {mean(singles):.3f}, multi-label macro F1 {mean(multis):.3f}")
    for lab in labels:
        print(f"  {lab:<16} multi-label F1 {mean(per_all[lab]):.3f}")
    if args.misses:
        for gold, got, text in sorted(misses):
            print(f"  miss {gold} -> {got}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
