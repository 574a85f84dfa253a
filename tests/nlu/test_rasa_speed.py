"""The Rasa server checks action server replies with a kept validator: same verdicts, Rasa's own error."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from jujube.rasa_speed import install

GOOD = {"events": [{"event": "slot", "name": "discovery", "value": "{}", "timestamp": None}],
        "responses": [{"text": "Which one would you like?", "buttons": [{"title": "Kiwi", "payload": "kiwi"}]}]}
BAD = [{"events": "not a list"}, {"events": [{"name": "discovery"}]}, {"responses": "x"}]


def test_the_kept_validator_gives_rasas_verdicts() -> None:
    install()
    install()  # idempotent
    action = RemoteAction("action_turn", None)
    spec = RemoteAction.action_response_format_spec()
    assert action._validate_action_result(GOOD) is True
    for reply in BAD:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(reply, spec)  # stock jsonschema agrees that the reply is bad...
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)  # ...and the patched check raises Rasa's own error
