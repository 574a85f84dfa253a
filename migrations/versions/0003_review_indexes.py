"""review indexes: covering indexes for the managers' overview and needs table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:00:00

"""
from __future__ import annotations

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (name, columns, on PostgreSQL too). Each index covers one aggregate of the overview;
# the trailing captured_at and channel keep it covering when the manager narrows the
# dates or the channel. Indexes holding the unbounded `underlying_need` text stay
# SQLite-only: PostgreSQL's b-tree rejects very long keys, and its hash aggregation
# is fast without them.
INDEXES = (
    ("ix_needs_outcome_unmet", ["outcome", "unmet", "captured_at", "channel"], True),
    ("ix_needs_channel", ["channel", "captured_at"], True),
    ("ix_needs_unmet_stated", ["unmet", "stated_request", "captured_at", "channel"], True),
    ("ix_needs_stated_underlying", ["stated_request", "underlying_need", "captured_at", "channel"], False),
    ("ix_needs_underlying", ["underlying_need", "captured_at", "channel"], False),
    ("ix_needs_updated_at", ["updated_at"], True),  # the dashboard's cheap "has anything changed?"
)


# SQLite: per-need sizes of the need dimensions, kept in an expression index so the
# overview's dimension shares need not parse every stored JSON document. The review
# queries spell these expressions exactly the same way (jujube.review.sqlfuncs).
SIZES_INDEX = "ix_needs_dimension_sizes"
SIZES = (
    "json_array_length(needs, '$.functional')",
    "json_array_length(needs, '$.formal')",
    "json_array_length(needs, '$.emotional')",
    "(budget_max IS NOT NULL OR coalesce(json_extract(needs, '$.price.sensitivity'), '') != ''"
    " OR coalesce(json_extract(needs, '$.price.note'), '') != '')",
    "json_array_length(recommendations)",
    "captured_at",
    "channel",
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _wanted() -> list[tuple[str, list[str]]]:
    postgres = op.get_bind().dialect.name == "postgresql"
    return [(name, cols) for name, cols, everywhere in INDEXES if everywhere or not postgres]


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("needs", schema=None) as batch_op:
        for name, cols in _wanted():
            batch_op.create_index(name, cols, unique=False)
    if _sqlite():
        op.execute(f"CREATE INDEX {SIZES_INDEX} ON needs ({', '.join(SIZES)})")


def downgrade() -> None:
    """Downgrade schema."""
    if _sqlite():
        op.execute(f"DROP INDEX IF EXISTS {SIZES_INDEX}")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        for name, _cols in reversed(_wanted()):
            batch_op.drop_index(name)
