"""The persona library in data, and trainees' progress as a manager sees it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from jujube.config import get_settings
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.matching import load_catalog
from jujube.rehearsal.personas import DIMENSIONS, REQUIRED_TOPICS, load_library, personas_path
from jujube.rehearsal.report import history, progress, transcript
from jujube.rehearsal.service import RehearsalService

from . import scripts

SKU = re.compile(r"^[A-Z]{2,}(-[A-Z0-9]+)+$")


def test_library_has_the_jujube_case_and_enough_customers(library):
    assert len(library.personas) >= 14
    wang = library.personas["jujube"]
    assert "dates" in wang.opening.lower()
    assert "daughter-in-law" in wang.facts["recipient"].answer
    assert "sour" in wang.facts["situation"].answer and "expecting" in wang.facts["situation"].answer


def test_every_persona_is_complete(library):
    for p in library.personas.values():
        assert set(REQUIRED_TOPICS) <= set(p.facts), p.key
        covered = p.dimensions_of(set(p.facts))
        assert covered == set(DIMENSIONS), f"{p.key}: facts uncover only {covered}"
        for dim in DIMENSIONS:
            assert p.need.get(dim), f"{p.key}: need.{dim} missing"
        assert p.need.get("summary") and p.products["good"]
        # The stated request is not itself the answer.
        assert not any(g.lower() == p.stated_request.lower() for g in p.products["good"]), p.key


def test_product_references_exist_in_the_catalog(library):
    catalog = load_catalog(get_settings().catalog_path)
    if not catalog:
        pytest.skip("no catalog yet")
    skus = {c.sku for c in catalog}
    for p in library.personas.values():
        for which, refs in p.products.items():
            for ref in refs:
                if SKU.match(ref):
                    assert ref in skus, f"{p.key}: products.{which} names unknown sku {ref}"
        assert p.skus["good"], f"{p.key}: no good product resolves to the catalog"


def test_a_shop_adds_a_persona_without_code(tmp_path: Path, factory, rubric, classifier):
    raw = yaml.safe_load(personas_path().read_text(encoding="utf-8"))
    raw["personas"].append({
        "key": "tea-lover", "title": "Neighbour asking for green tea", "name": "Mrs Ma",
        "opening": "Green tea, please.", "stated_request": "green tea",
        "facts": {
            "recipient": {"answer": "For my husband."},
            "situation": {"answer": "He can't sleep at night since he retired.", "deeper": "He naps all afternoon."},
            "matters": {"answer": "Something calming in a nice tin. I want him to rest."},
            "budget": {"answer": "About 60."},
        },
        "need": {"summary": "a calming caffeine-free drink", "functional": ["caffeine-free"], "formal": ["tin"],
                 "emotional": ["care"], "price": {"max": 60}},
        "products": {"good": ["chamomile tea"], "poor": ["green tea"]},
    })
    path = tmp_path / "personas.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    library = load_library(path)
    service = RehearsalService(factory, library=library, rubric=rubric, classifier=classifier)
    assert ("tea-lover", "Neighbour asking for green tea") in service.personas()
    service.start("t", "tea-lover")
    assert "retired" in service.handle("t", "What's it for?")[0]
    assert "60" in service.handle("t", "How much do you want to spend?")[0]
    out = service.handle("t", "I'd recommend our chamomile tea")
    assert "fits the hidden need" in out[-1]


def test_malformed_personas_are_reported(tmp_path: Path):
    path = tmp_path / "personas.yml"
    path.write_text(yaml.safe_dump({"personas": [{"key": "x", "title": "X", "name": "X", "opening": "Hi",
                                                  "stated_request": "tea", "facts": {"recipient": "me"},
                                                  "need": {"summary": "s"}, "products": {"good": ["tea"]}}]}),
                    encoding="utf-8")
    with pytest.raises(RehearsalError, match="facts missing"):
        load_library(path)


def test_progress_report_over_time(service, library, capsys, monkeypatch):
    wang = library.personas["jujube"]
    scripts.play(service, "tg:42", "jujube", scripts.pusher(wang, library.index))
    scripts.play(service, "tg:42", "jujube", scripts.half_way(wang, library.index))
    scripts.play(service, "tg:42", "jujube", scripts.good(wang, library.index))
    scripts.play(service, "tg:43", "jujube", scripts.good(wang, library.index))

    rows = history(service.factory, "tg:42")
    assert [r["persona"] for r in rows] == ["jujube"] * 3
    assert rows[0]["percent"] < rows[1]["percent"] < rows[2]["percent"]
    (summary,) = progress(service.factory, "tg:42")
    assert summary["rehearsals"] == 3 and summary["trend"] > 0
    assert summary["best"] == rows[2]["percent"] and summary["first"] == rows[0]["percent"]
    assert {s["trainee_id"] for s in progress(service.factory)} == {"tg:42", "tg:43"}

    detail = transcript(service.factory, rows[2]["session_id"])
    assert detail["turns"][0]["role"] == "customer" and detail["turns"][1]["role"] == "trainee"
    assert detail["turns"][1]["label"] == "small_talk"
    assert "Scorecard" in detail["scorecard"]

    # The manager's command line reads the same database.
    from jujube.cli.main import main
    from jujube.db import session as db_session

    monkeypatch.setattr(db_session, "get_sessionmaker", lambda url=None: service.factory)
    assert main(["rehearsal", "report"]) == 0
    out = capsys.readouterr().out
    assert "tg:42" in out and "tg:43" in out
    assert main(["rehearsal", "report", "--trainee", "tg:42", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rehearsals"]) == 3 and data["trainees"][0]["trainee_id"] == "tg:42"
    assert main(["rehearsal", "show", str(rows[0]["session_id"])]) == 0
    assert "Scorecard" in capsys.readouterr().out
