"""Engine and session factory for the needs log."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from jujube.config import get_settings
from jujube.db.sqlite import set_pragmas

logger = logging.getLogger(__name__)


def make_engine(url: str, timeout: float | None = None) -> Engine:
    """An engine for `url` whose calls wait at most `timeout` s (JUJUBE_DB_TIMEOUT) for a lock or a connection.

    SQLite gets its folder created and the pragmas of `jujube.db.sqlite` (WAL, foreign keys).
    """
    wait = float(timeout if timeout is not None else get_settings().db_timeout)
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": wait}
    elif url.startswith("postgres"):
        kwargs["connect_args"] = {"connect_timeout": max(1, round(wait))}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", set_pragmas)
    return engine


@lru_cache(maxsize=4)
def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """The process-wide session factory for `url` (default: DATABASE_URL)."""
    engine = make_engine(url or get_settings().database_url)
    return sessionmaker(engine, expire_on_commit=False)
