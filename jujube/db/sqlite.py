"""SQLite settings shared by the needs log (SQLAlchemy 2) and the conversation store (Rasa's SQLAlchemy 1.4)."""
from __future__ import annotations

from typing import Any

# WAL: readers never wait for the writer. synchronous=NORMAL: a commit is not flushed to the disk on its own,
# only at checkpoints; a crash of the process loses nothing, a power cut may lose the last commits.
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def set_pragmas(dbapi_conn: Any, _record: Any = None) -> None:
    """Apply PRAGMAS to a new SQLite connection (an engine's "connect" listener)."""
    cur = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        cur.execute(pragma)
    cur.close()
