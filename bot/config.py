"""Settings of the Telegram front end, read once from the environment (and `.env`)."""
from __future__ import annotations

import logging
import os
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


def _number(env: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def _default_rasa_url() -> str:
    try:
        from jujube.config import get_settings
    except ImportError:  # pragma: no cover - the core is always installed beside the bot
        return "http://localhost:5005"
    return get_settings().rasa_url


def load_settings(env: Optional[Mapping[str, str]] = None) -> BotSettings:
    """Settings from `env` (default: the process environment after loading `.env`)."""
    if env is None:
        rasa_default = _default_rasa_url()  # also loads the project's .env file
        env = os.environ
    else:
        rasa_default = f"http://localhost:{env.get('RASA_PORT') or 5005}"
    token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
    if not token:
        raise ConfigError(MISSING_TOKEN)
    webhook_url = (env.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None
    if webhook_url and urlsplit(webhook_url).scheme not in ("http", "https"):
        raise ConfigError(f"TELEGRAM_WEBHOOK_URL must be an https:// URL, got {webhook_url!r}")
    secret = (env.get("TELEGRAM_WEBHOOK_SECRET") or "").strip() or None
    if secret and not SECRET_PATTERN.match(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -")
    return BotSettings(
        token=token,
        rasa_url=((env.get("RASA_URL") or "").strip() or rasa_default).rstrip("/"),
        rasa_timeout=_number(env, "TELEGRAM_RASA_TIMEOUT", 10.0),
        api_base_url=(env.get("TELEGRAM_API_BASE_URL") or "").strip() or TELEGRAM_API,
        webhook_url=webhook_url,
        webhook_listen=(env.get("TELEGRAM_WEBHOOK_LISTEN") or "").strip() or "127.0.0.1",
        webhook_port=int(_number(env, "TELEGRAM_WEBHOOK_PORT", 8443, int)),
        webhook_secret=secret,
        poll_timeout=_number(env, "TELEGRAM_POLL_TIMEOUT", 10.0),
    )
