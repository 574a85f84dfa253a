"""A throwaway PostgreSQL server for tests and trials: `initdb` in a folder, `pg_ctl` on a spare port.

Uses Debian's PostgreSQL binaries (installed by `make install`); no system service is
involved. When run as root, the server runs as the `postgres` system user, as
PostgreSQL requires.
"""
from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Optional

logger = logging.getLogger(__name__)

PORTS = range(5440, 5450)  # tried first; any free port otherwise


def find_bindir() -> Optional[Path]:
    """The folder holding initdb and pg_ctl (newest Debian version first), or None."""
    env = os.environ.get("JUJUBE_PG_BINDIR")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port(ports: Iterable[int] = PORTS, given: Optional[set[int]] = None) -> int:
    """A free TCP port on localhost, preferring `ports`; with `given`, never one handed out before."""
    given = given if given is not None else set()
    for port in [p for p in ports if p not in given] + [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            given.add(s.getsockname()[1])
            return s.getsockname()[1]
    raise OSError("no free port")


class PgServer:
    """One PostgreSQL cluster in a temporary folder; start, stop, and URLs of its databases."""

    def __init__(self, root: Optional[Path] = None, port: Optional[int] = None) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make install` (Debian package postgresql)")
        self.bindir = bindir
        self.root = Path(root or tempfile.mkdtemp(prefix="jujube-pg-"))
        self.data = self.root / "data"
        self.port = port or free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self._initialised = False

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)

    def init(self) -> None:
        """Create the cluster (trust authentication on localhost only)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                     "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        self._initialised = True

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        if not self._initialised and not (self.data / "PG_VERSION").exists():
            self.init()
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (mode: smart, fast or immediate)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  check=False)

    def running(self) -> bool:
        """True while the server runs."""
        return self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database `name`; returns its URL."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server and delete its folder."""
        if (self.data / "PG_VERSION").exists():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PgServer":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.destroy()
