"""Engine and session factory for the needs log."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from jujube.config import get_settings

logger = logging.getLogger(__name__)


def make_engine(url: str, timeout: float | None = None) -> Engine:
    """An engine for `url` whose calls wait at most `timeout` s (JUJUBE_DB_TIMEOUT) for a lock or a connection.

    SQLite gets its folder created, foreign keys enforced and WAL mode (readers never wait).
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

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    return engine


@lru_cache(maxsize=4)
def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """The process-wide session factory for `url` (default: DATABASE_URL)."""
    engine = make_engine(url or get_settings().database_url)
    return sessionmaker(engine, expire_on_commit=False)
