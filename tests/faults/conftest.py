"""Fault-test fixtures: the whole stack (Rasa server, action server, database) on spare ports, parts of it
stopped and started on purpose."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from jujube.db.pgserver import PgServer, free_port

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / os.environ.get("MODEL", "models/jujube.tar.gz")
PORTS = range(5700, 5800)


_GIVEN: set[int] = set()


def spare_port() -> int:
    """A free port not handed out before, from the project's test range when one is free there."""
    return free_port(PORTS, _GIVEN)


def wait_for(url: str, timeout: float, proc: Optional[subprocess.Popen] = None, log: Optional[Path] = None) -> None:
    """Wait until `url` answers; fail early when the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}:\n"
                                 f"{log.read_text(errors='replace')[-3000:] if log else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {timeout:.0f}s")


class Stack:
    """Rasa server + action server + database (SQLite file or a PostgreSQL server of its own)."""

    def __init__(self, tmp: Path, backend: str) -> None:
        self.tmp, self.backend = tmp, backend
        self.pg: Optional[PgServer] = None
        if backend == "postgresql":
            self.pg = PgServer()  # in /tmp: the postgres user cannot enter pytest's private folders
            self.pg.start()
            self.db_url = self.pg.create_database("jujube_faults")
        else:
            self.db_url = f"sqlite:///{tmp / 'jujube.db'}"
        self.rasa_port, self.actions_port = spare_port(), spare_port()
        self.outbox = tmp / "outbox.jsonl"
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "JUJUBE_OUTBOX": str(self.outbox),
                    "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
                    "RASA_PORT": str(self.rasa_port), "ACTIONS_PORT": str(self.actions_port),
                    "JUJUBE_DB_TIMEOUT": "1", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
                    "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None
        self._lock: Optional[sqlite3.Connection] = None
        self._down = False
        subprocess.run([str(ROOT / ".venv/bin/jujube"), "db", "upgrade"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True, timeout=180)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    # --- parts -----------------------------------------------------------------------------
    def start_actions(self) -> float:
        """Start the action server; returns how long it took to answer."""
        started = time.monotonic()
        log = self.tmp / "actions.log"
        self.actions = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port",
             str(self.actions_port)], cwd=ROOT, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", 120, self.actions, log)
        return time.monotonic() - started

    def kill_actions(self) -> None:
        """Kill the action server outright (no clean shutdown)."""
        if self.actions and self.actions.poll() is None:
            self.actions.send_signal(signal.SIGKILL)
            self.actions.wait(timeout=30)

    def start_rasa(self) -> float:
        """Start the Rasa server; returns how long it took to answer."""
        started = time.monotonic()
        log = self.tmp / "rasa.log"
        self.rasa = subprocess.Popen(
            [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "-m", str(MODEL), "--port",
             str(self.rasa_port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            cwd=ROOT, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(f"{self.url}/status", 600, self.rasa, log)
        return time.monotonic() - started

    def stop_rasa(self) -> None:
        """Stop the Rasa server the way a deployment does (SIGTERM)."""
        if self.rasa and self.rasa.poll() is None:
            self.rasa.terminate()
            try:
                self.rasa.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.rasa.kill()
                self.rasa.wait(timeout=30)

    def database_down(self) -> None:
        """SQLite: another program holds the write lock (a backup, a long migration). PostgreSQL: the server stops."""
        self._down = True
        if self.pg is not None:
            self.pg.stop("fast")
        else:
            self._lock = sqlite3.connect(self.db_url.split("///", 1)[1], isolation_level=None, timeout=30)
            self._lock.execute("BEGIN EXCLUSIVE")

    def database_up(self) -> None:
        """The database is back."""
        if not self._down:
            return
        self._down = False
        if self.pg is not None:
            self.pg.start()
        elif self._lock is not None:
            self._lock.execute("ROLLBACK")
            self._lock.close()
            self._lock = None

    # --- talking -----------------------------------------------------------------------------
    def say(self, sender: str, text: str, timeout: float = 60) -> tuple[list[dict[str, Any]], float]:
        """Send one message over REST; returns the bot's messages and how long the answer took."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
        started = time.monotonic()
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            messages = json.loads(resp.read() or b"[]")
        return messages, time.monotonic() - started

    def tracker(self, sender: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/conversations/{sender}/tracker", timeout=60) as resp:
            return json.loads(resp.read())

    def export(self) -> list[dict[str, Any]]:
        out = subprocess.run([str(ROOT / ".venv/bin/jujube"), "needs", "export", "--format", "jsonl", "--reveal"],
                             env=self.env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def close(self) -> None:
        """Stop everything; each step runs even when an earlier one failed."""
        steps = [self.database_up, self.stop_rasa, self._stop_actions]
        if self.pg is not None:
            steps.append(self.pg.destroy)
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - cleaning up: go on with the next part
                print(f"cleanup: {step.__name__} failed: {exc}")

    def _stop_actions(self) -> None:
        if self.actions and self.actions.poll() is None:
            self.actions.terminate()
            self.actions.wait(timeout=30)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole stack on one database backend, started once per module."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    s = Stack(tmp_path_factory.mktemp(f"faults-{request.param}"), request.param)
    try:
        s.start_actions()
        s.start_rasa()
        yield s
    finally:
        s.close()
