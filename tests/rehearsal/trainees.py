"""Scripted trainees of several styles: good ones, ones asking only yes/no questions, and product pushers.

Each style is a function (persona, product index) -> what the trainee says, in the trainee's own
words: the good ones ask who, why, what matters and the budget in different wordings (textbook,
chatty and kind, terse with typos, several questions at once), then recommend what serves the need.
"""
from __future__ import annotations

from typing import Callable

from jujube.rehearsal.classifier import QuestionClassifier
from jujube.rehearsal.customer import Customer, CustomerState
from jujube.rehearsal.matching import ProductIndex
from jujube.rehearsal.personas import Persona
from jujube.rehearsal.scoring import Rubric, score

Script = Callable[[Persona, ProductIndex], list[str]]


def _good_picks(persona: Persona, index: ProductIndex) -> list[str]:
    return persona.product_names(index, "good")[:2]


def textbook(persona: Persona, index: ProductIndex) -> list[str]:
    """The questions from the training course, in order."""
    a, *rest = _good_picks(persona, index)
    return ["Good morning, how can I help?", f"Who are the {persona.stated_request} for?",
            "And what do you need them for?", "Why is that?", "What matters most to you?",
            "Do you have a budget in mind?", f"Then I'd recommend the {a}" + (f" and the {rest[0]}." if rest else ".")]


def kind(persona: Persona, index: ProductIndex) -> list[str]:
    """Chatty and empathetic: every question comes after a kind word."""
    a = _good_picks(persona, index)[0]
    return ["Hi! Welcome in. Who are you shopping for today?",
            "Oh, lovely. And what's the occasion, if you don't mind me asking?",
            "I see, that can't be easy. Can you tell me a bit more about it?",
            "That makes sense. What would make this feel just right for you?",
            "Totally understand. Roughly how much would you like to spend?",
            f"Thanks for telling me all that. Based on it, I'd suggest the {a}."]


def terse(persona: Persona, index: ProductIndex) -> list[str]:
    """Short and typed in a hurry."""
    a = _good_picks(persona, index)[0]
    return ["hi", "whos it for?", "whats it for", "how come?", "wat matters most to u?", "budget?",
            f"ok then go for the {a}"]


def bundled(persona: Persona, index: ProductIndex) -> list[str]:
    """Several questions in one message, and questions about the product asked for."""
    a, *rest = _good_picks(persona, index)
    return [f"Hello! Who are the {persona.stated_request} for, and what's the occasion?",
            "Oh, I see. Tell me more about that.",
            f"What's most important to you about the {persona.stated_request} you pick?",
            "And how much were you thinking of spending?",
            f"Got it. How about the {a}?" + (f" The {rest[0]} would work too." if rest else "")]


def curious(persona: Persona, index: ProductIndex) -> list[str]:
    """Starts from the product and works outwards to the person."""
    a = _good_picks(persona, index)[0]
    return [f"What are you looking for in the {persona.stated_request}?",
            "Who will be enjoying it?", "What's the reason you're buying it today?", "Really? Why's that?",
            "Is there a price range you'd like to stay in?", f"Thanks. You could try the {a}, I think."]


def guesser(persona: Persona, index: ProductIndex) -> list[str]:
    """Asks only yes/no questions, a few of them lucky, then recommends a product that fits."""
    a = _good_picks(persona, index)[0]
    recipient = (persona.lexicon.get("recipient") or ("family",))[0]
    return ["Is it for you?", f"Is it for your {recipient}?", "Is it for a special celebration?",
            "Do you like sweet things?", "Is someone ill?", f"Then I'd recommend the {a}."]


def leading(persona: Persona, index: ProductIndex) -> list[str]:
    """Leading questions that put words in the customer's mouth."""
    acceptable = (persona.product_names(index, "acceptable") or _good_picks(persona, index))[0]
    return ["You're buying for the family, right?", "It's a present, isn't it?", "You want something sweet, yes?",
            "Are they for a party?", f"I suppose the {acceptable} would do, then."]


def checklist(persona: Persona, index: ProductIndex) -> list[str]:
    """Runs through yes/no checks without ever letting the customer talk."""
    a = _good_picks(persona, index)[0]
    return ["Hello.", "Is it for yourself?", "Is it for a child?", "Do they have allergies?", "Is it for a birthday?",
            "Do they like it sour?", f"OK, I'd go with the {a}."]


def pusher(persona: Persona, index: ProductIndex) -> list[str]:
    """Pitches poor products from the first line."""
    poor = persona.product_names(index, "poor") + [persona.stated_request]
    return [f"Our {persona.stated_request} are the best in town, you'll love them!",
            f"We have a special offer on {poor[0]} today.", f"Take the {poor[1 % len(poor)]}, everybody buys it.",
            f"Trust me, the {poor[2 % len(poor)]} is what you want."]


def seller(persona: Persona, index: ProductIndex) -> list[str]:
    """Friendly, but only ever sells."""
    some = (persona.product_names(index, "acceptable") + persona.product_names(index, "poor")
            + [persona.stated_request])
    return ["Hi there! Welcome!", f"You should try the {some[0]}, it's our most popular.",
            f"How about the {some[1 % len(some)]}? It's on sale.", "Just buy it, you won't regret it!"]


def upseller(persona: Persona, index: ProductIndex) -> list[str]:
    """Pushes the most expensive version of what was asked for."""
    return [f"Our premium {persona.stated_request} are the finest, take the big box.",
            f"I'd recommend the most expensive {persona.stated_request}, quality costs.",
            "Buy two and you get a discount!"]


GOOD: dict[str, Script] = {"textbook": textbook, "kind": kind, "terse": terse, "bundled": bundled, "curious": curious}
CLOSED: dict[str, Script] = {"guesser": guesser, "leading": leading, "checklist": checklist}
PUSHERS: dict[str, Script] = {"pusher": pusher, "seller": seller, "upseller": upseller}


def rehearse(persona: Persona, index: ProductIndex, rubric: Rubric, classifier: QuestionClassifier,
             lines: list[str], telling: int = 0) -> dict:
    """Play the lines to the persona (as the service does, without a database) and score the result."""
    customer = Customer(persona, index, rubric.rules)
    state = CustomerState(telling=telling)
    for line in lines:
        if state.ended:
            break
        customer.respond(state, line, classifier.predict(line))
    state.ended = state.ended or "stopped"
    return score(persona, state, rubric, index)
