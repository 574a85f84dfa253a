"""Building the python-telegram-bot Application and running it (long polling or webhook)."""
from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from typing import Optional

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import commands, handlers
from bot.config import BotSettings
from bot.rasa_client import RasaClient
from bot.services import Services
from jujube.knowledge import KnowledgeError
from jujube.messages import get_messages, languages

logger = logging.getLogger(__name__)

CONCURRENT_UPDATES = 64


def register(app: Application) -> None:
    """Add every handler: private chats are served, groups only get a pointer to a private chat."""
    private = filters.ChatType.PRIVATE
    message, edited = filters.UpdateType.MESSAGE, filters.UpdateType.EDITED_MESSAGE
    for name, callback in [
        ("start", commands.start),
        ("help", commands.help_command),
        ("restart", commands.restart),
        ("forget", commands.forget),
        ("rehearse", commands.rehearse),
        ("stop", commands.stop),
    ]:
        app.add_handler(CommandHandler(name, callback, filters=private))
    app.add_handler(CommandHandler(["start", "help"], handlers.on_group, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(commands.on_forget_answer, pattern=r"^fg:"))
    app.add_handler(CallbackQueryHandler(commands.on_persona_pick, pattern=r"^rh:"))
    app.add_handler(CallbackQueryHandler(handlers.on_button, pattern=r"^[ph]:"))
    app.add_handler(CallbackQueryHandler(handlers.on_unknown_button))
    app.add_handler(MessageHandler(private & message & filters.TEXT & ~filters.COMMAND, handlers.on_text))
    app.add_handler(MessageHandler(private & message & filters.COMMAND, handlers.on_unknown_command))
    app.add_handler(MessageHandler(private & edited, handlers.on_edited))
    app.add_handler(MessageHandler(private & message & ~filters.TEXT, handlers.on_not_text))
    app.add_error_handler(handlers.on_error)


async def publish_commands(app: Application) -> None:
    """Put the commands in Telegram's menu, by default in English and in each catalog's language for users
    whose Telegram speaks it (a failure is logged, not fatal)."""
    try:
        await app.bot.set_my_commands(commands.menu(get_messages(None)))
        for lang in languages():
            await app.bot.set_my_commands(commands.menu(get_messages(lang)), language_code=lang)
    except (TelegramError, KnowledgeError) as exc:
        logger.warning("could not publish the command menu: %s", exc)


def build_application(settings: BotSettings, svc: Optional[Services] = None) -> Application:
    """The Application for `settings`; `svc` replaces the default services (tests)."""
    app = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.file_base_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(CONCURRENT_UPDATES)
        .connect_timeout(5.0)
        .read_timeout(10.0)
        .get_updates_read_timeout(settings.poll_timeout + 10.0)
        .job_queue(None)
        .build()
    )
    app.bot_data["services"] = svc or Services(rasa=RasaClient(settings.rasa_url, settings.rasa_timeout))
    register(app)
    return app


async def serve(
    app: Application, settings: BotSettings, stop: asyncio.Event, ready: Optional[asyncio.Event] = None
) -> None:
    """Run until `stop` is set: long polling, or the webhook listener when a webhook URL is set."""
    try:
        async with app:  # initialize (getMe) ... shutdown
            logger.info("connected to Telegram as @%s", app.bot.username)
            await publish_commands(app)
            svc = app.bot_data.get("services")
            if svc is not None:
                svc.rehearsals.preload()
            if settings.webhook_url:
                await _serve_webhook(app, settings, stop, ready)
            else:
                await _serve_polling(app, settings, stop, ready)
    finally:
        services: Optional[Services] = app.bot_data.get("services")
        if services is not None:
            await services.aclose()


async def _serve_polling(
    app: Application, settings: BotSettings, stop: asyncio.Event, ready: Optional[asyncio.Event]
) -> None:
    await app.updater.start_polling(
        timeout=int(settings.poll_timeout), allowed_updates=Update.ALL_TYPES, bootstrap_retries=3
    )
    try:
        await app.start()
        logger.info("long polling for updates; Ctrl-C stops")
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        await app.updater.stop()
        if app.running:
            await app.stop()


async def _serve_webhook(
    app: Application, settings: BotSettings, stop: asyncio.Event, ready: Optional[asyncio.Event]
) -> None:
    """python-telegram-bot's webhook server: registers the URL with a secret token and refuses posts without it."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    await app.updater.start_webhook(
        listen=settings.webhook_listen, port=settings.webhook_port, url_path=settings.webhook_path.lstrip("/"),
        webhook_url=settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES,
        bootstrap_retries=3,
    )
    try:
        await app.start()
        logger.info("webhook registered at %s (listening on %s:%d); Ctrl-C stops", settings.webhook_url,
                    settings.webhook_listen, settings.webhook_port)
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        await app.updater.stop()
        if app.running:
            await app.stop()


async def run(settings: BotSettings) -> None:
    """Run the bot until SIGINT or SIGTERM (a second signal aborts the shutdown)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def on_signal(signum: int) -> None:
        if stop.is_set() and main is not None:
            logger.warning("second %s: aborting", signal.Signals(signum).name)
            main.cancel()
            return
        logger.info("%s received, shutting down", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        app = build_application(settings)
        await serve(app, settings, stop)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
