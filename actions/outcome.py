"""Outcomes of a recommendation: accepted, declined, or the shopper leaves."""
from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common import JujubeAction, Turn
from actions.steps import accept, discover

logger = logging.getLogger(__name__)


class ActionAccept(JujubeAction):
    """The shopper takes a recommended product."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_accept"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Log the accepted product and close this discovery."""
        if not turn.state.recommended or turn.state.outcome == "accepted":
            discover(turn, dispatcher)  # a "yes" to a question is an answer, not a purchase
            return
        accept(turn, dispatcher)


class ActionDecline(JujubeAction):
    """The shopper says no."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_decline"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """After a recommendation: log the decline and offer alternatives; otherwise it is an answer."""
        if not turn.state.recommended or turn.state.outcome != "pending":
            discover(turn, dispatcher)
            return
        turn.set("outcome", "declined")
        turn.save(outcome="declined")
        dispatcher.utter_message(
            text="No problem. Shall I look for something else, or something cheaper? Or tell me what didn't suit."
        )


class ActionGoodbye(JujubeAction):
    """The shopper leaves."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_goodbye"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Mark an open recommendation as abandoned, then say goodbye."""
        if turn.state.outcome == "pending" and (turn.state.recommended or turn.profile.has_facts()):
            turn.set("outcome", "abandoned")
            turn.save(outcome="abandoned")
        # the goodbye itself is utter_goodbye, which follows this action in the rules
