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


def _code(raw: str | None) -> str | None:
    """`zh` from `zh-Hans`, `en` from `en_US`: the primary language subtag, lower case (as the needs log writes it)."""
    value = (raw or "").strip().lower().replace("_", "-").split("-")[0]
    return value[:16] or None


def upgrade() -> None:
    """Upgrade schema: add needs.language and fill it from the conversation's language where known."""
    bind = op.get_bind()
    op.add_column("needs", sa.Column("language", sa.String(length=16), nullable=True))
    convs = sa.table("conversations", sa.column("id", sa.String), sa.column("language", sa.String))
    needs = sa.table("needs", sa.column("conversation_id", sa.String), sa.column("language", sa.String))
    raws = [r[0] for r in bind.execute(sa.select(convs.c.language).where(convs.c.language.is_not(None)).distinct())]
    for raw in raws:
        if _code(raw) is None:
            continue
        of_raw = sa.select(convs.c.id).where(convs.c.language == raw)
        bind.execute(needs.update().where(needs.c.language.is_(None), needs.c.conversation_id.in_(of_raw))
                     .values(language=_code(raw)))
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
