"""The trainee-question classifier, evaluated on held-out questions it never saw."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from jujube.rehearsal import classifier as clf_mod
from jujube.rehearsal.classifier import data_hash, labelled_examples, load_examples, questions_path, words

from .conftest import HERE

# Trained-model figures differ between CPUs (OpenBLAS kernels). Held-out accuracy measured with
# 8 kernels (OPENBLAS_CORETYPE Prescott to SkylakeX): 0.886 to 0.909, the same with and without
# the offer rule. The thresholds leave 4.6 and 5.6 points (6 and 7 of 132 questions) below the lowest.
MIN_ACCURACY = 0.84
MIN_MODEL_ACCURACY = 0.83


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
    model = classifier.evaluate(heldout, model_only=True)
    with capsys.disabled():
        print("\n" + report.text())
        print(f"measured: held-out accuracy {report.accuracy:.3f} (threshold {MIN_ACCURACY}), "
              f"model alone {model.accuracy:.3f} (threshold {MIN_MODEL_ACCURACY})")
    assert report.total == len(heldout)
    assert report.accuracy >= MIN_ACCURACY, report.text()
    assert model.accuracy >= MIN_MODEL_ACCURACY, model.text()
    assert report.accuracy >= model.accuracy  # the offer rule only ever corrects the model


def test_product_names_never_seen_in_training_still_read_as_a_pitch(classifier, library, capsys):
    """Every catalog product offered by name is a pitch: decided by the offer rule, not left to the model."""
    names = [p.name for p in library.index.products]
    assert len(names) > 20
    lines = [f"How about the {n}?" for n in names]
    predictions = [classifier.predict(line) for line in lines]
    pitched = [n for n, p in zip(names, predictions) if p.label == "recommend"]
    by_model = sum(classifier.predict_by_model(line).label == "recommend" for line in lines)
    with capsys.disabled():
        print(f"\nmeasured: {len(pitched)}/{len(names)} product offers read as a pitch "
              f"(the model alone: {by_model}/{len(names)}, machine-dependent, not asserted)")
    assert len(pitched) == len(names), set(names) - set(pitched)
    assert all(p.source == "rule" and p.confidence == 1.0 for p in predictions)
    assert library.index.mask("Why dates?") == "Why product?"


def test_asking_about_the_customers_own_product_is_left_to_the_model(classifier):
    for text in ("What do you like about the milk you buy?", "What about the dates you usually get?",
                 "What about your usual tea?", "How do you like your coffee?"):
        assert classifier.predict(text).source == "model", text


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
