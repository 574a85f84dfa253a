"""The intent classifier's features: each featurizer's counts at unit length, times that featurizer's weight."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix

from jujube.nlu.intents import ScaledLogisticRegressionClassifier


def _message(words: list[float], chars: list[float]) -> Message:
    message = Message(data={TEXT: "x"})
    message.add_features(Features(coo_matrix([words]), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    message.add_features(Features(coo_matrix([chars]), FEATURE_TYPE_SENTENCE, TEXT, "chars"))
    return message


@pytest.fixture
def classifier(tmp_path) -> ScaledLogisticRegressionClassifier:
    config: dict[str, Any] = {**ScaledLogisticRegressionClassifier.get_default_config(),
                              "C": 8.0, "class_weight": None, "weights": {"words": 0.5}}
    return ScaledLogisticRegressionClassifier(config, "intents", LocalModelStorage(tmp_path), Resource("intents"))


def test_each_featurizer_block_is_unit_length_times_its_weight(classifier) -> None:
    row = classifier._create_X([_message([3.0, 4.0, 0.0], [0.0, 2.0])]).toarray()[0]
    assert np.allclose(row, [0.3, 0.4, 0.0, 0.0, 1.0])


def test_a_longer_message_with_the_same_words_reads_the_same(classifier) -> None:
    once, twice = classifier._create_X([_message([1.0, 2.0, 0.0], [1.0, 1.0]), _message([2.0, 4.0, 0.0], [3.0, 3.0])])
    assert np.allclose(once.toarray(), twice.toarray())


def test_the_regularisation_and_class_weights_come_from_the_config(classifier) -> None:
    assert classifier.clf.C == 8.0 and classifier.clf.class_weight is None
