"""Reading and writing the needs log (records in the contract's export shape)."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Optional

from sqlalchemy import (Float, Integer, String, Text, bindparam, column, delete, func, insert, inspect, select, table,
                        update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import Conversation, Message, Need, utcnow

logger = logging.getLogger(__name__)


def iso(ts: datetime) -> str:
    """ISO-8601 in UTC with a trailing Z."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime:
    """A datetime from an ISO string, a datetime or an epoch number."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value).strip().replace("Z", "+00:00")
    ts = datetime.fromisoformat(text)
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def _bind(name: str, type_: Any = None) -> Any:
    """A value bound per call (statements are built once; a bound name may not be a column's)."""
    return bindparam(f"v_{name}", type_=type_)


def _bound(values: dict[str, Any]) -> dict[str, Any]:
    """The values of one call, under their bound names."""
    return {f"v_{k}": v for k, v in values.items()}


_conversations = Conversation.__table__
_SEEN = update(_conversations).where(_conversations.c.id == _bind("id")).values(  # the language only if none yet
    last_seen_at=_bind("now"), language=func.coalesce(func.nullif(_conversations.c.language, ""),
                                                      _bind("language", String())))
_NEW_CONVERSATION = insert(_conversations).values(id=_bind("id"), channel=_bind("channel"),
                                                  language=_bind("language"))


def _touch_conversation(session: Session, conversation_id: str, channel: str, language: Optional[str]) -> None:
    """Mark the conversation as seen now (and its language, when it had none); add it when new."""
    values = {"id": conversation_id, "now": utcnow(), "language": (language or None) and language[:LANGUAGE_MAX]}
    if session.execute(_SEEN, _bound(values)).rowcount == 0:
        session.execute(_NEW_CONVERSATION, _bound({**values, "channel": channel[:CHANNEL_MAX]}))


CHANNEL_MAX = 32  # width of the channel columns
LANGUAGE_MAX = 16  # width of the language columns


def discovery_id_of(record: dict[str, Any]) -> str:
    """The record's discovery id; records without one get a stable id from (conversation, discovery number)."""
    value = str(record.get("discovery_id") or "").strip()
    if value:
        return value[:64]
    return _legacy_id(record, None)


def _legacy_id(record: dict[str, Any], since: Optional[float]) -> str:
    key = f"{record['conversation_id']}#{int(record.get('discovery_no') or 1)}@{since or 0}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jujube:{key}"))


def _channel(record: dict[str, Any]) -> str:
    return str(record.get("channel") or "rest")[:CHANNEL_MAX]


def language_of(record: dict[str, Any]) -> Optional[str]:
    """The record's language code (`en`, `zh`; `zh` also from `zh-Hans`), lower case; None when it does not say."""
    value = str(record.get("language") or "").strip().lower().replace("_", "-").split("-")[0]
    return value[:LANGUAGE_MAX] or None


def need_columns(record: dict[str, Any]) -> dict[str, Any]:
    """The `needs` columns a record sets, besides its ids and times."""
    price = (record.get("needs") or {}).get("price") or {}
    return {
        "channel": _channel(record), "language": language_of(record),
        "discovery_no": None if record.get("discovery_no") is None else int(record["discovery_no"]),
        "stated_request": record.get("stated_request") or "", "underlying_need": record.get("underlying_need") or "",
        "recipient": record.get("recipient"), "situation": record.get("situation"), "occasion": record.get("occasion"),
        "needs": record.get("needs") or {}, "budget_max": price.get("max"), "currency": price.get("currency"),
        "recommendations": record.get("recommendations") or [], "chosen_sku": record.get("chosen_sku"),
        "outcome": record.get("outcome") or "pending", "unmet": bool(record.get("unmet", False)),
    }


_needs = Need.__table__
_SET = ("channel", "stated_request", "underlying_need", "recipient", "situation", "occasion", "needs", "budget_max",
        "currency", "recommendations", "chosen_sku", "outcome", "unmet", "updated_at")
_KEPT_WHEN_UNSAID = ("language", "discovery_no")  # a later write without them keeps the ones stored
_UPDATE_NEED = update(_needs).where(
    _needs.c.discovery_id == _bind("discovery_id"), _needs.c.conversation_id == _bind("conversation_id")
).values(**{c: _bind(c) for c in _SET},
         **{c: func.coalesce(_bind(c, _needs.c[c].type), _needs.c[c]) for c in _KEPT_WHEN_UNSAID}
         ).returning(_needs.c.id)
_NEED_ID = select(_needs.c.id).where(_needs.c.discovery_id == _bind("discovery_id"))
_NEW_NEED = insert(_needs).values(**{c: _bind(c) for c in (*_SET, *_KEPT_WHEN_UNSAID, "captured_at", "discovery_id",
                                                            "conversation_id")}).returning(_needs.c.id)


def save_need(factory: sessionmaker[Session], record: dict[str, Any]) -> int:
    """Insert the need of one discovery, or update it (same `discovery_id`); returns its id.

    A need is only ever updated by its own discovery: the key is the discovery id, never a
    position in the conversation.
    """
    discovery_id, conversation_id = discovery_id_of(record), record["conversation_id"]
    values = {**need_columns(record), "discovery_id": discovery_id, "conversation_id": conversation_id}
    for attempt in (1, 2):
        try:
            with factory.begin() as session:
                _touch_conversation(session, conversation_id, values["channel"], record.get("language"))
                values["updated_at"] = utcnow()
                found = session.execute(_UPDATE_NEED, _bound(values)).scalar()
                if found is not None:
                    return int(found)
                if session.execute(_NEED_ID, _bound(values)).scalar() is not None:
                    raise ValueError(f"discovery {discovery_id} belongs to another conversation")
                values["captured_at"] = parse_time(record["captured_at"]) if record.get("captured_at") \
                    else values["updated_at"]
                return int(session.execute(_NEW_NEED, _bound(values)).scalar_one())
        except IntegrityError:
            if attempt == 2:  # not a race between two first writes: the record itself is at fault
                raise
    raise AssertionError("unreachable")


def record_messages(
    factory: sessionmaker[Session],
    conversation_id: str,
    channel: str,
    lines: Iterable[dict[str, Any]],
    language: Optional[str] = None,
) -> int:
    """Add transcript lines ({role, text, intent, sent_at}) not stored yet; returns how many were new."""
    added = 0
    with factory.begin() as session:
        _touch_conversation(session, conversation_id, channel, language)
        session.flush()
        known = {
            (parse_time(ts), role)
            for ts, role in session.execute(
                select(Message.sent_at, Message.role).where(Message.conversation_id == conversation_id)
            )
        }
        for line in lines:
            key = (parse_time(line["sent_at"]), line["role"])
            if key in known:
                continue
            known.add(key)
            session.add(
                Message(
                    conversation_id=conversation_id,
                    role=line["role"],
                    text=line.get("text") or "",
                    intent=line.get("intent"),
                    sent_at=key[0],
                )
            )
            added += 1
    return added


def need_to_record(need: Need) -> dict[str, Any]:
    """The contract's export shape of a stored need."""
    return {
        "id": need.id,
        "conversation_id": need.conversation_id,
        "discovery_id": need.discovery_id,
        "discovery_no": need.discovery_no,
        "channel": need.channel,
        "language": need.language,
        "captured_at": iso(need.captured_at),
        "updated_at": iso(need.updated_at),
        "stated_request": need.stated_request,
        "underlying_need": need.underlying_need,
        "recipient": need.recipient,
        "situation": need.situation,
        "occasion": need.occasion,
        "needs": need.needs or {},
        "recommendations": need.recommendations or [],
        "chosen_sku": need.chosen_sku,
        "outcome": need.outcome,
        "unmet": need.unmet,
    }


def iter_needs(
    factory: sessionmaker[Session],
    conversation_id: Optional[str] = None,
    since: Optional[datetime] = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Stored needs in capture order, as export records."""
    stmt = select(Need).order_by(Need.captured_at, Need.id)
    if conversation_id:
        stmt = stmt.where(Need.conversation_id == conversation_id)
    if since:
        stmt = stmt.where(Need.captured_at >= since)
    with factory() as session:
        for need in session.scalars(stmt.execution_options(yield_per=batch)):
            yield need_to_record(need)


def count_needs(factory: sessionmaker[Session]) -> int:
    """How many needs are stored."""
    with factory() as session:
        return int(session.scalar(select(func.count(Need.id))) or 0)


EVENTS = table("events", column("id", Integer), column("sender_id", String), column("type_name", String),
               column("timestamp", Float), column("data", Text))
SEGMENT_EVENTS = ("restart", "session_started")


def _has_events(session: Session) -> bool:
    return inspect(session.get_bind()).has_table("events")


def legacy_discovery_id(factory: sessionmaker[Session], record: dict[str, Any]) -> str:
    """A stable id for a record that came without one: its discovery number within the current part of the
    conversation (since the last restart or new session), so numbers that start again never collide."""
    conversation_id = record["conversation_id"]
    with factory() as session:
        since = None
        if _has_events(session):
            starts = session.execute(
                select(EVENTS.c.type_name, EVENTS.c.timestamp)
                .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(SEGMENT_EVENTS))
                .order_by(EVENTS.c.id)).all()
            if starts and starts[0][0] == "session_started":  # stored only after the conversation's first turn
                starts = starts[1:]
            since = max((t for _kind, t in starts if t is not None), default=None)
    return _legacy_id(record, since)


def conversation_events(factory: sessionmaker[Session], conversation_id: str) -> list[dict[str, Any]]:
    """A conversation's events as the tracker store keeps them (oldest first; empty without a tracker store)."""
    with factory() as session:
        if not _has_events(session):
            return []
        rows = session.execute(select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id)
                               .order_by(EVENTS.c.id)).all()
    out = []
    for (data,) in rows:
        try:
            out.append(json.loads(data or "{}"))
        except json.JSONDecodeError:
            continue
    return out


def transcript_from_events(events: list[dict[str, Any]], at: Optional[datetime] = None) -> list[dict[str, Any]]:
    """User and bot lines of the part of the conversation holding `at` (default: the latest part).

    A part starts at a restart or a new session, so a shopper who started over sees only
    the conversation that led to this need.
    """
    parts: list[list[dict[str, Any]]] = [[]]
    starts: list[float] = [float("-inf")]
    for ev in events:
        kind = ev.get("event")
        if kind in SEGMENT_EVENTS:
            if parts[-1]:
                parts.append([])
                starts.append(float(ev.get("timestamp") or 0.0))
            continue
        if kind not in ("user", "bot") or ev.get("timestamp") is None:
            continue
        role = "user" if kind == "user" else "bot"
        intent = ((ev.get("parse_data") or {}).get("intent") or {}).get("name") if role == "user" else None
        parts[-1].append({"role": role, "text": ev.get("text") or "", "intent": intent,
                          "sent_at": parse_time(float(ev["timestamp"]))})
    chosen = parts[-1] if parts[-1] or len(parts) == 1 else parts[-2]
    if at is not None:
        moment = at.timestamp() if at.tzinfo else at.replace(tzinfo=timezone.utc).timestamp()
        for part, start in zip(parts, starts):
            if part and start <= moment + 1.0:
                chosen = part
    return chosen


def transcript(factory: sessionmaker[Session], conversation_id: str, at: Optional[datetime] = None) -> list[dict[str, Any]]:
    """A conversation's transcript: from the tracker store's events, else from stored transcript lines."""
    lines = transcript_from_events(conversation_events(factory, conversation_id), at)
    if lines:
        return lines
    with factory() as session:
        rows = session.execute(select(Message.role, Message.text, Message.intent, Message.sent_at)
                               .where(Message.conversation_id == conversation_id)
                               .order_by(Message.sent_at, Message.id)).all()
    return [{"role": r.role, "text": r.text, "intent": r.intent, "sent_at": parse_time(r.sent_at)} for r in rows]


def forget_conversation(factory: sessionmaker[Session], conversation_id: str) -> dict[str, int]:
    """Delete everything kept about a conversation: needs, transcript, tracker events, rehearsals."""
    from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession

    with factory.begin() as session:
        needs = session.scalar(select(func.count(Need.id)).where(Need.conversation_id == conversation_id)) or 0
        msgs = session.scalar(select(func.count(Message.id)).where(Message.conversation_id == conversation_id)) or 0
        session.execute(delete(Need).where(Need.conversation_id == conversation_id))
        session.execute(delete(Message).where(Message.conversation_id == conversation_id))
        convs = session.execute(delete(Conversation).where(Conversation.id == conversation_id)).rowcount or 0
        events = 0
        if _has_events(session):
            msgs += session.scalar(select(func.count()).select_from(EVENTS).where(
                EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(("user", "bot")))) or 0
            events = session.execute(delete(EVENTS).where(EVENTS.c.sender_id == conversation_id)).rowcount or 0
        rehearsals = 0
        if inspect(session.get_bind()).has_table(RehearsalSession.__tablename__):
            ids = list(session.scalars(select(RehearsalSession.id)
                                       .where(RehearsalSession.trainee_id == conversation_id)))
            session.execute(delete(RehearsalScorecard).where(RehearsalScorecard.trainee_id == conversation_id))
            if ids:
                from jujube.rehearsal.models import RehearsalTurn

                session.execute(delete(RehearsalTurn).where(RehearsalTurn.session_id.in_(ids)))
                session.execute(delete(RehearsalSession).where(RehearsalSession.id.in_(ids)))
            rehearsals = len(ids)
    counts = {"conversations": int(convs), "needs": int(needs), "messages": int(msgs), "events": int(events),
              "rehearsals": int(rehearsals)}
    logger.info("forgot conversation %s: %s", conversation_id, counts)
    return counts
