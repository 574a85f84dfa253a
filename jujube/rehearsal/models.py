"""SQLAlchemy models of rehearsals: sessions, their transcript turns and scorecards."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jujube.db.models import Base, utcnow

STATUSES = ("active", "finished", "abandoned")


class RehearsalSession(Base):
    """One rehearsal of one trainee with one persona."""

    __tablename__ = "rehearsal_sessions"
    __table_args__ = (Index("ix_rehearsal_sessions_trainee_status", "trainee_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trainee_id: Mapped[str] = mapped_column(String(128))
    persona_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="terminal")
    status: Mapped[str] = mapped_column(String(16), default="active")
    end_reason: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    turns: Mapped[list["RehearsalTurn"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="RehearsalTurn.seq"
    )
    scorecard: Mapped[Optional["RehearsalScorecard"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", uselist=False
    )


class RehearsalTurn(Base):
    """One line of a rehearsal transcript (the trainee's or the customer's)."""

    __tablename__ = "rehearsal_turns"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_rehearsal_turn_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("rehearsal_sessions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # trainee | customer
    text: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    confidence: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    event: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[RehearsalSession] = relationship(back_populates="turns")


class RehearsalScorecard(Base):
    """The scored result of a rehearsal, item by item."""

    __tablename__ = "rehearsal_scorecards"
    __table_args__ = (UniqueConstraint("session_id", name="uq_rehearsal_scorecard_session"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("rehearsal_sessions.id", ondelete="CASCADE"))
    trainee_id: Mapped[str] = mapped_column(String(128), index=True)
    persona_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    percent: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(64), default="")
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    advice: Mapped[list[str]] = mapped_column(JSON, default=list)
    recommendation: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[RehearsalSession] = relationship(back_populates="scorecard")
