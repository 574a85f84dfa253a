"""The needs log: SQLAlchemy models, sessions and queries."""
from __future__ import annotations
