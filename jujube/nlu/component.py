"""Rasa NLU component: the knowledge-driven spaCy entity matcher inside the pipeline."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from jujube.knowledge import get_knowledge
from jujube.nlu.detect import detect_needs, without_address
from jujube.nlu.matcher import EntityMatcher
from jujube.nlu.needs import THRESHOLD, LanguageNeedClassifier, get_classifier
from jujube.rasa_speed import install as keep_action_reply_validator

logger = logging.getLogger(__name__)
keep_action_reply_validator()  # every Rasa process that loads Jujube's model loads this module


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class KnowledgeEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts shop entities with spaCy phrase matchers built from the catalog and needs lexicon."""

    def __init__(self, config: Dict[Text, Any], matcher: Optional[EntityMatcher] = None) -> None:
        self._config = config
        self._matcher = matcher

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No settings: the patterns come from knowledge/."""
        return {}

    @staticmethod
    def required_packages() -> List[Text]:
        """spaCy (and spacy-lookups-data for lemmas)."""
        return ["spacy"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        """Build the matcher from the knowledge files."""
        return cls(config, EntityMatcher(get_knowledge()))

    def _get_matcher(self) -> EntityMatcher:
        if self._matcher is None:
            self._matcher = EntityMatcher(get_knowledge())
        return self._matcher

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the matched entities to each message; a leading form of address ("Boss, ...") is no one to buy for."""
        matcher = self._get_matcher()
        address_words = get_knowledge().address_words
        for message in messages:
            text = without_address(message.get(TEXT) or "", address_words)  # offsets kept
            found = self.add_extractor_name(matcher.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class NeedClassifierComponent(GraphComponent):
    """Adds the needs the trained need classifier finds (`needs` in the parse: label and confidence)."""

    def __init__(self, config: Dict[Text, Any], classifier: Optional[LanguageNeedClassifier] = None,
                 address_words: tuple[str, ...] = ()) -> None:
        self._config = config
        self._classifier = classifier
        self._address_words = address_words

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Labels scored at or above `threshold` count."""
        return {"threshold": THRESHOLD}

    @staticmethod
    def required_packages() -> List[Text]:
        """scikit-learn."""
        return ["sklearn"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        """Load the classifier for the current training data (trained and cached on first use)."""
        kb = get_knowledge()
        classifier = get_classifier(kb)
        if classifier is not None:
            classifier.threshold = float(config.get("threshold", THRESHOLD))
        return cls(config, classifier, kb.address_words)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set `needs` on each message: [{label, confidence}] above the threshold."""
        classifier = self._classifier
        for message in messages:
            text = without_address(message.get(TEXT) or "", self._address_words)
            found: list[dict[str, Any]] = []
            if classifier is not None:
                found = detect_needs(classifier, text, message.get(ENTITIES) or [])
            message.set("needs", found, add_to_output=True)
        return messages
