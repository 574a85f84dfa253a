"""Bring a database's schema up to date with the Alembic migrations."""
from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config

from jujube.config import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the project's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    """Apply every migration not applied yet."""
    command.upgrade(alembic_config(url), "head")
