"""The intent classifier: each featurizer's counts at unit length times its weight, one classifier per language."""
from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix
from sklearn.linear_model import LogisticRegression

from jujube.messages import languages
from jujube.nlu.intents import ScaledLogisticRegressionClassifier, reading_languages

WIDTH = 8  # columns 0-3 English n-grams, 4-7 Chinese ones (one vocabulary, as the featurizers fit it)


def _message(words: list[float], chars: list[float], text: str = "x", intent: str = "") -> Message:
    data: dict[str, Any] = {TEXT: text, INTENT: intent} if intent else {TEXT: text}
    message = Message(data=data)
    message.add_features(Features(coo_matrix([words]), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    message.add_features(Features(coo_matrix([chars]), FEATURE_TYPE_SENTENCE, TEXT, "chars"))
    return message


def _said(text: str, columns: list[int], intent: str = "") -> Message:
    """A message whose words and character n-grams are the given columns."""
    row = [1.0 if i in columns else 0.0 for i in range(WIDTH)]
    return _message(row, row, text, intent)


ENGLISH = [_said("hi", [0], "greet"), _said("hello", [0, 1], "greet"), _said("hey there", [0, 2], "greet"),
           _said("bye", [3], "goodbye"), _said("bye now", [3, 1], "goodbye"), _said("see you", [2, 3], "goodbye")]
CHINESE = [_said("你好", [4], "greet"), _said("谢谢", [5], "thank"), _said("谢谢你", [5, 6], "thank"),
           _said("多谢", [5, 7], "thank"), _said("感谢", [6, 7], "thank"), _said("bye啦", [3, 7], "goodbye")]


def _component(tmp_path, **config: Any) -> ScaledLogisticRegressionClassifier:
    settings = {**ScaledLogisticRegressionClassifier.get_default_config(), "solver": "liblinear", "max_iter": 200,
                "C": 8.0, "class_weight": None, "weights": {"words": 0.5}, **config}
    return ScaledLogisticRegressionClassifier(settings, "intents", LocalModelStorage(tmp_path), Resource("intents"))


def _trained(tmp_path, examples: list[Message], **config: Any) -> ScaledLogisticRegressionClassifier:
    tmp_path.mkdir(parents=True, exist_ok=True)
    component = _component(tmp_path, **config)
    component.train(TrainingData(training_examples=examples))
    return component


def _ranking(component: ScaledLogisticRegressionClassifier, message: Message) -> dict[str, float]:
    component.process([message])
    return {r["name"]: r["confidence"] for r in message.get("intent_ranking")}


@pytest.fixture
def classifier(tmp_path) -> ScaledLogisticRegressionClassifier:
    return _component(tmp_path)


def test_each_featurizer_block_is_unit_length_times_its_weight(classifier) -> None:
    row = classifier._create_X([_message([3.0, 4.0, 0.0], [0.0, 2.0])]).toarray()[0]
    assert np.allclose(row, [0.3, 0.4, 0.0, 0.0, 1.0])


def test_a_longer_message_with_the_same_words_reads_the_same(classifier) -> None:
    once, twice = classifier._create_X([_message([1.0, 2.0, 0.0], [1.0, 1.0]), _message([2.0, 4.0, 0.0], [3.0, 3.0])])
    assert np.allclose(once.toarray(), twice.toarray())


def test_the_regularisation_and_class_weights_come_from_the_config(classifier) -> None:
    assert classifier.new_classifier("en").C == 8.0 and classifier.new_classifier("en").class_weight is None


def test_a_language_may_have_its_own_regularisation_and_word_weight(tmp_path) -> None:
    component = _component(tmp_path, languages={"zh": {"C": 2.0, "weights": {"words": 0.25}}})
    assert component.new_classifier("zh").C == 2.0 and component.new_classifier("en").C == 8.0
    message = _message([3.0, 4.0], [2.0])
    assert np.allclose(component._create_X([message], "zh").toarray()[0], [0.15, 0.2, 1.0])
    assert np.allclose(component._create_X([message], "en").toarray()[0], [0.3, 0.4, 1.0])


@pytest.mark.parametrize("text, language", [
    ("hello", "en"), ("886", "en"), ("👍", "en"), ("$20", "en"), ("", "en"),
    ("你好", "zh"), ("买点kiwi", "zh"), ("bye啦", "zh"), ("for my 婆婆", "zh")])
def test_a_message_holding_chinese_characters_is_read_by_the_chinese_classifier(text: str, language: str) -> None:
    assert reading_languages(text, languages(), "en") == [language]


def test_chinese_examples_do_not_move_the_english_intents(tmp_path) -> None:
    alone = _trained(tmp_path / "en", ENGLISH)
    beside = _trained(tmp_path / "both", ENGLISH + CHINESE)
    for text, columns in (("hi there", [0, 2]), ("bye", [3]), ("so", [1])):
        before, after = _ranking(alone, _said(text, columns)), _ranking(beside, _said(text, columns))
        print(text, before, after)
        assert set(after) == {"greet", "goodbye"}
        assert max(after, key=after.get) == max(before, key=before.get)
        assert all(abs(after[k] - before[k]) < 1e-6 for k in before)


def test_a_chinese_message_is_read_by_the_chinese_classifier_whatever_its_features(tmp_path) -> None:
    component = _trained(tmp_path, ENGLISH + CHINESE)
    assert set(component.classifiers) == {"en", "zh"}
    assert set(component.classifiers["en"].classes_) == {"greet", "goodbye"}
    assert set(component.classifiers["zh"].classes_) == {"greet", "thank", "goodbye"}
    ranking = _ranking(component, _said("谢谢老板", [5, 6]))
    assert max(ranking, key=ranking.get) == "thank"
    # the n-grams of an English farewell, said in a Chinese message: only the Chinese classifier reads it
    mixed = _ranking(component, _said("bye了", [3]))
    english = _ranking(component, _said("bye", [3]))
    assert max(english, key=english.get) == "goodbye"
    assert "thank" in mixed and "thank" not in english
    assert abs(mixed["goodbye"] - english["goodbye"]) > 1e-3


def test_a_language_with_a_single_intent_gets_no_classifier_and_its_messages_are_read_by_the_others(tmp_path) -> None:
    component = _trained(tmp_path, ENGLISH + [_said("你好", [4], "greet"), _said("您好", [4, 5], "greet")])
    assert set(component.classifiers) == {"en"}
    ranking = _ranking(component, _said("你好", [0]))
    assert max(ranking, key=ranking.get) == "greet"


def test_the_classifiers_survive_persist_and_load(tmp_path) -> None:
    component = _trained(tmp_path, ENGLISH + CHINESE)
    loaded = ScaledLogisticRegressionClassifier.load(
        dict(component.config), LocalModelStorage(tmp_path), Resource("intents"),
        ExecutionContext(GraphSchema({}), node_name="intents"))
    assert set(loaded.classifiers) == {"en", "zh"}
    for text, columns in (("hello", [0, 1]), ("谢谢", [5]), ("bye啦", [3, 7])):
        assert _ranking(loaded, _said(text, columns)) == _ranking(component, _said(text, columns))


def test_a_model_with_one_classifier_for_all_languages_still_loads(tmp_path) -> None:
    component = _component(tmp_path)
    single = LogisticRegression().fit(component._create_X(ENGLISH + CHINESE), [m.get(INTENT) for m in ENGLISH + CHINESE])
    with component._model_storage.write_to(component._resource) as model_dir:
        with (model_dir / "intents.pkl").open("wb") as fh:
            pickle.dump(single, fh)
    loaded = ScaledLogisticRegressionClassifier.load(
        dict(component.config), LocalModelStorage(tmp_path), Resource("intents"),
        ExecutionContext(GraphSchema({}), node_name="intents"))
    ranking = _ranking(loaded, _said("谢谢", [5]))
    assert max(ranking, key=ranking.get) == "thank"


def test_an_untrained_classifier_leaves_messages_as_they_are(classifier) -> None:
    message = _said("hello", [0])
    classifier.process([message])
    assert message.get("intent") is None


def test_rows_are_those_of_scaled_blocks_stacked(classifier) -> None:
    """The matrix built in one step equals each block scaled to its weight, then stacked (duplicates summed)."""
    from scipy.sparse import hstack, vstack

    rng = np.random.default_rng(7)
    messages, expected = [], []
    for _ in range(30):
        blocks = {}
        for alias, width in (("words", 40), ("chars", 90)):
            nnz = int(rng.integers(0, 6))
            cols = rng.integers(0, width, nnz)  # may repeat: a coo row with duplicates
            blocks[alias] = coo_matrix((rng.integers(1, 4, nnz).astype(float), (np.zeros(nnz, int), cols)),
                                       shape=(1, width))
        message = Message(data={TEXT: "x"})
        for alias, counts in blocks.items():
            message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, alias))
        messages.append(message)
        row = []
        for alias, counts in blocks.items():
            dense = counts.toarray()
            norm = np.linalg.norm(dense)
            weight = {"words": 0.5}.get(alias, 1.0)
            row.append(coo_matrix(dense * (weight / norm) if norm else dense))
        expected.append(hstack(row))
    assert np.allclose(classifier._create_X(messages).toarray(), vstack(expected).toarray())
