"""Listing, reading and iterating needs through a `NeedFilter`."""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import Need
from jujube.db.needs import iso, need_to_record
from jujube.db.needs import transcript as conversation_transcript
from jujube.review import ReviewError
from jujube.review.filters import NeedFilter
from jujube.review.masking import mask_record, mask_text

logger = logging.getLogger(__name__)

SORTS: dict[str, Any] = {
    "captured_at": Need.captured_at,
    "channel": Need.channel,
    "language": Need.language,
    "stated_request": Need.stated_request,
    "underlying_need": Need.underlying_need,
    "recipient": Need.recipient,
    "outcome": Need.outcome,
    "id": Need.id,
}
PER_PAGE_MAX = 500


def dialect_of(factory: sessionmaker[Session]) -> str:
    """The SQL dialect name behind `factory` (`sqlite`, `postgresql`, ...)."""
    bind = factory.kw.get("bind")
    return bind.dialect.name if bind is not None else "sqlite"


def filtered(stmt: Select[Any], flt: NeedFilter, dialect: str) -> Select[Any]:
    """`stmt` restricted to the needs `flt` lets through."""
    conds = flt.conditions(dialect)
    return stmt.where(*conds) if conds else stmt


@dataclass
class NeedRow:
    """One line of the needs table."""

    id: int
    conversation_id: str
    channel: str
    captured_at: str
    stated_request: str
    underlying_need: str
    recipient: Optional[str]
    outcome: str
    unmet: bool
    recommendations: int
    language: Optional[str] = None


@dataclass
class Page:
    """One page of the needs table."""

    rows: list[NeedRow]
    total: int
    page: int
    per_page: int
    sort: str
    descending: bool

    @property
    def pages(self) -> int:
        """How many pages the filter yields (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """1-based position of the last row shown."""
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass
class NeedDetail:
    """Everything about one need: its record, its conversation's transcript, its sibling needs."""

    record: dict[str, Any]
    transcript: list[dict[str, Any]] = field(default_factory=list)
    siblings: list[dict[str, Any]] = field(default_factory=list)
    has_contact: bool = False


def parse_sort(sort: str) -> tuple[str, bool]:
    """(column, descending) from `column` or `-column`; raises ReviewError for unknown columns."""
    key = (sort or "-captured_at").strip()
    descending = key.startswith("-")
    key = key.lstrip("-+")
    if key not in SORTS:
        raise ReviewError(f"cannot sort by {key!r}; choose from {', '.join(SORTS)} (prefix - for descending)")
    return key, descending


def data_version(factory: sessionmaker[Session]) -> tuple[Any, ...]:
    """(count, last id, last update) of the needs log: changes whenever a need is added, updated or deleted."""
    stmt = select(
        select(func.count(Need.id)).scalar_subquery(),
        select(func.max(Need.id)).scalar_subquery(),
        select(func.max(Need.updated_at)).scalar_subquery(),
    )
    with factory() as session:
        return tuple(session.execute(stmt).one())


def count_needs(factory: sessionmaker[Session], flt: NeedFilter) -> int:
    """How many needs the filter lets through."""
    stmt = filtered(select(func.count(Need.id)), flt, dialect_of(factory))
    with factory() as session:
        return int(session.scalar(stmt) or 0)


def list_needs(
    factory: sessionmaker[Session],
    flt: NeedFilter,
    sort: str = "-captured_at",
    page: int = 1,
    per_page: int = 50,
    reveal: bool = False,
) -> Page:
    """One page of needs, sorted; contact details masked unless `reveal`."""
    key, descending = parse_sort(sort)
    if page < 1:
        raise ReviewError(f"page numbers start at 1, not {page}")
    if not 1 <= per_page <= PER_PAGE_MAX:
        raise ReviewError(f"per page must be between 1 and {PER_PAGE_MAX}, not {per_page}")
    dialect = dialect_of(factory)
    column = SORTS[key]
    order = [column.desc(), Need.id.desc()] if descending else [column.asc(), Need.id.asc()]
    cols = (Need.id, Need.conversation_id, Need.channel, Need.captured_at, Need.stated_request,
            Need.underlying_need, Need.recipient, Need.outcome, Need.unmet, Need.recommendations, Need.language)
    stmt = filtered(select(*cols), flt, dialect).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    with factory() as session:
        total = int(session.scalar(filtered(select(func.count(Need.id)), flt, dialect)) or 0)
        result = session.execute(stmt).all()
    show = (lambda s: s) if reveal else mask_text
    rows = [
        NeedRow(r.id, r.conversation_id, r.channel, iso(r.captured_at), show(r.stated_request) or "",
                show(r.underlying_need) or "", show(r.recipient), r.outcome, bool(r.unmet), len(r.recommendations or []), r.language)
        for r in result
    ]
    return Page(rows, total, page, per_page, key, descending)


def get_need(factory: sessionmaker[Session], need_id: int, reveal: bool = False) -> NeedDetail:
    """The need card and transcript of need `need_id`; raises ReviewError when it does not exist."""
    with factory() as session:
        need = session.get(Need, need_id)
        if need is None:
            raise ReviewError(f"no need with id {need_id}")
        record = need_to_record(need)
        siblings = session.execute(
            select(Need.id, Need.discovery_id, Need.discovery_no, Need.stated_request, Need.underlying_need,
                   Need.outcome)
            .where(Need.conversation_id == need.conversation_id, Need.id != need.id)
            .order_by(Need.captured_at, Need.id)
        ).all()
    lines = conversation_transcript(factory, need.conversation_id, at=need.captured_at)
    transcript = [{**line, "sent_at": iso(line["sent_at"])} for line in lines]
    contact = any(mask_text(line["text"]) != line["text"] for line in transcript) or mask_record(record) != record
    detail = NeedDetail(record, transcript, [dict(s._mapping) for s in siblings], contact)
    if not reveal:
        detail.record = mask_record(record)
        for line in detail.transcript:
            line["text"] = mask_text(line["text"])
        for sib in detail.siblings:
            sib["stated_request"] = mask_text(sib["stated_request"])
            sib["underlying_need"] = mask_text(sib["underlying_need"])
    return detail


def iter_records(
    factory: sessionmaker[Session], flt: NeedFilter, reveal: bool = False, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Needs the filter lets through in capture order, as the contract's export records."""
    # Plain rows carry the same attributes as `Need`; they skip the ORM's identity bookkeeping.
    stmt = filtered(select(*Need.__table__.c), flt, dialect_of(factory)).order_by(Need.captured_at, Need.id)
    with factory() as session:
        for row in session.execute(stmt.execution_options(yield_per=batch)):
            record = need_to_record(row)  # type: ignore[arg-type]
            yield record if reveal else mask_record(record)
