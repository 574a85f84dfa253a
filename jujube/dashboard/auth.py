"""Signing managers in: password or token, signed session cookies that expire, throttled failures."""
from __future__ import annotations

import hmac
import logging
import time
from typing import Callable, Optional
from urllib.parse import urlsplit

from starlette.requests import Request

from jujube.dashboard.settings import DashboardSettings

logger = logging.getLogger(__name__)


def safe_next(target: Optional[str]) -> str:
    """A local path to return to after signing in (never another site)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class Gate:
    """Checks credentials and sessions; counts failed sign-ins per client."""

    def __init__(self, settings: DashboardSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._failures: dict[str, list[float]] = {}

    @property
    def max_age(self) -> int:
        """Session lifetime in seconds."""
        return self.settings.session_minutes * 60

    def check(self, secret: str) -> bool:
        """True when `secret` is the configured password or token."""
        given = (secret or "").encode()
        return any(hmac.compare_digest(given, c.encode()) for c in self.settings.credentials) and bool(given)

    def locked(self, client: str) -> bool:
        """True while `client` has failed too often recently."""
        now = self.clock()
        recent = [t for t in self._failures.get(client, []) if now - t < self.settings.lockout_seconds]
        self._failures[client] = recent
        return len(recent) >= self.settings.max_failures

    def failed(self, client: str) -> None:
        """Record a failed sign-in of `client`."""
        if len(self._failures) > 10_000:  # forget clients whose failures are old
            now = self.clock()
            self._failures = {c: ts for c, ts in self._failures.items()
                              if ts and now - ts[-1] < self.settings.lockout_seconds}
        self._failures.setdefault(client, []).append(self.clock())
        logger.warning("dashboard: failed sign-in from %s", client)

    def sign_in(self, request: Request) -> None:
        """Start a fresh session."""
        request.session.clear()
        request.session.update({"manager": True, "since": int(self.clock())})
        self._failures.pop(client_of(request), None)

    def signed_in(self, request: Request) -> bool:
        """True for a signed-in session younger than the session lifetime, or a valid bearer token."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and self.settings.token:
            return hmac.compare_digest(header[7:].strip().encode(), self.settings.token.encode())
        session = request.scope.get("session") or {}
        since = session.get("since")
        if not session.get("manager") or not isinstance(since, int):
            return False
        if self.clock() - since > self.max_age:
            session.clear()
            return False
        return True


def client_of(request: Request) -> str:
    """The client's address (for throttling)."""
    return request.client.host if request.client else "unknown"
