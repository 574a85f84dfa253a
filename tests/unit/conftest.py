"""Unit-test fixtures: a small knowledge set and a temporary needs log."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point Jujube at the fixture knowledge and a fresh SQLite database."""
    from jujube.config import get_settings
    from jujube.db.migrate import upgrade
    from jujube.db.session import get_sessionmaker
    from jujube.knowledge import get_knowledge
    from jujube.messages import get_messages, languages
    from jujube.shop import get_shop
    from actions.turn import needs_log

    url = f"sqlite:///{tmp_path / 'needs.db'}"
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("catalog.yml", "lexicon.yml"):  # a small, stable catalog and lexicon
        (knowledge / name).symlink_to(FIXTURES / name)
    for name in ("shop.yml", "messages"):  # the shop's own answers and words
        (knowledge / name).symlink_to(PROJECT_KNOWLEDGE / name)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("JUJUBE_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("JUJUBE_OUTBOX", str(tmp_path / "outbox.jsonl"))
    caches = (get_settings, get_knowledge, get_sessionmaker, needs_log, get_messages, get_shop, languages)
    for cached in caches:
        cached.cache_clear()
    upgrade(url)
    yield tmp_path
    for cached in caches:
        cached.cache_clear()


@pytest.fixture
def kb():
    """The fixture knowledge."""
    from jujube.knowledge import get_knowledge

    return get_knowledge()


@pytest.fixture(scope="session")
def _matchers() -> dict:
    return {}


@pytest.fixture
def matcher(kb, _matchers):
    """A spaCy entity matcher over the fixture knowledge (built once)."""
    from jujube.nlu.matcher import EntityMatcher

    if "m" not in _matchers:
        _matchers["m"] = EntityMatcher(kb)
    return _matchers["m"]


def pytest_configure() -> None:
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
