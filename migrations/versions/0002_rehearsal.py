"""rehearsal sessions, transcripts and scorecards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "rehearsal_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trainee_id", sa.String(length=128), nullable=False),
        sa.Column("persona_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehearsal_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_rehearsal_sessions_trainee_status", ["trainee_id", "status"], unique=False)

    op.create_table(
        "rehearsal_turns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["rehearsal_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "seq", name="uq_rehearsal_turn_seq"),
    )
    with op.batch_alter_table("rehearsal_turns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehearsal_turns_session_id"), ["session_id"], unique=False)

    op.create_table(
        "rehearsal_scorecards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.String(length=128), nullable=False),
        sa.Column("persona_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("advice", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["rehearsal_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", name="uq_rehearsal_scorecard_session"),
    )
    with op.batch_alter_table("rehearsal_scorecards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehearsal_scorecards_trainee_id"), ["trainee_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rehearsal_scorecards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehearsal_scorecards_trainee_id"))
    op.drop_table("rehearsal_scorecards")
    with op.batch_alter_table("rehearsal_turns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehearsal_turns_session_id"))
    op.drop_table("rehearsal_turns")
    with op.batch_alter_table("rehearsal_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_rehearsal_sessions_trainee_status")
    op.drop_table("rehearsal_sessions")
