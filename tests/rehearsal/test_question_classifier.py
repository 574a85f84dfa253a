"""The trainee-question classifier, evaluated on held-out questions it never saw."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from jujube.rehearsal import classifier as clf_mod
from jujube.rehearsal.classifier import data_hash, labelled_examples, load_examples, questions_path, words

from .conftest import HERE

MIN_ACCURACY = 0.85


@pytest.fixture(scope="module")
def heldout() -> list[tuple[str, str]]:
    """The held-out labelled questions."""
    return labelled_examples(yaml.safe_load((HERE / "heldout_questions.yml").read_text(encoding="utf-8")))


def test_training_data_has_enough_varied_examples_per_class():
    examples = load_examples(questions_path())
    per_class: dict[str, set[str]] = {}
    for text, label in examples:
        per_class.setdefault(label, set()).add(text.lower())
    assert {"ask_recipient", "ask_purpose", "ask_preference", "ask_budget", "closed_question", "recommend",
            "give_up", "small_talk"} <= set(per_class)
    for label, texts in per_class.items():
        assert len(texts) >= 40, f"{label}: only {len(texts)} distinct examples"


def test_heldout_questions_are_not_in_the_training_data(heldout):
    norm = lambda t: " ".join(words(t))  # noqa: E731
    training = {norm(t) for t, _ in load_examples(questions_path())}
    copied = [t for t, _ in heldout if norm(t) in training]
    assert not copied, f"held-out questions copied from the training data: {copied}"
    assert len({label for _, label in heldout}) >= 10


def test_heldout_accuracy(classifier, heldout, capsys):
    report = classifier.evaluate(heldout)
    with capsys.disabled():
        print("\n" + report.text())
    assert report.total == len(heldout)
    assert report.accuracy >= MIN_ACCURACY, report.text()


def test_product_names_never_seen_in_training_still_read_as_a_pitch(classifier, library):
    names = [p.name for p in library.index.products]
    assert len(names) > 20
    pitched = [n for n in names if classifier.predict(f"How about the {n}?").label == "recommend"]
    assert len(pitched) == len(names), set(names) - set(pitched)
    assert library.index.mask("Why dates?") == "Why product?"


def test_unknown_words_and_empty_text_are_other(classifier):
    assert classifier.predict("").label == "other"
    assert classifier.predict("   ").label == "other"
    assert classifier.predict("zxqv plmokn").label == "other"
    pred = classifier.predict("Who are the dates for?")
    assert pred.label == "ask_recipient" and 0.0 < pred.confidence <= 1.0
    assert abs(sum(pred.scores.values()) - 1.0) < 1e-3


def test_predictions_are_deterministic(classifier):
    text = "what would make her happy?"
    assert classifier.predict(text) == classifier.predict(text)


def test_trained_pipeline_is_cached_by_data_hash(classifier, library):
    mask = library.index.mask
    key = data_hash([(mask(t).lower(), label) for t, label in load_examples(questions_path())])
    assert (clf_mod.cache_root() / f"questions-{key}" / "vocabulary.json").is_file()
    started = time.monotonic()
    again = clf_mod.get_classifier(normalizer=mask)
    assert again is classifier
    assert time.monotonic() - started < 5

    # Loading from the disk cache (a fresh process) gives the same predictions.
    loaded = clf_mod.QuestionClassifier.load(clf_mod.cache_root() / f"questions-{key}", mask)
    for text in ("what's your budget?", "is it for your wife?", "I give up"):
        assert loaded.predict(text).label == classifier.predict(text).label


def test_changed_training_data_changes_the_cache_key():
    examples = load_examples(questions_path())
    assert data_hash(examples) != data_hash(examples + [("who's the present for?", "ask_recipient")])
    assert data_hash(examples) == data_hash(list(examples))


def test_malformed_question_file_is_reported(tmp_path: Path):
    bad = tmp_path / "questions.yml"
    bad.write_text("just: a string\n", encoding="utf-8")
    with pytest.raises(clf_mod.RehearsalError):
        load_examples(bad)
