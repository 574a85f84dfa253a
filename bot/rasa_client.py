"""A small async client of Rasa's REST channel."""
from __future__ import annotations

import logging
import time
from typing import Any, Optional

import httpx

from bot import CHANNEL
from bot.errors import RasaUnavailable

logger = logging.getLogger(__name__)

REST_PATH = "/webhooks/rest/webhook"
CONNECT_TIMEOUT = 3.0


class RasaClient:
    """Sends a shopper's message to Rasa and returns Rasa's bot messages."""

    def __init__(
        self, base_url: str, timeout: float = 10.0, transport: Optional[httpx.AsyncBaseTransport] = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            transport=transport,
            trust_env=False,
        )

    async def send(self, sender: str, text: str, language: Optional[str] = None) -> list[dict[str, Any]]:
        """Post one message; returns Rasa's replies or raises RasaUnavailable."""
        metadata: dict[str, Any] = {"channel": CHANNEL}
        if language:
            metadata["language"] = language
        body = {"sender": sender, "message": text, "metadata": metadata}
        started = time.monotonic()
        try:
            response = await self._client.post(REST_PATH, json=body)
            response.raise_for_status()
            replies = response.json()
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa did not answer within {self.timeout:g} s ({type(exc).__name__})") from exc
        except httpx.HTTPStatusError as exc:
            raise RasaUnavailable(f"Rasa answered HTTP {exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"cannot reach Rasa at {self.base_url}: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered something that is not JSON") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa answered JSON that is not a list of messages")
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("rasa answered %s with %d messages in %.0f ms", sender, len(replies), elapsed_ms)
        return [reply for reply in replies if isinstance(reply, dict)]

    async def restart(self, sender: str, language: Optional[str] = None) -> None:
        """Start a fresh conversation for `sender` (Rasa's built-in /restart)."""
        await self.send(sender, "/restart", language)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
