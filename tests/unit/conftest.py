"""Unit-test fixtures: a small knowledge set and a temporary needs log."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point Jujube at the fixture knowledge and a fresh SQLite database."""
    from jujube.config import get_settings
    from jujube.db.migrate import upgrade
    from jujube.db.session import get_sessionmaker
    from jujube.knowledge import get_knowledge
    from actions.common import needs_log

    url = f"sqlite:///{tmp_path / 'needs.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("JUJUBE_KNOWLEDGE_DIR", str(FIXTURES))
    monkeypatch.setenv("JUJUBE_OUTBOX", str(tmp_path / "outbox.jsonl"))
    for cached in (get_settings, get_knowledge, get_sessionmaker, needs_log):
        cached.cache_clear()
    upgrade(url)
    yield tmp_path
    for cached in (get_settings, get_knowledge, get_sessionmaker, needs_log):
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
