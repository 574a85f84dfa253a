"""Command handlers: /start, /help, /restart, /forget, /rehearse, /stop."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.errors import RasaUnavailable
from bot.render import MAX_CALLBACK_DATA
from bot.services import language, say, sender_id, services, text_for, texts_for, trainee_id
from jujube.messages import Messages

logger = logging.getLogger(__name__)

FORGET_YES, FORGET_NO = "fg:yes", "fg:no"
REHEARSE_PREFIX = "rh:"
COMMANDS = ("start", "help", "restart", "forget", "rehearse", "stop")


def menu(messages: Messages) -> list[BotCommand]:
    """The commands with their descriptions in one language, for Telegram's menu."""
    return [BotCommand(name, messages.telegram_text(f"menu_{name}")) for name in COMMANDS]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greeting; the deep-link parameter `rehearse` (or `rehearse_<persona>`) starts a rehearsal."""
    chat = update.effective_chat
    if chat is None:
        return
    param = context.args[0] if context.args else ""
    if param.lower().startswith("rehearse"):
        persona = param[len("rehearse"):].lstrip("_-") or None
        await begin_rehearsal(update, context, persona)
        return
    note = ""
    try:
        if await services(context).rehearsals.active(trainee_id(update.effective_user, chat)):
            note = text_for(update, "in_rehearsal_note")
    except Exception:
        logger.exception("the rehearsal coach failed for chat %s", chat.id)
    await say(context.bot, chat.id, text_for(update, "greeting"), note)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_chat is not None:
        await say(context.bot, update.effective_chat.id, text_for(update, "help"))


async def restart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a fresh conversation with Rasa."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    async with svc.lock(chat.id):
        try:
            await svc.rasa.restart(sender_id(chat), language(update.effective_user))
        except RasaUnavailable as exc:
            logger.warning("could not restart %s: %s", sender_id(chat), exc)
            await say(context.bot, chat.id, text_for(update, "rasa_down"))
            return
    await say(context.bot, chat.id, text_for(update, "restarted"))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting this chat's stored data."""
    if update.effective_chat is None:
        return
    messages = texts_for(update)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(messages.telegram_text("forget_yes"), callback_data=FORGET_YES),
          InlineKeyboardButton(messages.telegram_text("forget_no"), callback_data=FORGET_NO)]]
    )
    await say(context.bot, update.effective_chat.id, messages.telegram_text("forget_confirm"), keyboard=keyboard)


def forget_summary(counts: dict[str, int], messages: Messages) -> str:
    """What was deleted, in words."""
    if not any(counts.values()):
        return messages.telegram_text("forget_nothing")
    return messages.telegram_text("forget_done", **{
        key: messages.telegram_count(key, counts.get(key, 0)) for key in ("conversations", "needs", "messages")})


async def on_forget_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to /forget's question: delete and report, or keep."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    try:
        await query.answer()
    except TelegramError as exc:
        logger.debug("could not answer a button tap: %s", exc)
    if query.data != FORGET_YES:
        await query.edit_message_text(text_for(update, "forget_kept"))
        return
    svc, sender = services(context), sender_id(chat)
    async with svc.lock(chat.id):
        try:
            counts = await asyncio.to_thread(svc.forget, sender)
        except Exception:
            logger.exception("could not forget %s", sender)
            await query.edit_message_text(text_for(update, "forget_failed"))
            return
        try:
            await svc.rasa.restart(sender, language(update.effective_user))
        except RasaUnavailable as exc:
            logger.warning("forgot %s but could not restart its Rasa conversation: %s", sender, exc)
    logger.info("forgot %s at the user's request: %s", sender, counts)
    await query.edit_message_text(forget_summary(counts, texts_for(update)))


async def _rehearsal_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Optional[tuple[Any, Any, str]]:
    """The chat, the rehearsal coach and the trainee id; None (after saying why) when the coach is unavailable."""
    chat = update.effective_chat
    if chat is None:
        return None
    rehearsals, trainee = services(context).rehearsals, trainee_id(update.effective_user, chat)
    if not await rehearsals.available():
        await say(context.bot, chat.id, text_for(update, "rehearsals_unavailable"))
        return None
    return chat, rehearsals, trainee


async def begin_rehearsal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, persona: Optional[str], offer: bool = True
) -> None:
    """Start a rehearsal with `persona`, or (with `offer`) let the user pick one when none is given."""
    found = await _rehearsal_of(update, context)
    if found is None:
        return
    chat, rehearsals, trainee = found
    try:
        if await rehearsals.active(trainee):
            await say(context.bot, chat.id, text_for(update, "rehearsal_running"))
            return
        personas = await rehearsals.personas() if offer and not persona else []
        choices = [(key, title) for key, title in personas
                   if len((REHEARSE_PREFIX + key).encode()) <= MAX_CALLBACK_DATA]
        if len(choices) > 1:
            rows = [[InlineKeyboardButton(title, callback_data=REHEARSE_PREFIX + key)] for key, title in choices]
            rows.append([InlineKeyboardButton(text_for(update, "rehearsal_any"), callback_data=REHEARSE_PREFIX)])
            await say(context.bot, chat.id, text_for(update, "rehearsal_pick"), keyboard=InlineKeyboardMarkup(rows))
            return
        lines = await rehearsals.start(trainee, persona, language(update.effective_user))
    except Exception:
        logger.exception("could not start a rehearsal for %s", trainee)
        await say(context.bot, chat.id, text_for(update, "rehearsal_failed"))
        return
    await say(context.bot, chat.id, *lines)


async def rehearse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rehearse [persona]: start a rehearsal."""
    await begin_rehearsal(update, context, context.args[0] if context.args else None)


async def on_persona_pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on a persona offered by /rehearse."""
    query = update.callback_query
    if query is None or not query.data:
        return
    try:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as exc:
        logger.debug("could not answer a persona pick: %s", exc)
    await begin_rehearsal(update, context, query.data[len(REHEARSE_PREFIX):] or None, offer=False)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: end the rehearsal and show the scorecard."""
    found = await _rehearsal_of(update, context)
    if found is None:
        return
    chat, rehearsals, trainee = found
    try:
        if not await rehearsals.active(trainee):
            await say(context.bot, chat.id, text_for(update, "rehearsal_none"))
            return
        lines = await rehearsals.stop(trainee)
    except Exception:
        logger.exception("could not stop the rehearsal of %s", trainee)
        await say(context.bot, chat.id, text_for(update, "rehearsal_failed"))
        return
    await say(context.bot, chat.id, *lines)
