"""The needs log as the actions use it: writes that survive a database outage."""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Callable, Optional

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jujube.db import needs as queries
from jujube.db.session import get_sessionmaker

logger = logging.getLogger(__name__)


class NeedsLog:
    """Writes needs and transcripts; when the database is down, keeps them in an outbox file."""

    def __init__(self, outbox: Path, factory: Optional[Callable[[], sessionmaker[Session]]] = None) -> None:
        self.outbox = outbox
        self._factory = factory
        self._lock = threading.Lock()

    def save_need(self, record: dict[str, Any]) -> bool:
        """Store a need; True when it reached the database, False when it waits in the outbox."""
        return self._write({"kind": "need", "record": record})

    def save_transcript(self, conversation_id: str, channel: str, lines: list[dict[str, Any]],
                        language: Optional[str] = None) -> bool:
        """Store transcript lines; True when they reached the database."""
        if not lines:
            return True
        return self._write({"kind": "transcript", "conversation_id": conversation_id, "channel": channel,
                            "lines": lines, "language": language})

    def pending(self) -> int:
        """How many writes wait in the outbox."""
        if not self.outbox.exists():
            return 0
        return sum(1 for line in self.outbox.read_text(encoding="utf-8").splitlines() if line.strip())

    def flush(self) -> int:
        """Try to write everything waiting in the outbox; returns how many writes landed."""
        with self._lock:
            if not self.outbox.exists():
                return 0
            entries = [json.loads(line) for line in self.outbox.read_text(encoding="utf-8").splitlines() if line.strip()]
            done = 0
            for entry in entries:
                try:
                    self._apply(entry)
                except (SQLAlchemyError, OSError):
                    break
                done += 1
            rest = entries[done:]
            if rest:
                self.outbox.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in rest), encoding="utf-8")
            else:
                self.outbox.unlink(missing_ok=True)
            if done:
                logger.warning("needs log: wrote %d delayed entries from %s", done, self.outbox)
            return done

    def _apply(self, entry: dict[str, Any]) -> None:
        factory = (self._factory or get_sessionmaker)()
        if entry["kind"] == "need":
            queries.save_need(factory, entry["record"])
        else:
            queries.record_messages(factory, entry["conversation_id"], entry["channel"], entry["lines"],
                                    entry.get("language"))

    def _write(self, entry: dict[str, Any]) -> bool:
        if self.outbox.exists():
            self.flush()
        try:
            if self.outbox.exists():  # older entries still wait: keep the order
                raise SQLAlchemyError("outbox not empty")
            self._apply(entry)
            return True
        except (SQLAlchemyError, OSError) as exc:
            logger.error("needs log: database unavailable (%s); kept in %s", exc, self.outbox)
            with self._lock:
                self.outbox.parent.mkdir(parents=True, exist_ok=True)
                with self.outbox.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            return False
