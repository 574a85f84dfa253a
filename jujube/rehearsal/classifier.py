"""The trainee-question classifier: a spaCy text classifier trained on knowledge/rehearsal/questions.yml."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import spacy
import yaml
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from jujube.config import PROJECT_ROOT, get_settings
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.ngrams import NgramModel
from jujube.rehearsal.offers import OfferRule, default_rule

logger = logging.getLogger(__name__)

# Bump when the training recipe changes, so cached pipelines are rebuilt.
RECIPE = "textcat-ensemble-v3+ngrams-v1"
EPOCHS = 14
SEED = 7
NGRAM_WEIGHT = 0.75  # the n-gram model's share in the ensemble with the textcat (5-fold CV: 0.7 to 0.8 best)
OTHER = "other"
RECOMMEND = "recommend"
_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")


def questions_path() -> Path:
    """Where the trainee-question training data lives."""
    return get_settings().knowledge_dir / "rehearsal" / "questions.yml"


def cache_root() -> Path:
    """Where trained pipelines are cached (JUJUBE_REHEARSAL_CACHE or var/rehearsal)."""
    return Path(os.environ.get("JUJUBE_REHEARSAL_CACHE") or PROJECT_ROOT / "var" / "rehearsal")


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, label) pairs from a questions file ({classes: {label: [text, ...]}})."""
    if not path.is_file():
        raise RehearsalError(f"question data not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    classes = raw.get("classes")
    if not isinstance(classes, dict) or not classes:
        raise RehearsalError(f"{path}: expected a 'classes' mapping of label -> examples")
    out: list[tuple[str, str]] = []
    for label, texts in classes.items():
        for text in texts or []:
            if str(text).strip():
                out.append((str(text).strip(), str(label)))
    return out


def words(text: str) -> list[str]:
    """Lowercase words of a text (letters, inner apostrophes and hyphens)."""
    return _WORD.findall(text.lower())


def data_hash(examples: Iterable[tuple[str, str]]) -> str:
    """A short hash of the training data and recipe: the cache key."""
    h = hashlib.sha256(f"{RECIPE}|{spacy.__version__}|{EPOCHS}|{SEED}".encode())
    for text, label in examples:
        h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Part:
    """One sentence or clause of a trainee message and how it reads on its own."""

    text: str
    label: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    """The class of one trainee message, the model's confidence, and the message's parts."""

    label: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    source: str = "model"  # model | rule (a catalog product offered by name or kind)
    parts: tuple[Part, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Every kind the message's parts read as, the main one first (no duplicates)."""
        out = [self.label]
        for part in self.parts:
            if part.label not in out:
                out.append(part.label)
        return tuple(out)


# Which part of a many-part message decides what the message is: a pitch outweighs a question,
# an open question a closed one, any question outweighs a courtesy or giving up.
OPEN_KINDS = ("ask_recipient", "ask_purpose", "ask_preference", "ask_quality", "ask_budget", "ask_followup")
PRIORITY = (RECOMMEND, *OPEN_KINDS, "closed_question", "give_up", "small_talk", OTHER)
AUXILIARIES = frozenset("is are was were does do did has have will would can could should shall".split())
SUBJECTS = frozenset("it this that these those they he she you your his her their the".split())
INVITING = frozenset("or tell say mind know any anything anyone there explain describe share".split())
GUESSABLE = frozenset({"ask_recipient", "ask_purpose", "ask_preference"})


_TAGGED = re.compile(r"(?:,|\s)\s*(?:right|yes|yeah|yep|no|correct|surely|i guess|i bet|i suppose|"
                     r"(?:is|are|do|does|did|was|were|have|has|can|could|would|will)(?:n't|nt| not)? "
                     r"(?:it|they|you|he|she|we|i|there|that|this))\s*\?+\s*$", re.IGNORECASE)
_SUPPOSING = re.compile(r"^(?:so\s+)?(?:i (?:guess|suppose|bet|assume|take it|imagine)|presumably|surely)\b",
                        re.IGNORECASE)


def is_guess(text: str) -> bool:
    """A yes/no question naming its own answer ("is it for your wife?", "it's a present, isn't it?")."""
    ws = words(text)
    if len(ws) >= 3 and ws[0] in AUXILIARIES and ws[1] in SUBJECTS and not INVITING & set(ws):
        return True
    return bool(ws) and ws[0] not in WH_LEADS and bool(_TAGGED.search(text) or (
        _SUPPOSING.search(text) and text.rstrip().endswith("?")))


MARKERS = frozenset("so well hmm hm um uh er erm and but now then".split())
WH_LEADS = frozenset("who whom whose what which why how when where whos whats wat wot wats hw y".split())
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\s*[;\n]+\s*|\s+[-–—]+\s+|(?<=[.!?])(?=[A-Z])")
# "Who is it for, and what's the occasion?": a second question joined on by "and" starts a new part.
_JOINED = re.compile(r"(?:,\s*|\s+)(?:and|also|plus|oh and)\s+"
                     r"(?=(?:who|whom|what|what's|whats|why|how|when|where|which)\b)",
                     re.IGNORECASE)
_HEAD = re.compile(r"^([^,]{1,40}?)\s*[,:]\s+(\S.*)$")
MIN_PART_CONFIDENCE = 0.5


def sentences(text: str) -> list[str]:
    """A message cut into its sentences (at . ! ? ; dashes and line breaks)."""
    out = []
    for sentence in _SENTENCE.split(text or ""):
        out += [c.strip() for c in _JOINED.split(sentence or "") if c and c.strip(" .!?,;")]
    return out


def _closing_dropped(parts: list[Part], label: str) -> list[Part]:
    """A pitch or a goodbye's closing courtesies ("... It's perfect.", "... Goodbye.") belong to it."""
    if label not in (RECOMMEND, "give_up"):
        return parts
    last = max(i for i, p in enumerate(parts) if p.label == label)
    return [p for i, p in enumerate(parts) if i <= last or p.label != "small_talk"]


def main_label(labels: Iterable[str]) -> str:
    """The label that decides a many-part message (see PRIORITY)."""
    found = set(labels)
    return next((lab for lab in PRIORITY if lab in found), OTHER)


@dataclass
class EvalReport:
    """Accuracy of the classifier on labelled examples."""

    accuracy: float
    total: int
    per_class: dict[str, tuple[int, int]]
    errors: list[tuple[str, str, str]]

    def text(self) -> str:
        """A readable report: overall accuracy, per-class accuracy and the misclassified examples."""
        lines = [f"question classifier accuracy: {self.accuracy:.3f} on {self.total} held-out questions"]
        for label, (ok, n) in sorted(self.per_class.items()):
            lines.append(f"  {label:<16} {ok:>3}/{n:<3} {ok / n if n else 0:.2f}")
        for text, gold, got in self.errors:
            lines.append(f"  miss: {text!r}: expected {gold}, got {got}")
        return "\n".join(lines)


Normalizer = Callable[[str], str]


def _same(text: str) -> str:
    return text


def _prepare(text: str, normalizer: Normalizer | None) -> str:
    """What the model sees: the normalized text in lowercase."""
    return (normalizer or _same)(text).lower()


class QuestionClassifier:
    """Classifies what a trainee says into the question kinds of the training data.

    A normalizer (the product index's `mask`) is applied to every text before training
    and prediction, so product names the model never saw read as one placeholder word.
    An offer rule, when given, decides first: a catalog product or kind offered by name
    ("How about the Medjool dates?") is a pitch whatever the model would say.
    """

    def __init__(self, nlp: Language, vocabulary: set[str], normalizer: Normalizer | None = None,
                 offers: OfferRule | None = None, ngrams: NgramModel | None = None) -> None:
        self.nlp = nlp
        self.ngrams = ngrams
        self.vocabulary = vocabulary
        self.normalize: Normalizer = normalizer or _same
        self.offers = offers
        self.labels: tuple[str, ...] = tuple(nlp.get_pipe("textcat").labels)

    @classmethod
    def train(cls, examples: list[tuple[str, str]], normalizer: Normalizer | None = None,
              offers: OfferRule | None = None) -> "QuestionClassifier":
        """Train a fresh pipeline (blank English + textcat) on (text, label) pairs."""
        started = time.monotonic()
        examples = [(_prepare(text, normalizer), label) for text, label in examples]
        fix_random_seed(SEED)
        labels = sorted({label for _, label in examples})
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("textcat")
        for label in labels:
            textcat.add_label(label)
        data = [
            Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == label) for lab in labels}})
            for text, label in examples
        ]
        optimizer = nlp.initialize(lambda: data)
        rng = random.Random(SEED)
        for _ in range(EPOCHS):
            rng.shuffle(data)
            for batch in minibatch(data, size=16):
                nlp.update(batch, sgd=optimizer, drop=0.2)
        vocabulary = {w for text, _ in examples for w in words(text)}
        ngrams = NgramModel.train(examples, seed=SEED)
        logger.info("trained the question classifier on %d examples in %.1fs", len(data), time.monotonic() - started)
        return cls(nlp, vocabulary, normalizer, offers, ngrams)

    def save(self, path: Path) -> None:
        """Write the pipeline and its vocabulary to a folder (atomically replaced)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        self.nlp.to_disk(tmp / "pipeline")
        (tmp / "vocabulary.json").write_text(json.dumps(sorted(self.vocabulary)), encoding="utf-8")
        if self.ngrams is not None:
            self.ngrams.save(tmp)
        try:
            tmp.rename(path)
        except OSError:  # another process won the race: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, path: Path, normalizer: Normalizer | None = None,
             offers: OfferRule | None = None) -> "QuestionClassifier":
        """Read a pipeline saved by `save` (give it the normalizer it was trained with)."""
        nlp = spacy.load(path / "pipeline")
        vocabulary = set(json.loads((path / "vocabulary.json").read_text(encoding="utf-8")))
        ngrams = NgramModel.load(path) if (path / "ngrams.json").is_file() else None
        return cls(nlp, vocabulary, normalizer, offers, ngrams)

    def known_share(self, text: str) -> float:
        """Share of the text's words that occur in the training data."""
        ws = words(text)
        return sum(w in self.vocabulary for w in ws) / len(ws) if ws else 0.0

    def predict(self, text: str) -> Prediction:
        """The message read as its parts: a product offer by rule, else the model's kind of each part.

        "That sounds tough. How does she manage?" is small talk plus an open question; the
        message's label is its weightiest part (see PRIORITY) and `labels` lists them all.
        """
        raw = (text or "").strip()[:500]
        offered = self.offers is not None and RECOMMEND in self.labels and self.offers.is_offer(raw)
        parts = self.parts(raw)
        if offered:
            rule = self.offers
            parts = [Part(p.text, RECOMMEND, 1.0) if rule and rule.is_offer(p.text) else p for p in parts]
            if all(p.label != RECOMMEND for p in parts):
                parts = [Part(raw, RECOMMEND, 1.0)]
            return Prediction(RECOMMEND, 1.0, {k: float(k == RECOMMEND) for k in self.labels}, source="rule",
                              parts=tuple(_closing_dropped(parts, RECOMMEND)))
        whole = self.predict_by_model(raw)
        if len(parts) < 2:
            return Prediction(whole.label, whole.confidence, whole.scores, whole.source,
                              (Part(raw, whole.label, whole.confidence),))
        kept = [p for p in parts if p.label != OTHER] or parts
        label = main_label(p.label for p in kept)
        kept = _closing_dropped(kept, label)
        best = max((p for p in kept if p.label == label), key=lambda p: p.confidence)
        if label == whole.label:
            return Prediction(label, max(whole.confidence, best.confidence), whole.scores, "model", tuple(kept))
        return Prediction(label, best.confidence, whole.scores, "parts", tuple(kept))

    def parts(self, text: str) -> list[Part]:
        """The message's sentences, a courteous lead-in ("Oh no, ...") split off its question, each classified."""
        out: list[Part] = []
        for sentence in sentences(text):
            head = _HEAD.match(sentence)
            if head:
                lead, rest = self.predict_by_model(head.group(1)), self.predict_by_model(head.group(2))
                # "Sorry, I can't help you": an apology leading a goodbye is part of the goodbye
                if lead.label == "small_talk" and lead.confidence >= MIN_PART_CONFIDENCE and rest.label not in (
                        "small_talk", "give_up", OTHER):
                    out += [Part(head.group(1), lead.label, lead.confidence), Part(head.group(2), rest.label,
                                                                                   rest.confidence)]
                    continue
            pred = self.predict_by_model(sentence)
            out.append(Part(sentence, pred.label, pred.confidence))
        if len(out) > 1:  # "Okay. Who is it for?": a bare discourse marker is no part of its own
            out = [p for p in out if not set(words(p.text)) <= MARKERS] or out
        return out

    def predict_by_model(self, text: str) -> Prediction:
        """The model's most likely question kind; unknown words only or no words at all give `other`."""
        text = _prepare((text or "").strip()[:500], self.normalize).strip()
        if not text or self.known_share(text) == 0.0:
            return Prediction(OTHER, 1.0)
        cats = dict(self.nlp(text).cats)
        if self.ngrams is not None:  # the two models' probabilities, averaged
            extra = self.ngrams.scores(text)
            cats = {k: (1 - NGRAM_WEIGHT) * v + NGRAM_WEIGHT * extra.get(k, 0.0) for k, v in cats.items()}
        label = max(cats, key=cats.__getitem__)
        first = words(text)[:1]
        if label in GUESSABLE and is_guess(text):
            # "Is it for a family member who's expecting?" can be answered yes or no: a guess
            label = "closed_question"
        if label in ("closed_question", RECOMMEND) and first and first[0] in WH_LEADS:
            # "what kind of tea does he drink?" cannot be answered yes or no, and it offers nothing
            # (a product offered in a question, "what about the kiwis?", is the offer rule's to find)
            label = max((k for k in cats if k in OPEN_KINDS), key=cats.__getitem__, default=label)
        # A label set by the form of the question is as sure as the model was of its own first choice.
        return Prediction(label, float(max(cats.values())), {k: float(v) for k, v in cats.items()})

    def evaluate(self, examples: list[tuple[str, str]], model_only: bool = False) -> EvalReport:
        """Accuracy on labelled examples (of the model alone if asked), with per-class results and the misses."""
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        errors = []
        predict = self.predict_by_model if model_only else self.predict
        for text, gold in examples:
            got = predict(text).label
            per[gold][1] += 1
            if got == gold:
                per[gold][0] += 1
            else:
                errors.append((text, gold, got))
        total = len(examples)
        correct = sum(ok for ok, _ in per.values())
        return EvalReport(correct / total if total else 0.0, total, {k: (v[0], v[1]) for k, v in per.items()}, errors)


KEEP_CACHED = 3


def _prune(root: Path, keep: int) -> None:
    """Remove all but the `keep` newest cached pipelines."""
    folders = sorted(root.glob("questions-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)


_lock = threading.Lock()
_loaded: dict[str, QuestionClassifier] = {}


def get_classifier(path: Path | None = None, normalizer: Normalizer | None = None,
                   offers: OfferRule | None = None) -> QuestionClassifier:
    """The classifier for the current training data: from memory, the disk cache, or trained now.

    The cache key covers the normalized training texts, so a changed catalog (new product
    names to mask) or changed questions retrain it. `offers` defaults to the rule over the
    shop's knowledge (`offers.default_rule`).
    """
    offers = offers or default_rule()
    raw = load_examples(path or questions_path())
    key = data_hash([(_prepare(text, normalizer), label) for text, label in raw])
    with _lock:
        if key in _loaded:
            return _loaded[key]
        folder = cache_root() / f"questions-{key}"
        clf = None
        if (folder / "vocabulary.json").is_file():
            try:
                clf = QuestionClassifier.load(folder, normalizer, offers)
            except Exception as exc:  # a damaged cache is rebuilt, not fatal
                logger.warning("cached question classifier at %s unreadable (%s); retraining", folder, exc)
                shutil.rmtree(folder, ignore_errors=True)
        if clf is None:
            counts = Counter(label for _, label in raw)
            logger.info("training the question classifier: %s", dict(sorted(counts.items())))
            clf = QuestionClassifier.train(raw, normalizer, offers)
            clf.save(folder)
            _prune(folder.parent, keep=KEEP_CACHED)
        _loaded[key] = clf
        return clf


def labelled_examples(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, label) pairs from an already parsed {classes: {label: [...]}} mapping."""
    return [(str(t).strip(), str(label)) for label, texts in (raw.get("classes") or {}).items() for t in texts or []
            if str(t).strip()]


@dataclass
class MultiLabelReport:
    """How well the parts of many-part messages were read: per-label F1, macro F1, main-label accuracy."""

    f1: dict[str, float]
    support: dict[str, int]
    macro_f1: float
    main_accuracy: float
    total: int

    def text(self) -> str:
        """Per-label F1 and the summary figures (no message texts)."""
        lines = [f"trainee messages: {self.total}; macro F1 {self.macro_f1:.3f}, main-label accuracy "
                 f"{self.main_accuracy:.3f}"]
        lines += [f"  {label:<16} F1 {f1:.3f}  (gold {self.support[label]})" for label, f1 in sorted(self.f1.items())]
        return "\n".join(lines)


def multilabel_f1(classifier: QuestionClassifier, messages: list[dict[str, Any]]) -> MultiLabelReport:
    """Score messages labelled with the kinds of all their parts (`{text, labels: [main, ...]}`).

    The prediction is the set of kinds of the parts the classifier reads. Per label, a message
    is a true positive when the label is in both sets, a false positive when only predicted and
    a false negative when only gold; macro F1 is the mean of the labels' F1.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    main_ok = 0
    for m in messages:
        gold = {str(x) for x in m["labels"]}
        pred = classifier.predict(str(m["text"]))
        got = set(pred.labels)
        main_ok += pred.label == str(m["labels"][0])
        for label in gold | got:
            bucket = tp if label in gold and label in got else fp if label in got else fn
            bucket[label] += 1
    f1 = {}
    for label in classifier.labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1[label] = 2 * p * r / (p + r) if p + r else 0.0
    total = len(messages)
    macro = sum(f1.values()) / len(f1) if f1 else 0.0
    return MultiLabelReport(f1, {k: tp[k] + fn[k] for k in classifier.labels}, macro,
                            main_ok / total if total else 0.0, total)
