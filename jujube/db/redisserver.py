"""A private redis-server for the conversation locks: a plain process in a folder, on a chosen port.

Uses Debian's redis-server binary (installed by `make install`); no system service is involved.
Nothing is saved to disk: the locks only matter while the servers run.
"""
from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from jujube.db.pgserver import free_port

logger = logging.getLogger(__name__)


def find_redis_server() -> Optional[str]:
    """Path of the redis-server binary, or None."""
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if Path(p).exists()), None)


class RedisServer:
    """One redis-server process on 127.0.0.1:`port`, its log and pid file in `root`."""

    def __init__(self, root: Optional[Path] = None, port: Optional[int] = None) -> None:
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make install` (Debian package redis-server)")
        self.binary = binary
        self.root = Path(root or tempfile.mkdtemp(prefix="jujube-redis-"))
        self.port = port or free_port(ports=())
        self.proc: Optional[subprocess.Popen] = None

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.root / "redis.log"

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it answers PING."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(self.log_path),
             "--pidfile", str(self.root / "redis.pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self.log_tail()}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {timeout:.0f}s")

    def ping(self) -> bool:
        """True when the server answers PING."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 10) -> str:
        """The last lines of the server's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
