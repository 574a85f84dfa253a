"""The intent classifier: Rasa's logistic regression on each featurizer's counts scaled to unit length.

Counts are scaled per featurizer, so a long message does not weigh more than a short one and the
character n-grams (many per word) do not drown the words; each featurizer's block is then weighted
(`weights`, by featurizer alias). The regularisation `C` and the class weights are settings.
All were chosen by cross-validation on the training data (scripts/intent_cv.py).

The fitted classifier is kept in the model with pickle, not as Rasa's skops file: reading a skops file
imports `skops.io`, which walks every scikit-learn estimator and SciPy ufunc to list the trusted types,
6 to 13 seconds of every Rasa server start and of every training (bench/README.md). The file is this
project's own training output, read only from its own model archive.
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ScaledLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's logistic regression (kept as a pickle) with `C`, `class_weight` and per-featurizer unit-length,
    weighted features."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus C, class_weight ("balanced" or null) and weights ({featurizer alias: weight})."""
        return {**LogisticRegressionClassifier.get_default_config(),
                "C": 1.0, "class_weight": "balanced", "weights": {}}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf = LogisticRegression(
            C=float(self.config["C"]), class_weight=self.config["class_weight"], solver=self.config["solver"],
            max_iter=self.config["max_iter"], tol=self.config["tol"], random_state=self.config["random_state"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ScaledLogisticRegressionClassifier":
        """A new untrained classifier."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """One row per message: each featurizer's sentence counts at unit length, times its weight."""
        weights = self.config["weights"] or {}
        rows = []
        for message in messages:
            blocks = [_unit(f.features, float(weights.get(f.origin, 1.0))) for f in message.features
                      if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()]
            dense = message.get_dense_features(attribute=TEXT)[1]
            if dense is not None:
                blocks.append(csr_matrix(dense.features))
            rows.append(hstack(blocks) if blocks else coo_matrix((1, 0)))
        return vstack(rows, format="csr")

    def persist(self) -> None:
        """Write the fitted classifier into the model."""
        with self._model_storage.write_to(self._resource) as model_dir:
            with (model_dir / f"{self._resource.name}.pkl").open("wb") as fh:
                pickle.dump(self.clf, fh)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ScaledLogisticRegressionClassifier":
        """Read the classifier `persist` wrote; an untrained one when the model has none."""
        try:
            with model_storage.read_from(resource) as model_dir:
                with (model_dir / f"{resource.name}.pkl").open("rb") as fh:
                    classifier = pickle.load(fh)  # noqa: S301 - the project's own model archive
        except (ValueError, OSError):
            logger.debug("no trained intent classifier in resource %s", resource.name)
            return cls.create(config, model_storage, resource, execution_context)
        component = cls(config, execution_context.node_name, model_storage, resource)
        component.clf = classifier
        return component


def _unit(counts: Any, weight: float) -> coo_matrix:
    """A row of counts scaled to length `weight` (all zeros stays all zeros)."""
    row = coo_matrix(counts)
    row.sum_duplicates()
    data = row.data.astype(np.float64)
    norm = float(np.sqrt(data @ data))
    return coo_matrix((data * (weight / norm) if norm else data, (row.row, row.col)), shape=row.shape)
