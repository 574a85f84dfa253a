"""Scaled-mode fixtures: redis-server, PostgreSQL, 2 action-server workers and 2 Rasa workers, started once."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from jujube.db.pgserver import PgServer, find_bindir, free_port  # noqa: E402
from jujube.db.redisserver import RedisServer, find_redis_server  # noqa: E402

MODEL = ROOT / os.environ.get("MODEL", "models/jujube.tar.gz")
WORKERS = 2
PORTS = range(5360, 5400)
_GIVEN: set[int] = set()


def spare_port() -> int:
    """A free port not handed out before, from the suite range when one is free there."""
    return free_port(PORTS, _GIVEN)


def wait_for(url: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    """Wait until `url` answers; fail early when the server died."""
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with opener.open(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {timeout:.0f}s")


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def stop_group(proc: Optional[subprocess.Popen]) -> None:
    """SIGTERM to the process group (a server and its workers), SIGKILL after 30 s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


class RedisMonitor(threading.Thread):
    """Records every command Redis runs (MONITOR): (server time, client address, command words)."""

    LINE = re.compile(r'^\+(\d+\.\d+) \[\d+ ([^\]]+)\] (.*)$')

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"MONITOR\r\n")
        self.lines: list[tuple[float, str, list[str]]] = []
        self.cond = threading.Condition()
        self._buf = b""
        self._stop = False
        self.start()

    def run(self) -> None:
        """Read lines until closed."""
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            self._buf += chunk
            *done, self._buf = self._buf.split(b"\r\n")
            for raw in done:
                match = self.LINE.match(raw.decode(errors="replace"))
                if match:
                    words = [w.encode().decode("unicode_escape") for w in re.findall(r'"((?:[^"\\]|\\.)*)"',
                                                                                    match.group(3))]
                    with self.cond:
                        self.lines.append((float(match.group(1)), match.group(2), words))
                        self.cond.notify_all()

    def sets(self, key_part: str) -> list[tuple[float, str, dict[str, Any]]]:
        """Every lock written for a conversation: (time, client, the lock as JSON)."""
        with self.cond:
            return [(t, client, json.loads(w[2])) for t, client, w in self.lines
                    if len(w) >= 3 and w[0].upper() == "SET" and w[1].endswith(key_part)]

    def wait_set(self, key_part: str, timeout: float = 10.0) -> None:
        """Block until a lock for the conversation has been written."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(len(w) >= 3 and w[0].upper() == "SET" and w[1].endswith(key_part) for _t, _c, w in self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no lock was taken for {key_part} within {timeout:.0f}s")
                self.cond.wait(left)

    def close(self) -> None:
        """Stop reading."""
        self._stop = True
        self.sock.close()


@dataclass
class Scaled:
    """The running scaled stack."""

    tmp: Path
    env: dict[str, str]
    rasa_url: str
    redis: RedisServer
    rasa: subprocess.Popen
    actions: subprocess.Popen
    db_url: str
    start_s: float
    procs: list[subprocess.Popen] = field(default_factory=list)

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation as Rasa stores it."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=60) as resp:
            return json.loads(resp.read())


@pytest.fixture(scope="session")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    """Redis, PostgreSQL, 2 action-server and 2 Rasa workers (endpoints-scaled.yml, jujube.workers)."""
    if find_redis_server() is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `make install` installs it): "
                    "the scaled-mode tests need a real Redis")
    if find_bindir() is None:
        pytest.fail("PostgreSQL is not installed: run `make install` (Debian package postgresql)")
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    tmp = tmp_path_factory.mktemp("scaled")
    redis = RedisServer(root=tmp / "redis", port=spare_port())
    pg = PgServer()  # in /tmp: the postgres user cannot enter pytest's private folders
    rasa: Optional[subprocess.Popen] = None
    actions: Optional[subprocess.Popen] = None
    try:
        redis.start()
        pg.start()
        db_url = pg.create_database("jujube_scaled")
        rasa_port, actions_port = spare_port(), spare_port()
        env = {**os.environ, "DATABASE_URL": db_url, "JUJUBE_OUTBOX": str(tmp / "outbox.jsonl"),
               "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
               "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis.port), "REDIS_DB": "1",
               "SANIC_WORKERS": str(WORKERS), "ACTION_SERVER_SANIC_WORKERS": str(WORKERS),
               "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
               "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "NO_PROXY": "127.0.0.1,localhost"}
        subprocess.run([str(ROOT / ".venv/bin/jujube"), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=180)
        started = time.monotonic()
        actions_log, rasa_log = tmp / "actions.log", tmp / "rasa.log"
        actions = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "jujube.workers", "rasa_sdk", "--actions", "actions",
             "--port", str(actions_port)],
            cwd=ROOT, env=env, stdout=actions_log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        rasa = subprocess.Popen(
            [str(ROOT / ".venv-rasa/bin/python"), "-m", "jujube.workers", "rasa", "run", "--enable-api",
             "-m", str(MODEL), "--port", str(rasa_port), "--endpoints", "endpoints-scaled.yml", "--credentials", "credentials.yml"],
            cwd=ROOT, env=env, stdout=rasa_log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(f"http://127.0.0.1:{actions_port}/health", 180, actions, actions_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/status", 600, rasa, rasa_log)
        stack = Scaled(tmp=tmp, env=env, rasa_url=f"http://127.0.0.1:{rasa_port}", redis=redis, rasa=rasa,
                       actions=actions, db_url=db_url, start_s=time.monotonic() - started)
        print(f"\nscaled stack up in {stack.start_s:.1f}s: Rasa workers {children(rasa.pid)}, "
              f"action-server workers {children(actions.pid)}")
        yield stack
    finally:
        stop_group(rasa)
        stop_group(actions)
        redis.stop()
        pg.destroy()
