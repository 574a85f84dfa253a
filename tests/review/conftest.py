"""Fixtures of the review tests: temporary needs logs built through the migrations."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.session import get_sessionmaker

from .data import CONTACT, CONTACT_LINES, JUJUBE, JUJUBE_LINES, SEEDED, UNICODE, XSS_LINES, XSS_NEED, add_need, make_db


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A needs log with synthetic needs plus the jujube, contact, XSS and unicode conversations (read-only)."""
    url = make_db(tmp_path_factory.mktemp("review") / "needs.db", SEEDED)
    factory = get_sessionmaker(url)
    add_need(factory, JUJUBE, JUJUBE_LINES)
    add_need(factory, CONTACT, CONTACT_LINES)
    add_need(factory, XSS_NEED, XSS_LINES)
    add_need(factory, UNICODE, [("user", "有红枣吗？")])
    return url


@pytest.fixture(scope="session")
def seeded(seeded_url: str) -> sessionmaker[Session]:
    """Session factory of the seeded needs log."""
    return get_sessionmaker(seeded_url)


@pytest.fixture()
def empty_url(tmp_path: Path) -> str:
    """A fresh, empty, migrated needs log."""
    return make_db(tmp_path / "empty.db")


@pytest.fixture(scope="session")
def artifacts_dir() -> Iterator[Path]:
    """Where tests leave files for people to look at (git-ignored)."""
    root = Path(__file__).resolve().parents[2] / "artifacts"
    root.mkdir(exist_ok=True)
    yield root


@pytest.fixture(autouse=True)
def _no_dotenv_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure the dashboard explicitly, never from the developer's environment."""
    for name in list(os.environ):
        if name.startswith("JUJUBE_DASHBOARD_"):
            monkeypatch.delenv(name, raising=False)
