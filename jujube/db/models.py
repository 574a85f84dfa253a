"""SQLAlchemy models of the needs log."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# JSON documents: JSONB on PostgreSQL (indexable, parsed once), JSON text elsewhere.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every Jujube table."""


OUTCOMES = ("pending", "accepted", "declined", "no_match", "abandoned")


class Conversation(Base):
    """One conversation with one shopper on one channel (the channel's sender id)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), default="rest")
    language: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    needs: Mapped[list["Need"]] = relationship(back_populates="conversation", cascade="all, delete-orphan")
    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.sent_at"
    )


class Message(Base):
    """One line of a conversation's transcript."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "sent_at", "role", name="uq_message_turn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # "user" or "bot"
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Need(Base):
    """A need captured in one discovery, updated with its outcome."""

    __tablename__ = "needs"
    __table_args__ = (
        UniqueConstraint("discovery_id", name="uq_need_discovery_id"),
        Index("ix_needs_captured_at", "captured_at"),
        Index("ix_needs_outcome", "outcome"),
        Index("ix_needs_language", "language", "outcome", "unmet", "captured_at", "channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    discovery_id: Mapped[str] = mapped_column(String(64))
    discovery_no: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(32), default="rest")
    language: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)  # of the shopper's latest message
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stated_request: Mapped[str] = mapped_column(String(255), default="")
    underlying_need: Mapped[str] = mapped_column(Text, default="")
    recipient: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    situation: Mapped[Optional[str]] = mapped_column(String(255), nullable=True)
    occasion: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    needs: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    budget_max: Mapped[Optional[float]] = mapped_column(nullable=True)
    currency: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    recommendations: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    chosen_sku: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    unmet: Mapped[bool] = mapped_column(Boolean, default=False)

    conversation: Mapped[Conversation] = relationship(back_populates="needs")
