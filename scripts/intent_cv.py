"""Stratified k-fold cross-validation of the intent classifier on the training data (data/nlu*, both languages).

Usage: PYTHONPATH=$PWD .venv-rasa/bin/python scripts/intent_cv.py [--folds 5] [--repeats 2] [--grid] [--worst 8]
       [--setting "{'route': 'script', 'blocks': {'en': 0.7, 'zh': 0.5}, 'C': {'en': 256, 'zh': 64}}"]

The features are the pipeline's (config.yml): the message cut by the tokenizer, digits read as __NUMBER__,
word 1-2 gram and char_wb 2-5 gram counts; each fold fits its own vocabularies and logistic regression, and a
message whose best score falls under the fallback thresholds counts as missed (as `rasa test nlu` counts it).
Macro F1 is given per language (the folder the example comes from: data/nlu, data/nlu_<language>), the mean
over the repeats and each repeat's figure.

A setting is a dict: C, class_weight, blocks (the words' weight, both blocks at unit length: config.yml's
`weights`), sublinear, normalize, language_bias, language_balanced, solver, max_iter; trained_on (only these
folders' examples train); route ("script" as the pipeline: one classifier per language, each trained on the
examples its script routes to it; "all"; "majority"), and with a route, C, class_weight and blocks may be
{language: value}; own_columns (each language's norms over its own n-grams only).
"""
from __future__ import annotations

import argparse
import logging
import re
from collections import defaultdict
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np
from scipy.sparse import hstack

from jujube.config import PROJECT_ROOT

logger = logging.getLogger(__name__)

FALLBACK, AMBIGUITY = 0.35, 0.05


def load(data_dir: Path, files: str = "*.yml") -> list[tuple[str, str, str]]:
    """(text, intent, language) of every intent example in the files under data/nlu*/ matching `files`."""
    from rasa.shared.nlu.training_data.loading import load_data

    out = []
    for folder in sorted(data_dir.glob("nlu*")):
        language = folder.name.partition("_")[2] or "en"
        for path in sorted(folder.glob(files)):
            for message in load_data(str(path)).intent_examples:
                out.append((message.get("text"), message.get("intent"), language))
    return out


def tokens(texts: list[str]) -> list[str]:
    """Each text as the featurizers see it: the tokenizer's words, digits as __NUMBER__, lower case, spaced."""
    from rasa.shared.nlu.training_data.message import Message

    from jujube.nlu.tokenizer import MixedTokenizer

    tokenizer = MixedTokenizer(MixedTokenizer.get_default_config())
    out = []
    for text in texts:
        words = [t.lemma for t in tokenizer.tokenize(Message(data={"text": text}), "text")]
        out.append(" ".join(re.sub(r"\b[0-9]+\b", "__NUMBER__", w).lower() for w in words))
    return out


def featurize(train: list[str], test: list[str]) -> tuple[Any, Any]:
    """Word 1-2 gram and char_wb 2-5 gram counts, vocabularies fitted on `train`."""
    from sklearn.feature_extraction.text import CountVectorizer

    blocks = [CountVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2)),
              CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))]
    fitted = [(v.fit_transform(train), v.transform(test)) for v in blocks]
    x_train, x_test = hstack([a for a, _ in fitted]).tocsr(), hstack([b for _, b in fitted]).tocsr()
    x_train.words = x_test.words = fitted[0][0].shape[1]  # where the word block ends
    return x_train, x_test


def macro_f1(gold: list[str], got: list[str]) -> tuple[float, dict[str, float]]:
    """Macro F1 over the gold intents (as `rasa test nlu` reports it)."""
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    per = f1_score(gold, got, labels=labels, average=None, zero_division=0)
    return float(np.mean(per)), dict(zip(labels, per.tolist()))


def language_columns(languages: list[str], names: list[str]) -> Any:
    """One column per language, 1 for the message's language: each intent gets a prior per language."""
    from scipy.sparse import csr_matrix

    rows = [(i, names.index(lang)) for i, lang in enumerate(languages) if lang in names]
    return csr_matrix(([1.0] * len(rows), ([r for r, _ in rows], [c for _, c in rows])),
                      shape=(len(languages), len(names)))


def shaped(x: Any, languages: list[str], params: dict[str, Any]) -> Any:
    """The count features as a setting reads them: rows scaled to unit length, language columns added."""
    from sklearn.preprocessing import normalize

    if params.get("sublinear"):
        words, x = x.words, x.copy()
        x.data = 1.0 + np.log(x.data)
        x.words = words
    if params.get("blocks"):
        words = x.words
        x = hstack([params["blocks"] * normalize(x[:, :words]), normalize(x[:, words:])]).tocsr()
    if params.get("normalize"):
        x = normalize(x)
    if params.get("language_bias"):
        x = hstack([x, params["language_bias"] * language_columns(languages, ["en", "zh"])]).tocsr()
    return x


def language_balanced(languages: list[str], intents: list[str]) -> Any:
    """Sample weights balancing the intents within each language: n_language / (intents x count(language, intent))."""
    from collections import Counter

    pairs = Counter(zip(languages, intents))
    sizes = Counter(languages)
    kinds = {lang: len({i for l, i in pairs if l == lang}) for lang in sizes}
    return np.array([sizes[l] / (kinds[l] * pairs[(l, i)]) for l, i in zip(languages, intents)])


def folds_of(examples: list[tuple[str, str, str]], spaced: list[str], folds: int, repeats: int,
             extra: int = 0) -> list[tuple]:
    """Every fold's features (vocabularies fitted on its training part), computed once for all settings.

    The last `extra` examples only ever train: the figures stay those of the same messages with or without them.
    """
    from sklearn.model_selection import StratifiedKFold

    n = len(examples) - extra
    strata = [f"{lang}:{intent}" for _, intent, lang in examples[:n]]
    out = []
    for seed in range(repeats):
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(spaced[:n], strata):
            train = np.concatenate([train, np.arange(n, len(examples))])
            x_train, x_test = featurize([spaced[i] for i in train], [spaced[i] for i in test])
            out.append((seed, train, test, x_train, x_test))
    return out


def routes(texts: list[str], rule: str, default: str = "en") -> list[list[str]]:
    """The languages whose classifiers read each text, by the scripts it is written in (jujube.messages).

    "script": the pipeline's rule (jujube.nlu.intents.reading_languages), the languages other than `default`
    whose script the text holds, else `default` ("bye啦" -> zh); "all": every language whose script it holds,
    else all of them; "majority": the language most of its words are in (language_of), else `default`.
    """
    from jujube.messages import language_of, languages, words_in
    from jujube.nlu.intents import reading_languages

    scripts = languages()
    out = []
    for text in texts:
        held = [lang for lang, pattern in scripts.items() if words_in(pattern, text)]
        if rule == "script":
            out.append(reading_languages(text, scripts, default))
        elif rule == "all":
            out.append(held or list(scripts))
        elif rule == "majority":
            out.append([language_of(text, scripts) or default])
        else:
            raise ValueError(f"unknown route {rule!r}")
    return out


def per_language(value: Any, language: str) -> Any:
    """A setting's value for one language: {language: value} or one value for all."""
    return value.get(language) if isinstance(value, dict) else value


def own_columns(x_train: Any, x_test: Any) -> tuple[Any, Any]:
    """Both matrices cut to the columns the training rows use (norms then ignore the other languages' n-grams)."""
    cols = np.flatnonzero(x_train.getnnz(axis=0))
    words = int(np.searchsorted(cols, x_train.words))
    a, b = x_train[:, cols], x_test[:, cols]
    a.words = b.words = words
    return a, b


def fit_predict(x_train: Any, y_train: list[str], x_test: Any, params: dict[str, Any], language: str = "",
                languages: tuple[list[str], list[str]] = ([], []), sample_weight: Any = None) -> Any:
    """One logistic regression fitted on the training rows; (classes, probabilities of the test rows).

    `languages` are the training and test rows' languages (for language_bias).
    """
    from sklearn.linear_model import LogisticRegression

    c = per_language(params.get("C", 1.0), language)
    weight = per_language(params.get("class_weight", "balanced"), language)
    model = LogisticRegression(solver=params.get("solver", "liblinear"), max_iter=params.get("max_iter", 200),
                               random_state=42, C=c, class_weight=weight)
    setting = {k: per_language(v, language) for k, v in params.items() if k not in ("C", "class_weight")}
    model.fit(shaped(x_train, languages[0], setting), y_train, sample_weight=sample_weight)
    return model.classes_, model.predict_proba(shaped(x_test, languages[1], setting))


def routed_predict(examples: list[tuple[str, str, str]], train: Any, test: Any, x_train: Any, x_test: Any,
                   params: dict[str, Any], routed: list[list[str]]) -> list[str]:
    """One classifier per language, each trained on the examples routed to it; a test message's probabilities
    are the mean over the classifiers it is routed to (the union of their intents), then the fallback applies."""
    languages = sorted({lang for i in train for lang in routed[i]})
    classes = sorted({examples[i][1] for i in train})
    probs = np.zeros((len(test), len(classes)))
    readers = np.zeros(len(test))
    for language in languages:
        rows = [k for k, i in enumerate(train) if language in routed[i]]
        cols = [k for k, i in enumerate(test) if language in routed[i]]
        if not cols:
            continue
        a, b = x_train[rows], x_test[cols]
        a.words = b.words = x_train.words
        if params.get("own_columns"):
            a, b = own_columns(a, b)
        got_classes, got = fit_predict(a, [examples[train[k]][1] for k in rows], b, params, language)
        at = [classes.index(c) for c in got_classes]
        probs[np.ix_(cols, at)] += got
        readers[cols] += 1
    probs /= np.maximum(readers, 1)[:, None]
    return [decide(row, classes) for row in probs]


def decide(row: Any, classes: list[str]) -> str:
    """The best intent, or nlu_fallback when it is unsure (FallbackClassifier's thresholds)."""
    order = np.argsort(-row)
    best, second = row[order[0]], row[order[1]]
    return "nlu_fallback" if best < FALLBACK or best - second < AMBIGUITY else classes[order[0]]


def run(examples: list[tuple[str, str, str]], split: list[tuple], params: dict[str, Any]) -> dict[str, Any]:
    """Cross-validated macro F1 per language for one setting of the classifier."""
    routed = routes([t for t, _, _ in examples], params["route"]) if params.get("route") else []
    per_lang: dict[str, list[float]] = defaultdict(list)
    per_intent: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    by_seed: dict[int, tuple[list[str], list[str], list[str]]] = defaultdict(lambda: ([], [], []))
    for seed, train, test, x_train, x_test in split:
        gold, got, langs = by_seed[seed]
        gold += [examples[i][1] for i in test]
        langs += [examples[i][2] for i in test]
        if routed:
            got += routed_predict(examples, train, test, x_train, x_test, params, routed)
            continue
        if params.get("trained_on"):  # only the examples of these languages (data folders) train
            keep = [k for k, i in enumerate(train) if examples[i][2] in params["trained_on"]]
            words, train, x_train = x_train.words, train[keep], x_train[keep]
            x_train.words = words
        y_train = [examples[i][1] for i in train]
        trained_languages = [examples[i][2] for i in train]
        weights = language_balanced(trained_languages, y_train) if params.get("language_balanced") else None
        classes, probs = fit_predict(x_train, y_train, x_test, params,
                                     languages=(trained_languages, [examples[i][2] for i in test]),
                                     sample_weight=weights)
        got += [decide(row, list(classes)) for row in probs]
    for gold, got, langs in by_seed.values():
        for lang in sorted(set(langs)):
            idx = [i for i, l in enumerate(langs) if l == lang]
            f1, per = macro_f1([gold[i] for i in idx], [got[i] for i in idx])
            per_lang[lang].append(f1)
            for intent, value in per.items():
                per_intent[lang][intent].append(value)
    return {"macro": {lang: mean(v) for lang, v in per_lang.items()}, "repeats": dict(per_lang),
            "per_intent": {lang: {k: mean(v) for k, v in d.items()} for lang, d in per_intent.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--grid", action="store_true", help="also try other C and class weights")
    ap.add_argument("--setting", action="append", default=[], help="a setting as Python literal dict")
    ap.add_argument("--worst", type=int, default=8, help="list this many weakest intents per language")
    ap.add_argument("--train-only", default="", help="files (a glob under data/nlu*/) whose examples only train")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    examples = load(PROJECT_ROOT / "data")
    extra: list[tuple[str, str, str]] = []
    if args.train_only:
        extra = load(PROJECT_ROOT / "data", args.train_only)
        examples = [e for e in examples if e not in extra] + extra
    spaced = tokens([t for t, _, _ in examples])
    print(f"{len(examples)} examples ({len(extra)} only training), {len({i for _, i, _ in examples})} intents")
    settings: list[dict[str, Any]] = [{"C": 1.0, "class_weight": "balanced"}]
    if args.grid:
        settings += [{"C": c, "class_weight": w} for w in ("balanced", None) for c in (0.5, 1.0, 2.0, 4.0, 8.0)
                     if not (c == 1.0 and w == "balanced")]
    if args.setting:
        import ast

        settings = [ast.literal_eval(s) for s in args.setting]
    split = folds_of(examples, spaced, args.folds, args.repeats, len(extra))
    for params in settings:
        result = run(examples, split, params)
        print(params, " ".join(f"{lang} {f1:.4f} ({'/'.join(f'{v:.4f}' for v in result['repeats'][lang])})"
                               for lang, f1 in result["macro"].items()), flush=True)
        if args.worst:
            for lang, per in result["per_intent"].items():
                weak = sorted(per.items(), key=lambda kv: kv[1])[:args.worst]
                print(f"  {lang} weakest: " + ", ".join(f"{k} {v:.3f}" for k, v in weak))


if __name__ == "__main__":
    main()
