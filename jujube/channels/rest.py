"""The REST channel (`/webhooks/rest/webhook`) with Jujube's guarantees.

Like Rasa's own REST channel, plus: very long messages are clipped (the full length
is kept in the metadata), a missing sender is a clear 400, and when the assistant
produces no reply at all (for example the action server is down) the shopper gets
an apology instead of silence. The message itself stays in the conversation, so
the discovery picks it up once the actions are back.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from jujube.inputs import MAX_CHARS, clip

logger = logging.getLogger(__name__)

RESTART_REPLY = "Starting over."
RESTART_COMMANDS = ("/restart", "/session_start")
APOLOGY = ("Sorry, I'm having a little trouble right now. I've kept what you said; "
           "please give me a moment and send your message again.")


class RestInput(RasaRestInput):
    """REST channel that always answers, and never chokes on huge messages."""

    @classmethod
    def name(cls) -> Text:
        """Same name (and URL) as Rasa's REST channel."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook."""
        hook = Blueprint("jujube_rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            if not sender:
                return response.json({"error": "a 'sender' id is required"}, status=400)
            text = body.get("message")
            text = "" if text is None else str(text)
            metadata: Dict[Text, Any] = dict(body.get("metadata") or {})
            if len(text) > MAX_CHARS:
                metadata["original_length"] = len(text)
                text = clip(text)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, str(sender),
                                                 input_channel=self.name(), metadata=metadata or None))
            except Exception:  # boundary: log it, answer politely
                logger.exception("message from %s could not be handled", sender)
            if not collector.messages and text.strip().lower().split("{", 1)[0] in RESTART_COMMANDS:
                collector.messages.append({"recipient_id": sender, "text": RESTART_REPLY})
            if not collector.messages:
                logger.error("no reply for %s (message %r): answering with an apology", sender, text[:80])
                collector.messages.append({"recipient_id": sender, "text": APOLOGY})
            return response.json(collector.messages)

        return hook


