"""Alembic environment: migrates the database named by DATABASE_URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import jujube.db.models  # noqa: F401  (registers the tables)
import jujube.rehearsal.models  # noqa: F401
from jujube.config import get_settings
from jujube.db.models import Base
from jujube.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a live connection."""
    engine = make_engine(_url(), timeout=30)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
