"""Conversation locks in Redis for several Rasa workers: Rasa's RedisLockStore with atomic updates.

Runs inside the Rasa server (endpoints-scaled.yml, `lock_store: type: jujube.lock_store.AtomicRedisLockStore`).
Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it and writes it back
in separate commands. Two workers that take a ticket for one conversation at the same moment
can then both read "no lock", both get ticket 0 and handle the two messages side by side, and
a worker that releases its ticket can delete a ticket another worker has just issued. Here every
change of a lock is one Redis transaction (WATCH/MULTI/EXEC, retried when another worker changed
the lock in between), so tickets are issued once, in the order workers ask for them, and a lock
is deleted only when no ticket is left. A waiting message also looks again every 50 ms instead of
every second.
"""
from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

WAIT_SECONDS = 0.05  # between two looks at a lock another message of the conversation holds
SETTINGS = ("port", "db", "username", "password", "use_ssl", "ssl_certfile", "ssl_keyfile", "ssl_ca_certs",
            "key_prefix", "socket_timeout")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are Redis transactions; safe for several workers and machines."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, host: Optional[Text] = None,
                 wait_seconds: float = WAIT_SECONDS, **kwargs: Any) -> None:
        if endpoint_config is not None:
            settings = dict(endpoint_config.kwargs)
            host = host or endpoint_config.url
            wait_seconds = float(settings.pop("wait_seconds", wait_seconds))
            kwargs = {**{k: v for k, v in settings.items() if k in SETTINGS}, **kwargs}
        super().__init__(host=host or "localhost", **kwargs)
        self.wait_seconds = wait_seconds
        logger.info("conversation locks: Redis at %s:%s, db %s",
                    self.red.connection_pool.connection_kwargs.get("host"),
                    self.red.connection_pool.connection_kwargs.get("port"),
                    self.red.connection_pool.connection_kwargs.get("db"))

    def _key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], Any], create: bool = False) -> Any:
        """Apply `change` to the conversation's lock in one transaction; the lock is deleted once it is empty."""
        key = self._key(conversation_id)
        outcome: list[Any] = [None]

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            if raw is None and not create:
                outcome[0] = None
                return
            lock = TicketLock.from_dict(json.loads(raw)) if raw else self.create_lock(conversation_id)
            outcome[0] = change(lock)
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket of the conversation (creating its lock), atomically."""
        try:
            return int(self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True))
        except Exception as exc:  # noqa: BLE001 - Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets, atomically."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove a served ticket, atomically."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove a served ticket; the lock goes with its last ticket (one transaction)."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: Optional[float] = None) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock; waiting messages look again every `wait_seconds`."""
        wait = self.wait_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait)
        finally:
            self.cleanup(conversation_id, ticket)


__all__ = ["AtomicRedisLockStore"]
