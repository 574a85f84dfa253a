#!/usr/bin/env python3
"""Check single shop-assistant behaviours, turn by turn, against a running assistant.

Each case in the YAML file is a short conversation: a list of turns, each with
`say` (what the shopper types) and optional expectations on the bot's reply,
plus optional `record` expectations on the need record(s) exported for the
conversation afterwards.

Turn expectations (all optional, checked on the reply to that turn):
  reply_any: [..]        some substring appears in the reply (text and button titles), case-insensitive;
                         a list of lists needs a hit from every inner list (e.g. "not sold" and the thing)
  sentence_with: [[..], ..]  one sentence of the reply has a hit from every inner list
                         (e.g. a reason: [[dates], [sweet]])
  reply_none: [..]       no substring appears in the reply (text and button titles)
  buttons_any: true      the reply carries at least one button
  buttons_any: [..]      some button title or payload contains one of these
  is_question: bool      the reply text contains '?' (or the full-width one)
  names_price: bool      some reply line names a number with a currency (¥, yuan, CNY, RMB, 元, kuai)
  priced_lines_min: N    at least N reply lines name a price (several options were shown)
  priced_lines_max: N    at most N reply lines name a price (e.g. exactly the one product asked for)
  priced_any: [..]       some line that names a price mentions one of these (that product is offered)
  priced_none: [..]      no line that names a price mentions one of these (nothing of it is offered)
  question_or_offer: true  the reply asks something or offers a priced product (no dead end)
  not_goodbye: true      the reply is not empty and does not take leave (bye, goodbye, thanks for visiting ...)
  not_same_as_previous: true  the reply differs from the previous one and repeats none of its sentences
  retry: [..]            if the expectations above fail, send these lines one by one until they hold
                         (to reach a state such as "options shown" whatever the bot asked first);
                         reply_none, priced_none and not_goodbye are checked on every attempt,
                         reply_any and sentence_with on all the attempts' replies together,
                         the rest on the last reply

Record expectations (need records printed by --export-cmd for this conversation):
  outcome: X or [X, Y]   some record has one of these outcomes
  unmet: bool            some record has this unmet flag
  stated_request_any: [..]  some record's stated_request contains one of these
  needs_any: {dim: [..]} some record's needs.<dim> contains one of its terms (e.g. emotional);
                         with several dimensions, one of them is enough
  fields_any: {path: [..]}  the same for dotted record fields (e.g. underlying_need)
  price_max: N           some record has needs.price.max == N
  price_max_absent: true no record has a needs.price.max (a number was not taken for a budget)
  no_record_with_outcome: X  no record has this outcome (e.g. no accepted order)
Every record expectation except no_record_with_outcome needs at least one exported record.

Usage:
  run_behaviours.py [--cases tests/scenarios/behaviours.yml] [--url http://localhost:5005]
                    [--export-cmd ".venv/bin/jujube needs export --format jsonl --conversation {id}"]
                    [--json OUT] [--only TEXT] [--timeout 30]

Prints one line per case (PASS/FAIL with the reasons) and "behaviours: N passed, M failed".
Without --export-cmd the record expectations are skipped (and said so).
Stdlib + PyYAML; exits 1 when a case fails, 2 on a bad case file or an unreachable assistant.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("run_behaviours")

DEFAULT_CASES = Path(__file__).with_name("behaviours.yml")
TURN_KEYS = {"say", "reply_any", "reply_none", "buttons_any", "is_question", "names_price", "priced_lines_min",
             "priced_lines_max", "priced_any", "sentence_with", "priced_none", "question_or_offer", "not_goodbye",
             "not_same_as_previous", "retry"}
RECORD_KEYS = {"outcome", "unmet", "stated_request_any", "needs_any", "fields_any", "price_max",
               "price_max_absent", "no_record_with_outcome"}
CASE_KEYS = {"id", "about", "turns", "record"}
NEVER_KEYS = {"reply_none", "priced_none", "not_goodbye"}

PRICE = re.compile(
    r"[¥￥]\s?\d[\d,]*(?:\.\d+)?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:yuan\b|kuai\b|cny\b|rmb\b|元)"
    r"|\b(?:cny|rmb)\s?\d",
    re.IGNORECASE,
)
GOODBYE = re.compile(
    r"\b(?:good\s?bye|bye(?:\s?bye)?|farewell|see you|come again)\b"
    r"|thanks? (?:you )?for (?:visiting|stopping by|coming|shopping)",
    re.IGNORECASE,
)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?？。])\s+|\n+")


class CaseFileError(ValueError):
    """The case file is malformed."""


# ---- talking to the assistant ---------------------------------------------------------------

def post_message(url: str, sender: str, text: str, timeout: float) -> list[dict]:
    """Send one shopper message over the REST channel and return the bot messages."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(url.rstrip("/") + "/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"[]")


def export_records(export_cmd: str, sender: str) -> tuple[list[dict], str]:
    """Run the export command for one conversation; return its records and a note on failure."""
    cmd = export_cmd.replace("{id}", sender)
    try:
        proc = subprocess.run(shlex.split(cmd), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], f"export command failed: {exc}"
    records = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if rec.get("conversation_id") == sender:
            records.append(rec)
    note = "" if proc.returncode == 0 else f"export exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    return records, note


# ---- reading a reply ----------------------------------------------------------------------------

class Reply:
    """The bot's messages for one shopper turn, with the views the checks need."""

    def __init__(self, messages: list[dict]) -> None:
        self.messages = messages
        self.text = "\n".join(m.get("text") or "" for m in messages if m.get("text"))
        self.buttons = [b for m in messages for b in (m.get("buttons") or [])]
        self.button_titles = [str(b.get("title", "")) for b in self.buttons]
        self.button_payloads = [str(b.get("payload", "")) for b in self.buttons]
        self.full = "\n".join([self.text, *self.button_titles]).strip()

    def lines(self) -> list[str]:
        """Every line of text plus every button title."""
        return [ln for ln in self.full.splitlines() if ln.strip()]

    def priced_lines(self) -> list[str]:
        return [ln for ln in self.lines() if PRICE.search(ln)]

    def sentences(self) -> set[str]:
        """Normalised sentences of four words or more, leaving out lines that name a price."""
        out = set()
        for line in self.text.splitlines():
            if PRICE.search(line):
                continue
            for sent in SENTENCE_SPLIT.split(line):
                norm = " ".join(re.sub(r"[^\w?？]+", " ", sent.lower()).split())
                if len(norm.split()) >= 4:
                    out.add(norm)
        return out

    def normalised(self) -> str:
        return " ".join(self.full.lower().split())


def _contains_any(haystack: str, needles: list[str]) -> list[str]:
    low = haystack.lower()
    return [n for n in needles if str(n).lower() in low]


def check_turn(turn: dict, reply: Reply, previous: Reply | None) -> list[str]:
    """Problems with one reply, judged against the turn's expectations."""
    problems: list[str] = []
    shown = reply.full.replace("\n", " | ")[:220] or "<no reply>"
    if "reply_any" in turn:
        want = turn["reply_any"]
        groups = want if want and all(isinstance(g, list) for g in want) else [want]
        for group in groups:
            if not _contains_any(reply.full, group):
                problems.append(f"reply has none of {group}: {shown!r}")
    if "sentence_with" in turn:
        groups = turn["sentence_with"]
        sentences = [s for ln in reply.full.splitlines() for s in SENTENCE_SPLIT.split(ln)]
        if not any(all(_contains_any(s, g) for g in groups) for s in sentences):
            problems.append(f"no sentence has one of each of {groups}: {shown!r}")
    if "reply_none" in turn:
        bad = _contains_any(reply.full, turn["reply_none"])
        if bad:
            problems.append(f"reply contains {bad}: {shown!r}")
    if "buttons_any" in turn:
        want = turn["buttons_any"]
        if want is True and not reply.buttons:
            problems.append(f"reply has no buttons: {shown!r}")
        elif isinstance(want, list):
            blob = " ".join(reply.button_titles + reply.button_payloads)
            if not _contains_any(blob, want):
                problems.append(f"no button with any of {want}; buttons: {reply.button_titles}")
    if "is_question" in turn:
        asked = "?" in reply.text or "？" in reply.text
        if asked != bool(turn["is_question"]):
            problems.append(("reply asks nothing" if turn["is_question"] else "reply asks a question") + f": {shown!r}")
    priced = reply.priced_lines()
    if "names_price" in turn and bool(priced) != bool(turn["names_price"]):
        if turn["names_price"]:
            problems.append(f"no product line with a price: {shown!r}")
        else:
            problems.append(f"names a price: {priced[:2]}")
    if "priced_lines_min" in turn and len(priced) < int(turn["priced_lines_min"]):
        problems.append(f"{len(priced)} priced line(s), expected at least {turn['priced_lines_min']}: {shown!r}")
    if "priced_lines_max" in turn and len(priced) > int(turn["priced_lines_max"]):
        problems.append(f"{len(priced)} priced lines, expected at most {turn['priced_lines_max']}: {priced[:4]}")
    if "priced_any" in turn and not any(_contains_any(ln, turn["priced_any"]) for ln in priced):
        problems.append(f"no priced line offers any of {turn['priced_any']}: {shown!r}")
    if "priced_none" in turn:
        bad = sorted({n for ln in priced for n in _contains_any(ln, turn["priced_none"])})
        if bad:
            problems.append(f"offers {bad} with a price: {[ln for ln in priced if _contains_any(ln, bad)][:2]}")
    if turn.get("question_or_offer"):
        if not ("?" in reply.text or "？" in reply.text or priced):
            problems.append(f"dead end: neither a question nor a priced offer: {shown!r}")
    if turn.get("not_goodbye"):
        if not reply.full:
            problems.append("no reply at all (the conversation should go on)")
        elif GOODBYE.search(reply.full):
            problems.append(f"takes leave: {shown!r}")
    if turn.get("not_same_as_previous"):
        if previous is None:
            problems.append("not_same_as_previous on the first turn (case file error)")
        elif reply.normalised() == previous.normalised():
            problems.append(f"same reply as the turn before: {shown!r}")
        else:
            repeated = sorted(reply.sentences() & previous.sentences())
            if repeated:
                problems.append(f"repeats a sentence from the turn before: {repeated[0]!r}")
    return problems


# ---- the exported need ---------------------------------------------------------------------------

def _field(rec: dict, path: str) -> Any:
    value: Any = rec
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _blob(value: Any) -> str:
    if value is None:
        return ""
    return value.lower() if isinstance(value, str) else json.dumps(value, ensure_ascii=False).lower()


def _price_max(rec: dict) -> Any:
    price = _field(rec, "needs.price")
    return price.get("max") if isinstance(price, dict) else None


def check_records(want: dict, records: list[dict]) -> list[str]:
    """Problems with the conversation's exported need records."""
    problems: list[str] = []
    needs_one = [k for k in want if k != "no_record_with_outcome"]
    if needs_one and not records:
        return [f"no need record exported (wanted {needs_one})"]
    summary = [{k: r.get(k) for k in ("stated_request", "outcome", "unmet")} | {"price_max": _price_max(r)}
               for r in records]
    if "outcome" in want:
        allowed = want["outcome"] if isinstance(want["outcome"], list) else [want["outcome"]]
        if not any(r.get("outcome") in allowed for r in records):
            problems.append(f"no record with outcome in {allowed}: {summary}")
    if "unmet" in want and not any(bool(r.get("unmet")) == bool(want["unmet"]) for r in records):
        problems.append(f"no record with unmet={want['unmet']}: {summary}")
    if "stated_request_any" in want:
        if not any(_contains_any(_blob(r.get("stated_request")), want["stated_request_any"]) for r in records):
            problems.append(f"stated_request lacks any of {want['stated_request_any']}: {summary}")
    for key, prefix in (("needs_any", "needs."), ("fields_any", "")):
        wanted = {prefix + path: terms for path, terms in (want.get(key) or {}).items()}
        if wanted and not any(_contains_any(_blob(_field(r, path)), terms)
                              for r in records for path, terms in wanted.items()):
            got = {path: [_field(r, path) for r in records] for path in wanted}
            problems.append(f"none of {wanted} found: {got}")
    if "price_max" in want:
        target = float(want["price_max"])
        if not any(_price_max(r) is not None and float(_price_max(r)) == target for r in records):
            problems.append(f"no record with needs.price.max == {want['price_max']}: {summary}")
    if want.get("price_max_absent"):
        taken = [_price_max(r) for r in records if _price_max(r) is not None]
        if taken:
            problems.append(f"a number was stored as a budget: needs.price.max = {taken}")
    if "no_record_with_outcome" in want:
        bad = want["no_record_with_outcome"]
        if any(r.get("outcome") == bad for r in records):
            problems.append(f"a record has outcome {bad!r}: {summary}")
    return problems


# ---- running cases ---------------------------------------------------------------------------------

def validate(cases: Any) -> list[dict]:
    """Reject unknown keys and malformed cases, so a typo cannot make a check pass silently."""
    if not isinstance(cases, list) or not cases:
        raise CaseFileError("the file needs a non-empty 'cases' list")
    seen: set[str] = set()
    for case in cases:
        cid = case.get("id") if isinstance(case, dict) else None
        if not cid or cid in seen:
            raise CaseFileError(f"missing or duplicate case id: {cid!r}")
        seen.add(cid)
        if set(case) - CASE_KEYS:
            raise CaseFileError(f"{cid}: unknown keys {sorted(set(case) - CASE_KEYS)}")
        turns = case.get("turns")
        if not isinstance(turns, list) or not turns:
            raise CaseFileError(f"{cid}: needs a non-empty 'turns' list")
        for i, turn in enumerate(turns, 1):
            if not isinstance(turn, dict) or not isinstance(turn.get("say"), str):
                raise CaseFileError(f"{cid} turn {i}: needs a 'say' string")
            if set(turn) - TURN_KEYS:
                raise CaseFileError(f"{cid} turn {i}: unknown keys {sorted(set(turn) - TURN_KEYS)}")
            if turn.get("not_same_as_previous") and i == 1:
                raise CaseFileError(f"{cid} turn 1: not_same_as_previous needs a previous turn")
        rec = case.get("record") or {}
        if set(rec) - RECORD_KEYS:
            raise CaseFileError(f"{cid}: unknown record keys {sorted(set(rec) - RECORD_KEYS)}")
    return cases


def run_case(case: dict, args: argparse.Namespace) -> dict:
    """Play one case and collect what went wrong."""
    sender = f"beh-{case['id']}-{uuid.uuid4().hex[:8]}"
    problems: list[str] = []
    transcript: list[dict] = []
    previous: Reply | None = None
    for i, turn in enumerate(case["turns"], 1):
        said = turn["say"]
        reply = Reply(post_message(args.url, sender, said, args.timeout))
        transcript.append({"shopper": said, "bot": reply.full})
        found = check_turn(turn, reply, previous)
        attempts = [reply]
        for extra in turn.get("retry") or []:
            if not found:
                break
            # what must never happen counts on every attempt, not only the last one
            never = check_turn({k: v for k, v in turn.items() if k in NEVER_KEYS}, reply, previous)
            problems += [f"turn {i} ({said!r}): {p}" for p in never]
            previous, said = reply, extra
            reply = Reply(post_message(args.url, sender, said, args.timeout))
            transcript.append({"shopper": said, "bot": reply.full})
            attempts.append(reply)
            found = check_turn({k: v for k, v in turn.items() if k not in ("reply_any", "sentence_with")},
                               reply, previous)
            said_once = {k: v for k, v in turn.items() if k in ("reply_any", "sentence_with")}
            if said_once:  # said in any attempt of this turn
                together = Reply([m for a in attempts for m in a.messages])
                found += check_turn({"say": said, **said_once}, together, None)
        problems += [f"turn {i} ({said!r}): {p}" for p in found]
        previous = reply
    result: dict[str, Any] = {"id": case["id"], "sender": sender, "transcript": transcript}
    want = case.get("record") or {}
    if want and args.export_cmd:
        records, note = export_records(args.export_cmd, sender)
        result["records"] = records
        found = check_records(want, records)
        if found and note:
            found.append(note)
        problems += [f"record: {p}" for p in found]
    elif want:
        result["record_skipped"] = True
    result["problems"] = problems
    result["ok"] = not problems
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(DEFAULT_CASES))
    ap.add_argument("--url", default="http://localhost:5005")
    ap.add_argument("--export-cmd", default=None, help="prints the conversation's need records; {id} = sender")
    ap.add_argument("--json", default=None, help="write full results (transcripts, records) here")
    ap.add_argument("--only", default=None, help="run the cases whose id contains this")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        with open(args.cases, encoding="utf-8") as fh:
            cases = validate((yaml.safe_load(fh) or {}).get("cases"))
    except (OSError, yaml.YAMLError, CaseFileError) as exc:
        log.error("bad case file %s: %s", args.cases, exc)
        return 2
    if args.only:
        cases = [c for c in cases if args.only in c["id"]]
    results = []
    for case in cases:
        try:
            result = run_case(case, args)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            log.error("cannot reach the assistant at %s: %s", args.url, exc)
            return 2
        results.append(result)
        mark = "PASS" if result["ok"] else "FAIL"
        skipped = " (record not checked: no --export-cmd)" if result.get("record_skipped") else ""
        print(f"{mark} {case['id']}{skipped}", flush=True)
        for problem in result["problems"]:
            print(f"     - {problem}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    passed = sum(r["ok"] for r in results)
    print(f"behaviours: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
