"""A fake of Rasa's REST channel on loopback that records what it receives."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

from fake_bot_api import write_json

Responder = Callable[[dict[str, Any]], list[dict[str, Any]]]


def echo(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Default behaviour: answer with what the shopper said."""
    if body["message"] == "/restart":
        return []
    return [{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}]


class FakeRasa:
    """POST /webhooks/rest/webhook answers `responder(body)`; `delay` makes it slow."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.responder: Responder = echo
        self.delay = 0.0
        self.status = 200
        self._cond = threading.Condition()
        self._port = port
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        """Base URL (RASA_URL)."""
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> "FakeRasa":
        """Serve in a background thread (on the same port after a stop)."""
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-rasa", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving (connections are refused afterwards)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def messages(self) -> list[str]:
        """Texts received so far."""
        with self._cond:
            return [body["message"] for body in self.received]

    def wait(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until `count` messages have arrived; returns them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {timeout}s for {count} messages at Rasa, got {self.received}")
                self._cond.wait(left)
            return list(self.received)

    def handle(self, body: dict[str, Any]) -> tuple[int, Any]:
        """Record one request and produce the answer."""
        with self._cond:
            self.received.append(body)
            self._cond.notify_all()
        if self.delay:
            time.sleep(self.delay)
        if self.status != 200:
            return self.status, {"error": "boom"}
        return 200, self.responder(body)


def _handler_for(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/webhooks/rest/webhook" or not {"sender", "message"} <= set(body):
                status, answer = 404, {"error": "not found"}
            else:
                status, answer = fake.handle(body)
            write_json(self, status, answer)

    return Handler
