"""The intent classifier: one logistic regression per language, on each featurizer's counts scaled to unit length.

A message is read by the classifier of the script it is written in (`reading_languages`): one holding Chinese
characters by the Chinese classifier ("bye啦", "买点kiwi"), any other by the default language's ("hello", "886",
"👍"). Each classifier learns only from the training examples routed to it the same way, so Chinese examples
do not move the English weights, and each language has its own `C` and featurizer weights (`languages`).

Counts are scaled per featurizer, so a long message does not weigh more than a short one and the
character n-grams (many per word) do not drown the words; each featurizer's block is then weighted
(`weights`, by featurizer alias). All settings were chosen by cross-validation on the training data
(scripts/intent_cv.py).

The fitted classifiers are kept in the model with pickle, not as Rasa's skops file: reading a skops file
imports `skops.io`, which walks every scikit-learn estimator and SciPy ufunc to list the trusted types,
6 to 13 seconds of every Rasa server start and of every training (bench/README.md). The file is this
project's own training output, read only from its own model archive.
"""
from __future__ import annotations

import logging
import pickle
import re
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from jujube.messages import languages

logger = logging.getLogger(__name__)

# The settings a language may set for itself under `languages` (the others are shared).
OWN_SETTINGS = ("C", "class_weight", "weights")


def reading_languages(text: str, scripts: dict[str, re.Pattern[str]], default: str) -> list[str]:
    """The languages whose classifiers read a message: those of the scripts it holds other than the default
    language's ("bye啦" -> zh), else the default language ("hello", "886", "👍" -> en)."""
    held = [lang for lang, pattern in scripts.items() if lang != default and pattern.search(text)]
    return held or [default]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ScaledLogisticRegressionClassifier(LogisticRegressionClassifier):
    """One logistic regression (kept as a pickle) per language, routed by script, with `C`, `class_weight` and
    per-featurizer unit-length, weighted features."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus C, class_weight ("balanced" or null), weights ({featurizer alias: weight}),
        the language of messages in no other script and each language's own C, class_weight and weights."""
        return {**LogisticRegressionClassifier.get_default_config(),
                "C": 1.0, "class_weight": "balanced", "weights": {}, "default_language": "en", "languages": {}}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.classifiers: dict[str, LogisticRegression] = {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ScaledLogisticRegressionClassifier":
        """A new untrained classifier."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def settings(self, language: str) -> dict[str, Any]:
        """C, class_weight and weights of one language: its own under `languages`, else the shared ones."""
        own = (self.config["languages"] or {}).get(language) or {}
        return {key: own.get(key, self.config[key]) for key in OWN_SETTINGS}

    def new_classifier(self, language: str) -> LogisticRegression:
        """An unfitted logistic regression with the language's settings."""
        chosen = self.settings(language)
        return LogisticRegression(
            C=float(chosen["C"]), class_weight=chosen["class_weight"], solver=self.config["solver"],
            max_iter=self.config["max_iter"], tol=self.config["tol"], random_state=self.config["random_state"])

    def readers(self, message: Message) -> list[str]:
        """The languages whose classifiers read a message (by the scripts of jujube.messages' catalogs)."""
        return reading_languages(message.get(TEXT) or "", languages(), self.config["default_language"])

    def _create_X(self, messages: List[Message], language: str = "") -> csr_matrix:
        """One row per message: each featurizer's sentence counts at unit length, times its weight.

        Built as one CSR matrix from the blocks' columns and values: stacking scipy matrices block by block cost
        more than the classifier itself.
        """
        weights = self.settings(language)["weights"] or {}
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        ends, width = [0], 0
        for message in messages:
            offset = 0
            for f in message.features:
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse():
                    block_columns, block_values = _unit(f.features, float(weights.get(f.origin, 1.0)))
                    columns.append(block_columns + offset)
                    values.append(block_values)
                    offset += f.features.shape[1]
            dense = message.get_dense_features(attribute=TEXT)[1]
            if dense is not None:
                row = np.asarray(dense.features, dtype=np.float64).ravel()
                columns.append(np.arange(row.size) + offset)
                values.append(row)
                offset += row.size
            ends.append(sum(len(c) for c in columns))
            width = max(width, offset)
        if not columns:
            return csr_matrix((len(messages), width))
        return csr_matrix((np.concatenate(values), np.concatenate(columns), np.array(ends)),
                          shape=(len(messages), width))

    def train(self, training_data: TrainingData) -> Resource:
        """Fit one classifier per language on the examples its script routes to it."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        grouped: dict[str, list[Message]] = {}
        for example in examples:
            for language in self.readers(example):
                grouped.setdefault(language, []).append(example)
        self.classifiers = {}
        for language, members in sorted(grouped.items()):
            intents = [m.get(INTENT) for m in members]
            if len(set(intents)) < 2:
                logger.warning("%d %s example(s) of %d intent(s): no %s intent classifier",
                               len(members), language, len(set(intents)), language)
                continue
            classifier = self.new_classifier(language)
            classifier.fit(self._create_X(members, language), intents)
            self.classifiers[language] = classifier
            logger.debug("intent classifier %s: %d examples, %d intents", language, len(members), len(set(intents)))
        if self.classifiers:
            self.persist()
        return self._resource

    def probabilities(self, messages: List[Message]) -> tuple[list[str], np.ndarray]:
        """Every intent (all classifiers') and each message's probabilities: the mean over the classifiers of
        its languages, or over all classifiers when none of its languages has one."""
        intents = sorted({c for classifier in self.classifiers.values() for c in classifier.classes_})
        probs = np.zeros((len(messages), len(intents)))
        chosen = [[lang for lang in self.readers(m) if lang in self.classifiers] or list(self.classifiers)
                  for m in messages]
        for language, classifier in self.classifiers.items():
            rows = [i for i, langs in enumerate(chosen) if language in langs]
            if rows:
                columns = [intents.index(c) for c in classifier.classes_]
                got = classifier.predict_proba(self._create_X([messages[i] for i in rows], language))
                probs[np.ix_(rows, columns)] += got / np.array([len(chosen[i]) for i in rows])[:, None]
        return intents, probs

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent and intent ranking: the intents its classifiers know (unchanged when no
        classifier was trained)."""
        if not self.classifiers or not messages:
            return messages
        intents, probs = self.probabilities(messages)
        for message, row in zip(messages, probs):
            ranking = sorted(({"name": k, "confidence": float(v)} for k, v in zip(intents, row) if v > 0),
                             key=lambda e: -e["confidence"])
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        """Write the fitted classifiers ({language: classifier}) into the model."""
        with self._model_storage.write_to(self._resource) as model_dir:
            with (model_dir / f"{self._resource.name}.pkl").open("wb") as fh:
                pickle.dump(self.classifiers, fh)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ScaledLogisticRegressionClassifier":
        """Read the classifiers `persist` wrote; an untrained component when the model has none."""
        try:
            with model_storage.read_from(resource) as model_dir:
                with (model_dir / f"{resource.name}.pkl").open("rb") as fh:
                    classifiers = pickle.load(fh)  # noqa: S301 - the project's own model archive
        except (ValueError, OSError):
            logger.debug("no trained intent classifier in resource %s", resource.name)
            return cls.create(config, model_storage, resource, execution_context)
        component = cls(config, execution_context.node_name, model_storage, resource)
        if not isinstance(classifiers, dict):  # a model from before the per-language classifiers: it reads all
            classifiers = {component.config["default_language"]: classifiers}
        component.classifiers = classifiers
        return component


def _unit(counts: Any, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """A row of counts as (columns, values), duplicates summed, scaled to length `weight` (zeros stay zeros)."""
    row = counts.tocoo()
    columns, where = np.unique(row.col, return_inverse=True)
    values = np.bincount(where, weights=row.data.astype(np.float64), minlength=len(columns))
    norm = float(np.sqrt(values @ values))
    return columns, values * (weight / norm) if norm else values
