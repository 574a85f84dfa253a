"""Discovery: ask one short question at a time until a good recommendation is possible."""
from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common import JujubeAction, Turn
from actions.steps import accept, discover
from jujube.inputs import sounds_like_acceptance

logger = logging.getLogger(__name__)


class ActionDiscover(JujubeAction):
    """Update the need profile with the latest message, then ask or recommend."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_discover"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Run one discovery step; a new request after a recommendation starts a new discovery."""
        pending = turn.state.recommended and turn.state.outcome == "pending"
        if pending and sounds_like_acceptance(turn.text):
            accept(turn, dispatcher)  # "I'll take the first one", whatever the intent said
            return
        if turn.state.recommended and turn.intent == "request_product":
            turn.new_discovery(from_this_message=True)
        discover(turn, dispatcher)
