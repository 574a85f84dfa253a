"""Benchmark Jujube against stock Rasa: concurrent scripted conversations through the REST channel.

Usage: bench/run.py [--concurrency 1 20 50] [--turns-per-conversation 6] [--skip-stock] [--skip-scaled]
                    [--workers 2] [--reuse-model] [--max-seconds 150] [--rounds 2] [--min-conversations 20]
                    [--json results/bench.json]
Trains Jujube's model and Rasa's starter bot (default config) in a temporary folder, starts each
server on a free loopback port, drives the conversations, prints the tables and writes the JSON.
Three bots in one run: stock Rasa, Jujube in one process on SQLite, and Jujube scaled (Rasa and
action-server workers on PostgreSQL and Redis). See bench/README.md for what is measured and how.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load, procs, report  # noqa: E402
from bench.procs import JUJUBE_CLI, PY, RASA, RASA_PY, ROOT, Proc, ServerFailed  # noqa: E402
from jujube.db.pgserver import PgServer, find_bindir  # noqa: E402
from jujube.db.redisserver import RedisServer, find_redis_server  # noqa: E402

logger = logging.getLogger("bench")

SCALED = "jujube-scaled"
TRAIN_TIMEOUT = 1500.0
START_TIMEOUT = 300.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 20, 50],
                   help="concurrent conversations per level (default: 1 20 50)")
    p.add_argument("--turns-per-conversation", type=int, default=6, help="messages per conversation (default 6)")
    p.add_argument("--rounds", type=int, default=2,
                   help="conversations each concurrent shopper runs back to back (default 2)")
    p.add_argument("--min-conversations", type=int, default=20,
                   help="at least this many conversations per level (default 20)")
    p.add_argument("--max-seconds", type=float, default=150.0,
                   help="time cap per level and bot; no new turns start after it (default 150)")
    p.add_argument("--skip-stock", action="store_true", help="benchmark Jujube only")
    p.add_argument("--skip-scaled", action="store_true", help="leave out Jujube scaled (workers, PostgreSQL, Redis)")
    p.add_argument("--workers", type=int, default=2, help="Rasa and action-server workers of Jujube scaled (default 2)")
    p.add_argument("--reuse-model", action="store_true",
                   help="use models/jujube.tar.gz instead of training (training time: not measured)")
    p.add_argument("--json", type=Path, default=ROOT / "results" / "bench.json", help="where to write the results")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (models, logs, database)")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def say(msg: str) -> None:
    """Progress line on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def train_jujube(tmp: Path, args: argparse.Namespace, bot: dict[str, Any]) -> Path:
    """Train Jujube's model into `tmp` (timed), or reuse models/jujube.tar.gz."""
    fallback = ROOT / "models" / "jujube.tar.gz"
    if args.reuse_model:
        bot["training_note"] = "not measured"
        return fallback
    say("training Jujube's model and need classifier (fresh training caches)")
    env = procs.base_env(RASA_CACHE_DIRECTORY=str(tmp / "cache-jujube"), JUJUBE_NEEDS_CACHE=str(tmp / "needs"))
    seconds, ok = procs.run_timed("jujube training", [RASA, "train", "--fixed-model-name", "bench", "--out",
                                                      tmp / "models"], ROOT, env, tmp / "train-jujube.log",
                                  TRAIN_TIMEOUT)
    if ok:  # what `make train` does next: the need classifier, which the model's pipeline loads at start
        needs_s, ok = procs.run_timed("need classifier training", [RASA_PY, "-m", "jujube.nlu.needs"], ROOT, env,
                                      tmp / "train-needs.log", TRAIN_TIMEOUT)
        bot["training_parts_s"] = {"rasa train": round(seconds, 1), "need classifier": round(needs_s, 1)}
        seconds += needs_s
    model = tmp / "models" / "bench.tar.gz"
    if ok and model.exists():
        bot["training_s"] = round(seconds, 1)
        bot["needs_cache"] = str(tmp / "needs")
        say(f"Jujube trained in {seconds:.0f}s")
        return model
    bot["training_note"] = "failed"
    say(f"Jujube training failed (log {tmp / 'train-jujube.log'}); benchmarking {fallback} instead")
    return fallback


def needs_cache(tmp: Path) -> dict[str, str]:
    """The need classifier the run trained, for its servers (none with --reuse-model: var/needs)."""
    trained = tmp / "needs"
    return {"JUJUBE_NEEDS_CACHE": str(trained)} if trained.is_dir() else {}


def train_stock(tmp: Path, bot: dict[str, Any]) -> tuple[Path, Path | None]:
    """`rasa init --no-prompt` (which trains the starter bot with the default config), timed."""
    stock_dir = tmp / "stock"
    stock_dir.mkdir()
    say("creating and training stock Rasa's starter bot (rasa init, default config)")
    env = procs.base_env(RASA_CACHE_DIRECTORY=str(tmp / "cache-stock"))
    seconds, ok = procs.run_timed("stock init", [RASA, "init", "--no-prompt", "--init-dir", stock_dir], stock_dir,
                                  env, tmp / "train-stock.log", TRAIN_TIMEOUT)
    models = sorted((stock_dir / "models").glob("*.tar.gz"))
    if ok and models:
        bot["training_s"] = round(seconds, 1)
        say(f"stock bot created and trained in {seconds:.0f}s")
        return stock_dir, models[-1]
    bot["training_note"] = "failed"
    return stock_dir, None


def start_jujube(tmp: Path, model: Path, running: list[Proc]) -> tuple[str, list[Proc], float]:
    """Action server and Rasa server on free ports with a fresh database; (url, processes, start seconds)."""
    rasa_port, actions_port = procs.free_port(), procs.free_port()
    env = procs.base_env(DATABASE_URL=f"sqlite:///{tmp / 'needs.db'}", JUJUBE_OUTBOX=str(tmp / "outbox.jsonl"),
                         ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook", **needs_cache(tmp))
    seconds, ok = procs.run_timed("database migration", [JUJUBE_CLI, "db", "upgrade"], ROOT, env,
                                  tmp / "db.log", 120)
    if not ok:
        raise ServerFailed(f"the temporary database could not be migrated (log {tmp / 'db.log'})")
    say("starting Jujube: action server and Rasa server")
    t0 = time.monotonic()
    actions = Proc("action server", [PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
                   ROOT, env, tmp / "actions.log")
    running.append(actions)
    rasa = Proc("jujube rasa server", [RASA, "run", "--enable-api", "-m", model, "--port", str(rasa_port),
                                       "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                ROOT, env, tmp / "rasa-jujube.log")
    running.append(rasa)
    url = f"http://127.0.0.1:{rasa_port}"
    procs.wait_http(f"http://127.0.0.1:{actions_port}/health", START_TIMEOUT, [actions])
    procs.wait_http(f"{url}/status", START_TIMEOUT, [actions, rasa])
    asyncio.run(load.one_message(url, "bench-warmup-jujube", "Do you have dates?"))
    return url, [rasa, actions], time.monotonic() - t0


class ScaledServices:
    """PostgreSQL and redis-server of Jujube scaled, started as plain processes in the temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.redis = RedisServer(root=tmp / "redis", port=procs.free_port())
        self.pg = PgServer()  # in /tmp: the postgres user cannot enter private folders
        self.db_url = ""
        self.start_s = 0.0

    def start(self) -> None:
        """Start both and create the database; timed."""
        t0 = time.monotonic()
        self.redis.start()
        self.pg.start()
        self.db_url = self.pg.create_database("jujube_bench")
        self.start_s = time.monotonic() - t0

    def pids(self) -> dict[str, int]:
        """Process ids of redis-server and the PostgreSQL postmaster (its backends are its children)."""
        out: dict[str, int] = {}
        if self.redis.proc is not None:
            out["redis-server"] = self.redis.proc.pid
        try:
            out["postgresql"] = int((self.pg.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
        return out

    def stop(self) -> None:
        """Stop both and delete PostgreSQL's folder."""
        self.redis.stop()
        self.pg.destroy()


def start_jujube_scaled(tmp: Path, model: Path, workers: int, services: ScaledServices, running: list[Proc],
                        bot: dict[str, Any]) -> tuple[str, list[Proc], float]:
    """Redis, PostgreSQL, then `workers` action-server and Rasa workers (endpoints-scaled.yml); start timed."""
    say(f"starting Jujube scaled: redis-server, PostgreSQL, {workers} action-server and {workers} Rasa workers")
    services.start()
    bot["services_start_s"] = round(services.start_s, 1)
    rasa_port, actions_port = procs.free_port(), procs.free_port()
    env = procs.base_env(DATABASE_URL=services.db_url, JUJUBE_OUTBOX=str(tmp / "outbox-scaled.jsonl"),
                         ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook",
                         REDIS_HOST="127.0.0.1", REDIS_PORT=str(services.redis.port), REDIS_DB="1",
                         SANIC_WORKERS=str(workers), ACTION_SERVER_SANIC_WORKERS=str(workers),
                         PYTHONPATH=str(ROOT), **needs_cache(tmp))
    seconds, ok = procs.run_timed("database migration", [JUJUBE_CLI, "db", "upgrade"], ROOT, env,
                                  tmp / "db-scaled.log", 120)
    if not ok:
        raise ServerFailed(f"the PostgreSQL database could not be migrated (log {tmp / 'db-scaled.log'})")
    t0 = time.monotonic()
    actions = Proc("action-server workers", [PY, "-m", "jujube.workers", "rasa_sdk", "--actions", "actions",
                                             "--port", str(actions_port)], ROOT, env, tmp / "actions-scaled.log")
    running.append(actions)
    rasa = Proc("jujube rasa workers", [RASA_PY, "-m", "jujube.workers", "rasa", "run", "--enable-api", "-m", model,
                                        "--port", str(rasa_port), "--endpoints", "endpoints-scaled.yml",
                                        "--credentials", "credentials.yml"], ROOT, env, tmp / "rasa-scaled.log")
    running.append(rasa)
    url = f"http://127.0.0.1:{rasa_port}"
    procs.wait_http(f"http://127.0.0.1:{actions_port}/health", START_TIMEOUT, [actions])
    procs.wait_http(f"{url}/status", START_TIMEOUT, [actions, rasa])
    asyncio.run(load.one_message(url, "bench-warmup-scaled", "Do you have dates?"))
    start_s = time.monotonic() - t0
    # every worker answers a first message, so none pays its warm-up inside the measured load
    asyncio.run(load.warm_up(url, "bench-warmup-scaled", workers * 4))
    bot["workers"] = {"rasa": len(procs.children(rasa.pid)), "action server": len(procs.children(actions.pid))}
    return url, [rasa, actions], start_s


def start_stock(tmp: Path, stock_dir: Path, model: Path, running: list[Proc]) -> tuple[str, list[Proc], float]:
    """Stock Rasa server for the starter bot on a free port; (url, processes, start seconds)."""
    port = procs.free_port()
    say("starting stock Rasa server")
    t0 = time.monotonic()
    rasa = Proc("stock rasa server", [RASA, "run", "--enable-api", "-m", model, "--port", str(port)],
                stock_dir, procs.base_env(), tmp / "rasa-stock.log")
    running.append(rasa)
    url = f"http://127.0.0.1:{port}"
    procs.wait_http(f"{url}/status", START_TIMEOUT, [rasa])
    asyncio.run(load.one_message(url, "bench-warmup-stock", "hello"))
    return url, [rasa], time.monotonic() - t0


def drive(name: str, url: str, servers: list[Proc], scripts: tuple[tuple[str, ...], ...],
          args: argparse.Namespace, bot: dict[str, Any], extra_pids: dict[str, int] | None = None) -> None:
    """Every concurrency level against one running bot; memory sampled during and after the load."""
    extra_pids = extra_pids or {}
    pids = [p.pid for p in servers] + list(extra_pids.values())
    bot["load_average_before_load"] = [round(x, 2) for x in os.getloadavg()]
    sampler = procs.RssSampler(pids)
    sampler.start()
    try:
        for n in args.concurrency:
            conversations = max(n * args.rounds, args.min_conversations)
            say(f"{name}: {conversations} conversations, {n} at a time, {args.turns_per_conversation} turns each")
            parts = {p.name: [p.pid] for p in servers} | {k: [pid] for k, pid in extra_pids.items()}
            cpu_before = {k: procs.cpu_seconds(v) for k, v in parts.items()}
            client_before = time.process_time()
            result = asyncio.run(load.run_level(url, scripts, n, conversations, args.turns_per_conversation,
                                                args.max_seconds, name))
            summary = result.summary()
            turns = max(summary["turns"], 1)
            summary["cpu_ms_per_turn_by_process"] = {
                k: round((procs.cpu_seconds(v) - cpu_before[k]) * 1000 / turns, 1) for k, v in parts.items()}
            summary["cpu_ms_per_turn"] = round(sum(summary["cpu_ms_per_turn_by_process"].values()), 1)
            # the load generator shares the bot's cores: its own CPU per turn, apart from the bot's
            summary["load_generator_cpu_ms_per_turn"] = round((time.process_time() - client_before) * 1000 / turns, 1)
            bot["levels"].append(summary)
            say(f"{name} N={n}: {summary['msg_per_s']} msg/s, p50 {summary['p50_ms']} ms, "
                f"p95 {summary['p95_ms']} ms, errors {summary['errors']}, CPU {summary['cpu_ms_per_turn']} ms/turn "
                f"{summary['cpu_ms_per_turn_by_process']}, load generator {summary['load_generator_cpu_ms_per_turn']} ms/turn")
            if any(not p.alive() for p in servers):
                raise ServerFailed(f"{name}: a server exited during the load")
    finally:
        bot["rss_peak_mb"] = sampler.stop()
    bot["rss_mb"] = procs.rss_mb(pids)
    bot["pss_mb"] = procs.pss_mb(pids)
    bot["rss_by_process_mb"] = {p.name: procs.rss_mb([p.pid]) for p in servers}
    bot["rss_by_process_mb"].update({name: procs.rss_mb([pid]) for name, pid in extra_pids.items()})


def count_needs(tmp: Path, database_url: str | None = None, label: str = "jujube") -> dict[str, int]:
    """Needs the measured conversations logged in the benchmark's database, by outcome (warm-up excluded)."""
    env = procs.base_env(DATABASE_URL=database_url or f"sqlite:///{tmp / 'needs.db'}")
    counts: dict[str, int] = {"total": 0}
    try:
        out = subprocess.run([str(JUJUBE_CLI), "needs", "export", "--format", "jsonl"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("could not export the needs log: %s", exc)
        return counts
    for line in out.stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and str(record.get("conversation_id", "")).startswith(f"bench-{label}-"):
            outcome = record.get("outcome") or "unknown"
            counts["total"] += 1
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def run_bot(name: str, start: Callable[[], tuple[str, list[Proc], float]], scripts: tuple[tuple[str, ...], ...],
            args: argparse.Namespace, bot: dict[str, Any], running: list[Proc],
            extra_pids: Callable[[], dict[str, int]] | None = None) -> bool:
    """Start one bot, drive it, stop it; False when its server did not start."""
    try:
        url, servers, start_s = start()
    except (ServerFailed, OSError, load.httpx.HTTPError) as exc:
        say(f"{name} did not start: {exc}")
        bot["error"] = str(exc)
        for p in running:
            p.stop(grace=10)
        return False
    bot["start_s"] = round(start_s, 1)
    say(f"{name} ready in {start_s:.1f}s")
    try:
        drive(name, url, servers, scripts, args, bot, extra_pids() if extra_pids else None)
    except ServerFailed as exc:
        say(str(exc))
        bot["error"] = str(exc)
    finally:
        for p in servers:
            p.stop()
    return True


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when a server failed to start."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="jujube-bench-rasa-"))
    running: list[Proc] = []
    bots: dict[str, dict[str, Any]] = {"jujube": {"levels": []}}
    scaled_ok = not args.skip_scaled and find_redis_server() is not None and find_bindir() is not None
    if not args.skip_scaled:
        bots[SCALED] = {"levels": []}
        if not scaled_ok:
            bots[SCALED]["error"] = "redis-server or PostgreSQL is not installed (make install)"
    if not args.skip_stock:
        bots["stock"] = {"levels": []}
    ok, interrupted = True, False
    notes = ["Jujube runs its custom actions (action server) and writes each need to a SQLite database."
             if args.skip_stock else
             "Same machine, same run, same REST channel, same turns per conversation and concurrency. "
             "Jujube runs its custom actions (action server) and writes each need to a SQLite database; "
             "stock Rasa's starter bot (rasa init, default config) has no custom actions and no database.",
             "Latency: from sending a turn to its full reply. msg/s: turns answered / wall time of the level.",
             "Resident memory: VmRSS of the server processes and their children after the load "
             "(Jujube: Rasa server + action server; Jujube scaled: Rasa workers + action-server workers + "
             "redis-server + PostgreSQL with its backends)."]
    if not args.skip_scaled:
        notes.append(f"{SCALED}: {args.workers} Rasa workers (SANIC_WORKERS) with the Redis lock store and "
                     f"{args.workers} action-server workers (ACTION_SERVER_SANIC_WORKERS), conversations and needs "
                     "log on PostgreSQL; same model as jujube. Its server start excludes starting redis-server and "
                     "PostgreSQL (services_start_s).")
    try:
        t_start = time.monotonic()
        load_at_start = list(os.getloadavg())
        model = train_jujube(tmp, args, bots["jujube"])
        stock_dir, stock_model = (train_stock(tmp, bots["stock"]) if not args.skip_stock else (None, None))
        ok = run_bot("jujube", lambda: start_jujube(tmp, model, running), load.JUJUBE_SCRIPTS, args, bots["jujube"],
                     running)
        if ok:
            bots["jujube"]["needs_logged"] = count_needs(tmp)
        if scaled_ok:
            services = ScaledServices(tmp)
            bots[SCALED].update({k: v for k, v in bots["jujube"].items() if k in ("training_s", "training_note")})
            try:
                ok = run_bot(SCALED, lambda: start_jujube_scaled(tmp, model, args.workers, services, running,
                                                                 bots[SCALED]),
                             load.JUJUBE_SCRIPTS, args, bots[SCALED], running, services.pids) and ok
                if services.db_url:
                    bots[SCALED]["needs_logged"] = count_needs(tmp, services.db_url, SCALED)
            finally:
                services.stop()
        if not args.skip_stock:
            if stock_model is None:
                say(f"stock bot could not be trained (log {tmp / 'train-stock.log'})")
                bots["stock"]["error"] = "training failed"
                ok = False
            else:
                ok = run_bot("stock", lambda: start_stock(tmp, stock_dir, stock_model, running),
                             load.STOCK_SCRIPTS, args, bots["stock"], running) and ok
        result: dict[str, Any] = {
            "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average_at_start": load_at_start, "load_average_at_end": list(os.getloadavg())},
            "settings": {"concurrency": args.concurrency, "turns_per_conversation": args.turns_per_conversation,
                         "rounds": args.rounds, "min_conversations": args.min_conversations,
                         "max_seconds_per_level": args.max_seconds, "reuse_model": args.reuse_model,
                         "model": str(model)},
            "bots": bots, "notes": notes, "total_s": round(time.monotonic() - t_start, 1)}
        if "stock" in bots and bots["stock"].get("levels") and bots["jujube"].get("levels"):
            result["ratios"] = report.ratios(bots["jujube"], bots["stock"])
        if "stock" in bots and bots["stock"].get("levels") and bots.get(SCALED, {}).get("levels"):
            result["ratios_scaled"] = report.ratios(bots[SCALED], bots["stock"])
        if load_at_start[0] > 0.5:
            notes.append(f"The machine was busy when the run started (load average {load_at_start[0]:.1f} on "
                         f"{os.cpu_count()} CPUs); other work distorts the figures.")
        for name in ("jujube", SCALED):
            needs = bots.get(name, {}).get("needs_logged")
            if needs:
                by_outcome = ", ".join(f"{k} {v}" for k, v in needs.items() if k != "total")
                notes.append(f"Needs written to {name}'s database by the measured conversations: {needs['total']}"
                             f"{f' ({by_outcome})' if by_outcome else ''}.")
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(report.render(result))
        print(f"\nResults: {args.json}  (total {result['total_s']:.0f}s)")
    except KeyboardInterrupt:
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # cancelled requests are expected here
        say("interrupted; stopping the servers")
        interrupted = True
    finally:
        for p in running:
            p.stop(grace=10)
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 130 if interrupted else (0 if ok else 1)


if __name__ == "__main__":
    sys.exit(main())
