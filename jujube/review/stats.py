"""Figures a manager reads at a glance: outcomes, top needs, asked-versus-needed pairs, unmet demand."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import OUTCOMES, Need
from jujube.review.filters import NeedFilter
from jujube.review.masking import mask_text
from jujube.review.queries import dialect_of, filtered
from jujube.review.sqlfuncs import (
    DIMENSIONS, LIST_DIMENSIONS, array_size, day_bucket, dimension_size, price_present,
)

logger = logging.getLogger(__name__)


@dataclass
class Stats:
    """Summary of the needs a filter lets through."""

    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
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
    show = (lambda s: s) if reveal else mask_text
    stats = Stats(by_outcome={o: 0 for o in OUTCOMES})
    stated = func.lower(func.trim(Need.stated_request))
    underlying = func.lower(func.trim(Need.underlying_need))
    day = day_bucket(dialect).label("day")
    sizes = [func.sum(dimension_size(dialect, d)) for d in LIST_DIMENSIONS]
    present = [func.count().filter(dimension_size(dialect, d) > 0) for d in LIST_DIMENSIONS]
    with factory() as session:
        for outcome, unmet, n in session.execute(
            filtered(select(Need.outcome, Need.unmet, func.count()), flt, dialect).group_by(Need.outcome, Need.unmet)
        ):
            stats.by_outcome[outcome] = stats.by_outcome.get(outcome, 0) + n
            stats.total += n
            stats.unmet += n if unmet else 0
        if not stats.total:
            stats.dimensions = {d: {"needs": 0, "items": 0} for d in DIMENSIONS}
            return stats
        stats.by_channel = dict(
            session.execute(
                filtered(select(Need.channel, func.count()), flt, dialect)
                .group_by(Need.channel).order_by(func.count().desc())
            ).all()
        )
        stats.per_day = [
            (str(d), n)
            for d, n in session.execute(filtered(select(day, func.count()), flt, dialect).group_by(day).order_by(day))
        ]
        row = session.execute(
            filtered(
                select(*sizes, *present, func.count().filter(price_present(dialect)),
                       func.count().filter(array_size(dialect, Need.recommendations) > 0)),
                flt, dialect,
            )
        ).one()
        for i, dim in enumerate(LIST_DIMENSIONS):
            stats.dimensions[dim] = {"needs": int(row[3 + i] or 0), "items": int(row[i] or 0)}
        stats.dimensions["price"] = {"needs": int(row[6] or 0), "items": int(row[6] or 0)}
        stats.with_recommendations = int(row[7] or 0)
        cnt = func.count().label("n")
        stats.top_needs = [
            (show(u), n)
            for u, n in session.execute(
                filtered(select(func.min(Need.underlying_need), cnt), flt, dialect)
                .where(Need.underlying_need != "").group_by(underlying).order_by(cnt.desc(), underlying).limit(top)
            )
        ]
        stats.top_pairs = [
            (show(s), show(u), n)
            for s, u, n in session.execute(
                filtered(select(func.min(Need.stated_request), func.min(Need.underlying_need), cnt), flt, dialect)
                .where(and_(Need.stated_request != "", Need.underlying_need != ""))
                .group_by(stated, underlying).order_by(cnt.desc(), stated, underlying).limit(top)
            )
        ]
        stats.top_unmet = [
            (show(s), n)
            for s, n in session.execute(
                filtered(select(func.min(Need.stated_request), cnt), flt, dialect)
                .where(Need.unmet.is_(True), Need.stated_request != "")
                .group_by(stated).order_by(cnt.desc(), stated).limit(top)
            )
        ]
    return stats
