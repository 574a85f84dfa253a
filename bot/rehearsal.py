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
    """Async wrapper around the synchronous RehearsalService; unavailable when it is not installed."""

    def __init__(self, service: Optional[Any] = None, loader: Callable[[], Optional[Any]] = load_service) -> None:
        self._service = service
        self._loader = loader
        self._loading: Optional["asyncio.Future[Optional[Any]]"] = None
        self._running: set[str] = set()  # trainees seen in a rehearsal by this process
        self._failures = 0

    def _load(self) -> Optional[Any]:
        try:
            service = self._loader()
        except Exception:
            logger.exception("the rehearsal coach could not be loaded")
            return None
        if service is None:
            logger.info("rehearsals are not available (no %s)", SERVICE_MODULE)
        return service

    def preload(self) -> None:
        """Start loading the coach in the background (it takes a moment); call inside the event loop."""
        if self._service is None and self._loading is None:
            self._loading = asyncio.ensure_future(asyncio.to_thread(self._load))

    async def service(self) -> Optional[Any]:
        """The coach, loaded on first use; None when it is not available."""
        if self._service is not None:
            return self._service
        self.preload()
        assert self._loading is not None
        return await asyncio.shield(self._loading)

    async def available(self) -> bool:
        """Whether the rehearsal coach is installed."""
        return await self.service() is not None

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        service = await self.service()
        if service is None:
            raise LookupError("rehearsals are not available")
        return await asyncio.to_thread(getattr(service, name), *args, **kwargs)

    async def personas(self) -> list[tuple[str, str]]:
        """(key, short title) of every persona."""
        return list(await self._call("personas"))

    async def start(self, trainee_id: str, persona_key: Optional[str] = None,
                    language: Optional[str] = None) -> list[str]:
        """Start a rehearsal (`language`: Telegram's language_code, a hint); returns the intro and the opening."""
        lines = list(await self._call("start", trainee_id, persona_key, channel="telegram", language=language))
        self._running.add(trainee_id)
        return lines

    async def handle(self, trainee_id: str, text: str) -> Optional[list[str]]:
        """The customer's answer to `text`, or None when no rehearsal is active (or none can be).

        If the coach fails for someone not known to be rehearsing, the failure is logged and None
        returned, so a broken coach never keeps shoppers from the shop assistant.
        """
        if await self.service() is None:
            return None
        try:
            replies = await self._call("handle", trainee_id, text)
        except Exception as exc:
            if trainee_id in self._running:
                raise
            self._failures += 1
            message = "the rehearsal coach failed (%d times); passing %s's message on to the shop assistant: %s"
            logger.log(logging.WARNING if self._failures > 1 else logging.ERROR, message, self._failures, trainee_id,
                       exc, exc_info=self._failures == 1)  # the full traceback once
            return None
        if replies is None:
            self._running.discard(trainee_id)
            return None
        self._running.add(trainee_id)
        return list(replies)

    async def stop(self, trainee_id: str) -> list[str]:
        """End the rehearsal; returns the scorecard."""
        lines = list(await self._call("stop", trainee_id))
        self._running.discard(trainee_id)
        return lines

    async def active(self, trainee_id: str) -> bool:
        """Whether `trainee_id` is in a rehearsal."""
        if await self.service() is None:
            return False
        return bool(await self._call("active", trainee_id))
