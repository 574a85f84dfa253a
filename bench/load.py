"""Scripted conversations and the concurrent load driver (REST channel, asyncio + httpx)."""
from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)

from bench.shoppers import JUJUBE_SCRIPTS, STOCK_SCRIPTS  # noqa: E402,F401 - the scripts live apart

# The REST channel's answer when the actions fail (the turn is then counted as an error).
FAILURE_MARKERS = ("having a little trouble",)


@dataclass
class LevelResult:
    """What one concurrency level measured."""

    concurrency: int
    conversations: int = 0
    turns: int = 0
    errors: int = 0
    empty_replies: int = 0
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    stopped_early: bool = False
    error_samples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures that go into the table and the JSON file."""
        lat = sorted(self.latencies_ms)
        return {
            "concurrency": self.concurrency,
            "conversations": self.conversations,
            "turns": self.turns,
            "errors": self.errors,
            "empty_replies": self.empty_replies,
            "wall_s": round(self.wall_s, 3),
            "msg_per_s": round(self.turns / self.wall_s, 3) if self.wall_s > 0 else None,
            "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95),
            "p99_ms": percentile(lat, 99),
            "mean_ms": round(sum(lat) / len(lat), 1) if lat else None,
            "max_ms": round(lat[-1], 1) if lat else None,
            "stopped_early": self.stopped_early,
            "error_samples": self.error_samples[:5],
        }


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def script_turns(script: tuple[str, ...], turns: int) -> list[str]:
    """The script cut or extended (from its start again) to exactly `turns` messages."""
    return list(itertools.islice(itertools.cycle(script), turns))


async def send(client: httpx.AsyncClient, url: str, sender: str, text: str) -> list[dict]:
    """One turn through the REST channel; returns the bot's messages."""
    resp = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    resp.raise_for_status()
    body = resp.json()
    return body if isinstance(body, list) else []


async def run_level(url: str, scripts: tuple[tuple[str, ...], ...], concurrency: int, conversations: int,
                    turns: int, max_seconds: float, label: str, timeout: float = 60.0) -> LevelResult:
    """Run `conversations` scripted conversations, `concurrency` at a time, each turn after the last reply."""
    result = LevelResult(concurrency=concurrency)
    run_id = uuid.uuid4().hex[:8]
    counter = itertools.count()
    deadline = time.monotonic() + max_seconds
    # Each shopper has its own client and keep-alive connection, as separate shoppers do. One client
    # pooling every shopper's connection costs the load generator about 8 ms of CPU per turn at 50
    # (httpcore checks every pooled connection on each request), CPU the servers on the same cores lose.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeouts = httpx.Timeout(timeout, connect=10.0)

    async def shopper() -> None:
        async with httpx.AsyncClient(limits=limits, timeout=timeouts, trust_env=False) as client:
            await converse(client)

    async def converse(client: httpx.AsyncClient) -> None:
        while True:
            conv_no = next(counter)
            if conv_no >= conversations:
                return
            if time.monotonic() >= deadline:
                result.stopped_early = True
                return
            sender = f"bench-{label}-{run_id}-n{concurrency}-{conv_no}"
            result.conversations += 1
            for text in script_turns(scripts[conv_no % len(scripts)], turns):
                if time.monotonic() >= deadline:
                    result.stopped_early = True
                    return
                t0 = time.perf_counter()
                try:
                    messages = await send(client, url, sender, text)
                except (httpx.HTTPError, ValueError) as exc:
                    result.turns += 1
                    result.errors += 1
                    result.latencies_ms.append((time.perf_counter() - t0) * 1000)
                    result.error_samples.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                result.latencies_ms.append((time.perf_counter() - t0) * 1000)
                result.turns += 1
                replies = " ".join(str(m.get("text") or "") for m in messages)
                if not messages:
                    result.empty_replies += 1
                if any(marker in replies for marker in FAILURE_MARKERS):
                    result.errors += 1
                    result.error_samples.append(f"failure reply to {text!r}")

    start = time.perf_counter()
    tasks = [asyncio.create_task(shopper()) for _ in range(concurrency)]
    try:
        # Every turn has its own timeout; this outer bound only guards against a stuck level.
        outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True),
                                          timeout=max_seconds + timeout + 30)
        for exc in outcomes:
            if isinstance(exc, Exception):
                logger.error("a %s shopper stopped: %r", label, exc)
                result.error_samples.append(f"shopper stopped: {exc!r}"[:200])
    except asyncio.TimeoutError:
        result.stopped_early = True
    finally:
        for task in tasks:
            task.cancel()
    result.wall_s = time.perf_counter() - start
    return result


async def warm_up(url: str, sender: str, count: int, timeout: float = 120.0) -> None:
    """`count` first messages at once on separate connections, so every worker has answered once."""
    async def one(i: int) -> None:
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            await send(client, url, f"{sender}-{i}", "Do you have dates?")

    await asyncio.gather(*(one(i) for i in range(count)))


async def one_message(url: str, sender: str, text: str, timeout: float = 120.0) -> list[dict]:
    """A single turn (the warm-up message after a server start)."""
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
        return await send(client, url, sender, text)
