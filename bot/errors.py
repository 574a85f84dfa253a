"""Errors the Telegram front end raises on purpose."""
from __future__ import annotations

from jujube import JujubeError


class BotError(JujubeError):
    """Base class of the bot's own errors."""


class ConfigError(BotError):
    """A setting is missing or invalid; the bot cannot start."""


class RasaUnavailable(BotError):
    """The Rasa server did not answer in time or answered with an error."""
