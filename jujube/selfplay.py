"""Self-play: the rehearsal coach's customers shop with the assistant over REST.

Each persona (knowledge/personas.yml) opens with its stated request and answers
the assistant's questions the way it answers a trainee's (the same question
classifier and the same reveal rules). A play succeeds when the assistant's
first recommendation names a product the persona rates good or acceptable; the
report gives the success rate, the questions asked before it, and what the
needs log captured. `python -m jujube.selfplay --url http://localhost:5005`.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional

from jujube.rehearsal.classifier import get_classifier
from jujube.rehearsal.customer import Customer, CustomerState
from jujube.rehearsal.matching import overall_fit
from jujube.rehearsal.personas import PersonaLibrary, load_library
from jujube.rehearsal.scoring import load_rubric

logger = logging.getLogger(__name__)

PRICE = re.compile(r"[¥￥]\s?\d")
Send = Callable[[str, str], list[dict[str, Any]]]


@dataclass
class Play:
    """One persona's conversation with the assistant."""

    persona: str
    success: bool
    fit: str
    questions: int
    turns: int
    transcript: list[str] = field(default_factory=list)
    captured: dict[str, Any] = field(default_factory=dict)


def rest_sender(url: str, timeout: float = 30.0) -> Send:
    """Send one shopper message over the REST channel; returns the bot's messages."""
    def send(sender: str, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(url.rstrip("/") + "/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"[]")
    return send


def play(persona_key: str, library: PersonaLibrary, send: Send, max_turns: int = 8) -> Play:
    """One persona against the assistant, until the first recommendation or `max_turns`."""
    persona = library.personas[persona_key]
    customer = Customer(persona, library.index, load_rubric().rules)
    classifier = get_classifier(normalizer=library.index.mask)
    state = CustomerState()
    sender = f"selfplay-{persona_key}-{uuid.uuid4().hex[:8]}"
    said, questions, transcript = persona.opening, 0, []
    for turn in range(1, max_turns + 1):
        transcript.append(f"shopper: {said}")
        reply = "\n".join(m.get("text") or "" for m in send(sender, said))
        transcript.append(f"jujube: {reply}")
        if PRICE.search(reply):
            fit = overall_fit(m.grade for m in persona.grade(library.index, reply))
            return Play(persona_key, fit in ("good", "acceptable"), fit or "none", questions, turn, transcript,
                        {"sender": sender})
        if "?" in reply:
            questions += 1
        answer = customer.respond(state, reply, classifier.predict(reply))
        said = answer.reply
    return Play(persona_key, False, "none", questions, max_turns, transcript, {"sender": sender})


def captured(sender: str, export_cmd: Optional[str]) -> dict[str, Any]:
    """The need record the assistant logged for a conversation (the last one), via the export command."""
    if not export_cmd:
        return {}
    out = subprocess.run(export_cmd.format(id=sender), shell=True, capture_output=True, text=True, timeout=60)
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip().startswith("{")]
    if not records:
        return {}
    last = records[-1]
    return {k: last.get(k) for k in ("stated_request", "underlying_need", "recipient", "situation", "needs",
                                      "outcome")}


def report(plays: list[Play]) -> str:
    """Success rate, questions, and each play in one line."""
    ok = sum(p.success for p in plays)
    median = statistics.median(p.questions for p in plays) if plays else 0
    lines = [f"self-play: {ok}/{len(plays)} personas got a fitting recommendation "
             f"({ok / len(plays):.0%}), median {median:g} questions" if plays else "self-play: no personas"]
    for p in plays:
        need = (p.captured.get("underlying_need") or "")[:80]
        lines.append(f"  {'PASS' if p.success else 'FAIL'} {p.persona:<22} fit={p.fit:<10} "
                     f"questions={p.questions} turns={p.turns} need: {need}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    """Play every persona (or those given) against a running assistant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--persona", action="append", help="persona key (repeatable; default all)")
    parser.add_argument("--export-cmd", help="command printing a conversation's needs as JSON lines ({id})")
    parser.add_argument("--json", help="write the plays to this file")
    parser.add_argument("--min-success", type=float, default=0.0, help="exit 1 below this success rate")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    library = load_library()
    send = rest_sender(args.url)
    plays = []
    for key in args.persona or library.keys():
        result = play(key, library, send)
        result.captured = captured(result.captured["sender"], args.export_cmd)
        plays.append(result)
    print(report(plays))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([asdict(p) for p in plays], fh, ensure_ascii=False, indent=1)
    rate = sum(p.success for p in plays) / len(plays) if plays else 0.0
    return 1 if rate < args.min_success else 0


if __name__ == "__main__":
    sys.exit(main())
