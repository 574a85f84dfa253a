"""A minimal HTTP listener for Telegram's webhook that checks the secret token."""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Optional

logger = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024
READ_TIMEOUT = 10.0
LINGER = 1.0
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large"}


class HttpError(Exception):
    """A request the listener refuses, with its status code."""

    def __init__(self, status: int) -> None:
        super().__init__(REASONS.get(status, str(status)))
        self.status = status


class WebhookServer:
    """Accepts `POST <path>` from Telegram; updates without the right secret get 403."""

    def __init__(
        self,
        listen: str,
        port: int,
        path: str,
        secret: str,
        on_update: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.listen, self.port, self.path = listen, port, path or "/"
        self._secret = secret.encode()
        self._on_update = on_update
        self._server: Optional[asyncio.AbstractServer] = None
        self.refused = 0

    async def start(self) -> None:
        """Start listening; `port` 0 picks a free port (see `self.port` afterwards)."""
        self._server = await asyncio.start_server(self._serve, self.listen, self.port, limit=MAX_HEAD)
        self.port = self._server.sockets[0].getsockname()[1]
        logger.info("webhook listener on http://%s:%d%s", self.listen, self.port, self.path)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        status = 200
        try:
            update = await asyncio.wait_for(self._read_update(reader), READ_TIMEOUT)
            await self._on_update(update)
        except HttpError as exc:
            status = exc.status
        except asyncio.TimeoutError:
            status = 408
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            status = 400
        except Exception:
            logger.exception("webhook update could not be queued")
            status = 500
        if status == 403:
            self.refused += 1
            logger.warning("refused a webhook request without the right secret token")
        try:
            body = REASONS.get(status, "Error").encode()
            writer.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
            )
            await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
            await asyncio.wait_for(self._discard(reader), LINGER)  # a close with unread data resets the reply
        except (ConnectionError, asyncio.TimeoutError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _discard(reader: asyncio.StreamReader) -> None:
        for _ in range(64):
            if not await reader.read(64 * 1024):
                return

    async def _read_update(self, reader: asyncio.StreamReader) -> dict[str, Any]:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if target.split("?", 1)[0] != self.path:
            raise HttpError(404)
        if method != "POST":
            raise HttpError(405)
        if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), self._secret):
            raise HttpError(403)
        if "content-length" not in headers:
            raise HttpError(411)
        length = int(headers["content-length"])
        if length < 0 or length > MAX_BODY:
            raise HttpError(413)
        data = json.loads(await reader.readexactly(length))
        if not isinstance(data, dict) or "update_id" not in data:
            raise HttpError(400)
        return data
