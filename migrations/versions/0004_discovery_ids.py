"""discovery ids: needs keyed by a stable discovery id; JSONB on PostgreSQL; the tracker store's events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:40:00

"""
from __future__ import annotations

import uuid
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

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


def _dialect() -> str:
    return op.get_bind().dialect.name


def _events_table() -> None:
    """Rasa's SQL tracker store table, so the needs log can read and forget conversations before Rasa first runs."""
    if sa.inspect(op.get_bind()).has_table("events"):
        return
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=True),
        sa.Column("intent_name", sa.String(length=255), nullable=True),
        sa.Column("action_name", sa.String(length=255), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_sender_id", "events", ["sender_id"], unique=False)


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    op.add_column("needs", sa.Column("discovery_id", sa.String(length=64), nullable=True))
    needs = sa.table("needs", sa.column("id", sa.Integer), sa.column("discovery_id", sa.String))
    ids = [row[0] for row in bind.execute(sa.select(needs.c.id).where(needs.c.discovery_id.is_(None)))]
    for need_id in ids:
        bind.execute(needs.update().where(needs.c.id == need_id).values(discovery_id=str(uuid.uuid4())))
    if _dialect() == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {SIZES_INDEX}")
    old_unique = any(u.get("name") == "uq_need_discovery" for u in sa.inspect(bind).get_unique_constraints("needs"))
    with op.batch_alter_table("needs", schema=None) as batch_op:
        if old_unique:  # (conversation, discovery number): the key that let a later discovery overwrite
            batch_op.drop_constraint("uq_need_discovery", type_="unique")
        batch_op.alter_column("discovery_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("discovery_no", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint("uq_need_discovery_id", ["discovery_id"])
    if _dialect() == "sqlite":
        op.execute(f"CREATE INDEX {SIZES_INDEX} ON needs ({', '.join(SIZES)})")
    if _dialect() == "postgresql":
        for column in ("needs", "recommendations"):
            op.alter_column("needs", column, type_=JSONB(), postgresql_using=f"{column}::jsonb",
                            existing_nullable=False)
    _events_table()


def downgrade() -> None:
    """Downgrade schema (the events table stays: it belongs to the tracker store)."""
    if _dialect() == "postgresql":
        for column in ("needs", "recommendations"):
            op.alter_column("needs", column, type_=sa.JSON(), postgresql_using=f"{column}::json",
                            existing_nullable=False)
    if _dialect() == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {SIZES_INDEX}")
    op.execute("UPDATE needs SET discovery_no = 1 WHERE discovery_no IS NULL")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_need_discovery_id", type_="unique")
        batch_op.alter_column("discovery_no", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("discovery_id")
    if _dialect() == "sqlite":
        op.execute(f"CREATE INDEX {SIZES_INDEX} ON needs ({', '.join(SIZES)})")
