"""Conversations kept in the project's database (Rasa's SQL tracker store, on DATABASE_URL).

Runs inside the Rasa server. Like Rasa's SQLTrackerStore (same `events` table), plus:
- the database comes from DATABASE_URL (default: the needs log's SQLite file), never
  from a second place;
- the server starts even when the database is down, and never waits on it in its
  event loop (queries run in a worker thread, with short timeouts);
- during an outage a conversation goes on from its last known state, and what is said
  meanwhile is kept in memory and written in order once the database is back, so the
  discovery counts every message.
"""
from __future__ import annotations

import asyncio
import atexit
import json
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from jujube.config import get_settings
from jujube.db.sqlite import set_pragmas

logger = logging.getLogger(__name__)

Stamp = tuple[int, Optional[int]]  # (events stored for a conversation, the last one's id)
RECENT = 2000  # conversations whose last known events are kept for an outage
RETRY_EVERY = 2.0  # seconds between attempts to write what an outage held back


def database_url() -> str:
    """The project's database (DATABASE_URL; default the SQLite file var/jujube.db)."""
    return get_settings().database_url


def db_timeout() -> float:
    """Seconds a database call may wait for a lock or a connection (JUJUBE_DB_TIMEOUT)."""
    return float(get_settings().db_timeout)


def make_engine(url: str) -> sa.engine.Engine:
    """An engine with short timeouts; SQLite with the pragmas of `jujube.db.sqlite` (WAL: readers never wait)."""
    timeout = db_timeout()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # a pool of open connections (SQLAlchemy 1.4 opens a new one per query for a SQLite file otherwise)
        engine = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                  connect_args={"timeout": timeout, "check_same_thread": False})
        sa.event.listen(engine, "connect", set_pragmas)
        return engine
    connect_args = {"connect_timeout": max(1, int(timeout))} if url.startswith("postgres") else {}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def is_outage(exc: BaseException) -> bool:
    """True when the database could not be reached (as opposed to a bug)."""
    return isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError,
                            sa.exc.TimeoutError, ConnectionError, OSError)) or (
        isinstance(exc, sa.exc.DBAPIError) and bool(exc.connection_invalidated))


_events = SQLTrackerStore.SQLEvent.__table__
# Built once (building a query costs more than running it): the conversation's stamp, and a turn's events.
_STAMP = sa.select(sa.func.count(_events.c.id), sa.func.max(_events.c.id)).where(
    _events.c.sender_id == sa.bindparam("sender"))
_INSERT = _events.insert()


class JujubeTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on DATABASE_URL, riding out database outages."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None,
                 event_broker: Optional[EventBroker] = None, **kwargs: Dict[Text, Any]) -> None:
        for unused in ("dialect", "db", "username", "password", "port", "login_db", "query", "url"):
            kwargs.pop(unused, None)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        url = host if host and "://" in str(host) else database_url()
        self.engine = make_engine(url)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self._tables = False
        self._pending: "OrderedDict[str, tuple[list[dict[str, Any]], int]]" = OrderedDict()
        # each conversation's last events read or written, with what the database held then
        self._recent: "OrderedDict[str, tuple[list[dict[str, Any]], Stamp]]" = OrderedDict()
        self._retry_at = 0.0
        self._flusher: Optional["asyncio.Task[None]"] = None
        self._writing = asyncio.Lock()
        try:
            self._create_tables()
        except Exception as exc:  # noqa: BLE001
            logger.warning("conversation store: database not reachable at start (%s); will retry", exc)
        atexit.register(self._flush_at_exit)
        logger.info("conversation store: %s", self.engine.url.render_as_string(hide_password=True))

    # --- database calls (run in a worker thread) ----------------------------------------
    def _create_tables(self) -> None:
        if not self._tables:
            self.Base.metadata.create_all(self.engine)
            self._tables = True

    def _stamp(self, session: Any, sender_id: str) -> Stamp:
        """How many events the database holds for the conversation, and the last one's id.

        Any write or deletion, by any process, changes it: an unchanged stamp means the events read before
        are still what the database holds.
        """
        count, last = session.execute(_STAMP, {"sender": sender_id}).one()
        return int(count), last

    def _load(self, sender_id: str, all_sessions: bool = False) -> List[Dict[str, Any]]:
        self._create_tables()
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            return [json.loads(row.data) for row in rows]

    def _load_latest(self, sender_id: str) -> tuple[List[Dict[str, Any]], Stamp]:
        """The latest session's events and the stamp they go with; the ones read before when unchanged."""
        self._create_tables()
        with self.session_scope() as session:
            stamp = self._stamp(session, sender_id)
            known = self._recent.get(sender_id)
            if known is not None and known[1] == stamp:
                return known[0], stamp
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            return [json.loads(row.data) for row in rows], stamp

    def _insert(self, sender_id: str, events: List[Dict[str, Any]], stored: Optional[int]) -> Stamp:
        """Write the events past the stored ones; `stored=None` asks the database how many it has."""
        self._create_tables()
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            rows = [{"sender_id": sender_id, "type_name": data.get("event"), "timestamp": data.get("timestamp"),
                     "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                     "action_name": data.get("name"), "data": json.dumps(data)} for data in events[stored:]]
            if rows:  # one statement for the turn's events, in order
                session.execute(_INSERT, rows)
            stamp = self._stamp(session, sender_id)
            session.commit()
        return stamp

    # --- memory of the outage ---------------------------------------------------------
    def _remember(self, sender_id: str, events: List[Dict[str, Any]], stamp: Stamp) -> None:
        self._recent[sender_id] = (events, stamp)
        self._recent.move_to_end(sender_id)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)

    def _known(self, sender_id: str) -> Optional[List[Dict[str, Any]]]:
        """The conversation's last events read or written here, if any."""
        known = self._recent.get(sender_id)
        return known[0] if known is not None else None

    def _tracker(self, sender_id: str, events: List[Dict[str, Any]]) -> DialogueStateTracker:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def _flush_pending(self, force: bool = False) -> None:
        """Write conversations held back by an outage, oldest first; stop at the first failure.

        Without `force`, nothing is tried for a moment after a failure, so talking shoppers
        do not each wait on a database that is still down.
        """
        if not self._pending or (not force and time.monotonic() < self._retry_at):
            return
        async with self._writing:  # one writer of held-back conversations at a time
            for sender_id in list(self._pending):
                held = self._pending.get(sender_id)
                if held is None:
                    continue
                events, stored = held
                try:
                    stamp = await asyncio.to_thread(self._insert, sender_id, events, stored)
                except Exception as exc:  # noqa: BLE001
                    if not is_outage(exc):
                        raise
                    self._retry_at = time.monotonic() + RETRY_EVERY
                    logger.warning("conversation store: database still unavailable (%s); %d conversations wait",
                                   str(exc).splitlines()[0][:200], len(self._pending))
                    return
                del self._pending[sender_id]  # only a writer holding the lock changes a held entry
                self._remember(sender_id, events, stamp)
                logger.warning("conversation store: wrote %s's conversation held back by an outage", sender_id)

    def _flush_at_exit(self) -> None:
        """On a clean shutdown, a last try to write what an outage held back."""
        for sender_id, (events, stored) in list(self._pending.items()):
            try:
                self._insert(sender_id, events, stored)
                del self._pending[sender_id]
            except Exception as exc:  # noqa: BLE001
                logger.error("conversation store: %d conversations held back by an outage are lost at shutdown (%s)",
                             len(self._pending), str(exc).splitlines()[0][:200])
                return

    # --- Rasa's tracker store interface -------------------------------------------------
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation's latest session; from memory while the database is down."""
        await self._flush_pending()
        if sender_id in self._pending:
            return self._tracker(sender_id, self._pending[sender_id][0])
        try:
            events, stamp = await asyncio.to_thread(self._load_latest, sender_id)
        except Exception as exc:  # noqa: BLE001
            if not is_outage(exc):
                raise
            known = self._known(sender_id)
            if known is None:
                logger.error("conversation store: database unavailable and %s unknown here (%s)", sender_id,
                             str(exc).splitlines()[0][:200])
                raise
            logger.warning("conversation store: database unavailable; %s goes on from memory", sender_id)
            return self._tracker(sender_id, known)
        if not events:
            self._recent.pop(sender_id, None)
            return None
        self._remember(sender_id, events, stamp)
        return self._tracker(sender_id, events)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of the conversation."""
        events = await asyncio.to_thread(self._load, conversation_id, True)
        return self._tracker(conversation_id, events) if events else None

    async def keys(self) -> Iterable[Text]:
        """Sender ids of every stored conversation."""
        def load() -> List[str]:
            with self.session_scope() as session:
                return [s for (s,) in session.query(self.SQLEvent.sender_id).distinct().all()]

        return await asyncio.to_thread(load)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events; while the database is down, hold them in memory (in order)."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events = [e.as_dict() for e in tracker.events]
        await self._flush_pending()
        if sender_id in self._pending:
            async with self._writing:
                await self._save(sender_id, events)
        else:
            await self._save(sender_id, events)

    async def _save(self, sender_id: str, events: List[Dict[str, Any]]) -> None:
        held = self._pending.get(sender_id)
        if held is None or time.monotonic() >= self._retry_at:
            if held is not None:
                stored: Optional[int] = held[1]
            else:  # the events this process read under the conversation's lock are what the database holds
                known = self._known(sender_id)
                stored = len(known) if known is not None and _same_start(known, events) else None
            try:
                stamp = await asyncio.to_thread(self._insert, sender_id, events, stored)
                self._pending.pop(sender_id, None)
                self._remember(sender_id, events, stamp)
                return
            except Exception as exc:  # noqa: BLE001
                if not is_outage(exc):
                    raise
                self._retry_at = time.monotonic() + RETRY_EVERY
                logger.error("conversation store: database unavailable (%s); holding %s's conversation in memory",
                             str(exc).splitlines()[0][:200], sender_id)
        if held is not None:
            stored = held[1]
        else:  # what the database holds is what was last read or written, if this conversation continues it
            known = self._known(sender_id) or []
            stored = len(known) if known and _same_start(known, events) else 0
        self._pending[sender_id] = (events, stored)
        self._pending.move_to_end(sender_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_until_empty())

    async def _flush_until_empty(self) -> None:
        """Keep trying to write held-back conversations, also when nobody is talking."""
        while self._pending:
            await asyncio.sleep(RETRY_EVERY)
            try:
                await self._flush_pending(force=True)
            except Exception:  # noqa: BLE001 - a surprise must not end the retries
                logger.exception("conversation store: writing held-back conversations failed")


def _same_start(known: List[Dict[str, Any]], events: List[Dict[str, Any]]) -> bool:
    """True when `events` continues `known` (same first events), so counting the known ones is right."""
    return len(events) >= len(known) and (not known or events[0] == known[0]) and (
        not known or events[len(known) - 1] == known[-1])


__all__ = ["JujubeTrackerStore", "SessionStarted", "database_url"]
