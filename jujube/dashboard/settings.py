"""Dashboard settings from the environment (and the project's `.env`)."""
from __future__ import annotations

import logging
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


def load_settings() -> DashboardSettings:
    """The dashboard's part of the project's settings (JUJUBE_DASHBOARD_*, DASHBOARD_*)."""
    base = get_settings()
    return DashboardSettings(
        password=base.dashboard_password or None,
        token=base.dashboard_token or None,
        secret=base.dashboard_secret or secrets.token_urlsafe(32),  # random: sessions end with a restart
        session_minutes=base.dashboard_session_minutes,
        secure_cookie=base.dashboard_secure_cookie,
        host=base.dashboard_host,
        port=base.dashboard_port,
        database_url=base.database_url,
    )
