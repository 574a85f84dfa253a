"""Rehearsal customers generated from seeds (knowledge/rehearsal/persona_seeds.yml) and the needs lexicon.

A seed names its need by lexicon keys (a recipient, a situation, an occasion, an emotion) and
tells its story in a few ways; the need's dimensions, the keywords a yes/no guess must name
and the products that serve it come from the lexicon and the catalog the shopping side uses.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

from jujube.config import get_settings
from jujube.rehearsal import RehearsalError

logger = logging.getLogger(__name__)

SECTIONS = {"recipient": "recipients", "situation": "situations", "occasion": "occasions", "emotion": "emotions"}
MAX_KEYWORDS = 12
GOOD, ACCEPTABLE, POOR = 3, 3, 3


def seeds_path() -> Path:
    """Where the persona seeds live."""
    return get_settings().knowledge_dir / "rehearsal" / "persona_seeds.yml"


def lexicon_path() -> Path:
    """The shopping side's needs lexicon."""
    return get_settings().knowledge_dir / "lexicon.yml"


def load_lexicon(path: Path | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Lexicon entries by section and key ({"situations": {"diabetic": {...}}, ...})."""
    path = path or lexicon_path()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {section: {str(e["key"]): e for e in raw.get(section) or [] if isinstance(e, dict) and e.get("key")}
            for section in SECTIONS.values()}


def unknown_keys(lexicon_keys: dict[str, tuple[str, ...]], lexicon: dict[str, dict[str, Any]]) -> list[str]:
    """Lexicon keys a persona names that the lexicon does not have ("situation: foo")."""
    out = []
    for kind, keys in lexicon_keys.items():
        section = SECTIONS.get(kind)
        for key in keys:
            if section is None or key not in lexicon.get(section, {}):
                out.append(f"{kind}: {key}")
    return out


def _texts(entries: list[dict[str, Any]] | None) -> list[str]:
    return [str(e["text"]) for e in entries or [] if isinstance(e, dict) and e.get("text")]


def _tags(entries: list[dict[str, Any]] | None, which: str) -> list[str]:
    return [str(t) for e in entries or [] if isinstance(e, dict) for t in e.get(which) or []]


def _list(raw: Any) -> list[str]:
    if raw is None:
        return []
    return [str(raw)] if isinstance(raw, (str, int, float)) else [str(x) for x in raw]


def _whose(recipient: str) -> str:
    return "me" if recipient == "myself" else f"my {recipient}"


def build(seed: dict[str, Any], lexicon: dict[str, dict[str, Any]], catalog: list[dict[str, Any]]) -> dict[str, Any]:
    """A persona entry (the personas.yml schema) from one seed."""
    where = f"seed {seed.get('key')!r}"
    keys = {kind: _list(seed.get(kind)) for kind in SECTIONS}
    missing = unknown_keys({k: tuple(v) for k, v in keys.items()}, lexicon)
    if missing:
        raise RehearsalError(f"{where}: not in the needs lexicon: {', '.join(missing)}")
    entries = {kind: [lexicon[SECTIONS[kind]][k] for k in ks] for kind, ks in keys.items()}
    story = seed.get("story") or {}
    budget = seed.get("budget")
    recipient = (keys["recipient"] or ["myself"])[0]

    def gather(dim: str) -> list[dict[str, Any]]:
        return [x for kind in ("situation", "occasion", "emotion", "recipient") for e in entries[kind]
                for x in e.get(dim) or []]

    functional, formal, emotional = gather("functional"), gather("formal"), gather("emotional")
    prefer = _tags(functional, "prefer") + _list(seed.get("prefer"))
    avoid = sorted(set(_tags(functional, "avoid") + _tags(formal, "avoid")))
    patterns = lambda kind: [str(p) for e in entries[kind] for p in e.get("patterns") or []]  # noqa: E731
    facts: dict[str, Any] = {
        "recipient": {
            "answer": _list(story.get("recipient")) or [f"It's for {_whose(recipient)}."],
            "deeper": _list(story.get("recipient_deeper")),
            "keywords": patterns("recipient")[:MAX_KEYWORDS],
        },
        "situation": {
            "answer": _list(story.get("situation")),
            "deeper": _list(story.get("deeper")),
            "keywords": (patterns("situation") + patterns("occasion"))[:2 * MAX_KEYWORDS],
        },
        "matters": {
            "answer": _list(story.get("matters")),
            "deeper": _list(story.get("matters_deeper")),
            "keywords": sorted({t.replace("-", " ") for t in prefer})[:MAX_KEYWORDS],
        },
        "budget": {
            "answer": _list(story.get("budget")) or ([f"Up to {budget} yuan.", f"I'd like to stay under {budget} yuan.",
                                                      f"Around {budget} yuan, no more."] if budget else
                                                     ["Price isn't the main thing.", "I haven't set a limit."]),
            "keywords": [str(budget)] if budget else [],
        },
    }
    if story.get("quality") or formal:
        facts["quality"] = {"answer": _list(story.get("quality")) or
                            [f"{t[0].upper()}{t[1:]}, if you have it." for t in _texts(formal)[:2]],
                            "keywords": sorted({t.replace("-", " ") for t in _tags(formal, "prefer")})}
    for topic in ("situation", "matters"):
        if not facts[topic]["answer"]:
            raise RehearsalError(f"{where}: story.{topic} is needed")
    summary = seed.get("summary") or "; ".join(
        str(e["summary"]) for e in entries["situation"] + entries["emotion"] if e.get("summary"))
    need = {
        "summary": summary,
        "functional": _texts(functional) or [summary],
        "formal": _texts(formal) or ["well chosen"],
        "emotional": _texts(emotional) or ["looking after someone"],
        "price": {"max": budget, "note": f"up to {budget}"} if budget else {"note": "not fixed"},
    }
    products = seed.get("products") or pick_products(catalog, prefer, avoid, budget, seed.get("stated_request", ""))
    if not products.get("good"):
        raise RehearsalError(f"{where}: no catalog product serves the need (prefer {prefer}, avoid {avoid})")
    return {
        "key": seed["key"], "title": seed["title"], "name": seed["name"], "opening": seed["opening"],
        "stated_request": seed["stated_request"], "facts": facts, "need": need, "products": products,
        "ok_tags": sorted(set(prefer)), "avoid_tags": avoid,
        "lexicon": {k: v for k, v in keys.items() if v},
    }


def pick_products(catalog: list[dict[str, Any]], prefer: list[str], avoid: list[str], budget: Any,
                  stated: str) -> dict[str, list[str]]:
    """Catalog skus that serve the need best (most preferred tags, nothing to avoid, in budget), and poor ones."""
    want, bad = set(prefer), set(avoid)
    ranked, poor = [], []
    for p in catalog:
        tags = {str(t) for t in p.get("tags") or []} | {str(t) for t in p.get("allergens") or []}
        price = p.get("price")
        hit = len(tags & want)
        if tags & bad:
            poor.append((-(stated.lower() in " ".join(map(str, p.get("kinds") or [])).lower()), p["sku"]))
        elif hit and not (budget and isinstance(price, (int, float)) and price > float(budget)):
            asked = any(stated.lower() in str(k).lower() or str(k).lower() in stated.lower()
                        for k in p.get("kinds") or [])
            ranked.append((-hit, -asked, price if isinstance(price, (int, float)) else 0.0, p["sku"]))
    ranked.sort()
    poor.sort()
    return {"good": [s for *_, s in ranked[:GOOD]], "acceptable": [s for *_, s in ranked[GOOD:GOOD + ACCEPTABLE]],
            "poor": [s for _, s in poor[:POOR]]}


def generate(path: Path | None = None, lexicon_file: Path | None = None,
             catalog_path: Path | None = None) -> list[dict[str, Any]]:
    """Persona entries built from every seed (none when the seeds file is missing)."""
    path = path or seeds_path()
    if not path.is_file():
        return []
    seeds = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("seeds") or []
    lexicon = load_lexicon(lexicon_file)
    catalog_file = catalog_path or get_settings().catalog_path
    catalog = (yaml.safe_load(catalog_file.read_text(encoding="utf-8")) or {}).get("products") or [] \
        if catalog_file.is_file() else []
    return [build(seed, lexicon, [p for p in catalog if isinstance(p, dict) and p.get("sku")]) for seed in seeds]
