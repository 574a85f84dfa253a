"""Figures a manager reads at a glance: outcomes, top needs, asked-versus-needed pairs, unmet demand."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import Text, and_, case, cast, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import OUTCOMES, Need
from jujube.review.filters import UNKNOWN_LANGUAGE, NeedFilter
from jujube.review.masking import mask_text
from jujube.review.queries import dialect_of, filtered
from jujube.review.sqlfuncs import (
    DIMENSIONS, LIST_DIMENSIONS, SQLITE_SIZE_INDEX, SQLITE_SIZES, day_bucket, dimension_size, has_items, price_present,
)

logger = logging.getLogger(__name__)


@dataclass
class Stats:
    """Summary of the needs a filter lets through."""

    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    languages: dict[str, dict[str, Any]] = field(default_factory=dict)
    unmet: int = 0
    with_recommendations: int = 0
    per_day: list[tuple[str, int]] = field(default_factory=list)
    dimensions: dict[str, dict[str, int]] = field(default_factory=dict)
    top_needs: list[tuple[str, int]] = field(default_factory=list)
    top_pairs: list[tuple[str, str, int]] = field(default_factory=list)
    top_unmet: list[tuple[str, int]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Needs whose recommendation the shopper accepted."""
        return self.by_outcome.get("accepted", 0)

    @property
    def declined(self) -> int:
        """Needs whose recommendation the shopper declined."""
        return self.by_outcome.get("declined", 0)

    @property
    def acceptance_rate(self) -> Optional[float]:
        """accepted / (accepted + declined): how recommendations land once a shopper answers them."""
        answered = self.accepted + self.declined
        return self.accepted / answered if answered else None

    @property
    def unmet_share(self) -> Optional[float]:
        """Share of needs the store could not supply."""
        return self.unmet / self.total if self.total else None

    def dimension_shares(self) -> dict[str, float]:
        """Each dimension's share of all captured need values (price counts once when stated)."""
        total = sum(d["items"] for d in self.dimensions.values())
        return {k: (d["items"] / total if total else 0.0) for k, d in self.dimensions.items()}

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        data = asdict(self)
        data["per_day"] = [{"day": d, "count": n} for d, n in self.per_day]
        data["top_needs"] = [{"underlying_need": u, "count": n} for u, n in self.top_needs]
        data["top_pairs"] = [{"stated_request": s, "underlying_need": u, "count": n} for s, u, n in self.top_pairs]
        data["top_unmet"] = [{"stated_request": s, "count": n} for s, n in self.top_unmet]
        data["acceptance_rate"] = self.acceptance_rate
        data["dimension_shares"] = self.dimension_shares()
        return data


def compute_stats(
    factory: sessionmaker[Session], flt: NeedFilter | None = None, top: int = 10, reveal: bool = False
) -> Stats:
    """Statistics of the filtered needs; free text masked unless `reveal`."""
    flt = flt or NeedFilter()
    dialect = dialect_of(factory)
    stats = Stats(by_outcome={o: 0 for o in OUTCOMES}, dimensions={d: {"needs": 0, "items": 0} for d in DIMENSIONS})
    show: Callable[[Any], Any] = (lambda s: s) if reveal else mask_text
    with factory() as session:
        for outcome, unmet, n in session.execute(
            filtered(select(Need.outcome, Need.unmet, func.count()), flt, dialect).group_by(Need.outcome, Need.unmet)
        ):
            stats.by_outcome[outcome] = stats.by_outcome.get(outcome, 0) + n
            stats.total += n
            stats.unmet += n if unmet else 0
        if stats.total:
            _channels_and_days(session, stats, flt, dialect)
            _languages(session, stats, flt, dialect)
            _dimensions(session, stats, flt, dialect)
            _top_lists(session, stats, flt, dialect, top, show)
            _top_unmet(session, stats, flt, dialect, top, show)
    return stats


def _channels_and_days(session: Session, stats: Stats, flt: NeedFilter, dialect: str) -> None:
    cnt = func.count().label("n")
    stats.by_channel = dict(
        session.execute(filtered(select(Need.channel, cnt), flt, dialect).group_by(Need.channel).order_by(cnt.desc()))
        .tuples().all()
    )
    day = day_bucket(dialect).label("day")
    stats.per_day = [
        (str(d), n)
        for d, n in session.execute(filtered(select(day, func.count()), flt, dialect).group_by(day).order_by(day))
    ]


def _languages(session: Session, stats: Stats, flt: NeedFilter, dialect: str) -> None:
    """Needs per language, and per language: share, unmet share and acceptance rate (one pass, index only)."""
    figures: dict[str, dict[str, Any]] = {}
    for language, outcome, unmet, n in session.execute(
        filtered(select(Need.language, Need.outcome, Need.unmet, func.count()), flt, dialect)
        .group_by(Need.language, Need.outcome, Need.unmet)
    ):
        row = figures.setdefault(language or UNKNOWN_LANGUAGE, {"needs": 0, "unmet": 0, "accepted": 0, "declined": 0})
        row["needs"] += n
        row["unmet"] += n if unmet else 0
        if outcome in ("accepted", "declined"):
            row[outcome] += n
    for row in figures.values():
        answered = row["accepted"] + row["declined"]
        row["share"] = row["needs"] / stats.total if stats.total else None
        row["unmet_share"] = row["unmet"] / row["needs"] if row["needs"] else None
        row["acceptance_rate"] = row["accepted"] / answered if answered else None
    ordered = sorted(figures.items(), key=lambda kv: (-kv[1]["needs"], kv[0]))
    stats.languages = dict(ordered)
    stats.by_language = {lang: row["needs"] for lang, row in ordered}


def _top_lists(session: Session, stats: Stats, flt: NeedFilter, dialect: str, top: int,
               show: Callable[[Any], Any]) -> None:
    """Top underlying needs and asked-versus-needed pairs, grouped by the exact text.

    The covering indexes of migration 0003 answer these without reading the table.
    """
    cnt = func.count().label("n")
    stats.top_needs = [
        (show(u), n)
        for u, n in session.execute(
            filtered(select(Need.underlying_need, cnt), flt, dialect)
            .where(Need.underlying_need != "").group_by(Need.underlying_need)
            .order_by(cnt.desc(), Need.underlying_need).limit(top)
        )
    ]
    stats.top_pairs = [
        (show(s), show(u), n)
        for s, u, n in session.execute(
            filtered(select(Need.stated_request, Need.underlying_need, cnt), flt, dialect)
            .where(and_(Need.stated_request != "", Need.underlying_need != ""))
            .group_by(Need.stated_request, Need.underlying_need)
            .order_by(cnt.desc(), Need.stated_request, Need.underlying_need).limit(top)
        )
    ]


def _top_unmet(session: Session, stats: Stats, flt: NeedFilter, dialect: str, top: int,
               show: Callable[[Any], Any]) -> None:
    """Requests the store could not supply, ignoring case and surrounding spaces."""
    cnt = func.count().label("n")
    stated = func.lower(func.trim(Need.stated_request))
    stats.top_unmet = [
        (show(s), n)
        for s, n in session.execute(
            filtered(select(func.min(Need.stated_request), cnt), flt, dialect)
            .where(Need.unmet.is_(True), Need.stated_request != "")
            .group_by(stated).order_by(cnt.desc(), stated).limit(top)
        )
    ]


def _size_columns(flt: NeedFilter, dialect: str) -> list[Any]:
    """Per-need sizes of each dimension, whether a price and recommendations were given."""
    if dialect == "postgresql":
        # Parse each stored JSON document once (as jsonb) instead of once per dimension.
        docs = filtered(
            select(cast(Need.needs, JSONB).label("doc"), Need.budget_max, cast(Need.recommendations, Text).label("recs")),
            flt, dialect,
        ).cte("docs").prefix_with("MATERIALIZED")
        doc = docs.c.doc
        cols: list[Any] = [
            case((func.jsonb_typeof(doc[d]) == "array", func.jsonb_array_length(doc[d])), else_=0).label(d)
            for d in LIST_DIMENSIONS
        ]
        said = or_(*[func.coalesce(doc["price"].op("->>")(literal(k)), "") != "" for k in ("sensitivity", "note")])
        cols.append(case((docs.c.budget_max.is_not(None), 1), (said, 1), else_=0).label("price"))
        cols.append(case((func.coalesce(docs.c.recs, "[]").not_in(["[]", "null"]), 1), else_=0).label("recs"))
        return [select(*cols).cte("sizes")]
    cols = [dimension_size(dialect, d).label(d) for d in LIST_DIMENSIONS]
    cols.append(case((price_present(dialect), 1), else_=0).label("price"))
    cols.append(case((has_items(Need.recommendations), 1), else_=0).label("recs"))
    return [filtered(select(*cols), flt, dialect).cte("sizes").prefix_with("MATERIALIZED")]


def _dimensions(session: Session, stats: Stats, flt: NeedFilter, dialect: str) -> None:
    """Fill how many needs mention each dimension and how many values each holds (one pass over the JSON)."""
    row = _sqlite_sizes_from_index(session, flt) if dialect == "sqlite" else None
    if row is None:
        (sizes,) = _size_columns(flt, dialect)
        row = session.execute(
            select(
                *[func.sum(sizes.c[d]) for d in LIST_DIMENSIONS],
                *[func.count().filter(sizes.c[d] > 0) for d in LIST_DIMENSIONS],
                func.sum(sizes.c.price),
                func.count().filter(sizes.c.recs > 0),
            )
        ).one()
    for i, dim in enumerate(LIST_DIMENSIONS):
        stats.dimensions[dim] = {"needs": int(row[3 + i] or 0), "items": int(row[i] or 0)}
    stats.dimensions["price"] = {"needs": int(row[6] or 0), "items": int(row[6] or 0)}
    stats.with_recommendations = int(row[7] or 0)


def _sqlite_sizes_from_index(session: Session, flt: NeedFilter) -> Optional[Sequence[Any]]:
    """The dimension sizes read from SQLite's expression index, when the filter allows it (else None)."""
    if session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :n"),
                       {"n": SQLITE_SIZE_INDEX}).first() is None:
        return None
    query = sqlite_sizes_sql(flt, session.get_bind().dialect)
    return None if query is None else session.connection().exec_driver_sql(*query).one()


def sqlite_sizes_sql(flt: NeedFilter, dialect: Any) -> Optional[tuple[str, tuple[Any, ...]]]:
    """SQL (with bound parameters) summing the dimension sizes from the expression index; None for other filters.

    SQLite's planner does not notice that the index holds these expressions, hence INDEXED BY and
    hand-written SQL. Only filters on dates and channels, which the index also holds, qualify (not languages).
    """
    if flt.outcome or flt.unmet or flt.dimension or flt.keyword or flt.recipient or flt.conversation or flt.language:
        return None
    to_db = Need.__table__.c.captured_at.type.dialect_impl(dialect).bind_processor(dialect)
    where: list[str] = []
    params: list[Any] = []
    for op, bound in ((">=", flt.start), ("<", flt.end)):
        if bound is not None:
            where.append(f"captured_at {op} ?")
            value = bound.replace(tzinfo=None)
            params.append(to_db(value) if to_db else value)
    if flt.channels:
        where.append(f"channel IN ({', '.join('?' for _ in flt.channels)})")
        params.extend(flt.channels)
    inner = ", ".join(f"{expr} AS {name}" for name, expr in SQLITE_SIZES.items())
    sql = (
        "SELECT sum(functional), sum(formal), sum(emotional), count(*) FILTER (WHERE functional > 0), "
        "count(*) FILTER (WHERE formal > 0), count(*) FILTER (WHERE emotional > 0), sum(price), "
        f"count(*) FILTER (WHERE recs > 0) FROM (SELECT {inner} FROM needs INDEXED BY {SQLITE_SIZE_INDEX}"
        + (f" WHERE {' AND '.join(where)})" if where else ")")
    )
    return sql, tuple(params)
