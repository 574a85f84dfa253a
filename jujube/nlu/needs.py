"""The need classifier: finds needs said in words the lexicon does not hold.

A spaCy multi-label text classifier on a blank pipeline, trained on
knowledge/needs_training.yml (shopper messages labelled with every need they
express, as entity:key labels of the lexicon). Its findings are added to the
lexicon matcher's as entities, so the core sees one understanding. Trained
pipelines are cached under var/needs/ by a hash of the data and the recipe.
"""
from __future__ import annotations

import hashlib
import logging
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import spacy
import yaml
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from jujube.config import PROJECT_ROOT, get_settings
from jujube.knowledge import KnowledgeError, Knowledge

logger = logging.getLogger(__name__)

RECIPE = "needs-textcat-multilabel-v1"
EPOCHS = 16
SEED = 11
THRESHOLD = 0.5  # a label counts when the classifier gives it at least this score
# Bag of words and word pairs: quick to train, and it generalises to new sentences made of known words.
MODEL: dict[str, Any] = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
                         "no_output_layer": False, "length": 32768}
LabelledText = tuple[str, frozenset[str]]


def training_path() -> Path:
    """Where the need training examples live."""
    return get_settings().knowledge_dir / "needs_training.yml"


def load_examples(path: Path) -> list[LabelledText]:
    """(text, labels) pairs from a needs file ({examples: [{text, needs: [entity:key]}]})."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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


class NeedClassifier:
    """Multi-label classifier of the needs a shopper message expresses."""

    def __init__(self, nlp: Language, threshold: float = THRESHOLD) -> None:
        self.nlp = nlp
        self.threshold = threshold
        self.labels: tuple[str, ...] = tuple(nlp.get_pipe("textcat_multilabel").labels)

    @classmethod
    def train(cls, examples: list[LabelledText], labels: Optional[set[str]] = None) -> "NeedClassifier":
        """Train a blank English pipeline with a multi-label text classifier."""
        started = time.monotonic()
        fix_random_seed(SEED)
        names = sorted(labels or {lab for _, labs in examples for lab in labs})
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("textcat_multilabel", config={"model": MODEL})
        for name in names:
            textcat.add_label(name)
        data = [Example.from_dict(nlp.make_doc(text.lower()), {"cats": {n: float(n in labs) for n in names}})
                for text, labs in examples]
        optimizer = nlp.initialize(lambda: data)
        rng = random.Random(SEED)
        for _ in range(EPOCHS):
            rng.shuffle(data)
            for batch in minibatch(data, size=16):
                nlp.update(batch, sgd=optimizer, drop=0.2)
        logger.info("trained the need classifier on %d examples, %d labels, in %.1fs",
                    len(data), len(names), time.monotonic() - started)
        return cls(nlp)

    def scores(self, text: str) -> dict[str, float]:
        """Every label's score for `text`."""
        return {k: float(v) for k, v in self.nlp(text.lower()[:1000]).cats.items()}

    def predict(self, text: str) -> set[str]:
        """The labels scored at or above the threshold."""
        if not text.strip():
            return set()
        return {label for label, score in self.scores(text).items() if score >= self.threshold}

    def save(self, path: Path) -> None:
        """Write the pipeline to a folder (atomically)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        self.nlp.to_disk(tmp / "pipeline")
        try:
            tmp.rename(path)
        except OSError:  # another process saved it first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> "NeedClassifier":
        """Read a pipeline written by `save`."""
        return cls(spacy.load(path / "pipeline"))


def data_hash(examples: list[LabelledText]) -> str:
    """A short hash of the data and the recipe: the cache key."""
    h = hashlib.sha256(f"{RECIPE}|{spacy.__version__}|{EPOCHS}|{SEED}|{sorted(MODEL.items())}".encode())
    for text, labels in examples:
        h.update(f"{text}\t{','.join(sorted(labels))}\n".encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where trained need classifiers are kept (JUJUBE_NEEDS_CACHE or var/needs)."""
    return Path(os.environ.get("JUJUBE_NEEDS_CACHE") or PROJECT_ROOT / "var" / "needs")


def get_classifier(kb: Knowledge, path: Optional[Path] = None) -> Optional[NeedClassifier]:
    """The classifier for the current training data: from the cache, or trained now. None without data."""
    path = path or training_path()
    if not path.is_file():
        logger.warning("no need training data at %s: needs come from the lexicon alone", path)
        return None
    known = known_labels(kb)
    examples = [(t, frozenset(lab for lab in labs if lab in known)) for t, labs in load_examples(path)]
    folder = cache_root() / data_hash(examples)
    if (folder / "pipeline").is_dir():
        try:
            return NeedClassifier.load(folder)
        except (OSError, ValueError) as exc:
            logger.warning("cached need classifier unreadable (%s); training again", exc)
    classifier = NeedClassifier.train(examples, {lab for _, labs in examples for lab in labs})
    classifier.save(folder)
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
        print(f"need classifier ready: {len(classifier.labels)} labels ({time.monotonic() - started:.1f}s)")


if __name__ == "__main__":
    main()
