"""Messages that are not about shopping, or that cannot be read."""
from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common import JujubeAction, Turn
from actions.steps import discover
from jujube.inputs import kind_of_message
from jujube.questions import ask

logger = logging.getLogger(__name__)

REPLIES = {
    "empty": "I didn't get any text there. What are you looking for today?",
    "emoji": "I like the emoji! I can only read words, though: what are you looking for?",
    "foreign": ("Sorry, I can only chat in English for now. Tell me in English what you're looking for, "
                "for example \"fruit for my mum\"."),
    "gibberish": "Sorry, I didn't understand that. What are you looking for? For example \"a gift for my boss\".",
    "out_of_scope": ("I can only help with shopping here: food, drinks and gifts from our shop. "
                     "What are you looking for?"),
    "unclear": "Sorry, I didn't quite get that. Could you put it another way?",
}


class ActionFallback(JujubeAction):
    """Friendly answers to unreadable or off-topic messages; shopping facts in them still count."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_fallback"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Answer the message, then steer back to the open question if there is one."""
        text = turn.text
        kind = kind_of_message(text)
        facts = turn.latest_facts()
        if kind == "text" and not facts.empty():
            discover(turn, dispatcher)  # a shopping fact in an unusual sentence
            return
        if kind != "text":
            reply = REPLIES[kind]
        elif turn.intent == "out_of_scope":
            reply = REPLIES["out_of_scope"]
        elif turn.intent == "gibberish":
            reply = REPLIES["gibberish"]
        else:
            reply = REPLIES["unclear"]
        logger.info("fallback (%s, intent %s) for %s", kind, turn.intent, turn.tracker.sender_id)
        pending = turn.tracker.get_slot("last_question")
        if pending and turn.profile.has_facts():
            reply = reply.split(" What are you looking for")[0] + " " + ask(pending, turn.profile, turn.kb)
        dispatcher.utter_message(text=reply)
        turn.save(outcome=turn.state.outcome)
