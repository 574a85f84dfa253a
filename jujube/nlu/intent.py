"""Rasa's logistic regression intent classifier, kept in the model as a pickle instead of a skops file.

Loading a skops file imports `skops.io`, which walks every scikit-learn estimator and SciPy ufunc to list
the trusted types: 6 to 13 seconds of every Rasa server start, and again at every training (bench/README.md).
The classifier is the same scikit-learn object; the file is this project's own training output, read only
from its own model archive.
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LogisticIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression on the sentence's features (Rasa's), persisted with pickle."""

    def persist(self) -> None:
        """Write the fitted classifier into the model."""
        with self._model_storage.write_to(self._resource) as model_dir:
            with (model_dir / f"{self._resource.name}.pkl").open("wb") as fh:
                pickle.dump(self.clf, fh)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LogisticIntentClassifier":
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
