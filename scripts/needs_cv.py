"""K-fold cross-validation of need detection on the need training files (knowledge/needs_training.yml and
knowledge/<language>/needs_training.yml), read as the assistant reads a message: matcher plus classifier.

Usage: PYTHONPATH=$PWD .venv-rasa/bin/python scripts/needs_cv.py [--folds 5] [--repeats 1] [--setting "{...}"]

Each fold trains the need classifier on the other folds (with the setting's options) and reads the held-back
messages with the lexicon matcher, `detect_needs` and `classified_needs`; macro F1 is given per language
(the file an example comes from), over the labels present in that language's held-back messages.
"""
from __future__ import annotations

import argparse
import ast
import logging
import random
from collections import defaultdict
from statistics import mean
from typing import Any

from jujube.knowledge import get_knowledge
from jujube.nlu.detect import detect_needs
from jujube.nlu.matcher import EntityMatcher
from jujube.nlu import needs
from jujube.understanding import classified_needs

logger = logging.getLogger(__name__)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--setting", action="append", default=[],
                    help="a Python dict: {} one classifier for all languages; {'by_language': True, "
                         "'settings': {language: NeedClassifier.train options}} one per language")
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--language", default="", help="only this language's examples (with by_language)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    kb = get_knowledge()
    examples, languages = [], []
    for language, found in needs.examples_by_language(kb, needs.training_path()).items():
        if args.language in ("", language):
            examples += found
            languages += [language] * len(found)
    matcher = EntityMatcher(kb)
    entities = [matcher.extract(text) for text, _ in examples]
    counts = ", ".join(f"{lang} {languages.count(lang)}" for lang in sorted(set(languages)))
    print(f"{len(examples)} examples: {counts}")
    settings = [ast.literal_eval(s) for s in args.setting] or [{}]
    for options in settings:
        figures: dict[str, list[float]] = defaultdict(list)
        per_label: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for seed in range(args.repeats):
            fold_of: dict[int, int] = {}
            for lang in set(languages):  # each language spread evenly over the folds
                idx = [i for i, l in enumerate(languages) if l == lang]
                random.Random(seed).shuffle(idx)
                fold_of.update({i: n % args.folds for n, i in enumerate(idx)})
            found: list[set[str]] = [set()] * len(examples)
            for fold in range(args.folds):
                train = [examples[i] for i in range(len(examples)) if fold_of[i] != fold]
                if options.get("by_language"):
                    classifier = needs.train_by_language([(languages[i], examples[i]) for i in range(len(examples))
                                                          if fold_of[i] != fold], options.get("settings"))
                else:
                    classifier = needs.NeedClassifier.train(train)
                for i in (i for i in range(len(examples)) if fold_of[i] == fold):
                    text, ents = examples[i][0], entities[i]
                    got = detect_needs(classifier, text, ents)
                    found[i] = needs.entity_labels(ents + classified_needs(got, ents, kb))
            for lang in sorted(set(languages)):
                idx = [i for i, l in enumerate(languages) if l == lang]
                report = needs.evaluate([examples[i] for i in idx], [found[i] for i in idx])
                figures[lang].append(report.macro_f1)
                for label, (_, _, f1, _) in report.per_label.items():
                    per_label[lang][label].append(f1)
        print(options or "current", " ".join(f"{lang} {mean(v):.4f}" for lang, v in figures.items()), flush=True)
        for lang, per in per_label.items():
            if args.worst:
                weak = sorted(((mean(v), k) for k, v in per.items()))[:args.worst]
                print(f"  {lang} weakest: " + ", ".join(f"{k} {f:.2f}" for f, k in weak))


if __name__ == "__main__":
    main()
