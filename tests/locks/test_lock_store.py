"""The Redis lock store of scaled mode (Rasa's environment, a real redis-server): tickets of one conversation
taken at the same moment by several workers are all different and served in the order they were issued."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Iterator

import pytest

from jujube.db.redisserver import RedisServer, find_redis_server

if find_redis_server() is None:
    pytest.skip("redis-server is not installed (Debian package redis-server; `make install` installs it)",
                allow_module_level=True)

from rasa.core.lock_store import LockStore  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from jujube.lock_store import AtomicRedisLockStore  # noqa: E402

WORKERS, TICKETS_EACH = 4, 25


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(root=Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


def store(redis: RedisServer) -> AtomicRedisLockStore:
    """A lock store as Rasa builds it from endpoints-scaled.yml (one per worker)."""
    made = LockStore.create(EndpointConfig(url="127.0.0.1", type="jujube.lock_store.AtomicRedisLockStore",
                                           port=str(redis.port), db="1", key_prefix="jujube"))
    assert isinstance(made, AtomicRedisLockStore)
    return made


def test_tickets_taken_at_once_by_several_workers_are_unique(redis: RedisServer) -> None:
    stores = [store(redis) for _ in range(WORKERS)]
    issued: list[list[int]] = [[] for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)

    def worker(i: int) -> None:
        start.wait()
        for _ in range(TICKETS_EACH):
            issued[i].append(stores[i].issue_ticket("c1"))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = sorted(n for per in issued for n in per)
    print(f"\n{len(every)} tickets from {WORKERS} workers at once, {len(set(every))} different")
    assert every == list(range(WORKERS * TICKETS_EACH))
    assert all(per == sorted(per) for per in issued)  # each worker's own tickets rise
    lock = stores[0].get_lock("c1")
    assert lock is not None and len(lock.tickets) == WORKERS * TICKETS_EACH
    for n in every:
        stores[n % WORKERS].cleanup("c1", n)
    assert stores[0].get_lock("c1") is None  # the lock went with its last ticket


def test_messages_are_served_one_at_a_time_in_ticket_order(redis: RedisServer) -> None:
    asyncio.run(_messages_in_order(redis))


async def _messages_in_order(redis: RedisServer) -> None:
    stores = [store(redis) for _ in range(2)]
    served: list[tuple[int, str]] = []
    inside = [0]

    async def message(i: int) -> None:
        async with stores[i % 2].lock("c2"):
            inside[0] += 1
            assert inside[0] == 1, "two messages of one conversation were handled at the same time"
            served.append((i, "start"))
            await asyncio.sleep(0.02)
            served.append((i, "end"))
            inside[0] -= 1

    tasks = []
    for i in range(6):  # each message asks for its ticket a moment after the previous one
        tasks.append(asyncio.create_task(message(i)))
        await asyncio.sleep(0.001)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=20)
    assert served == [(i, part) for i in range(6) for part in ("start", "end")]
    assert stores[0].get_lock("c2") is None
