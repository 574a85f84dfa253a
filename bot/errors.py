"""Errors the Telegram front end raises on purpose."""
from __future__ import annotations

from jujube import JujubeError
from jujube.config import ConfigError


class BotError(JujubeError):
    """Base class of the bot's own errors."""


class RasaUnavailable(BotError):
    """The Rasa server did not answer in time or answered with an error."""


__all__ = ["BotError", "ConfigError", "RasaUnavailable"]
