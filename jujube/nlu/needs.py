"""The need classifier: finds needs said in words the lexicon does not hold.

A multi-label text classifier (scikit-learn, which Rasa ships), trained on
knowledge/needs_training.yml (shopper messages labelled with every need they
express, as entity:key labels of the lexicon). Its findings are added to the
lexicon matcher's, so the core sees one understanding. Trained models are
cached under var/needs/ by a hash of the data and the recipe.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import numpy as np
import yaml

from jujube.config import PROJECT_ROOT, get_settings
from jujube.knowledge import SAFE_LOADER, KnowledgeError, Knowledge
from jujube.messages import languages
from jujube.nlu.unspaced import UNSPACED_RUN, segment

logger = logging.getLogger(__name__)

RECIPE = "needs-tfidf-logreg-v4"
C = 10.0  # inverse regularisation strength of each label's logistic regression
SEED = 11
THRESHOLD = 0.5  # a label counts when the classifier gives it at least this score
# A label's examples weigh 15 times its counter-examples: enough for rare needs to be learnt, while
# the messages that only mention a food or a habit still count ("balanced" weights, near 100 for
# the rarest needs, read "she likes nuts" as a nut allergy). Chosen by 5-fold cross-validation.
CLASS_WEIGHT: Any = {0: 1.0, 1: 15.0}
# Each language's classifier settings where they differ from the defaults, chosen by 5-fold
# cross-validation (scripts/needs_cv.py): a Chinese character is often a word of its own
# (酸, 甜, 脆), so the Chinese character n-grams run from one to four.
LANGUAGE_SETTINGS: dict[str, dict[str, Any]] = {"zh": {"chars": (1, 4)}}
LabelledText = tuple[str, frozenset[str]]


def spaced(text: str) -> str:
    """Runs of unspaced scripts cut into words (jieba), so their words and word pairs count ("怀孕 了")."""
    return UNSPACED_RUN.sub(lambda m: " " + " ".join(word for word, _ in segment(m.group(0))) + " ", text)


def training_path() -> Path:
    """Where the need training examples live (other languages' in knowledge/<language>/ next to it)."""
    return get_settings().knowledge_dir / "needs_training.yml"


def training_paths(path: Path) -> list[Path]:
    """`path` and the same file in every language folder beside it (knowledge/zh/needs_training.yml)."""
    return [path] + sorted(p for p in path.parent.glob(f"*/{path.name}") if p.is_file())


def language_of_path(path: Path, base: Path) -> str:
    """The language of a need file: its folder's name (knowledge/zh/), English at the top."""
    return path.parent.name if path.parent != base.parent else "en"


def load_examples(path: Path) -> list[LabelledText]:
    """(text, labels) pairs from a needs file ({examples: [{text, needs: [entity:key]}]})."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read need examples {path}: {exc}") from exc
    out = []
    for entry in raw.get("examples") or []:
        text = str(entry.get("text") or "").strip()
        if text:
            out.append((text, frozenset(str(n).lower() for n in entry.get("needs") or ())))
    return out


def entity_labels(entities: Iterable[dict[str, Any]]) -> set[str]:
    """Need labels (entity:key) of the needs among Rasa entities, negated ones left out."""
    return {f"{e['entity']}:{str(e['value']).lower()}" for e in entities
            if e.get("entity") not in ("product", "category", "amount", "currency") and e.get("role") != "excluded"}


def known_labels(kb: Knowledge) -> set[str]:
    """Every need label the lexicon defines."""
    return {f"{entity}:{key}" for entity, key in kb.concepts}


class _Scorer:
    """What both classifiers share: one text's scores and labels from `scores_many`."""

    threshold: float

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        """Every label's probability for each text."""
        raise NotImplementedError

    def scores(self, text: str) -> dict[str, float]:
        """Every label's probability for `text`."""
        return self.scores_many([text])[0]

    def predict(self, text: str) -> set[str]:
        """The labels scored at or above the threshold."""
        if not text.strip():
            return set()
        return {label for label, score in self.scores(text).items() if score >= self.threshold}


class NeedClassifier(_Scorer):
    """Multi-label classifier of the needs a shopper message expresses.

    TF-IDF over words, word pairs and character n-grams (robust to typos and new word
    forms), one logistic regression per need label.
    """

    def __init__(self, vectorizer: Any, model: Any, labels: tuple[str, ...], threshold: float = THRESHOLD) -> None:
        self.vectorizer = vectorizer
        self.model = model
        self.labels = labels
        self.threshold = threshold
        self._weights, self._bias = _stacked(model)
        self._transform = _fast_transform(vectorizer)

    @classmethod
    def train(cls, examples: list[LabelledText], labels: Optional[set[str]] = None, c: float = C,
              class_weight: Any = None, chars: tuple[int, int] = (2, 5)) -> "NeedClassifier":
        """Fit the vectorizer and one classifier per label."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_union
        from sklearn.preprocessing import MultiLabelBinarizer

        started = time.monotonic()
        names = sorted(labels or {lab for _, labs in examples for lab in labs})
        binarizer = MultiLabelBinarizer(classes=names)
        targets = binarizer.fit_transform([[lab for lab in labs if lab in names] for _, labs in examples])
        vectorizer = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=spaced),
            TfidfVectorizer(analyzer="char_wb", ngram_range=chars, sublinear_tf=True, min_df=2),
        )
        features = vectorizer.fit_transform([text.lower() for text, _ in examples])
        model = OneVsRestClassifier(LogisticRegression(C=c, max_iter=500, class_weight=class_weight or CLASS_WEIGHT,
                                                       random_state=SEED), n_jobs=-1)  # labels fit on every core
        model.fit(features, targets)
        logger.info("trained the need classifier on %d examples, %d labels, in %.1fs",
                    len(examples), len(names), time.monotonic() - started)
        return cls(vectorizer, model, tuple(names))

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        """Every label's probability for each text, in one pass (the same figures as `model.predict_proba`)."""
        features = self._transform([text.lower()[:1000] for text in texts])
        probs = 1.0 / (1.0 + np.exp(-(features @ self._weights + self._bias)))
        return [dict(zip(self.labels, row.tolist())) for row in np.asarray(probs)]

    def save(self, path: Path) -> None:
        """Write the fitted model to a file (atomically)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"vectorizer": self.vectorizer, "model": self.model, "labels": self.labels}, fh)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "NeedClassifier":
        """Read a model written by `save` (only files this project wrote into its own cache)."""
        with path.open("rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - the project's own cache file
        return cls(data["vectorizer"], data["model"], tuple(data["labels"]))


class LanguageNeedClassifier(_Scorer):
    """One need classifier per language; a message is read by those of the scripts it is written in.

    What one language's examples teach does not move another's weights (adding Chinese examples
    left the English figures as they were). A message mixing scripts ("买点kiwi", "for my 婆婆") is
    scored by each of its languages' classifiers and each need keeps its best score; a message with
    no letters by all of them.
    """

    def __init__(self, classifiers: dict[str, NeedClassifier], threshold: float = THRESHOLD) -> None:
        self.classifiers = classifiers
        self.threshold = threshold
        self.labels = tuple(sorted({lab for c in classifiers.values() for lab in c.labels}))

    def languages_of(self, text: str) -> list[str]:
        """The languages whose classifiers read `text`: those whose script it holds, else all."""
        scripts = languages()
        said = [lang for lang in self.classifiers if lang in scripts and scripts[lang].search(text)]
        return said or list(self.classifiers)

    def scores_many(self, texts: list[str]) -> list[dict[str, float]]:
        """Every label's best probability for each text over its languages' classifiers (one pass per classifier)."""
        out: list[dict[str, float]] = [dict.fromkeys(self.labels, 0.0) for _ in texts]
        chosen = [self.languages_of(text) for text in texts]
        for language, classifier in self.classifiers.items():
            rows = [i for i, langs in enumerate(chosen) if language in langs]
            if not rows:
                continue
            for i, scores in zip(rows, classifier.scores_many([texts[i] for i in rows])):
                best = out[i]
                for label, score in scores.items():
                    if score > best[label]:
                        best[label] = score
        return out



def train_by_language(examples: list[tuple[str, LabelledText]],
                      settings: Optional[dict[str, dict[str, Any]]] = None) -> LanguageNeedClassifier:
    """One classifier per language from (language, example) pairs (for cross-validation; no cache)."""
    grouped: dict[str, list[LabelledText]] = {}
    for language, example in examples:
        grouped.setdefault(language, []).append(example)
    chosen = LANGUAGE_SETTINGS if settings is None else settings
    return LanguageNeedClassifier({lang: NeedClassifier.train(exs, **chosen.get(lang, {}))
                                   for lang, exs in sorted(grouped.items())})


def _stacked(model: Any) -> tuple[Any, Any]:
    """The per-label logistic regressions as one weight matrix (features x labels) and one bias row.

    Scoring a message is then one sparse product instead of one call per label (185 labels: 15 ms -> 0.1 ms).
    """
    estimators = model.estimators_
    weights = np.ascontiguousarray(np.vstack([e.coef_[0] for e in estimators]).T)
    bias = np.array([e.intercept_[0] for e in estimators])
    return weights, bias


def _fast_transform(vectorizer: Any) -> Callable[[list[str]], Any]:
    """`vectorizer.transform` for a union of TF-IDF vectorizers (l2 or no norm), without scikit-learn's machinery.

    Each message's terms (the vectorizers' own analyzers) are counted against their vocabularies, weighted by
    the idf read once and normalised, and all rows become one CSR matrix. scikit-learn 1.1 rebuilds the idf
    vector from its diagonal matrix on every transform, and builds and checks several sparse matrices per
    message: most of the classifier's time on a short message. The figures are the same
    (tests/nlu/test_needs_cache.py).
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    parts = [v for _, v in vectorizer.transformer_list] if isinstance(vectorizer, FeatureUnion) else []
    if not parts or not all(isinstance(v, TfidfVectorizer) and v.use_idf and v.norm in (None, "l2")
                            and not v.binary for v in parts) or any(
            w not in (None, 1) for w in (getattr(vectorizer, "transformer_weights", None) or {}).values()):
        return vectorizer.transform
    readers = [(v.build_analyzer(), v.vocabulary_, v.idf_, v.sublinear_tf, v.norm, len(v.vocabulary_))
               for v in parts]

    def transform(texts: list[str]) -> Any:
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        ends, done = [0], 0
        for text in texts:
            offset = 0
            for analyze, vocabulary, idf, sublinear, norm, width in readers:
                counts: dict[int, int] = {}
                for term in analyze(text):
                    j = vocabulary.get(term)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
                if counts:
                    found = np.array(sorted(counts), dtype=np.int64)
                    tf = np.array([counts[j] for j in found], dtype=np.float64)
                    weighted = (np.log(tf) + 1 if sublinear else tf) * idf[found]
                    length = float(np.sqrt(weighted @ weighted)) if norm == "l2" else 0.0
                    columns.append(found + offset)
                    values.append(weighted / length if length else weighted)
                offset += width
            ends.append(ends[-1] + sum(len(c) for c in columns[done:]))
            done = len(columns)
        if not columns:
            return sparse.csr_matrix((len(texts), sum(r[-1] for r in readers)))
        return sparse.csr_matrix((np.concatenate(values), np.concatenate(columns), np.array(ends)),
                                 shape=(len(texts), sum(r[-1] for r in readers)))

    return transform


def data_hash(examples: list[LabelledText], settings: Optional[dict[str, Any]] = None) -> str:
    """A short hash of the data, the recipe and the settings: the cache key."""
    import sklearn

    chosen = sorted((settings or {}).items())
    h = hashlib.sha256(f"{RECIPE}|{sklearn.__version__}|{C}|{CLASS_WEIGHT}|{SEED}|{chosen}".encode())
    for text, labels in examples:
        h.update(f"{text}\t{','.join(sorted(labels))}\n".encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where trained need classifiers are kept (JUJUBE_NEEDS_CACHE or var/needs)."""
    return Path(os.environ.get("JUJUBE_NEEDS_CACHE") or PROJECT_ROOT / "var" / "needs")


def get_classifier(kb: Knowledge, path: Optional[Path] = None) -> Optional[LanguageNeedClassifier]:
    """The classifiers for the current training data, one per language: from the cache, or trained now.

    None without data. Each language's classifier is cached by its own data, so new examples in one
    language leave the others' as they are.
    """
    path = path or training_path()
    if not path.is_file():
        logger.warning("no need training data at %s: needs come from the lexicon alone", path)
        return None
    return LanguageNeedClassifier({language: _cached(examples, LANGUAGE_SETTINGS.get(language, {}))
                                   for language, examples in examples_by_language(kb, path).items()})


def examples_by_language(kb: Knowledge, path: Path) -> dict[str, list[LabelledText]]:
    """Each language's need examples (the file at `path` and its language overlays), keeping the labels `kb`
    knows."""
    known = known_labels(kb)
    out = {}
    for p in training_paths(path):
        examples = [(t, frozenset(lab for lab in labs if lab in known)) for t, labs in load_examples(p)]
        if examples:
            out[language_of_path(p, path)] = examples
    return out


def _cached(examples: list[LabelledText], settings: dict[str, Any]) -> NeedClassifier:
    """The classifier for `examples` trained with `settings`: from the cache, or trained now and cached."""
    cached = cache_root() / f"needs-{data_hash(examples, settings)}.pkl"
    if cached.is_file():
        try:
            return NeedClassifier.load(cached)
        except (OSError, ValueError, pickle.UnpicklingError, AttributeError, KeyError) as exc:
            logger.warning("cached need classifier unreadable (%s); training again", exc)
    classifier = NeedClassifier.train(examples, **settings)
    classifier.save(cached)
    return classifier


@dataclass
class NeedReport:
    """Precision, recall and F1 of need detection on labelled messages."""

    per_label: dict[str, tuple[float, float, float, int]]  # label -> precision, recall, f1, support
    macro_f1: float
    micro_f1: float
    total: int

    def text(self, worst: int = 25) -> str:
        """A readable report: the figures and the weakest labels."""
        lines = [f"need detection on {self.total} messages: macro F1 {self.macro_f1:.3f}, "
                 f"micro F1 {self.micro_f1:.3f}, {len(self.per_label)} labels"]
        ranked = sorted(self.per_label.items(), key=lambda kv: (kv[1][2], -kv[1][3]))
        for label, (p, r, f, n) in ranked[:worst]:
            lines.append(f"  {label:<34} P {p:.2f} R {r:.2f} F1 {f:.2f} (n={n})")
        return "\n".join(lines)


def evaluate(examples: list[LabelledText], predicted: list[set[str]]) -> NeedReport:
    """Per-label and macro F1 over the labels present in the gold data."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for (_, gold), got in zip(examples, predicted):
        for lab in got & gold:
            tp[lab] += 1
        for lab in got - gold:
            fp[lab] += 1
        for lab in gold - got:
            fn[lab] += 1
    labels = sorted({lab for _, gold in examples for lab in gold})
    per_label = {}
    for lab in labels:
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_label[lab] = (p, r, f, tp[lab] + fn[lab])
    macro = sum(v[2] for v in per_label.values()) / len(per_label) if per_label else 0.0
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = 2 * t / (2 * t + f_p + f_n) if t else 0.0
    return NeedReport(per_label, macro, micro, len(examples))


def main() -> None:
    """Train (or find in the cache) the need classifier for the current data: `python -m jujube.nlu.needs`."""
    from jujube.knowledge import get_knowledge

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    classifier = get_classifier(get_knowledge())
    if classifier is not None:
        print(f"need classifiers ready: {', '.join(classifier.classifiers)}, {len(classifier.labels)} labels "
              f"({time.monotonic() - started:.1f}s)")


if __name__ == "__main__":
    # Run from the imported module, not from __main__: the pickled vectorizer names its preprocessor
    # (`spaced`) by module, and a model saved as `__main__.spaced` cannot be read by the Rasa server.
    from jujube.nlu.needs import main as needs_main

    needs_main()
