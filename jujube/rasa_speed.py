"""A faster check of the action server's replies inside the Rasa server (Rasa 3.6).

Rasa checks every reply of the action server against its response schema with `jsonschema.validate`,
which first checks the schema itself against the JSON-Schema meta-schema, on every call: about 45% of
the Rasa server's CPU time per Jujube message (bench/README.md). Here the schema is checked once and the
same validator is kept; a reply that fails goes through Rasa's own check, which raises its usual error.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _validator() -> Any:
    """A validator for Rasa's action response schema, the schema checked once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """Check action server replies with the kept validator (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    rasa_check = RemoteAction._validate_action_result
    if getattr(rasa_check, "kept_validator", False):
        return

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if _validator().is_valid(result):
            return True
        return rasa_check(self, result)  # Rasa's own check, for its error message

    validate_action_result.kept_validator = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
