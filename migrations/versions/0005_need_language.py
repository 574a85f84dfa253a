"""need language: the language of each need (the shopper's latest message), filled from its conversation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:30:00

"""
from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Covers the overview's per-language figures (and the language filter), also when dates or channels narrow them.
INDEX = ("ix_needs_language", ["language", "outcome", "unmet", "captured_at", "channel"])

# Same expressions as 0003 (SQLite only); a batch rebuild of the table drops expression indexes.
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


def upgrade() -> None:
    """Upgrade schema: add needs.language and fill it from the conversation's language where known."""
    op.add_column("needs", sa.Column("language", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE needs SET language = (SELECT lower(conversations.language) FROM conversations"
        " WHERE conversations.id = needs.conversation_id)"
        " WHERE language IS NULL"
    )
    op.create_index(INDEX[0], "needs", INDEX[1], unique=False)


def downgrade() -> None:
    """Downgrade schema: drop needs.language (the conversations keep theirs)."""
    op.drop_index(INDEX[0], table_name="needs")
    if _sqlite():
        op.execute(f"DROP INDEX IF EXISTS {SIZES_INDEX}")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("language")
    if _sqlite():
        op.execute(f"CREATE INDEX {SIZES_INDEX} ON needs ({', '.join(SIZES)})")
