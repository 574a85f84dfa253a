"""Settings of the Telegram front end, read once from the environment (and `.env`)."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlsplit

from bot.errors import ConfigError

logger = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org"
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: open Telegram, talk to @BotFather "
    "(https://t.me/BotFather), send /newbot and put the token it gives you "
    "in .env as TELEGRAM_BOT_TOKEN=..."
)


@dataclass(frozen=True)
class BotSettings:
    """Everything the bot reads from the environment; see docs/telegram.md."""

    token: str
    rasa_url: str = "http://localhost:5005"
    rasa_timeout: float = 10.0
    api_base_url: str = TELEGRAM_API
    webhook_url: Optional[str] = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Optional[str] = None
    poll_timeout: float = 10.0

    @property
    def bot_base_url(self) -> str:
        """Base of Bot API method calls (the token is appended)."""
        return f"{self.api_base_url.rstrip('/')}/bot"

    @property
    def file_base_url(self) -> str:
        """Base of Bot API file downloads (the token is appended)."""
        return f"{self.api_base_url.rstrip('/')}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the webhook listener answers on (the path of TELEGRAM_WEBHOOK_URL)."""
        return urlsplit(self.webhook_url or "").path or "/"


def load_settings(env: Optional[Mapping[str, str]] = None) -> BotSettings:
    """The bot's settings from `env` (default: the process environment and `.env`), via the project's settings."""
    from jujube.config import get_settings
    from jujube.config import load_settings as project_settings

    base = get_settings() if env is None else project_settings(env)
    token = base.telegram_bot_token
    if not token:
        raise ConfigError(MISSING_TOKEN)
    webhook_url = base.telegram_webhook_url or None
    if webhook_url and urlsplit(webhook_url).scheme not in ("http", "https"):
        raise ConfigError(f"TELEGRAM_WEBHOOK_URL must be an https:// URL, got {webhook_url!r}")
    secret = base.telegram_webhook_secret or None
    if secret and not SECRET_PATTERN.match(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -")
    return BotSettings(
        token=token,
        rasa_url=base.rasa_url,
        rasa_timeout=base.telegram_rasa_timeout,
        api_base_url=base.telegram_api_base_url or TELEGRAM_API,
        webhook_url=webhook_url,
        webhook_listen=base.telegram_webhook_listen,
        webhook_port=base.telegram_webhook_port,
        webhook_secret=secret,
        poll_timeout=base.telegram_poll_timeout,
    )
