"""Filters over the needs log, shared by the command line, the dashboard and the exports."""
from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement

from jujube.db.models import OUTCOMES, Need
from jujube.db.needs import parse_time
from jujube.review import ReviewError
from jujube.review.sqlfuncs import DIMENSIONS, contains, dimension_present, json_text

logger = logging.getLogger(__name__)

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 200
UNKNOWN_LANGUAGE = "unknown"  # the language filter's name for needs stored without one
JSON_KEYS = DIMENSIONS + ("max", "currency", "sensitivity", "note", "null", "true", "false")


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _patterns(text: str) -> list[str]:
    """LIKE patterns finding `text` in stored JSON, which may keep non-ASCII letters as \\u escapes."""
    escaped = json.dumps(text)[1:-1]
    return [_like(text)] + ([_like(escaped)] if escaped != text else [])


def _parse_when(name: str, value: str) -> datetime:
    try:
        ts = parse_time(value)
    except (ValueError, OverflowError) as exc:
        raise ReviewError(
            f"{name} wants a date such as 2026-11-01 or an ISO-8601 time such as 2026-11-22T14:00:00Z, not {value!r}"
        ) from exc
    return ts.astimezone(timezone.utc)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class NeedFilter:
    """Which needs to show; every field is optional text as typed (validated on creation)."""

    since: str = ""
    until: str = ""
    channel: str = ""
    language: str = ""
    outcome: str = ""
    unmet: bool = False
    dimension: str = ""
    keyword: str = ""
    recipient: str = ""
    conversation: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                if len(value) > MAX_TEXT:
                    raise ReviewError(f"{f.name} is too long (at most {MAX_TEXT} characters)")
                object.__setattr__(self, f.name, value.strip())
        bad = [o for o in self.outcomes if o not in OUTCOMES]
        if bad:
            raise ReviewError(f"unknown outcome {bad[0]!r}; choose from {', '.join(OUTCOMES)}")
        dim, _ = self.dimension_parts
        if self.dimension and dim not in DIMENSIONS:
            raise ReviewError(
                f"unknown dimension {dim!r}; choose from {', '.join(DIMENSIONS)} (optionally DIMENSION=TEXT)"
            )
        start, end = self.start, self.end
        if start and end and start >= end:
            raise ReviewError(f"since ({self.since}) is not before until ({self.until})")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "NeedFilter":
        """A filter from query parameters or parsed arguments (unknown keys are ignored)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data or data[f.name] is None:
                continue
            value = data[f.name]
            if f.name == "unmet":
                kwargs[f.name] = value is True or str(value).lower() in ("1", "true", "yes", "on")
            else:
                kwargs[f.name] = str(value)
        return cls(**kwargs)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes asked for (empty: all)."""
        return tuple(o.lower() for o in _split(self.outcome))

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels asked for (empty: all)."""
        return _split(self.channel)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages asked for, lower case (empty: all; `unknown`: needs stored without one)."""
        return tuple(v.lower() for v in _split(self.language))

    @property
    def dimension_parts(self) -> tuple[str, str]:
        """(dimension, text) of a `DIMENSION` or `DIMENSION=TEXT` filter."""
        dim, _, text = self.dimension.partition("=")
        return dim.strip().lower(), text.strip()

    @property
    def start(self) -> datetime | None:
        """Inclusive lower bound of `captured_at` in UTC."""
        return _parse_when("since", self.since) if self.since else None

    @property
    def end(self) -> datetime | None:
        """Exclusive upper bound of `captured_at` in UTC (a date-only `until` includes that whole day)."""
        if not self.until:
            return None
        ts = _parse_when("until", self.until)
        if DATE_ONLY.match(self.until):
            return ts + timedelta(days=1)
        return ts + timedelta(microseconds=1)

    def conditions(self, dialect: str) -> list[ColumnElement[bool]]:
        """WHERE clauses selecting the needs this filter lets through."""
        conds: list[ColumnElement[bool]] = []
        start, end = self.start, self.end
        # SQLite keeps naive UTC text; PostgreSQL compares aware timestamps.
        if start is not None:
            conds.append(Need.captured_at >= (start if dialect == "postgresql" else start.replace(tzinfo=None)))
        if end is not None:
            conds.append(Need.captured_at < (end if dialect == "postgresql" else end.replace(tzinfo=None)))
        if self.channels:
            conds.append(Need.channel.in_(self.channels))
        if self.languages:
            known = [v for v in self.languages if v != UNKNOWN_LANGUAGE]
            ors = [Need.language.in_(known)] if known else []
            if UNKNOWN_LANGUAGE in self.languages:
                ors.append(Need.language.is_(None))
            conds.append(or_(*ors) if len(ors) > 1 else ors[0])
        if self.outcomes:
            conds.append(Need.outcome.in_(self.outcomes))
        if self.unmet:
            conds.append(Need.unmet.is_(True))
        if self.conversation:
            conds.append(Need.conversation_id == self.conversation)
        if self.recipient:
            conds.append(contains(dialect, Need.recipient, _like(self.recipient)))
        dim, text = self.dimension_parts
        if dim and text:
            conds.append(or_(*[contains(dialect, json_text(dialect, Need.needs, dim), p) for p in _patterns(text)]))
        elif dim:
            conds.append(dimension_present(dialect, dim))
        if self.keyword:
            columns = [Need.stated_request, Need.underlying_need, Need.recipient, Need.situation, Need.occasion]
            ors = [contains(dialect, c, _like(self.keyword)) for c in columns]
            if any(self.keyword.lower() in key for key in JSON_KEYS):
                # The keyword is part of a JSON key: look inside the dimensions' values only.
                ors += [contains(dialect, json_text(dialect, Need.needs, d), _like(self.keyword)) for d in DIMENSIONS]
            else:
                ors += [contains(dialect, json_text(dialect, Need.needs), p) for p in _patterns(self.keyword)]
            conds.append(or_(*ors))
        return conds

    def params(self) -> dict[str, str]:
        """The non-empty fields as query parameters."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is True:
                out[key] = "1"
            elif value and value is not False:
                out[key] = str(value)
        return out

    def describe(self) -> str:
        """A short human description, e.g. `outcome=no_match, unmet`."""
        parts = [f"{k}={v}" if k != "unmet" else "unmet only" for k, v in self.params().items()]
        return ", ".join(parts) or "all needs"
