"""Refining a recommendation and answering questions about products."""
from __future__ import annotations

import logging

from rasa_sdk.executor import CollectingDispatcher

from actions.common import JujubeAction, Turn
from actions.steps import discover
from jujube.replies import product_details

logger = logging.getLogger(__name__)


class ActionRefine(JujubeAction):
    """'Something else', 'cheaper', 'not that one': show the next best products."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_refine"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Re-rank without what was shown (and below its price when asked for cheaper)."""
        state = turn.state
        if not state.shown:
            discover(turn, dispatcher)
            return
        cheaper = turn.intent == "ask_cheaper"
        shown = [p for p in (turn.kb.by_sku.get(s) for s in state.recommended or state.shown) if p]
        limit = min(p.price for p in shown) if cheaper and shown else None
        intro = "Here are some cheaper options:" if cheaper else "Here are some other options:"
        exclude = tuple(state.recommended) if cheaper else tuple(state.shown)
        if turn.recommend(dispatcher, exclude=exclude, cheaper_than=limit, intro=intro):
            return
        what = "cheaper" if cheaper else "else"
        dispatcher.utter_message(
            text=(f"I'm sorry, I have nothing {what} that fits {turn.profile.summary(turn.kb)}. "
                  "I've noted it for the shop. Would one of the earlier suggestions do?")
        )
        turn.save(outcome=state.outcome if state.outcome != "accepted" else "pending")


class ActionProductInfo(JujubeAction):
    """Price and details of a product the shopper asks about."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_product_info"

    def act(self, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Answer about the product named, or about the latest recommendation."""
        kb = turn.kb
        products = turn.products_named()
        if not products:
            kinds = [str(e.get("value")) for e in turn.tracker.latest_message.get("entities") or []
                     if e.get("entity") == "product"]
            products = [p for k in kinds for p in kb.products_of_kind(k)][:3]
        if not products:
            products = [p for p in (kb.by_sku.get(s) for s in turn.state.recommended) if p][:3]
        if not products:
            discover(turn, dispatcher)
            return
        dispatcher.utter_message(text="\n".join(product_details(kb, p) for p in products))
        turn.save(outcome=turn.state.outcome)
