"""`python -m bot`: run Jujube's Telegram bot (exit 2 on a configuration problem)."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.errors import ConfigError

logger = logging.getLogger("bot")


def setup_logging() -> None:
    """Log to stderr; never log request URLs (they contain the bot token)."""
    logging.basicConfig(
        level=getattr(logging, os.environ.get("LOG_LEVEL", "INFO").upper(), logging.INFO),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> int:
    """Run the bot until Ctrl-C or SIGTERM; returns the exit code."""
    from bot.config import load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"bot: {exc}", file=sys.stderr)
        return 2
    setup_logging()
    from bot.app import run

    try:
        asyncio.run(run(settings))
    except InvalidToken:
        print("bot: Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather (/mybots).", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"bot: cannot reach Telegram at {settings.api_base_url}: {exc}", file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(f"bot: Telegram error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
