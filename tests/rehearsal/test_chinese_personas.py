"""The customers' Chinese lines (knowledge/zh/personas.yml): complete, keyed like the English file, with a fallback."""
from __future__ import annotations

import yaml

from jujube.config import get_settings
from jujube.messages import language_of
from jujube.knowledge import language_overlays
from jujube.rehearsal.personas import PersonaLibrary


def _overlay() -> dict:
    return yaml.safe_load((get_settings().knowledge_dir / "zh" / "personas.yml").read_text(encoding="utf-8"))


def test_the_chinese_overlay_is_found_by_its_language() -> None:
    assert set(language_overlays(get_settings().knowledge_dir, "personas.yml")) == {"zh"}


def test_every_overlay_key_names_a_customer_of_the_english_files(library: PersonaLibrary) -> None:
    keys = set(_overlay()["personas"])
    assert keys and keys <= set(library.personas), sorted(keys - set(library.personas))


def test_every_customer_speaks_chinese(library: PersonaLibrary) -> None:
    """The hand-written customers and those generated from persona_seeds.yml."""
    speaking = {k for k, p in library.personas.items() if "zh" in p.voices}
    assert speaking == set(library.personas), sorted(set(library.personas) - speaking)
    for persona in library.personas.values():
        zh = persona.localized("zh")
        assert all(zh.facts[t].answers != persona.facts[t].answers for t in persona.facts), persona.key
        assert zh.stated_request != persona.stated_request and zh.stated_request in zh.opening, persona.key


def test_a_chinese_customer_says_every_line_in_chinese(library: PersonaLibrary) -> None:
    for key, persona in library.personas.items():
        if "zh" not in persona.voices:
            continue
        zh = persona.localized("zh")
        lines = [zh.name, zh.title, zh.opening]
        for topic, fact in zh.facts.items():
            lines += fact.answers + fact.deepers
            assert set(fact.answers).isdisjoint(persona.facts[topic].answers), (key, topic)
            assert set(fact.deepers).isdisjoint(persona.facts[topic].deepers), (key, topic, "deeper story missing")
        lines += [r for kind in persona.replies for r in zh.replies[kind]]
        for line in lines:
            assert language_of(line.format(answer="")) == "zh", (key, line)


def test_chinese_replies_cover_every_kind_of_english_reply(library: PersonaLibrary) -> None:
    defaults = _overlay()["defaults"]["replies"]
    english = next(iter(library.personas.values())).replies
    assert set(english) <= set(defaults), sorted(set(english) - set(defaults))
    assert all("{answer}" in r for r in defaults["repeat"])


def test_the_chinese_customer_keeps_the_need_topics_and_keywords(library: PersonaLibrary) -> None:
    en = library.personas["jujube"]
    zh = en.localized("zh")
    assert zh.key == en.key and zh.products == en.products and zh.skus == en.skus
    assert {k: v for k, v in zh.need.items() if k not in ("summary", "price")} == \
           {k: v for k, v in en.need.items() if k not in ("summary", "price")}
    assert zh.budget_max == en.budget_max == 50 and zh.need["price"]["note"] == "五十左右"
    assert language_of(zh.need["summary"]) == "zh" and en.need["summary"].startswith("something sour")
    for topic, fact in en.facts.items():
        told = zh.facts[topic]
        assert told.dimensions == fact.dimensions
        assert told.keywords[:len(fact.keywords)] == fact.keywords and len(told.keywords) > len(fact.keywords)
    assert zh.facts["recipient"].guessed_by("是给你儿媳妇买的吗？") and not en.facts["recipient"].guessed_by("儿媳妇")
    assert zh.language == "zh" and en.language == "en"
    assert zh.opening == "老板，有枣吗？" and en.opening == "Do you have dates?"


def test_a_customer_without_chinese_lines_falls_back_to_english(library: PersonaLibrary) -> None:
    from jujube.rehearsal.personas import load_library
    for persona in load_library(overlays={}).personas.values():
        assert persona.localized("zh") is persona
    for persona in library.personas.values():
        assert persona.localized(None) is persona and persona.localized("en") is persona
        assert persona.localized("fr") is persona


def test_an_unknown_key_in_an_overlay_is_ignored_not_fatal(tmp_path, library: PersonaLibrary) -> None:
    from jujube.rehearsal.personas import load_library
    overlay = tmp_path / "zh" / "personas.yml"
    overlay.parent.mkdir()
    overlay.write_text("language: zh\npersonas:\n  no-such-customer: {opening: 有枣吗？}\n"
                       "  jujube: {opening: 有没有枣？}\n", encoding="utf-8")
    lib = load_library(seeds=False, overlays={"zh": overlay})
    assert "no-such-customer" not in lib.personas
    assert lib.personas["jujube"].localized("zh").opening == "有没有枣？"
    # a topic the overlay leaves out keeps its English lines
    assert lib.personas["jujube"].localized("zh").facts["budget"].answers == lib.personas["jujube"].facts["budget"].answers


def test_a_customer_is_chosen_by_a_chinese_title_word(library: PersonaLibrary) -> None:
    assert library.get("红糖的丈夫").key == "new-mother"
    assert library.get("最浓咖啡").key == "night-nurse"
