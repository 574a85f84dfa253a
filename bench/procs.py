"""Servers and training runs for the benchmark: spawn, wait until ready, measure memory, stop."""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Callable, Sequence

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
JUJUBE_CLI = ROOT / ".venv" / "bin" / "jujube"

# Quiet, offline Rasa: no telemetry, none of its dependencies' deprecation pages.
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::FutureWarning",
}


class ServerFailed(RuntimeError):
    """A server exited or did not answer in time."""


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    """The current environment, quiet and offline, plus `extra`."""
    env = {**os.environ, **QUIET_ENV, **extra}
    env.setdefault("NO_PROXY", "127.0.0.1,localhost")
    return env


class Proc:
    """A child process in its own process group, with its log file."""

    def __init__(self, name: str, cmd: Sequence[str], cwd: Path, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "ab")
        logger.debug("starting %s: %s", name, " ".join(map(str, cmd)))
        self.started = time.monotonic()
        self.popen = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=self._log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.popen.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.popen.poll() is None

    def wait(self, timeout: float) -> int | None:
        """Wait for the exit code; None (and the process killed) after `timeout` seconds."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return None

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to the process group, SIGKILL after `grace` seconds."""
        if self.popen.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._log.close()

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the process's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def run_timed(name: str, cmd: Sequence[str], cwd: Path, env: dict[str, str], log_path: Path,
              timeout: float) -> tuple[float, bool]:
    """Run a command to completion; (wall seconds, succeeded)."""
    proc = Proc(name, cmd, cwd, env, log_path)
    t0 = time.monotonic()
    try:
        code = proc.wait(timeout)
    finally:
        proc.stop()
    elapsed = time.monotonic() - t0
    if code != 0:
        logger.warning("%s %s after %.0fs; log %s:\n%s", name, "timed out" if code is None else f"exited {code}",
                       elapsed, log_path, proc.log_tail())
    return elapsed, code == 0


def wait_http(url: str, timeout: float, procs: Sequence[Proc]) -> None:
    """Poll `url` until it answers 2xx; fail early when one of `procs` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if not p.alive():
                raise ServerFailed(f"{p.name} exited with {p.popen.returncode}; log {p.log_path}:\n{p.log_tail()}")
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(url, timeout=3):
                return
        except OSError:
            time.sleep(0.25)
    raise ServerFailed(f"{url} did not answer within {timeout:.0f}s")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    return _children().get(pid, [])


def _vmrss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def pss_mb(pids: Sequence[int]) -> float:
    """Proportional memory (Pss: shared pages split between their users) of these process trees, in MB."""
    return rss_mb(pids, _pss_kb)


def _tree_total(pids: Sequence[int], measure: Callable[[int], float]) -> float:
    """`measure` summed over these processes and all their descendants."""
    tree = _children()
    seen: set[int] = set()
    stack = list(pids)
    total = 0.0
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += measure(pid)
        stack.extend(tree.get(pid, []))
    return total


def rss_mb(pids: Sequence[int], measure: Callable[[int], float] | None = None) -> float:
    """Resident memory (VmRSS) of these processes and all their descendants, in MB."""
    return round(_tree_total(pids, measure or _vmrss_kb) / 1024, 1)


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    except (OSError, ValueError, IndexError):
        return 0.0


def cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time (user + system) used so far by these processes and all their descendants, in seconds."""
    return _tree_total(pids, _cpu_s)


class RssSampler(threading.Thread):
    """Samples the resident memory of a set of process trees until stopped; keeps the peak."""

    def __init__(self, pids: list[int], every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pids, self.every, self.peak = pids, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample every `every` seconds."""
        while not self._stop_event.is_set():
            self.peak = max(self.peak, rss_mb(self.pids))
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop_event.set()
        self.join(timeout=5)
        return self.peak
