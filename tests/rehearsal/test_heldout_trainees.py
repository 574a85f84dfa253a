"""Measured on trainee messages, personas and scripts written apart from the repository's own data.

tests/rehearsal/heldout_trainee_messages.yml, heldout_personas.yml and heldout_scripts.yml were
written by someone else, without sight of knowledge/rehearsal/questions.yml or the personas; they
are never used for training or for writing training data.

Multi-label scoring. A message's gold labels are the kinds of all its parts ("That sounds tough.
How does she manage?" is small_talk plus ask_followup). The classifier predicts the kinds of the
parts it reads (`Prediction.labels`). For each label, a message counts as a true positive when the
label is in both sets, a false positive when it is only predicted, a false negative when it is only
gold; F1 per label follows, and macro F1 is their unweighted mean over the labels of questions.yml.
The main label (the first gold label) is also checked against the predicted main label.
"""
from __future__ import annotations

from statistics import mean

import pytest
import yaml

from jujube.rehearsal.classifier import load_examples, multilabel_f1, questions_path, words
from jujube.rehearsal.personas import load_library

from . import trainees
from .conftest import HERE

# Measured on this machine: macro F1 0.880, main-label accuracy 0.885; good scripts 88.8, closed-only
# 26.5, pushers 0.0 (with OPENBLAS_CORETYPE=Sandybridge: 0.866, 0.864; 91.8, 26.5, 0.0). Earlier: 0.844
# and 0.834 before the n-gram model weighed 0.75 in the ensemble and the question data had real
# giving-up lines, offers to look and questions on freshness, brand, origin and packaging; 0.815 at the
# very first measurement, before the question data's conventions were settled (a yes/no price guess is
# a closed question). Weakest labels: ask_quality 0.805 (0.822), give_up 0.807 (0.780). One changed
# training line moves the F1 by up to 0.02, so the thresholds sit about 0.035 below the lower figures;
# the score bands are the issue's own (good >= 85, closed-only <= 45, pushers <= 10).
MIN_MACRO_F1 = 0.83
MIN_MAIN_ACCURACY = 0.83
GOOD_MIN, CLOSED_MAX, PUSHER_MAX = 85.0, 45.0, 10.0


@pytest.fixture(scope="module")
def messages() -> list[dict]:
    """The held-out trainee messages: text and labels (main first)."""
    raw = yaml.safe_load((HERE / "heldout_trainee_messages.yml").read_text(encoding="utf-8"))
    return [m for m in raw["messages"] if str(m.get("text", "")).strip() and m.get("labels")]


def f1_report(classifier, messages):  # type: ignore[no-untyped-def]
    """Per-label F1 over the label sets of each message, macro F1, main-label accuracy, gold counts."""
    rep = multilabel_f1(classifier, messages)
    return rep.f1, rep.macro_f1, rep.main_accuracy, rep.support


def _norm(text: str) -> str:
    return " ".join(words(text))


def test_heldout_messages_are_mostly_not_in_the_training_data(messages, capsys):
    """Both sets were written apart; short common wordings ("What's the occasion?") occur in both."""
    training = {_norm(t) for t, _ in load_examples(questions_path())}
    shared = sum(_norm(m["text"]) in training for m in messages)
    with capsys.disabled():
        print(f"\nmeasured: {shared} of {len(messages)} held-out messages also worded so in the training data")
    assert len(messages) >= 300
    assert shared <= 0.12 * len(messages)


def test_heldout_macro_f1(classifier, messages, capsys):
    per, macro, main_acc, support = f1_report(classifier, messages)
    training = {_norm(t) for t, _ in load_examples(questions_path())}
    _, fresh_macro, _, _ = f1_report(classifier, [m for m in messages if _norm(m["text"]) not in training])
    with capsys.disabled():
        print(f"\nheld-out trainee messages: {len(messages)}, "
              f"{sum(len(m['labels']) > 1 for m in messages)} with several parts")
        for label, f1 in sorted(per.items()):
            print(f"  {label:<16} F1 {f1:.3f}  (gold {support[label]})")
        print(f"measured: held-out macro F1 {macro:.3f} (threshold {MIN_MACRO_F1}, target 0.85), "
              f"main-label accuracy {main_acc:.3f} (threshold {MIN_MAIN_ACCURACY}); macro F1 on the messages "
              f"not worded so in the training data {fresh_macro:.3f}")
    assert set(per) == {lab for _, lab in load_examples(questions_path())}
    assert macro >= MIN_MACRO_F1
    assert main_acc >= MIN_MAIN_ACCURACY


@pytest.fixture(scope="module")
def unseen():  # type: ignore[no-untyped-def]
    """The held-out personas (the personas.yml schema) with the shop's catalog, without generated ones."""
    return load_library(HERE / "heldout_personas.yml", seeds=False)


def test_heldout_personas_and_scripts_score_in_their_bands(unseen, rubric, classifier, capsys):
    raw = yaml.safe_load((HERE / "heldout_scripts.yml").read_text(encoding="utf-8"))["scripts"]
    by_style: dict[str, list[float]] = {}
    for i, script in enumerate(raw):
        persona = unseen.personas[script["persona"]]
        card = trainees.rehearse(persona, unseen.index, rubric, classifier, [str(x) for x in script["messages"]],
                                 telling=i)
        by_style.setdefault(script["style"], []).append(card["percent"])
    avg = {style: mean(v) for style, v in by_style.items()}
    with capsys.disabled():
        print("\nmeasured on held-out personas and scripts: " + ", ".join(
            f"{s} average {a:.1f} (min {min(by_style[s]):g}, max {max(by_style[s]):g}, n {len(by_style[s])})"
            for s, a in sorted(avg.items())))
    assert avg["good"] >= GOOD_MIN
    assert avg["closed_only"] <= CLOSED_MAX
    assert avg["pusher"] <= PUSHER_MAX


def test_heldout_personas_meet_their_hidden_need_in_the_good_scripts(unseen, rubric, classifier):
    raw = yaml.safe_load((HERE / "heldout_scripts.yml").read_text(encoding="utf-8"))["scripts"]
    good = [s for s in raw if s["style"] == "good"]
    cards = [trainees.rehearse(unseen.personas[s["persona"]], unseen.index, rubric, classifier,
                               [str(x) for x in s["messages"]]) for s in good]
    assert mean(sum(c["dimensions"].values()) for c in cards) >= 3.0
    assert mean(c["metrics"]["premature_pitches"] for c in cards) <= 0.5
