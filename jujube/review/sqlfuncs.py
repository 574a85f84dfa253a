"""SQL expressions that differ between SQLite and PostgreSQL."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement

from jujube.db.models import Need

logger = logging.getLogger(__name__)

DIMENSIONS = ("functional", "formal", "emotional", "price")
LIST_DIMENSIONS = DIMENSIONS[:3]

# Per-need sizes of the need dimensions, exactly as SQLite's expression index
# ix_needs_dimension_sizes (migration 0003) stores them: a query spelling them the
# same way reads them from the index instead of parsing every stored JSON document.
SQLITE_SIZE_INDEX = "ix_needs_dimension_sizes"
SQLITE_SIZES = {
    "functional": "json_array_length(needs, '$.functional')",
    "formal": "json_array_length(needs, '$.formal')",
    "emotional": "json_array_length(needs, '$.emotional')",
    "price": "(budget_max IS NOT NULL OR coalesce(json_extract(needs, '$.price.sensitivity'), '') != ''"
             " OR coalesce(json_extract(needs, '$.price.note'), '') != '')",
    "recs": "json_array_length(recommendations)",
}


def day_bucket(dialect: str) -> ColumnElement[str]:
    """The UTC day of `captured_at` as YYYY-MM-DD text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", Need.captured_at), "YYYY-MM-DD")
    return func.substr(Need.captured_at, 1, 10)


def contains(dialect: str, column: Any, pattern: str) -> ColumnElement[bool]:
    """Case-insensitive LIKE (SQLite's LIKE already ignores ASCII case and is faster than lower())."""
    if dialect == "postgresql":
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def json_text(dialect: str, column: Any, key: str | None = None) -> ColumnElement[str]:
    """The stored JSON text of `column` (or of its top-level `key`)."""
    if key is None:
        return cast(column, Text)
    if dialect == "postgresql":
        return cast(column.op("->")(literal(key)), Text)
    return func.json_extract(column, f"$.{key}")


def array_size(dialect: str, column: Any, key: str | None = None) -> ColumnElement[int]:
    """How many items the JSON array in `column` (or under its `key`) holds; 0 when it is no array."""
    if dialect == "postgresql":
        node = column.op("->")(literal(key)) if key else column
        return case((func.jsonb_typeof(node) == "array", func.jsonb_array_length(node)), else_=0)
    if key:
        return func.coalesce(func.json_array_length(column, f"$.{key}"), 0)
    return func.coalesce(func.json_array_length(column), 0)


def dimension_size(dialect: str, dimension: str) -> ColumnElement[int]:
    """How many values one list dimension holds (0 when missing)."""
    return array_size(dialect, Need.needs, dimension)


def price_present(dialect: str) -> ColumnElement[bool]:
    """True when the price dimension says anything (a budget, a sensitivity or a note)."""
    if dialect == "postgresql":
        price = Need.needs.op("->")(literal("price"))
        fields = [price.op("->>")(literal(k)) for k in ("sensitivity", "note")]
    else:
        fields = [func.json_extract(Need.needs, f"$.price.{k}") for k in ("sensitivity", "note")]
    said = or_(*[func.coalesce(cast(field, Text), "") != "" for field in fields])
    # CASE stops at the budget, so most needs skip the JSON look-ups.
    return case((Need.budget_max.is_not(None), True), else_=said)


def dimension_present(dialect: str, dimension: str) -> ColumnElement[bool]:
    """True when the need says something on `dimension`."""
    if dimension == "price":
        return price_present(dialect)
    return dimension_size(dialect, dimension) > 0


def has_items(column: Any) -> ColumnElement[bool]:
    """True when a JSON list column holds anything (it is stored as `[]` when empty)."""
    return func.coalesce(cast(column, Text), "[]").not_in(["[]", "null"])
