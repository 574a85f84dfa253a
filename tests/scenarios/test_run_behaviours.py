"""Checks that the behaviour runner and the need scorer fail wrong answers and pass right ones, and that the sets are well formed."""
from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run_behaviours  # noqa: E402

OPTIONS = "Here are a few ideas:\n1. Green kiwi fruit - ¥28/kg\n2. Walnuts (1 kg) - ¥39\n3. Rooibos tea - 45 yuan"
GOOD = {
    "show me options": [{"text": OPTIONS}],
    "ok": [{"text": "Which one would you like?", "buttons": [{"title": "Green kiwi fruit", "payload": "1"}]}],
    "snacks for 25 guests": [{"text": "For 25 guests, sweet or savoury?"}],
    "i see": [{"text": "Anything else you'd like to know about them?"}],
    "i'm not sure": None,  # varies per call, see Handler
    "do you sell running shoes?": [{"text": "Sorry, we don't sell shoes; we're a food shop. Anything for the run?"}],
}
BAD = {
    "show me options": [{"text": OPTIONS}],
    "ok": [{"text": "Great choice, I'll have it ready."}],
    "snacks for 25 guests": [{"text": "Under ¥25 I'd suggest:\n1. Roasted salted peanuts - ¥9.9"}],
    "i see": [{"text": "Thank you for visiting. Goodbye!"}],
    "i'm not sure": [{"text": "Is there anything else I can help you find?"}],
    "do you sell running shoes?": [{"text": "Happy to help! Sweet or sour?"}],
}
CASES = """
cases:
  - id: ack
    turns:
      - {say: "show me options", priced_lines_min: 2}
      - {say: "ok", reply_any: [which], buttons_any: true, is_question: true, not_goodbye: true}
    record: {no_record_with_outcome: accepted}
  - id: headcount
    turns:
      - {say: "snacks for 25 guests", reply_none: ["¥25"], question_or_offer: true}
    record: {price_max_absent: true}
  - id: see
    turns:
      - {say: "show me options"}
      - {say: "i see", not_goodbye: true}
  - id: unsure
    turns:
      - {say: "show me options"}
      - {say: "i'm not sure", not_same_as_previous: true}
      - {say: "i'm not sure", not_same_as_previous: true}
  - id: shoes
    turns:
      - {say: "do you sell running shoes?", reply_any: ["don't sell"], reply_none: ["sweet or"]}
    record: {unmet: true, stated_request_any: [shoe]}
"""


def _serve(script: dict, records: dict) -> tuple[ThreadingHTTPServer, str]:
    calls: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text, sender = data["message"], data["sender"]
            calls[(sender, text)] += 1
            reply = script.get(text)
            if reply is None:
                reply = [{"text": f"Some popular choices, take {calls[(sender, text)]}:",
                          "buttons": [{"title": "Tea", "payload": "tea"}]}]
            case = sender.split("-")[1]
            records[sender] = dict(records.get("_template_" + case, {}), conversation_id=sender)
            self._send(reply)

        def do_GET(self) -> None:
            sender = self.path.rsplit("/", 1)[-1]
            self.send_response(200)
            self.end_headers()
            if sender in records:
                self.wfile.write((json.dumps(records[sender]) + "\n").encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture()
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.yml"
    path.write_text(CASES, encoding="utf-8")
    return path


def _run(script: dict, templates: dict, cases_file: Path, tmp_path: Path) -> tuple[int, list[dict]]:
    records = {f"_template_{k}": v for k, v in templates.items()}
    server, url = _serve(script, records)
    try:
        export = (f"{sys.executable} -c \"import sys,urllib.request;"
                  f"print(urllib.request.urlopen('{url}/export/'+sys.argv[1]).read().decode())\" {{id}}")
        out = tmp_path / "out.json"
        code = run_behaviours.main(["--cases", str(cases_file), "--url", url, "--export-cmd", export,
                                    "--json", str(out)])
        return code, json.loads(out.read_text(encoding="utf-8"))
    finally:
        server.shutdown()


def test_right_assistant_passes(cases_file: Path, tmp_path: Path) -> None:
    templates = {"ack": {"outcome": "pending"}, "headcount": {"needs": {"price": None}},
                 "shoes": {"unmet": True, "stated_request": "running shoes"}}
    code, results = _run(GOOD, templates, cases_file, tmp_path)
    assert code == 0, [r["problems"] for r in results]


def test_wrong_assistant_fails_every_case(cases_file: Path, tmp_path: Path) -> None:
    templates = {"ack": {"outcome": "accepted"}, "headcount": {"needs": {"price": {"max": 25}}},
                 "shoes": {"unmet": False, "stated_request": "sweet"}}
    code, results = _run(BAD, templates, cases_file, tmp_path)
    assert code == 1
    failed = {r["id"]: r["problems"] for r in results if not r["ok"]}
    assert set(failed) == {"ack", "headcount", "see", "unsure", "shoes"}, failed
    assert any("accepted" in p for p in failed["ack"])
    assert any("budget" in p for p in failed["headcount"])
    assert any("same reply" in p for p in failed["unsure"])


def test_case_file_typo_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("cases:\n  - id: x\n    turns:\n      - {say: hi, reply_anyy: [a]}\n", encoding="utf-8")
    assert run_behaviours.main(["--cases", str(path), "--url", "http://127.0.0.1:9"]) == 2


def test_price_lines_are_recognised() -> None:
    reply = run_behaviours.Reply([{"text": "We'll be 25 people\nModel 6a\n1. Kiwi ¥28\n2. Tea 45 yuan\n3. Nuts 39元"}])
    assert len(reply.priced_lines()) == 3


def test_shipped_sets_are_well_formed() -> None:
    cases = run_behaviours.validate(yaml.safe_load((HERE / "behaviours.yml").read_text(encoding="utf-8"))["cases"])
    assert len(cases) >= 40
    scenarios = yaml.safe_load((HERE / "shoppers.yml").read_text(encoding="utf-8"))["scenarios"]
    assert len(scenarios) >= 85 and len({s["id"] for s in scenarios}) == len(scenarios)
    needs = yaml.safe_load((HERE.parent / "heldout" / "needs_en.yml").read_text(encoding="utf-8"))
    examples = needs["examples"]
    assert len(examples) >= 420
    kinds = {"situation", "recipient", "occasion", "taste", "texture", "quality", "emotion"}
    assert all(label.split(":", 1)[0] in kinds for ex in examples for label in ex["needs"] or [])
    empty = sum(1 for ex in examples if not ex["needs"])
    assert 0.10 <= empty / len(examples) <= 0.20, empty


def test_grouped_and_priced_checks() -> None:
    check = run_behaviours.check_turn
    said = run_behaviours.Reply([{"text": "Sorry, we don't sell phone cases.\n1. Dried figs - ¥28"}])
    assert check({"say": "x", "reply_any": [["don't sell"], ["case"]]}, said, None) == []
    assert check({"say": "x", "reply_any": [["don't sell"], ["shoe"]]}, said, None)
    assert check({"say": "x", "priced_any": ["fig"], "priced_lines_max": 1}, said, None) == []
    assert check({"say": "x", "priced_any": ["case"]}, said, None)  # named, but not on a priced line
    assert check({"say": "x", "priced_none": ["fig"]}, said, None)


def test_reason_must_be_in_one_sentence() -> None:
    check = run_behaviours.check_turn
    reason = run_behaviours.Reply([{"text": "Dates are very sweet, so for a sour craving try these. Oranges are sweet."}])
    no_reason = run_behaviours.Reply([{"text": "Yes, we have dates. Oranges are sweet and juicy."}])
    want = {"say": "x", "sentence_with": [["date"], ["sweet"]]}
    assert check(want, reason, None) == []
    assert check(want, no_reason, None)


def test_scenario_terms_are_strings() -> None:
    """run_scenarios.py lowers every term: a bare number in YAML would crash it."""
    scenarios = yaml.safe_load((HERE / "shoppers.yml").read_text(encoding="utf-8"))["scenarios"]
    for sc in scenarios:
        expect = sc["expect"]
        terms = [*expect.get("recommend_any", []), *expect.get("recommend_none", [])]
        terms += [t for ts in (expect.get("captured") or {}).values() for t in ts]
        terms += [c for fact in sc.get("facts", []) for c in fact["cues"]] + [f["say"] for f in sc.get("facts", [])]
        assert all(isinstance(t, str) for t in terms), sc["id"]


def test_need_scorer_counts_hits_misses_and_false_alarms(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE.parent / "heldout"))
    import score_needs

    gold = {"a": {"situation:pregnant", "recipient:wife"}, "b": {"situation:pregnant"}, "c": set()}
    pred = {"a": {"situation:pregnant"}, "b": {"situation:pregnant", "recipient:wife"}, "c": {"emotion:apology"}}
    result = score_needs.score(gold, pred)
    assert result["labels"]["situation:pregnant"]["f1"] == 1.0
    assert result["labels"]["recipient:wife"]["f1"] == 0.0  # one miss, one false alarm
    assert result["macro_f1"] == 0.5
    assert result["spurious_labels"] == {"emotion:apology": 1}
    assert result["no_need_messages_with_predictions"] == 1
    perfect = tmp_path / "p.jsonl"
    examples = yaml.safe_load((HERE.parent / "heldout" / "needs_en.yml").read_text(encoding="utf-8"))["examples"]
    perfect.write_text("\n".join(json.dumps({"text": e["text"], "needs": e["needs"]}) for e in examples), encoding="utf-8")
    assert score_needs.main(["--pred", str(perfect), "--min-macro", "0.99"]) == 0
