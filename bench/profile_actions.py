"""Replay recorded action-server requests in-process and time the parts of the action_turn run.

Usage: .venv/bin/python bench/profile_actions.py PAYLOADS.jsonl   (called by bench/profile_turn.py)
Prints JSON: runs, mean request size, and ms per request for the request's JSON decoding, the whole
executor run (rasa_sdk: tracker, dispatcher, action, events), Jujube's understanding of the message,
`jujube.policy.next_step`, and the needs-log writes (DATABASE_URL).
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logger = logging.getLogger("bench.profile_actions")
TIMES: dict[str, float] = defaultdict(float)


def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a function so its time adds to TIMES[label]."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[label] += (time.perf_counter() - t0) * 1000
    return wrapper


async def replay(lines: list[str]) -> int:
    """Run every request through the SDK's executor, as the action server does."""
    from rasa_sdk.executor import ActionExecutor

    import actions.turn as turn

    turn.understand = timed("understanding (jujube.understanding.understand)", turn.understand)
    turn.next_step = timed("policy (jujube.policy.next_step)", turn.next_step)
    turn.save = timed("needs-log writes (in a worker thread)", turn.save)
    executor = ActionExecutor()
    executor.register_package("actions")
    await executor.run(json.loads(lines[0]))  # warm-up: knowledge, shop, database connection
    TIMES.clear()
    for raw in lines:
        t0 = time.perf_counter()
        call = json.loads(raw)
        t1 = time.perf_counter()
        await executor.run(call)
        t2 = time.perf_counter()
        TIMES["request JSON decoding"] += (t1 - t0) * 1000
        TIMES["action run (rasa_sdk executor, total)"] += (t2 - t1) * 1000
    return len(lines)


def main(argv: list[str]) -> int:
    """Replay, print the JSON summary."""
    logging.basicConfig(level=logging.WARNING)
    lines = [line for line in Path(argv[0]).read_text().splitlines() if line.strip()]
    runs = asyncio.run(replay(lines))
    order = ["request JSON decoding", "action run (rasa_sdk executor, total)",
             "understanding (jujube.understanding.understand)", "policy (jujube.policy.next_step)",
             "needs-log writes (in a worker thread)"]
    print(json.dumps({"runs": runs, "request_kb": sum(map(len, lines)) / len(lines) / 1024,
                      "ms": {k: round(TIMES[k] / runs, 2) for k in order if k in TIMES}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
