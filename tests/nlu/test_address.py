"""A shopkeeper addressed as "boss" or "老板" is no one to buy for; a boss named later in the message is."""
from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from jujube.knowledge import get_knowledge
from jujube.nlu.component import KnowledgeEntityExtractor
from jujube.nlu.matcher import EntityMatcher


def _recipients(text: str) -> list[str]:
    message = Message(data={TEXT: text})
    KnowledgeEntityExtractor({}, EntityMatcher(get_knowledge())).process([message])
    return [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == "recipient"]


def test_the_shopkeeper_addressed_first_is_not_a_recipient() -> None:
    assert _recipients("Boss, got any dates?") == []
    assert _recipients("hey boss! something sweet please") == []
    assert _recipients("Boss, a present for my boss please") == ["boss"]
    assert _recipients("a present for my boss") == ["boss"]


def test_entity_offsets_still_point_into_the_message() -> None:
    text = "Boss, do you have dates?"
    message = Message(data={TEXT: text})
    KnowledgeEntityExtractor({}, EntityMatcher(get_knowledge())).process([message])
    [product] = [e for e in message.get(ENTITIES) if e["entity"] == "product"]
    assert text[product["start"]:product["end"]] == "dates" and product["value"] == "dates"
