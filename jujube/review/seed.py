"""Synthetic needs for demos and benchmarks: records in `save_need`'s shape, inserted in bulk."""
from __future__ import annotations

import logging
import uuid
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Any, Callable, Iterator, Optional

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import Conversation, Message, Need
from jujube.db.needs import discovery_id_of, need_columns, parse_time
from jujube.review import ReviewError
from jujube.review.queries import dialect_of
from jujube.review.seed_data import FIRST_NAMES, PHRASINGS, SITUATIONS_BY_LANGUAGE, Situation

logger = logging.getLogger(__name__)

PREFIX = "seed-"
CHANNELS = (("telegram", 0.55), ("rest", 0.35), ("web", 0.10))
LANGUAGES = (("en", 0.7), ("zh", 0.3))
MET_OUTCOMES = (("accepted", 0.55), ("declined", 0.18), ("pending", 0.15), ("abandoned", 0.12))
UNMET_OUTCOMES = (("no_match", 0.7), ("abandoned", 0.15), ("declined", 0.15))
CHUNK = 5000


@dataclass
class Seeded:
    """One synthetic conversation: its need records and transcript lines."""

    conversation_id: str
    channel: str
    language: str
    started_at: datetime
    records: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(w for _, w in table)
    for key, weight in table:
        roll -= weight
        if roll < 0:
            return key
    return table[-1][0]


class Generator:
    """Draws realistic synthetic conversations from the situations of each language."""

    def __init__(self, seed: int = 7, days: int = 90, now: Optional[datetime] = None) -> None:
        self.rng = random.Random(seed)
        self.days = days
        self.now = now or datetime.now(timezone.utc).replace(microsecond=0)
        self._cum = {lang: list(accumulate(s.weight for s in sits)) for lang, sits in SITUATIONS_BY_LANGUAGE.items()}

    def _when(self) -> datetime:
        # Traffic grows steadily (today about twice as busy as `days` ago) and is higher at weekends.
        while True:
            back = self.rng.random() * self.days
            ts = self.now - timedelta(days=back)
            keep = (1 - 0.5 * back / self.days) * (1.0 if ts.weekday() >= 5 else 0.75)
            if self.rng.random() < keep:
                return ts.replace(microsecond=0)

    def _phone(self) -> str:
        digits = "".join(str(self.rng.randrange(10)) for _ in range(8))
        return self.rng.choice((f"+86 13{digits[0]} {digits[1:5]} {digits[5:]}0", f"13{digits}9", f"555-01{digits[:2]}"))

    def _need(self, sit: Situation, conv_id: str, channel: str, language: str, no: int,
              ts: datetime) -> tuple[dict[str, Any], list]:
        rng = self.rng
        say = PHRASINGS[language]
        unmet = rng.random() < sit.unmet_rate
        outcome = _pick(rng, UNMET_OUTCOMES if unmet else MET_OUTCOMES)
        budget = rng.randrange(sit.budget[0], sit.budget[1] + 1, 5)
        recs = [] if unmet and (not sit.products or rng.random() < 0.5) else list(sit.products)
        if unmet and not recs:
            outcome = "no_match" if outcome == "declined" else outcome
        record = {
            "conversation_id": conv_id, "discovery_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"jujube-seed:{conv_id}#{no}")),
            "discovery_no": no, "channel": channel, "language": language,
            "captured_at": ts, "stated_request": sit.stated, "underlying_need": sit.underlying,
            "recipient": sit.recipient if rng.random() > 0.05 else None, "situation": sit.situation,
            "occasion": sit.occasion,
            "needs": {"functional": list(sit.functional), "formal": list(sit.formal) if rng.random() > 0.3 else [],
                      "emotional": list(sit.emotional) if rng.random() > 0.2 else [],
                      "price": {"max": budget, "currency": "CNY", "sensitivity": sit.sensitivity,
                                "note": say.price_note.format(budget=budget)}},
            "recommendations": [{"sku": p.sku, "name": p.name, "price": p.price, "reason": p.reason} for p in recs],
            "chosen_sku": recs[0].sku if outcome == "accepted" and recs else None,
            "outcome": outcome, "unmet": unmet,
        }
        said = [("user", rng.choice(sit.asks)), ("bot", say.ask_who),
                ("user", rng.choice(sit.answers)), ("bot", say.ask_budget),
                ("user", say.budget.format(budget=budget))]
        if recs:
            offer = say.offer_sep.join(say.offer_item.format(name=p.said, price=p.price, reason=p.reason) for p in recs)
            said.append(("bot", say.offer.format(underlying=sit.underlying, offer=offer)))
        else:
            said.append(("bot", say.none.format(stated=sit.stated)))
        if outcome == "accepted" and recs:
            said.append(("user", say.take.format(name=recs[0].said.lower())))
        elif outcome in ("declined", "no_match"):
            said.append(("user", say.decline))
        if rng.random() < (0.3 if unmet else 0.04):
            line = rng.choice(say.contact_lines)
            said.append(("user", line.format(phone=self._phone(), email=f"{rng.choice(FIRST_NAMES)}@example.com")))
        lines = [{"role": role, "text": text, "sent_at": ts + timedelta(seconds=9 * i)} for i, (role, text) in enumerate(said)]
        return record, lines

    def conversation(self, number: int) -> Seeded:
        """Synthetic conversation number `number` with one or two discoveries."""
        conv_id = f"{PREFIX}{number:07d}"
        channel = _pick(self.rng, CHANNELS)
        language = _pick(self.rng, LANGUAGES)
        situations, cum = SITUATIONS_BY_LANGUAGE[language], self._cum[language]
        start = self._when()
        records: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        ts = start
        for no in range(1, 3 if self.rng.random() < 0.1 else 2):
            sit = self.rng.choices(situations, cum_weights=cum)[0]
            record, said = self._need(sit, conv_id, channel, language, no, ts)
            records.append(record)
            lines.extend(said)
            ts = said[-1]["sent_at"] + timedelta(minutes=2)
        return Seeded(conv_id, channel, language, start, records, lines)


def _need_row(record: dict[str, Any]) -> dict[str, Any]:
    """The `needs` row `save_need` would store for `record`."""
    ts = parse_time(record["captured_at"])
    return {"conversation_id": record["conversation_id"], "discovery_id": discovery_id_of(record),
            "captured_at": ts, "updated_at": ts, **need_columns(record)}


def next_number(factory: sessionmaker[Session]) -> int:
    """The first free synthetic conversation number (seeding twice adds, never collides)."""
    with factory() as session:
        last = session.scalar(select(func.max(Conversation.id)).where(Conversation.id.like(f"{PREFIX}%")))
    return int(last[len(PREFIX):]) + 1 if last else 1


def generate(count: int, seed: int = 7, days: int = 90, start: int = 1, now: Optional[datetime] = None) -> Iterator[Seeded]:
    """Synthetic conversations holding `count` needs in total."""
    gen = Generator(seed=seed, days=days, now=now)
    made, number = 0, start
    while made < count:
        conv = gen.conversation(number)
        conv.records = conv.records[: count - made]
        made += len(conv.records)
        number += 1
        yield conv


def seed_needs(
    factory: sessionmaker[Session], count: int, seed: int = 7, days: int = 90,
    progress: Optional[Callable[[int], None]] = None, now: Optional[datetime] = None,
) -> int:
    """Insert `count` synthetic needs with their conversations and transcripts; returns how many."""
    if count < 1:
        raise ReviewError(f"count must be at least 1, not {count}")
    if days < 1:
        raise ReviewError(f"days must be at least 1, not {days}")
    start = next_number(factory)
    convs: list[dict[str, Any]] = []
    needs: list[dict[str, Any]] = []
    msgs: list[dict[str, Any]] = []
    done = 0
    with factory.begin() as session:
        if dialect_of(factory) == "sqlite":
            # A roomier page cache for this connection: bulk inserts touch many index pages.
            session.execute(text("PRAGMA cache_size = -262144"))

        def flush() -> None:
            nonlocal done
            if convs:
                session.connection().execute(insert(Conversation.__table__), convs)
            if needs:
                session.connection().execute(insert(Need.__table__), needs)
            if msgs:
                session.connection().execute(insert(Message.__table__), msgs)
            if progress:
                progress(len(needs))
            done += len(needs)
            convs.clear()
            needs.clear()
            msgs.clear()

        for conv in generate(count, seed=seed, days=days, start=start, now=now):
            convs.append({"id": conv.conversation_id, "channel": conv.channel, "language": conv.language,
                          "started_at": conv.started_at, "last_seen_at": conv.lines[-1]["sent_at"]})
            needs.extend(_need_row(r) for r in conv.records)
            msgs.extend({"conversation_id": conv.conversation_id, **line} for line in conv.lines)
            if len(needs) >= CHUNK:
                flush()
        flush()
        if dialect_of(factory) == "sqlite":
            session.execute(text("PRAGMA cache_size = -2000"))  # SQLite's default again
    with factory.begin() as session:  # fresh statistics keep the query planner on the covering indexes
        session.execute(text("ANALYZE needs"))
    logger.info("seeded %d synthetic needs from %s%07d", done, PREFIX, start)
    return done
