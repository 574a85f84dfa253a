"""Run `rasa` or `rasa_sdk` with several Sanic workers that share the load evenly.

Usage: python -m jujube.workers rasa run --enable-api ...      (workers: SANIC_WORKERS)
       python -m jujube.workers rasa_sdk --actions actions ...  (workers: ACTION_SERVER_SANIC_WORKERS)

Sanic 21.12 (Rasa 3.6, rasa-sdk 3.6) forks its workers around one listening socket. The
worker whose event loop wakes first accepts every waiting connection at once, so a burst
of clients (and their keep-alive connections) lands on one worker while the others idle.
Here each worker opens its own socket on the same port with SO_REUSEPORT, and the kernel
spreads new connections over the workers. Everything else is the program's own start-up.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import runpy
import signal
import socket
import sys
from signal import SIGINT, SIGTERM, Signals
from typing import Any

logger = logging.getLogger(__name__)

PROGRAMS = {"rasa": "rasa", "rasa_sdk": "rasa_sdk"}


def _own_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on host:port that other workers can open too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in (host or "") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host or "0.0.0.0", port))
    sock.listen(backlog)
    return sock


def _serve_worker(**settings: Any) -> None:
    """One worker: its own socket, then Sanic's serve()."""
    from sanic.server import serve

    host, port = settings.pop("host"), settings.pop("port")
    settings["sock"] = _own_socket(host, port, settings["backlog"])
    settings["host"] = settings["port"] = None
    serve(**settings)


def serve_multiple(server_settings: dict[str, Any], workers: int) -> None:
    """Sanic's serve_multiple, with a socket per worker instead of one shared socket."""
    from sanic.log import logger as sanic_logger
    from sanic.server.runners import trigger_events

    if server_settings.get("sock") is not None or server_settings.get("unix"):
        from sanic.server.runners import serve_multiple as original
        return original(server_settings, workers)
    server_settings["reuse_port"] = True
    server_settings["run_multiple"] = True
    main_start = server_settings.pop("main_start", None)
    main_stop = server_settings.pop("main_stop", None)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    trigger_events(main_start, loop)
    processes: list[Any] = []

    def stop(signum: int, _frame: Any) -> None:
        sanic_logger.info("Received signal %s. Shutting down.", Signals(signum).name)
        for process in processes:
            os.kill(process.pid, SIGTERM)

    signal.signal(SIGINT, stop)
    signal.signal(SIGTERM, stop)
    mp = multiprocessing.get_context("fork")
    for _ in range(workers):
        process = mp.Process(target=_serve_worker, kwargs=dict(server_settings))
        process.daemon = True
        process.start()
        processes.append(process)
    logger.info("%d workers, each with its own socket on port %s", workers, server_settings["port"])
    for process in processes:
        process.join()
    for process in processes:
        process.terminate()
    trigger_events(main_stop, loop)
    loop.close()


def install() -> None:
    """Make Sanic start its workers with a socket each."""
    import sanic.app

    sanic.app.serve_multiple = serve_multiple


def main(argv: list[str]) -> None:
    """Run `rasa` or `rasa_sdk` (argv[0]) with the rest of argv."""
    if not argv or argv[0] not in PROGRAMS:
        raise SystemExit(f"usage: python -m jujube.workers {{{'|'.join(PROGRAMS)}}} ARGS...")
    install()
    sys.argv = [argv[0], *argv[1:]]
    runpy.run_module(PROGRAMS[argv[0]], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
