"""The needs log as the actions use it: writes that survive a database outage.

Every write goes straight to the database. When the database is out of reach (a
connection or operational error), the write waits in an append-only outbox file and
a background thread retries it every few seconds, in order; writes that arrive while
the outbox holds anything queue behind it. A record the database rejects (bad data,
not an outage) is set aside in a dead-letter file with an ERROR in the log, and never
holds up later writes. `jujube needs outbox` shows both files and retries them.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from jujube.db import needs as queries
from jujube.db.session import get_sessionmaker

logger = logging.getLogger(__name__)

RETRY_EVERY = 3.0  # seconds between retries of a non-empty outbox


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the database is out of reach (worth retrying), not that it refused the data."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, InterfaceError):  # a lost connection, or (SQLite) a value it cannot bind
        return "closed" in str(exc).lower() or "connect" in str(exc).lower()
    return isinstance(exc, (OperationalError, DisconnectionError, PoolTimeout, ConnectionError, OSError))


@dataclass
class FlushResult:
    """What one pass over the outbox did."""

    written: int = 0
    set_aside: int = 0
    waiting: int = 0


def dead_letter_path(outbox: Path) -> Path:
    """Where records the database rejected are kept, beside the outbox."""
    return outbox.with_name(f"{outbox.stem}.rejected{outbox.suffix or '.jsonl'}")


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:  # a torn last line after a crash: keep it readable for a person
                logger.error("needs log: unreadable outbox line in %s: %r", path, line[:200])
    return out


def _line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, default=str) + "\n"


class NeedsLog:
    """Writes needs (thread-safe); when the database is down, keeps them in an outbox file until it is back."""

    def __init__(self, outbox: Path, factory: Optional[Callable[[], sessionmaker[Session]]] = None,
                 retry_every: float = RETRY_EVERY, background: bool = True) -> None:
        self.outbox = outbox
        self.dead_letters = dead_letter_path(outbox)
        self._factory = factory
        self._lock = threading.RLock()
        self._retry_every = retry_every
        self._retrier: Optional[threading.Thread] = None
        self._background = background
        self._legacy_ids: dict[tuple[str, int], str] = {}
        if self.outbox.exists():
            self._start_retrier()

    # --- the actions' API ----------------------------------------------------------------
    def save_need(self, record: dict[str, Any]) -> bool:
        """Store the need of one discovery (keyed by its `discovery_id`); True when it reached the database."""
        if not record.get("discovery_id") and record.get("conversation_id"):
            key = (str(record["conversation_id"]), int(record.get("discovery_no") or 1))
            try:
                found = queries.legacy_discovery_id((self._factory or get_sessionmaker)(), record)
                self._legacy_ids[key] = found
            except Exception:  # noqa: BLE001 - the database is down: the id this process saw last
                found = self._legacy_ids.get(key) or queries.discovery_id_of(record)
            record = {**record, "discovery_id": found}
        return self._write({"kind": "need", "record": record})

    def save_transcript(self, conversation_id: str, channel: str, lines: list[dict[str, Any]],
                        language: Optional[str] = None) -> bool:
        """Kept for older callers: transcripts now come from the conversation's events in the tracker store."""
        return True

    # --- the manager's API -----------------------------------------------------------------
    def pending(self) -> int:
        """How many writes wait in the outbox."""
        return len(_read(self.outbox))

    def pending_entries(self) -> list[dict[str, Any]]:
        """The writes waiting in the outbox, oldest first."""
        return _read(self.outbox)

    def set_aside_entries(self) -> list[dict[str, Any]]:
        """The records the database rejected, with the reason."""
        return _read(self.dead_letters)

    def flush(self) -> int:
        """Write everything waiting in the outbox, in order; returns how many writes landed."""
        return self.flush_report().written

    def flush_report(self) -> FlushResult:
        """Write everything waiting in the outbox, in order, stopping at the first outage; says what happened."""
        result = FlushResult()
        with self._locked():
            entries = _read(self.outbox)
            for i, entry in enumerate(entries):
                try:
                    self._apply(entry)
                    result.written += 1
                except Exception as exc:  # noqa: BLE001 - sorted into outage or rejection below
                    if is_outage(exc):
                        result.waiting = len(entries) - i
                        break
                    self._set_aside(entry, exc)
                    result.set_aside += 1
            rest = entries[len(entries) - result.waiting:] if result.waiting else []
            if rest:
                tmp = self.outbox.with_suffix(".tmp")
                tmp.write_text("".join(_line(e) for e in rest), encoding="utf-8")
                tmp.replace(self.outbox)
            else:
                self.outbox.unlink(missing_ok=True)
        if result.written:
            logger.warning("needs log: wrote %d delayed entries from %s", result.written, self.outbox)
        return result

    def retry_set_aside(self) -> FlushResult:
        """Put the set-aside records back in the outbox (after a fix) and write them."""
        with self._locked():
            entries = _read(self.dead_letters)
            if entries:
                self.outbox.parent.mkdir(parents=True, exist_ok=True)
                with self.outbox.open("a", encoding="utf-8") as fh:
                    for entry in entries:
                        entry.pop("error", None)
                        entry.pop("set_aside_at", None)
                        fh.write(_line(entry))
                self.dead_letters.unlink(missing_ok=True)
            return self.flush_report()

    def forget(self, conversation_id: str) -> int:
        """Drop waiting and set-aside writes of one conversation; returns how many."""
        dropped = 0
        with self._locked():
            for path in (self.outbox, self.dead_letters):
                entries = _read(path)
                keep = [e for e in entries if _conversation(e) != conversation_id]
                dropped += len(entries) - len(keep)
                if len(keep) != len(entries):
                    if keep:
                        path.write_text("".join(_line(e) for e in keep), encoding="utf-8")
                    else:
                        path.unlink(missing_ok=True)
        return dropped

    # --- inside ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer of the outbox at a time: threads of this process and other processes."""
        with self._lock:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with open(self.outbox.with_name(self.outbox.name + ".lock"), "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def _apply(self, entry: dict[str, Any]) -> None:
        factory = (self._factory or get_sessionmaker)()
        if entry["kind"] == "need":
            queries.save_need(factory, entry["record"])
        else:  # transcript lines written by older versions
            queries.record_messages(factory, entry["conversation_id"], entry["channel"], entry["lines"],
                                    entry.get("language"))

    def _set_aside(self, entry: dict[str, Any], exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        logger.error("needs log: the database rejected a %s of conversation %s (%s); set aside in %s",
                     entry.get("kind"), _conversation(entry), reason, self.dead_letters)
        stamped = {**entry, "error": reason, "set_aside_at": datetime.now(timezone.utc).isoformat()}
        with self.dead_letters.open("a", encoding="utf-8") as fh:
            fh.write(_line(stamped))

    def _append(self, entry: dict[str, Any]) -> None:
        with self.outbox.open("a", encoding="utf-8") as fh:
            fh.write(_line(entry))
            fh.flush()

    def _write(self, entry: dict[str, Any]) -> bool:
        if self.outbox.exists():  # an outage is known: queue behind the older writes, keep the order
            with self._locked():
                if self.outbox.exists():
                    self._append(entry)
                    self._start_retrier()
                    return False
        try:
            self._apply(entry)
            return True
        except Exception as exc:  # noqa: BLE001 - sorted into outage or rejection below
            with self._locked():
                if is_outage(exc):
                    logger.error("needs log: database unavailable (%s); kept in %s",
                                 str(exc).splitlines()[0][:300], self.outbox)
                    self._append(entry)
                    self._start_retrier()
                else:
                    self._set_aside(entry, exc)
            return False

    def _start_retrier(self) -> None:
        if not self._background:
            return
        with self._lock:
            if self._retrier is not None and self._retrier.is_alive():
                return
            self._retrier = threading.Thread(target=self._retry_loop, name="needs-outbox", daemon=True)
            self._retrier.start()

    def _retry_loop(self) -> None:
        stop = threading.Event()
        while self.outbox.exists():
            stop.wait(self._retry_every)
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - never let the retry thread die on a surprise
                logger.exception("needs log: retrying the outbox failed")


def _conversation(entry: dict[str, Any]) -> Optional[str]:
    if entry.get("kind") == "need":
        return (entry.get("record") or {}).get("conversation_id")
    return entry.get("conversation_id")


def forget_everywhere(conversation_id: str, factory: Optional[sessionmaker[Session]] = None,
                      outbox: Optional[Path] = None) -> dict[str, int]:
    """Delete everything kept about a conversation: the database's records and its waiting or set-aside writes."""
    from jujube.config import get_settings

    counts = queries.forget_conversation(factory or get_sessionmaker(), conversation_id)
    counts["waiting"] = NeedsLog(outbox or get_settings().outbox_path, background=False).forget(conversation_id)
    return counts
