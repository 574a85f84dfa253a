"""Fixtures of the rehearsal coach tests: the trained classifier, the knowledge files, a migrated database."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.migrate import upgrade
from jujube.db.session import make_engine
from jujube.rehearsal.classifier import QuestionClassifier, get_classifier
from jujube.rehearsal.personas import PersonaLibrary, load_library
from jujube.rehearsal.scoring import Rubric, load_rubric
from jujube.rehearsal.service import RehearsalService

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def library() -> PersonaLibrary:
    """The shop's persona library."""
    return load_library()


@pytest.fixture(scope="session")
def classifier(library: PersonaLibrary) -> QuestionClassifier:
    """The question classifier for the current training data (trained once, then cached under var/)."""
    return get_classifier(normalizer=library.index.mask)


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    """The scoring rubric."""
    return load_rubric()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once; tests copy it."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def factory(migrated_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh, migrated SQLite database."""
    path = tmp_path / "rehearsal.db"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def service(factory: sessionmaker[Session], library: PersonaLibrary, rubric: Rubric,
            classifier: QuestionClassifier) -> RehearsalService:
    """A rehearsal service on a fresh database."""
    return RehearsalService(factory, library=library, rubric=rubric, classifier=classifier)
