"""A local fake of Telegram's Bot API on loopback: it queues updates and records what the bot sends."""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

from telegram_rules import ApiError, check_commands, check_html, check_reply_markup, check_secret, utf16_len

JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "scope", "entities", "link_preview_options",
               "reply_parameters"}
INT_FIELDS = {"offset", "limit", "timeout", "message_id", "max_connections", "cache_time"}
BOOL_FIELDS = {"drop_pending_updates", "show_alert", "disable_notification"}
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}


def write_json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    """Send `body` as a JSON response; a client that already hung up is not an error."""
    data = json.dumps(body).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the bot gave up waiting (e.g. a long poll cancelled at shutdown)


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    result: Any = None


class FakeTelegram:
    """Serves the Bot API methods the bot uses, the way Telegram answers them."""

    def __init__(self, token: str = "123456:TEST-fake-token") -> None:
        self.token = token
        self.me = {"id": 777000111, "is_bot": True, "first_name": "Jujube", "username": "jujube_test_bot",
                   "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}
        self.commands: list[dict[str, Any]] = []  # the default menu
        self.menus: dict[str, list[dict[str, Any]]] = {}  # language code -> that language's menu
        self.open_queries: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[ApiError]] = {}
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._cond = threading.Condition()
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-telegram", daemon=True)

    @property
    def url(self) -> str:
        """Root URL (what TELEGRAM_API_BASE_URL is set to)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeTelegram":
        """Serve in a background thread."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release long polls."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- what a Telegram user does -------------------------------------------------------------
    def user(self, user_id: int, language_code: Optional[str] = "en") -> dict[str, Any]:
        """A Telegram user object."""
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update of `kind` (message, edited_message, callback_query...); returns its id."""
        with self._cond:
            update_id = next(self._ids)
            self.updates.append({"update_id": update_id, kind: payload})
            self._cond.notify_all()
        return update_id

    def message(self, chat_id: int, text: Optional[str] = None, user_id: Optional[int] = None,
                chat_type: str = "private", language_code: Optional[str] = "en", **extra: Any) -> dict[str, Any]:
        """A message object from a user (not queued); commands get their bot_command entity."""
        user = self.user(user_id or chat_id, language_code)
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": user["first_name"]} if chat_type == "private" else {"title": "Shop fans"})
        self.chats[chat_id] = chat
        msg: dict[str, Any] = {"message_id": next(self._message_ids), "from": user, "chat": chat,
                               "date": int(time.time())}
        if text is not None:
            msg["text"] = text
            match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if match:
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
        msg.update(extra)
        return msg

    def send_text(self, chat_id: int, text: str, **kwargs: Any) -> int:
        """A user writes `text` in `chat_id`; returns the update id."""
        return self.push("message", self.message(chat_id, text, **kwargs))

    def tap(self, chat_id: int, message_id: int, data: str, user_id: Optional[int] = None,
            language_code: Optional[str] = "en") -> str:
        """A user taps the button with `data` under a bot message; returns the callback query id."""
        msg = self.messages[(chat_id, message_id)]
        query_id = f"cq{next(self._ids)}"
        query = {"id": query_id, "from": self.user(user_id or chat_id, language_code), "message": msg,
                 "chat_instance": f"ci{chat_id}", "data": data}
        with self._cond:
            self.open_queries[query_id] = query
        self.push("callback_query", query)
        return query_id

    def fail_next(self, method: str, code: int, description: str, retry_after: Optional[int] = None) -> None:
        """Make the next call of `method` fail like Telegram would."""
        self.failures.setdefault(method, []).append(ApiError(code, description, retry_after))

    # --- what the tests look at ----------------------------------------------------------------
    def mark(self) -> int:
        """Position in the call log, for `wait`'s `since`."""
        with self._cond:
            return len(self.calls)

    def wait(self, method: str, count: int = 1, since: int = 0, timeout: float = 30.0,
             where: Optional[Callable[[dict[str, Any]], bool]] = None) -> list[dict[str, Any]]:
        """Wait until the bot made `count` calls of `method` (after `since`); returns their params."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c.params for c in self.calls[since:]
                         if c.method == method and (where is None or where(c.params))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("text", "")[:60]) for c in self.calls[since:]]
                    raise AssertionError(f"waited {timeout}s for {count} x {method}; the bot made {seen}")
                self._cond.wait(left)

    def sent(self, method: str, since: int = 0) -> list[dict[str, Any]]:
        """Params of the calls of `method` made so far (after `since`)."""
        with self._cond:
            return [c.params for c in self.calls[since:] if c.method == method]

    def last_message_id(self, chat_id: int) -> int:
        """Id of the bot's latest message in `chat_id`."""
        return max(mid for cid, mid in self.messages if cid == chat_id)

    def texts(self, chat_id: int, since: int = 0) -> list[str]:
        """Texts of the messages the bot delivered to `chat_id` (after `since`), as the user sees them."""
        with self._cond:
            return [c.result["text"] for c in self.calls[since:]
                    if c.method == "sendMessage" and c.result and c.result["chat"]["id"] == chat_id]

    # --- the API -------------------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one API method; returns its result or raises ApiError."""
        call = Call(method, params, time.monotonic())
        with self._cond:
            queued = self.failures.get(method)
            failure = queued.pop(0) if queued else None
        handler = getattr(self, f"api_{method}", None)
        if self.delays.get(method):
            time.sleep(self.delays[method])
        try:
            if failure is not None:
                raise failure
            if handler is None:
                raise ApiError(404, "Not Found")
            call.result = handler(params)
            return call.result
        finally:
            with self._cond:
                self.calls.append(call)
                self._cond.notify_all()

    def api_getMe(self, params: dict[str, Any]) -> Any:
        return self.me

    def api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 50.0)
        with self._cond:
            while True:
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or self._closing or time.monotonic() >= deadline:
                    return self.updates[:limit]
                self._cond.wait(deadline - time.monotonic())

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.chats[int(params.get("chat_id"))]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _store(self, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        msg = {"message_id": next(self._message_ids), "from": self.me, "chat": chat, "date": int(time.time())}
        msg.update({k: v for k, v in content.items() if v is not None})
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        text = params.get("text") or ""
        visible = check_html(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        return self._store(chat, text=visible, reply_markup=markup)

    def api_sendPhoto(self, params: dict[str, Any]) -> Any:
        chat, photo = self._chat(params), str(params.get("photo") or "")
        if not photo.startswith(("http://", "https://")) or "broken" in photo:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        size = {"file_id": "AgAD" + str(abs(hash(photo))), "file_unique_id": "u1", "width": 320, "height": 240}
        return self._store(chat, photo=[size], caption=params.get("caption"))

    def api_sendChatAction(self, params: dict[str, Any]) -> Any:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        with self._cond:
            if self.open_queries.pop(str(params.get("callback_query_id")), None) is None:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        return True

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(self._chat(params)["id"]), int(params.get("message_id") or 0))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        msg, markup = self._message(params), check_reply_markup(params.get("reply_markup"))
        if markup == msg.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        return msg

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        msg, text = self._message(params), params.get("text") or ""
        visible = check_html(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        msg["text"] = visible
        msg.pop("reply_markup", None)
        if params.get("reply_markup"):
            msg["reply_markup"] = check_reply_markup(params["reply_markup"])
        return msg

    def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands, code = check_commands(params.get("commands")), str(params.get("language_code") or "")
        if code and not re.fullmatch(r"[a-z]{2}", code):
            raise ApiError(400, "Bad Request: invalid language code specified")
        if code:
            self.menus[code] = commands
        else:
            self.commands = commands
        return True

    def api_getMyCommands(self, params: dict[str, Any]) -> Any:
        code = str(params.get("language_code") or "")
        return self.menus.get(code, []) if code else self.commands

    def api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("secret_token") is not None:
            check_secret(str(params["secret_token"]))
        self.webhook = {"url": url, "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")} if url else {}
        return True

    def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            with self._cond:
                self.updates.clear()
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def api_close(self, params: dict[str, Any]) -> Any:
        return True


def _decode(raw: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        elif key in INT_FIELDS and isinstance(value, str):
            value = int(float(value))
        elif key in BOOL_FIELDS and isinstance(value, str):
            value = value.lower() == "true"
        params[key] = value
    return params


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            write_json(self, status, body)

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            raw = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type", "")
            if body and ctype.startswith("application/json"):
                raw.update(json.loads(body))
            elif body and ctype.startswith("application/x-www-form-urlencoded"):
                raw.update(parse_qsl(body.decode()))
            match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", parts.path)
            if not match:
                self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            if match.group(1) != fake.token:
                self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            try:
                result = fake.call(match.group(2), _decode(raw))
            except ApiError as exc:
                answer: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
                if exc.retry_after is not None:
                    answer["parameters"] = {"retry_after": exc.retry_after}
                self._answer(exc.code, answer)
                return
            self._answer(200, {"ok": True, "result": result})

        do_GET = do_POST = _handle

    return Handler
