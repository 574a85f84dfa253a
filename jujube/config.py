"""Settings, read once from the environment (and an optional `.env` file)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Put KEY=VALUE lines of `path` into the environment unless already set."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Every setting Jujube reads; see `.env.example` for documentation."""

    database_url: str
    knowledge_dir: Path
    outbox_path: Path
    rasa_url: str
    actions_port: int
    rasa_port: int
    max_questions: int = 4

    @property
    def catalog_path(self) -> Path:
        """Where the shop's catalog lives."""
        return self.knowledge_dir / "catalog.yml"

    @property
    def lexicon_path(self) -> Path:
        """Where the needs lexicon lives."""
        return self.knowledge_dir / "lexicon.yml"


def default_database_url() -> str:
    """SQLite file under var/ in the project."""
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'jujube.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once per process."""
    _load_dotenv(PROJECT_ROOT / ".env")
    rasa_port = int(_env("RASA_PORT", "5005"))
    return Settings(
        database_url=_env("DATABASE_URL", default_database_url()),
        knowledge_dir=Path(_env("JUJUBE_KNOWLEDGE_DIR", str(PROJECT_ROOT / "knowledge"))),
        outbox_path=Path(_env("JUJUBE_OUTBOX", str(PROJECT_ROOT / "var" / "outbox.jsonl"))),
        rasa_url=_env("RASA_URL", f"http://localhost:{rasa_port}"),
        actions_port=int(_env("ACTIONS_PORT", "5055")),
        rasa_port=rasa_port,
        max_questions=int(_env("JUJUBE_MAX_QUESTIONS", "4")),
    )
