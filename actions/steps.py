"""The steps of a discovery that several actions share: ask or recommend, say no honestly, accept."""
from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common import Turn
from jujube.config import get_settings
from jujube.questions import ask, next_topic
from jujube.ranking import rank
from jujube.replies import product_line

logger = logging.getLogger(__name__)

OPENING = "Happy to help! What are you looking for today, and who is it for?"
ANYTHING_ELSE = "Is there anything else I can help you find? Tell me what it's for and I'll look again."


def acknowledgement(turn: Turn) -> str:
    """A short first line when the shopper has just asked for something."""
    profile, kb = turn.profile, turn.kb
    if len(turn.state.asked) > 0:
        return ""
    if profile.unknown_item and not profile.kinds and not profile.sections:
        return f"I'm sorry, we don't stock {profile.unknown_item}. Tell me a bit more and I'll find something close."
    if profile.kinds:
        if any(kb.products_of_kind(k) for k in profile.kinds):
            return f"Yes, we have {profile.kinds[0]}."
    if profile.sections:
        return "Sure, I can help with that."
    return ""


def discover(turn: Turn, dispatcher: CollectingDispatcher) -> None:
    """Take in the latest facts, then ask the next question or recommend."""
    profile, kb, state = turn.profile, turn.kb, turn.state
    if not profile.has_facts() and not state.wants_suggestion:
        dispatcher.utter_message(text=OPENING)
        return
    if state.outcome == "no_match" and turn.latest_facts().empty():
        dispatcher.utter_message(text=ANYTHING_ELSE)  # already said; don't repeat the apology
        return
    topic = next_topic(profile, kb, state.asked, get_settings().max_questions, state.wants_suggestion)
    if topic is not None and profile.known and not rank(profile, kb, exclude_skus=state.shown):
        topic = None  # nothing can fit anyway: say so now rather than ask more
    if topic is not None:
        lead = acknowledgement(turn)
        question = ask(topic, profile, kb)
        dispatcher.utter_message(text=f"{lead} {question}".strip())
        turn.set("asked", state.asked + [topic])
        turn.set("last_question", topic)
        turn.save(outcome="pending")
        return
    turn.set("last_question", None)
    if not turn.recommend(dispatcher, exclude=tuple(state.shown)):
        no_match(turn, dispatcher)


def no_match(turn: Turn, dispatcher: CollectingDispatcher) -> None:
    """Say honestly that nothing fits, and log the need as unmet."""
    summary = turn.profile.summary(turn.kb)
    dispatcher.utter_message(
        text=(f"I'm sorry, we don't have anything that fits {summary} right now. "
              "I've noted it so the shop can look into stocking it. Is there anything else I can help with?")
    )
    turn.set("recommended", [])
    turn.set("outcome", "no_match")
    turn.save(outcome="no_match", picks=[], unmet=True)



def accept(turn: Turn, dispatcher: CollectingDispatcher) -> None:
    """Log the product the shopper takes and close this discovery."""
    named = turn.products_named()
    product = named[0] if named else turn.kb.by_sku[turn.state.recommended[0]]
    turn.set("outcome", "accepted")
    turn.set("chosen_sku", product.sku)
    turn.save(outcome="accepted", chosen=product.sku)
    dispatcher.utter_message(
        text=f"Great choice: {product_line(turn.kb, product)}. I'll have it ready for you. Anything else I can help with?"
    )
    turn.new_discovery(from_this_message=False)
