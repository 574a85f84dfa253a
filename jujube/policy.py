"""The discovery policy: one pure function from the state and the new message to the next step.

`next_step(state, understanding, context)` never touches Rasa, the database or the clock:
the action hands it the folded state and Rasa's understanding of the message, and turns
the returned Step into messages, one slot event and need records to save.
"""
from __future__ import annotations

import copy
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

from jujube.facts import Facts, speaks_of_them
from jujube.inputs import chosen_position, length_in_words
from jujube.knowledge import Knowledge, Product
from jujube.messages import Messages
from jujube.profile import Profile
from jujube.questions import ask, next_topic
from jujube.ranking import Scored, popular, rank, score_products, why_not_requested
from jujube.replies import difference, need_record, pick_buttons, product_details, product_line, recommendation_lines, traits
from jujube.shop import Shop
from jujube.state import DiscoveryState
from jujube.understanding import CONFIDENT, Understanding

logger = logging.getLogger(__name__)

DISCOVERY_INTENTS = ("request_product", "inform_recipient", "inform_situation", "inform_preference",
                     "inform_quality", "inform_budget", "ask_suggestion")
VAGUE_YES = ("affirm", "acknowledge")
# Messages that tell of the need itself: their unplaced words are kept as the need in the shopper's words.
TELLING_INTENTS = ("request_product", "inform_recipient", "inform_situation", "nlu_fallback", "out_of_scope")
UNSURE_BUTTONS = {
    "recipient": ("for_me", "for_family", "a_gift"),
    "purpose": ("purpose_everyday", "purpose_health", "a_gift"),
    "budget": ("budget_low", "budget_mid", "budget_high", "budget_any"),
}
UNSURE_CHOICES = ("preference",)


@dataclass(frozen=True)
class Context:
    """What the policy reads but never changes: the shop's knowledge and words."""

    kb: Knowledge
    shop: Shop
    msgs: Messages
    max_questions: int = 3
    in_language: Optional[Callable[[Optional[str]], "Context"]] = None  # the same context in another language


@dataclass
class Step:
    """The next step: what to say, the new state, the need records to save."""

    kind: str
    state: DiscoveryState
    messages: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    space: str = " "  # what goes between two sentences (nothing in Chinese)

    def say(self, text: str, buttons: Optional[list[dict[str, str]]] = None) -> None:
        """Add a message (joined to the previous one when neither has buttons)."""
        if self.messages and not self.messages[-1].get("buttons") and not buttons:
            self.messages[-1]["text"] += self.space + text
        else:
            self.messages.append({"text": text, "buttons": list(buttons or [])})

    @property
    def text(self) -> str:
        """Everything said, as one string."""
        return "\n".join(m["text"] for m in self.messages)


def next_step(state: DiscoveryState, u: Understanding, ctx: Context) -> Step:
    """Decide the reply to one shopper message."""
    step = Step(kind="", state=copy.deepcopy(state), space=ctx.msgs.space)
    step.kind = _route(step, u, ctx)
    if step.text and step.text == state.last_reply:  # never the same reply twice in a row: move on
        retry = Step(kind="", state=copy.deepcopy(state), space=ctx.msgs.space)
        retry.kind = _route(retry, replace(u, intent="unsure", facts=Facts()), ctx)
        if retry.text != state.last_reply:
            step = retry
    st = step.state
    if u.kind == "text" and not u.facts.empty():
        st.told_in = ctx.msgs.language  # the need is logged in the language it was told in
    if st.profile.has_facts() or st.unmet or st.recommended:
        step.records.append(_record(st, ctx))
    if step.messages:
        st.last_reply = step.text
    return step


# ---------------------------------------------------------------------------------------------- routing

def _route(step: Step, u: Understanding, ctx: Context) -> str:
    st, msgs = step.state, ctx.msgs
    if u.kind in ("empty", "foreign", "gibberish") or (u.kind == "emoji" and not u.thumbs_up):
        step.say(msgs.text(u.kind))
        return _resume(step, ctx, "unreadable")
    if u.clipped:
        step.say(msgs.text("too_long"))
    intent = "acknowledge" if u.thumbs_up else u.intent
    if intent == "goodbye" and u.confidence < CONFIDENT:
        intent = "acknowledge"
    if msgs.says_goodbye(u.text) and intent not in ("choose_option", "affirm"):
        intent = "goodbye"  # "none of those really, thanks anyway, bye"
    facts = u.facts
    plain = facts.empty() and not u.outside
    if intent == "goodbye" and (plain or msgs.says_goodbye(u.text)):
        return _goodbye(step, ctx)
    if intent == "greet" and plain:
        step.say(msgs.text("greet_again" if st.profile.has_facts() else "greet"))
        return _resume(step, ctx, "greet") if st.profile.has_facts() else "greet"
    if intent == "chitchat" and plain and st.last_question and "?" not in u.text:
        intent = "nlu_fallback"  # small talk in place of an answer: an answer we could not read
    if intent in ("thank", "greet", "help", "bot_challenge") and u.confidence < CONFIDENT and st.last_question:
        intent = "nlu_fallback"  # a doubtful reading while a question is open: take it as an answer
    if intent in ("help", "bot_challenge", "chitchat") and plain:
        step.say(msgs.text({"help": "help", "bot_challenge": "bot", "chitchat": "chitchat"}[intent]))
        return _resume(step, ctx, intent)
    if intent == "thank" and plain and u.ranking.get("goodbye", 0.0) >= 0.2:
        step.say(msgs.text("welcome"))
        return _goodbye(step, ctx)  # "thanks, bye!"
    if intent == "thank" and plain:
        step.say(msgs.text("welcome"))
        if st.outcome == "accepted" or not st.profile.has_facts():
            step.say(msgs.text("anything_else"))
            return "thank"
        return _resume(step, ctx, "thank")
    topic = ctx.shop.answer(u.text) if intent in ("ask_shop_info", "ask_product_info", "out_of_scope",
                                                   "nlu_fallback", "chitchat") else None
    if topic and (intent == "ask_shop_info" or plain):
        step.say(topic.answer_in(ctx.msgs.language))
        return _resume(step, ctx, "shop_info")
    if intent == "ask_compare" and plain:
        return _compare(step, u, ctx)
    if intent == "ask_product_info" and _asks_where(u) and not st.recommended:
        intent = "request_product"  # "where's the yoghurt?": they want yoghurt; find out for what
    if intent == "ask_product_info" and not facts.topics():
        return _product_info(step, u, ctx)
    if u.outside:
        return _outside(step, u, ctx)
    if st.recommended and st.outcome == "pending":
        done = _after_picks(step, u, intent, ctx)
        if done:
            return done
    if st.outcome == "declined" and intent in ("ask_other", "ask_cheaper", "affirm") and plain:
        return _refine(step, ctx, cheaper=intent == "ask_cheaper")
    if intent in ("ask_other", "ask_cheaper") and st.shown and plain:
        return _refine(step, ctx, cheaper=intent == "ask_cheaper")
    if intent in ("out_of_scope", "nlu_fallback") and plain and not _long_enough(u) and not \
            (st.last_question and u.facts.untold):
        step.say(msgs.text("unclear", avoid=st.last_reply))
        return _resume(step, ctx, "unclear")
    return _discover(step, u, intent, ctx)


def _asks_where(u: Understanding) -> bool:
    """"Where's the yoghurt?": a product or section asked for by where it is."""
    return u.text.lower().lstrip().startswith("where") and bool(u.facts.kinds or u.facts.sections)


def _long_enough(u: Understanding) -> bool:
    """A message with enough words to be a need said in the shopper's own words."""
    return length_in_words(u.text) >= 4


def _resume(step: Step, ctx: Context, kind: str) -> str:
    """After a digression: the open question again, or the open recommendation."""
    st, msgs = step.state, ctx.msgs
    if st.last_question:
        step.say(ask(st.last_question, st.profile, ctx.kb, msgs))
    elif st.recommended and st.outcome == "pending":
        step.say(msgs.text("outro" if len(st.recommended) > 1 else "outro_one"))
    elif not st.profile.has_facts():
        step.say(msgs.text("resume_open", avoid=st.last_reply))
    return kind


def _goodbye(step: Step, ctx: Context) -> str:
    st = step.state
    if st.outcome == "pending" and (st.recommended or st.profile.has_facts()):
        st.outcome = "abandoned"
    step.say(ctx.msgs.text("goodbye"))
    return "goodbye"


# ---------------------------------------------------------------------------------------------- after picks

def _after_picks(step: Step, u: Understanding, intent: str, ctx: Context) -> Optional[str]:
    """Choosing, confirming, declining or refining once picks are on the table; None to go on discovering."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    chosen = _chosen(st, u, kb, msgs)
    plain = u.facts.empty()
    picking = intent in ("choose_option", "affirm", "acknowledge") or \
        (intent == "nlu_fallback" and u.likeliest in ("choose_option", "affirm"))  # a named pick said unsurely
    if chosen and (picking or st.awaiting == "choice"):
        return _accept(step, chosen, ctx)
    if intent == "choose_option" and not chosen:
        return _which_one(step, ctx)
    names_other = u.facts.kinds or u.facts.sections or u.facts.unknown_item  # "he likes tea": not a yes
    if intent in VAGUE_YES and not u.facts.topics() and not names_other:
        if len(st.recommended) == 1:
            product = kb.by_sku[st.recommended[0]]
            if intent == "affirm" or st.awaiting == "confirm" or u.thumbs_up or msgs.assents(u.text):
                return _accept(step, product, ctx)
            st.awaiting = "confirm"
            step.say(msgs.text("confirm_one", product=product.name), [msgs.button("yes_take")] +
                     [msgs.button("other"), msgs.button("cheaper")])
            return "confirm"
        return _which_one(step, ctx)
    if intent == "deny" and plain:
        st.outcome = "declined"
        st.awaiting = None
        step.say(msgs.text("declined"), [msgs.button("other"), msgs.button("cheaper")])
        return "declined"
    if intent in ("ask_other", "ask_cheaper") and plain:
        return _refine(step, ctx, cheaper=intent == "ask_cheaper")
    if intent == "unsure" and plain:
        return _best_of(step, ctx)
    new_kinds = set(u.facts.kinds) - set(st.profile.kinds)
    if intent == "request_product" and (new_kinds or u.facts.unknown_item) and not _same_need(st, u, ctx):
        step.state = st.next_discovery()
    return None


def _same_need(st: DiscoveryState, u: Understanding, ctx: Context) -> bool:
    """A request after the picks that goes on about the same need: a wish about the same person
    ("he likes wine and savoury snacks") refines it; a request for someone new starts another."""
    if u.facts.recipient and u.facts.recipient != st.profile.recipient:
        return False
    return bool(st.profile.recipient) and speaks_of_them(u.text, ctx.kb)


def _position(text: str, msgs: Messages) -> Optional[int]:
    """Which suggestion a message picks by position ("the second", "第二个"), if any."""
    found = chosen_position(text)
    return found if found is not None else msgs.position(text)


def _chosen(st: DiscoveryState, u: Understanding, kb: Knowledge, msgs: Messages) -> Optional[Product]:
    """The shown product the shopper picked, by position or by name."""
    recommended = [p for p in (kb.by_sku.get(s) for s in st.recommended) if p]
    if not recommended:
        return None
    position = _position(u.text, msgs)
    if position is not None and (position < len(recommended) or position == -1):
        return recommended[position]
    low = u.text.lower()
    kinds = set(u.named_entities("product"))
    by_name = [p for p in recommended if _short_name(p) in low]  # "the lactose-free milk" beats "milk"
    named = by_name or [p for p in recommended if set(p.kinds) & kinds]
    return named[0] if len(named) == 1 else None


def _short_name(product: Product) -> str:
    """A product's name as shoppers say it: "Lactose-free milk (12 x 250 ml)" -> "lactose-free milk"."""
    return product.name.split(" (")[0].lower()


def _which_one(step: Step, ctx: Context) -> str:
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    products = [kb.by_sku[s] for s in st.recommended if s in kb.by_sku]
    st.awaiting = "choice"
    buttons = [msgs.button("take_name", name=p.name) for p in products] + [msgs.button("other")]
    step.say(msgs.text("which_one"), buttons)
    return "which_one"


def _best_of(step: Step, ctx: Context) -> str:
    """'I'm not sure' about the picks: name the one that fits best, and why."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    if st.awaiting == "confirm" or len(st.recommended) < 2:
        st.awaiting = None
        step.say(msgs.text("take_your_time", avoid=st.last_reply))
        return "unsure_picks"
    best = kb.by_sku[st.recommended[0]]
    st.recommended, st.awaiting = [best.sku], "confirm"
    step.say(msgs.text("best_pick", name=product_line(kb, best, msgs), why=st.reasons.get(best.sku) or best.reason),
             [msgs.button("yes_take"), msgs.button("other"), msgs.button("cheaper")])
    return "best_pick"


def _accept(step: Step, product: Product, ctx: Context) -> str:
    st = step.state
    st.outcome, st.chosen_sku, st.awaiting = "accepted", product.sku, None
    step.say(ctx.msgs.text("accepted", line=product_line(ctx.kb, product, ctx.msgs)))
    step.records.append(_record(st, ctx))
    step.state = st.next_discovery()
    return "accepted"


def _refine(step: Step, ctx: Context, cheaper: bool) -> str:
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    shown = [kb.by_sku[s] for s in (st.recommended or st.shown) if s in kb.by_sku]
    limit = min(p.price for p in shown) if cheaper and shown else None
    exclude = tuple(st.recommended) if cheaper else tuple(st.shown)
    intro = msgs.text("intro_cheaper" if cheaper else "intro_other")
    if _recommend(step, ctx, exclude=exclude, cheaper_than=limit, intro=intro):
        return "refine"
    what = msgs.text("nothing_else_what_cheaper" if cheaper else "nothing_else_what_other")
    step.say(msgs.text("nothing_else", what=what, need=st.profile.summary(kb, msgs)))
    if st.outcome == "accepted":
        st.outcome = "pending"
    return "refine_none"


# ---------------------------------------------------------------------------------------------- answers

def _named_products(st: DiscoveryState, u: Understanding, ctx: Context) -> list[Product]:
    kb = ctx.kb
    shown = [p for p in (kb.by_sku.get(s) for s in st.recommended or st.shown) if p]
    positions = [_position(part, ctx.msgs) for part in ctx.msgs.parts(u.text)]
    picked = [shown[p] for p in positions if p is not None and shown and (p < len(shown) or p == -1)]
    if picked:
        return list(dict.fromkeys(picked))
    kinds = u.named_entities("product")
    named = [p for p in shown if set(p.kinds) & set(kinds) or p.name.lower() in u.text.lower()]
    if named:
        return named
    if kinds:
        candidates = {p.sku: p for k in kinds for p in kb.products_of_kind(k)}.values()
        ranked = sorted(score_products(candidates, st.profile, kb), key=lambda s: -s.score)
        return [s.product for s in ranked[:2]]
    return []


def _product_info(step: Step, u: Understanding, ctx: Context) -> str:
    st, kb = step.state, ctx.kb
    products = _named_products(st, u, ctx) or [p for p in (kb.by_sku.get(s) for s in st.recommended) if p][:1]
    if not products:
        step.say(ctx.msgs.text("info_which"))
        return "product_info"
    step.say("\n".join(product_details(kb, ctx.shop, p, ctx.msgs) for p in products[:3]))
    return _resume(step, ctx, "product_info")


def _compare(step: Step, u: Understanding, ctx: Context) -> str:
    st, kb, msgs = step.state, ctx.kb, ctx.msgs
    products = _named_products(st, u, ctx)
    if len(products) < 2:
        products = [p for p in (kb.by_sku.get(s) for s in st.recommended) if p][:3]
    if len(products) < 2:
        step.say(msgs.text("compare_need_two"))
        return _resume(step, ctx, "compare")
    lines = [msgs.text("compare_intro")]
    for i, p in enumerate(products[:3], 1):
        lines.append(msgs.text("compare_line", n=i, name=p.name, price=kb.price(p.price),
                               traits=msgs.text("list_sep").join([p.reason] + traits(p, kb, msgs)[:3])))
    lines.append(difference(products[0], products[1], kb, msgs))
    scored = sorted(score_products(products[:3], st.profile, kb), key=lambda s: -s.score)
    if st.profile.known and scored[0].score > scored[1].score:
        lines.append(msgs.text("compare_best", need=st.profile.summary(kb, msgs), name=scored[0].product.name,
                               why=scored[0].reason() or scored[0].product.reason))
    step.say("\n".join(lines))
    if st.recommended and st.outcome == "pending":
        return _which_one(step, ctx)
    return "compare"


def _outside(step: Step, u: Understanding, ctx: Context) -> str:
    """A request for something the shop does not sell: say so, log it, offer what serves the need."""
    st, msgs = step.state, ctx.msgs
    item, words = u.outside  # type: ignore[misc]
    noted = [w for w in st.unmet if (ctx.shop.outside_range(w) or (None, ""))[0] == item]
    if noted and not st.recommended:  # said already: "so what would you get a book lover?" wants the alternative
        st.profile.apply(u.facts)
        st.wants_suggestion = True
        sections = [s for s in item.alternative if any(p.section == s for p in ctx.kb.products)]
        st.profile.sections = list(dict.fromkeys(st.profile.sections + sections[:1]))
        return _discover(step, None, "ask_suggestion", ctx, lead="")
    if st.recommended or st.outcome != "pending":
        step.state = st = st.next_discovery()
    if words not in st.unmet:
        st.unmet.append(words)
    if not st.profile.stated_request:
        st.profile.stated_request = words
    st.profile.apply(u.facts)
    step.say(msgs.text("not_sold", item=item.name_in(msgs.language)))
    sections = [s for s in item.alternative if any(p.section == s for p in ctx.kb.products)]
    if sections and (st.profile.is_gift(ctx.kb) or st.profile.recipient or st.profile.occasion):
        st.profile.sections = list(dict.fromkeys(st.profile.sections + sections[:1]))
        return _discover(step, None, "request_product", ctx, lead="")
    if sections:
        step.say(msgs.text("not_sold_alternative", sections=msgs.text("or").join(ctx.kb.section_label(s) for s in sections)))
    else:
        step.say(msgs.text("not_sold_next"))
    return "outside_range"


# ---------------------------------------------------------------------------------------------- discovery

def _discover(step: Step, u: Optional[Understanding], intent: str, ctx: Context, lead: Optional[str] = None) -> str:
    """Take in the message's facts, then ask the most useful question or recommend."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    profile = st.profile
    facts = u.facts if u else None
    news = True  # the message told something new about the need
    if facts is not None:
        if intent not in TELLING_INTENTS:
            facts = replace(facts, untold=None)  # an answer like "no preference" is not a purpose
        unknown_before, before = profile.unknown_item, profile.to_dict()
        profile.apply(facts)
        news = profile.to_dict() != before
        if intent == "ask_suggestion":
            st.wants_suggestion = True
        if facts.empty() and st.last_question and intent in ("unsure", "deny", "acknowledge", "affirm",
                                                               "nlu_fallback", "out_of_scope", "chitchat"):
            told = u.facts.untold if intent in ("nlu_fallback", "out_of_scope", "chitchat") else None
            return _unsure(step, ctx, intent, told or "")
        if facts.empty() and intent == "unsure":
            return _unsure(step, ctx, intent)
        if facts.empty() and not profile.has_facts() and u is not None and _long_enough(u) \
                and intent in DISCOVERY_INTENTS + ("nlu_fallback", "out_of_scope"):
            profile.own_words = u.text  # nothing recognised: keep the shopper's words and ask about them
        if profile.unknown_item and profile.unknown_item != unknown_before:
            if profile.unknown_item not in st.unmet:
                st.unmet.append(profile.unknown_item)
            step.say(msgs.text("not_stocked", item=profile.unknown_item))
            lead = ""
        elif lead is None:
            lead = _acknowledge(st, ctx)
    if not profile.has_facts() and not st.wants_suggestion:
        step.say(msgs.text("opening", avoid=st.last_reply))
        return "opening"
    if profile.own_words and not (profile.known or profile.kinds or profile.sections or profile.recipient) \
            and "section" not in st.asked:
        if "open" not in st.asked:
            st.asked.append("open")
            st.last_question = None
            step.say(msgs.text("open_need", avoid=st.last_reply))
            return "ask_open"
        return _ask_section(step, ctx)
    topic = next_topic(profile, kb, [a for a in st.asked if a not in ("open", "section")], ctx.max_questions,
                       st.wants_suggestion)
    if topic is not None:
        question = ask(topic, profile, kb, msgs)
        step.say(f"{lead}{step.space}{question}" if lead else question)
        st.asked.append(topic)
        st.last_question = topic
        return f"ask_{topic}"
    st.last_question = None
    if st.recommended and st.outcome == "pending" and not news:
        return _refine(step, ctx, cheaper=False)  # the need said again: the picks did not land, show others
    if _recommend(step, ctx):
        return "recommend"
    if not profile.concepts(kb)[1 if profile.recipient else 0:] and not (profile.kinds or profile.sections):
        if "section" not in st.asked:
            return _ask_section(step, ctx)  # the need is not known yet: "nothing fits" would not be true
        if _recommend_popular(step, ctx):
            return "recommend_popular"
    return _no_match(step, ctx)


def _recommend_popular(step: Step, ctx: Context) -> bool:
    """The need stays unknown after asking: the shop's best sellers that the known facts allow."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    picks = popular(st.profile, kb, ctx.shop.popular, exclude_skus=st.shown)
    if not picks:
        return False
    lines = [msgs.text("intro_popular")] + recommendation_lines(kb, picks, msgs) + [msgs.text("outro")]
    step.say("\n".join(lines), pick_buttons(msgs, len(picks)))
    _show(st, picks)
    return True


def _acknowledge(st: DiscoveryState, ctx: Context) -> str:
    """A short first line when the shopper has just asked for something."""
    profile, kb = st.profile, ctx.kb
    if st.asked:
        return ""
    if profile.kinds and any(kb.products_of_kind(k) for k in profile.kinds):
        return ctx.msgs.text("have_kind", kind=profile.stated_request or profile.kinds[0])
    if profile.sections:
        return ctx.msgs.text("sure")
    return ""


def _unsure(step: Step, ctx: Context, intent: str, words: str = "") -> str:
    """An answer that adds no fact: a plain yes or no moves on; 'I'm not sure' gets concrete options once."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    topic = st.last_question
    if topic:
        st.profile.known.add(topic)  # asked and answered without a fact: do not ask it again
    if intent in ("affirm", "acknowledge", "deny"):
        if intent == "affirm" and topic == "quality" and kb.concept("quality", "premium"):
            st.profile.prefers.append(("quality", "premium"))
        st.last_question = None
        return _continue(step, ctx)
    if words:  # "something respectful": an answer in the shopper's words, kept as they said it; move on
        if words not in st.profile.own_words:
            st.profile.own_words = f"{st.profile.own_words}; {words}".strip("; ")
        st.last_question = None
        step.say(msgs.text("noted", avoid=st.last_reply))
        return _continue(step, ctx)
    st.unsure += 1
    if st.unsure >= 2 or topic in (None, "quality"):
        st.last_question = None
        if st.unsure >= 2 and rank(st.profile, kb):
            st.wants_suggestion = True
            step.say(msgs.text("unsure_again", avoid=st.last_reply))
            return _continue(step, ctx)
        if st.unsure >= 2 and "section" not in st.asked:
            return _ask_section(step, ctx)
        if st.unsure >= 2 and _recommend_popular(step, ctx):
            return "recommend_popular"
        step.say(msgs.text("unsure_general", avoid=st.last_reply))
        return _continue(step, ctx)
    buttons = [msgs.button(b) for b in UNSURE_BUTTONS.get(topic, ())]
    if topic in UNSURE_CHOICES:
        labels = [ctx.kb.label(o) for o in _popular(topic, st, ctx)]
        buttons = [{"title": o[:1].upper() + o[1:], "payload": o} for o in labels]
    buttons.append(msgs.button("suggest"))
    step.say(msgs.text(f"unsure_{topic}", avoid=st.last_reply), buttons)
    return f"unsure_{topic}"


def _popular(topic: str, st: DiscoveryState, ctx: Context) -> list[str]:
    """A few concrete answers to offer for `topic`, in the lexicon's order."""
    kb = ctx.kb
    if topic == "preference":
        return [c.key for c in kb.of_entity("taste")[:2] + kb.of_entity("texture")[:2]]
    gift = st.profile.is_gift(kb)
    return [c.key for c in kb.of_entity("occasion") if c.gift == gift][:3]


def _continue(step: Step, ctx: Context) -> str:
    """Ask the next useful question, or recommend."""
    return _discover(step, None, "unsure", ctx, lead="")


def _ask_section(step: Step, ctx: Context) -> str:
    """Nothing recognised twice: offer the shop's sections as concrete options."""
    st, msgs = step.state, ctx.msgs
    st.asked.append("section")
    sections = [s.shown for s in ctx.kb.sections][:6]
    buttons = [{"title": s[:1].upper() + s[1:], "payload": s} for s in sections]
    step.say(msgs.text("ask_section", avoid=st.last_reply), buttons)
    return "ask_section"


def _recommend(step: Step, ctx: Context, exclude: tuple[str, ...] = (), cheaper_than: Optional[float] = None,
               intro: Optional[str] = None) -> bool:
    """Reply with 1-3 picks and a reason tied to the need; False when nothing fits."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    profile = st.profile
    picks = rank(profile, kb, exclude_skus=exclude, cheaper_than=cheaper_than)
    if not picks:
        return False
    if [s.product.sku for s in picks] == st.recommended and st.outcome == "pending":
        step.say(msgs.text("still_best"))  # the same picks again: say so in a line, don't repeat the list
        _which_one(step, ctx)
        return True
    if intro is None:
        intro = _intro(st, picks, ctx)
    lines = [intro] + recommendation_lines(kb, picks, msgs)
    if profile.quantity and kb.is_kind(picks[0].product, profile.kinds):
        lines.append(msgs.text("quantity_aside", quantity=profile.quantity.lower()))
    elif profile.headcount and profile.headcount > 2:
        lines.append(msgs.text("headcount", count=profile.headcount))
    lines.append(msgs.text("outro" if len(picks) > 1 else "outro_one"))
    step.say("\n".join(lines), pick_buttons(msgs, len(picks)))
    _show(st, picks)
    return True


def _show(st: DiscoveryState, picks: list[Scored]) -> None:
    skus = [s.product.sku for s in picks]
    st.recommended = skus
    st.reasons = {s.product.sku: s.reason() for s in picks}
    st.shown = list(dict.fromkeys(st.shown + skus))
    st.outcome, st.awaiting, st.last_question = "pending", None, None


def _intro(st: DiscoveryState, picks: list[Scored], ctx: Context) -> str:
    profile, msgs, kb = st.profile, ctx.msgs, ctx.kb
    need = profile.summary(kb, msgs)
    if profile.kinds:
        kind = profile.stated_request or profile.kinds[0]
        if any(kb.is_kind(s.product, profile.kinds) for s in picks):
            trait = _unlike_wish(profile, kb)
            if trait:  # "dates" for a sour craving: say why only the sour ones
                return msgs.text("intro_narrowed", kind=kind, trait=kb.label(trait), need=need)
            return msgs.text("intro_need", need=need) if profile.known else msgs.text("intro")
        why = why_not_requested(profile, kb, msgs)
        if why:
            return msgs.text("intro_deviate", kind=kind, why=why, need=profile.summary(kb, msgs, with_request=False))
    if profile.known or profile.recipient:
        return msgs.text("intro_need", need=need)
    return msgs.text("intro")


def _unlike_wish(profile: Profile, kb: Knowledge) -> Optional[str]:
    """What most products of the requested kind are, when that is not what the shopper wished for."""
    products = [p for k in profile.kinds for p in kb.products_of_kind(k)]
    wishes = [kb.concept(e, k) for e, k in profile.prefers if e in ("taste", "texture")]
    wanted = {t for w in wishes if w for t in w.prefer_tags}
    unlike = [p for p in products if wanted and not p.tags & wanted]
    if not products or len(unlike) * 2 < len(products):
        return None
    traits = Counter(c.key for p in unlike for c in kb.of_entity("taste") + kb.of_entity("texture")
                     if c.key in c.prefer_tags and c.key in p.tags and c.key not in wanted)
    return traits.most_common(1)[0][0] if traits else None


def _no_match(step: Step, ctx: Context) -> str:
    """Nothing fits a known need: say so, offer the nearest, log it as unmet."""
    st, msgs, kb = step.state, ctx.msgs, ctx.kb
    profile = st.profile
    step.say(msgs.text("no_match", need=profile.summary(kb, msgs)))
    relaxed = copy.deepcopy(profile)
    relaxed.budget, relaxed.prefers = None, [p for p in relaxed.prefers if p[0] == "quality"]
    nearest = rank(relaxed, kb, exclude_skus=tuple(st.shown))
    st.outcome = "no_match"
    if nearest:
        step.say("\n".join([msgs.text("nearest")] + recommendation_lines(kb, nearest, msgs)), pick_buttons(msgs, len(nearest)))
        skus = [s.product.sku for s in nearest]
        st.recommended, st.shown = skus, list(dict.fromkeys(st.shown + skus))
        st.reasons = {s.product.sku: s.reason() for s in nearest}
    else:
        step.say(msgs.text("anything_else"))
        st.recommended = []
    return "no_match"


def _record(st: DiscoveryState, ctx: Context) -> dict[str, Any]:
    """The need record of the current discovery (without conversation id and time), in the words of the
    language the need was told in ("thanks, bye" in English after a Chinese discovery keeps it Chinese)."""
    if st.told_in and st.told_in != ctx.msgs.language and ctx.in_language is not None:
        ctx = ctx.in_language(st.told_in)
    kb = ctx.kb
    products = [kb.by_sku[s] for s in st.recommended if s in kb.by_sku]
    unmet = st.outcome == "no_match" or bool(st.unmet)
    record = need_record(kb, "", st.discovery_id, st.channel, st.profile, products, dict(st.reasons), st.outcome,
                         unmet, chosen_sku=st.chosen_sku, language=ctx.msgs.language, unmet_items=st.unmet,
                         msgs=ctx.msgs)
    record["discovery_no"] = st.discovery_no
    return record
