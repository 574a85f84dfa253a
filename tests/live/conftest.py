"""Live fixtures: a real Rasa server (trained model) and action server on spare ports, with a temporary database."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "jujube.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")


class Servers:
    """Handles to the running servers and helpers to talk to them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.rasa_port, self.actions_port = free_port(), free_port()
        self.db_url = f"sqlite:///{tmp / 'needs.db'}"
        self.env = {**os.environ, "DATABASE_URL": self.db_url, "JUJUBE_OUTBOX": str(tmp / "outbox.jsonl"),
                    "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start_actions(self) -> None:
        log = open(self.tmp / "actions.log", "ab")
        self.actions = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port",
             str(self.actions_port)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", 180)

    def stop_actions(self) -> None:
        if self.actions:
            self.actions.terminate()
            self.actions.wait(timeout=20)
            self.actions = None

    def start_rasa(self) -> None:
        log = open(self.tmp / "rasa.log", "ab")
        self.rasa = subprocess.Popen(
            [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "-m", str(MODEL), "--port",
             str(self.rasa_port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"{self.url}/status", 300)

    def say(self, sender: str, text: Any, metadata: dict | None = None) -> list[dict]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        req = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"[]")

    def export(self, conversation: str) -> list[dict]:
        out = subprocess.run([str(ROOT / ".venv/bin/jujube"), "needs", "export", "--format", "jsonl",
                              "--conversation", conversation], env=self.env, capture_output=True, text=True,
                             check=True, timeout=60)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Migrated database, action server and Rasa server, for the whole live session."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    s = Servers(tmp_path_factory.mktemp("live"))
    subprocess.run([str(ROOT / ".venv/bin/jujube"), "db", "upgrade"], env=s.env, check=True, timeout=120)
    s.start_actions()
    s.start_rasa()
    try:
        yield s
    finally:
        s.stop_actions()
        if s.rasa:
            s.rasa.terminate()
            try:
                s.rasa.wait(timeout=30)
            except subprocess.TimeoutExpired:
                s.rasa.kill()
