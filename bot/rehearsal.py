"""Access to the rehearsal coach from the bot (imported lazily, called off the event loop)."""
from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any, Callable, Optional

logger = logging.getLogger(__name__)

SERVICE_MODULE = "jujube.rehearsal.service"


def load_service() -> Optional[Any]:
    """A RehearsalService on the default database, or None when the coach is not installed."""
    try:
        module = importlib.import_module(SERVICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and SERVICE_MODULE.startswith(exc.name):
            return None
        raise
    return module.RehearsalService()


class Rehearsals:
    """Async wrapper around the synchronous RehearsalService; `available` is False without it."""

    def __init__(self, service: Optional[Any] = None, loader: Callable[[], Optional[Any]] = load_service) -> None:
        self._service = service
        self._loader = loader
        self._loaded = service is not None

    def _get(self) -> Optional[Any]:
        if not self._loaded:
            try:
                self._service = self._loader()
            except Exception:
                logger.exception("the rehearsal coach could not be loaded")
                self._service = None
            self._loaded = True
            if self._service is None:
                logger.info("rehearsals are not available (no %s)", SERVICE_MODULE)
        return self._service

    @property
    def available(self) -> bool:
        """Whether the rehearsal coach is installed."""
        return self._get() is not None

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        service = self._get()
        if service is None:
            raise LookupError("rehearsals are not available")
        return await asyncio.to_thread(getattr(service, name), *args, **kwargs)

    async def personas(self) -> list[tuple[str, str]]:
        """(key, short title) of every persona."""
        return list(await self._call("personas"))

    async def start(self, trainee_id: str, persona_key: Optional[str] = None) -> list[str]:
        """Start a rehearsal; returns the customer's opening lines."""
        return list(await self._call("start", trainee_id, persona_key, channel="telegram"))

    async def handle(self, trainee_id: str, text: str) -> Optional[list[str]]:
        """The customer's answer to `text`, or None when no rehearsal is active (or none can be)."""
        if self._get() is None:
            return None
        replies = await self._call("handle", trainee_id, text)
        return None if replies is None else list(replies)

    async def stop(self, trainee_id: str) -> list[str]:
        """End the rehearsal; returns the scorecard."""
        return list(await self._call("stop", trainee_id))

    async def active(self, trainee_id: str) -> bool:
        """Whether `trainee_id` is in a rehearsal."""
        if self._get() is None:
            return False
        return bool(await self._call("active", trainee_id))
