"""Personas share the shopping side's need model: lexicon keys and catalog products, several tellings each."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from jujube.config import get_settings
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.matching import load_catalog
from jujube.rehearsal.personas import PRODUCT_LISTS, load_library
from jujube.rehearsal.seeds import build, load_lexicon, seeds_path, unknown_keys

from . import scripts

SKU = re.compile(r"^[A-Z]{2,}(-[A-Z0-9]+)+$")


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon()


def test_at_least_forty_personas_each_named_by_lexicon_keys(library, lexicon):
    assert len(library.personas) >= 40
    for p in library.personas.values():
        assert p.lexicon.get("recipient"), f"{p.key}: no lexicon recipient"
        assert p.lexicon.keys() & {"situation", "occasion", "emotion"}, f"{p.key}: no lexicon situation, occasion, emotion"
        assert not unknown_keys(p.lexicon, lexicon), f"{p.key}: {unknown_keys(p.lexicon, lexicon)}"


def test_every_product_reference_is_in_the_catalog(library):
    skus = {p.sku for p in load_catalog(get_settings().catalog_path)}
    for p in library.personas.values():
        for which in PRODUCT_LISTS:
            for ref in p.products[which]:
                if SKU.match(ref):
                    assert ref in skus, f"{p.key}: {ref} is not in the catalog"
        assert any(ref in skus for ref in p.products["good"]), f"{p.key}: no catalog product serves the need"
        assert p.product_names(library.index, "good"), p.key


def test_generated_personas_serve_their_need_with_catalog_products(library, lexicon):
    catalog = {p.sku: p for p in load_catalog(get_settings().catalog_path)}
    seeds = yaml.safe_load(seeds_path().read_text(encoding="utf-8"))["seeds"]
    assert len(seeds) >= 24
    for seed in seeds:
        p = library.personas[seed["key"]]
        for sku in p.products["good"]:
            assert not catalog[sku].tags & p.avoid_tags, f"{p.key}: {sku} has a tag the need avoids"
            if p.budget_max is not None and catalog[sku].price is not None:
                assert catalog[sku].price <= p.budget_max, f"{p.key}: {sku} is over budget"
        for sku in p.products["poor"]:
            assert catalog[sku].tags & p.avoid_tags, f"{p.key}: {sku} is poor without a reason"
        situation = lexicon["situations"].get((p.lexicon.get("situation") or [""])[0])
        if situation:  # a right guess must name words the shopper side knows for the situation
            assert set(p.facts["situation"].keywords) & set(situation["patterns"]), p.key


def test_each_persona_tells_its_story_in_several_ways(library):
    for p in library.personas.values():
        assert p.tellings >= 2, p.key
        assert len(p.facts["budget"].answers) >= 2, p.key
    told = {p.facts["situation"].answer_for(t) for p in [library.personas["anaemic-sister"]] for t in range(2)}
    assert len(told) == 2


def test_a_second_rehearsal_with_a_customer_hears_the_story_told_another_way(service, library):
    said = []
    for _ in range(2):
        replies = scripts.play(service, "tg:again", "anaemic-sister", ["What's the reason you need them?"])
        said.append(replies[0][0])
    assert said[0] != said[1]
    facts = library.personas["anaemic-sister"].facts["situation"]
    assert {s.split(": ", 1)[1] for s in said} == set(facts.answers[:2])


def test_a_seed_with_a_key_the_lexicon_lacks_is_refused(lexicon):
    seed = {"key": "x", "title": "X", "name": "X", "opening": "Tea?", "stated_request": "tea",
            "recipient": "wife", "situation": "moon sickness", "story": {"situation": ["a"], "matters": ["b"]}}
    with pytest.raises(RehearsalError, match="moon sickness"):
        build(seed, lexicon, [])


def test_seeds_can_be_left_out(tmp_path: Path):
    assert len(load_library(seeds=False).personas) < len(load_library().personas)
    empty = tmp_path / "seeds.yml"
    empty.write_text("seeds: []\n", encoding="utf-8")
    assert len(load_library(seeds=empty).personas) == len(load_library(seeds=False).personas)
