"""Dashboard settings from the environment (and the project's `.env`)."""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from typing import Optional

from jujube.config import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DashboardSettings:
    """How the dashboard signs managers in and where it serves."""

    password: Optional[str]
    token: Optional[str]
    secret: str
    session_minutes: int = 480
    secure_cookie: bool = False
    host: str = "127.0.0.1"
    port: int = 8050
    database_url: Optional[str] = None
    max_failures: int = 5
    lockout_seconds: int = 300

    @property
    def credentials(self) -> tuple[str, ...]:
        """The secrets that sign a manager in (password and/or token)."""
        return tuple(c for c in (self.password, self.token) if c)


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        logger.warning("%s=%r is not a number; using %d", name, raw, default)
        return default


def load_settings() -> DashboardSettings:
    """Read JUJUBE_DASHBOARD_* and DASHBOARD_* variables (after the project's `.env`)."""
    base = get_settings()  # also loads .env into the environment
    secret = os.environ.get("JUJUBE_DASHBOARD_SECRET", "").strip()
    if not secret:
        secret = secrets.token_urlsafe(32)  # sessions end when the dashboard restarts
    return DashboardSettings(
        password=os.environ.get("JUJUBE_DASHBOARD_PASSWORD", "").strip() or None,
        token=os.environ.get("JUJUBE_DASHBOARD_TOKEN", "").strip() or None,
        secret=secret,
        session_minutes=max(1, _int("JUJUBE_DASHBOARD_SESSION_MINUTES", 480)),
        secure_cookie=os.environ.get("JUJUBE_DASHBOARD_SECURE_COOKIE", "").strip().lower() in ("1", "true", "yes"),
        host=os.environ.get("DASHBOARD_HOST", "").strip() or "127.0.0.1",
        port=_int("DASHBOARD_PORT", 8050),
        database_url=base.database_url,
    )
