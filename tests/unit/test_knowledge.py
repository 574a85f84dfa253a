"""The shop's knowledge files load, are big enough, and agree with each other."""
from __future__ import annotations

from pathlib import Path

import pytest

from jujube.config import PROJECT_ROOT
from jujube.knowledge import KnowledgeError, load_knowledge

REAL = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="module")
def shop():
    return load_knowledge(REAL / "catalog.yml", REAL / "lexicon.yml")


def test_catalog_size_and_sections(shop) -> None:
    assert len(shop.products) >= 80
    sections = {p.section for p in shop.products}
    assert {"fresh fruit", "dried fruit and nuts", "dairy and plant milks", "tea and coffee", "snacks",
            "health foods", "mother and baby", "gift boxes and hampers", "drinks"} <= sections
    for kind in ("dates", "kiwi", "sour jujubes"):
        assert shop.products_of_kind(kind), kind


def test_lexicon_size(shop) -> None:
    assert len(shop.of_entity("situation")) >= 25
    assert len(shop.of_entity("recipient")) >= 20
    assert len(shop.of_entity("occasion")) >= 10
    for key in ("pregnant", "daughter-in-law"):
        assert shop.concept("situation", key) or shop.concept("recipient", key), key


def test_every_tag_a_need_uses_exists_on_a_product(shop) -> None:
    product_tags = set().union(*(p.tags for p in shop.products))
    missing = {}
    for concept in shop.concepts.values():
        unknown = (concept.prefer_tags | concept.avoid_tags | set(concept.hints)) - product_tags
        if unknown:
            missing[f"{concept.entity}:{concept.key}"] = sorted(unknown)
    assert not missing, missing


def test_every_product_is_complete(shop) -> None:
    for p in shop.products:
        assert p.price > 0 and p.kinds and p.reason and p.unit, p.sku


def test_broken_files_give_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yml"
    bad.write_text("products: [{sku: X, name: Y, section: nowhere, price: 3}]\nsections: []\n")
    lex = tmp_path / "lexicon.yml"
    lex.write_text("situations: []\n")
    with pytest.raises(KnowledgeError, match="unknown section"):
        load_knowledge(bad, lex)
    with pytest.raises(KnowledgeError, match="missing"):
        load_knowledge(tmp_path / "nope.yml", lex)
    bad.write_text(": : :")
    with pytest.raises(KnowledgeError):
        load_knowledge(bad, lex)


def test_the_shops_best_sellers_are_in_the_catalog() -> None:
    from jujube.shop import load_shop

    shop = load_shop(REAL / "shop.yml")
    catalog = load_knowledge(REAL / "catalog.yml", REAL / "lexicon.yml")
    assert len(shop.popular) >= 3 and set(shop.popular) <= set(catalog.by_sku)
