"""Where a turn's milliseconds go: the Rasa server (NLU, policy, conversation store), the action server
(the action_turn run: understanding, `jujube.policy.next_step`, needs-log writes) and the HTTP between them.

Usage: .venv-rasa/bin/python bench/profile_turn.py [--rounds 3] [--json results/profile.json]
Part 1 runs in the Rasa environment: Rasa's agent loads models/jujube.tar.gz in this process (SQLite
conversation store and needs log in a temporary folder, the action server as a separate process) and
plays the benchmark's shopper scripts; Rasa's own methods are timed by wrapping them. The requests
sent to the action server are kept; part 2 (bench/profile_actions.py, light environment) replays them
in-process and times the parts of the action. The first round is a warm-up and is not counted.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import procs  # noqa: E402
from bench.shoppers import JUJUBE_SCRIPTS  # noqa: E402

logger = logging.getLogger("bench.profile")
TIMES: dict[str, list[float]] = defaultdict(list)
PAYLOADS: list[str] = []
COUNTING = [False]


def timed_async(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a coroutine function so its wall time goes to TIMES[label]."""
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            if COUNTING[0]:
                TIMES[label].append((time.perf_counter() - t0) * 1000)
    return wrapper


def timed(label: str, fn: Callable[..., Any], keep: bool = False) -> Callable[..., Any]:
    """Wrap a function so its time goes to TIMES[label]; `keep` also keeps its JSON result (action requests)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        if COUNTING[0]:
            TIMES[label].append((time.perf_counter() - t0) * 1000)
            if keep:
                PAYLOADS.append(json.dumps(result))
        return result
    return wrapper


def instrument() -> None:
    """Wrap the Rasa methods a turn goes through."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    from jujube.rasa_speed import install
    from jujube.tracker_store import JujubeTrackerStore

    install()  # what the model's loading installs, wrapped as the server runs it
    Agent.handle_message = timed_async("turn (Rasa server, total)", Agent.handle_message)
    MessageProcessor.parse_message = timed_async("NLU pipeline", MessageProcessor.parse_message)
    MessageProcessor._predict_next_with_tracker = timed("policy prediction (all per turn)",
                                                        MessageProcessor._predict_next_with_tracker)
    RemoteAction._action_call_format = timed("tracker -> action request (dict)",
                                                RemoteAction._action_call_format, True)
    RemoteAction.run = timed_async("action call (HTTP + action server)", RemoteAction.run)
    JujubeTrackerStore.retrieve = timed_async("conversation store: read", JujubeTrackerStore.retrieve)
    JujubeTrackerStore.save = timed_async("conversation store: write", JujubeTrackerStore.save)


async def play(model: Path, rounds: int) -> int:
    """Load the agent and play every shopper script `rounds` times; returns the counted turns."""
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints("endpoints.yml"))
    counted = 0
    for r in range(rounds):
        COUNTING[0] = r > 0
        for i, script in enumerate(JUJUBE_SCRIPTS):
            sender = f"profile-{r}-{i}"
            for text in script:
                await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest"))
                counted += r > 0
    return counted


def summarise(times: dict[str, list[float]], turns: int) -> dict[str, dict[str, float]]:
    """Per label: calls per turn, mean ms per call, ms per turn."""
    return {label: {"calls_per_turn": round(len(v) / turns, 2), "ms_per_call": round(sum(v) / len(v), 2),
                    "ms_per_turn": round(sum(v) / turns, 2)} for label, v in times.items() if v}


def main(argv: list[str] | None = None) -> int:
    """Both parts; prints a table, writes the JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3, help="rounds of the shopper scripts, the first not counted")
    p.add_argument("--model", type=Path, default=ROOT / "models" / "jujube.tar.gz")
    p.add_argument("--json", type=Path, default=ROOT / "results" / "profile.json")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="jujube-profile-"))
    port = procs.free_port()
    env = procs.base_env(DATABASE_URL=f"sqlite:///{tmp / 'needs.db'}", JUJUBE_OUTBOX=str(tmp / "outbox.jsonl"),
                         ACTION_ENDPOINT_URL=f"http://127.0.0.1:{port}/webhook", PYTHONPATH=str(ROOT))
    os.environ.update(env)
    subprocess.run([str(procs.JUJUBE_CLI), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    actions = procs.Proc("action server", [procs.PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                         ROOT, env, tmp / "actions.log")
    try:
        procs.wait_http(f"http://127.0.0.1:{port}/health", 180, [actions])
        instrument()
        os.chdir(ROOT)
        turns = asyncio.run(play(args.model, args.rounds))
    finally:
        actions.stop()
    rasa_side = summarise(TIMES, turns)
    payloads = tmp / "payloads.jsonl"
    payloads.write_text("\n".join(PAYLOADS) + "\n")
    out = subprocess.run([str(procs.PY), str(ROOT / "bench" / "profile_actions.py"), str(payloads)], cwd=ROOT,
                         env=procs.base_env(DATABASE_URL=f"sqlite:///{tmp / 'needs.db'}",
                                            JUJUBE_OUTBOX=str(tmp / "outbox-replay.jsonl"), PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        return 1
    action_side = json.loads(out.stdout)
    result = {"turns": turns, "rasa_server": rasa_side, "action_server": action_side,
              "load_average": list(os.getloadavg())}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(render(result))
    return 0


def render(result: dict[str, Any]) -> str:
    """Markdown tables of both parts."""
    rows = [f"{result['turns']} turns counted (load average {result['load_average'][0]:.1f})", "",
            "| Rasa server | calls per turn | ms per call | ms per turn |", "| --- | --- | --- | --- |"]
    for label, v in result["rasa_server"].items():
        rows.append(f"| {label} | {v['calls_per_turn']} | {v['ms_per_call']} | {v['ms_per_turn']} |")
    a = result["action_server"]
    rows += ["", f"Action server, {a['runs']} requests replayed in-process "
                 f"(mean request {a['request_kb']:.1f} kB):", "",
             "| action server | ms per request |", "| --- | --- |"]
    for label, ms in a["ms"].items():
        rows.append(f"| {label} | {ms} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
