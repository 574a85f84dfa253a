"""Scripted trainees: what a good, a half-way and a product-pushing trainee say to a customer."""
from __future__ import annotations

from jujube.rehearsal.matching import ProductIndex
from jujube.rehearsal.personas import Persona
from jujube.rehearsal.service import RehearsalService


def good(persona: Persona, index: ProductIndex) -> list[str]:
    """Asks who, why (and follows up), what matters, budget; then recommends what truly serves the need."""
    picks = persona.product_names(index, "good")[:2]
    return [
        "Hello, how can I help you?",
        "Who is it for?",
        "And what do you need it for?",
        "Why is that?",
        "What matters most to you?",
        "Do you have a budget in mind?",
        f"Then I'd recommend the {' and the '.join(picks)}.",
    ]


def half_way(persona: Persona, index: ProductIndex) -> list[str]:
    """Asks who and what for, then recommends something that only partly fits."""
    pick = (persona.product_names(index, "acceptable") or persona.product_names(index, "good"))[0]
    return [
        "Who are you buying for?",
        "What's the occasion?",
        f"How about the {pick}?",
    ]


def pusher(persona: Persona, index: ProductIndex) -> list[str]:
    """Pitches products from the first line without asking anything."""
    poor = persona.product_names(index, "poor") + [persona.stated_request]
    return [
        f"Our {persona.stated_request} are the best in town, you'll love them!",
        f"We have a special offer on {poor[0]} today.",
        f"Take the {poor[1 % len(poor)]}, everybody buys it.",
        f"Trust me, the {poor[2 % len(poor)]} is what you want.",
    ]


def play(service: RehearsalService, trainee: str, persona_key: str, lines: list[str]) -> list[list[str]]:
    """Run a script; returns every reply list; stops the rehearsal if the script did not end it."""
    service.start(trainee, persona_key)
    replies = []
    for line in lines:
        out = service.handle(trainee, line)
        if out is None:
            break
        replies.append(out)
    if service.active(trainee):
        replies.append(service.stop(trainee))
    return replies
