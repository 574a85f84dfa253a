"""Command handlers: /start, /help, /restart, /forget, /rehearse, /stop."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.errors import RasaUnavailable
from bot.render import MAX_CALLBACK_DATA
from bot.services import language, say, sender_id, services, trainee_id

logger = logging.getLogger(__name__)

FORGET_YES, FORGET_NO = "fg:yes", "fg:no"
REHEARSE_PREFIX = "rh:"
COMMANDS = [
    BotCommand("start", "Greeting"),
    BotCommand("help", "What I can do"),
    BotCommand("restart", "Start a fresh conversation"),
    BotCommand("forget", "Delete what this chat has stored"),
    BotCommand("rehearse", "Sales staff: practise discovering a customer's need"),
    BotCommand("stop", "End a rehearsal and see the scorecard"),
]


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
            note = texts.IN_REHEARSAL_NOTE
    except Exception:
        logger.exception("the rehearsal coach failed for chat %s", chat.id)
    await say(context.bot, chat.id, texts.GREETING, note)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_chat is not None:
        await say(context.bot, update.effective_chat.id, texts.HELP)


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
            await say(context.bot, chat.id, texts.RASA_DOWN)
            return
    await say(context.bot, chat.id, texts.RESTARTED)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting this chat's stored data."""
    if update.effective_chat is None:
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.FORGET_YES, callback_data=FORGET_YES),
          InlineKeyboardButton(texts.FORGET_NO, callback_data=FORGET_NO)]]
    )
    await say(context.bot, update.effective_chat.id, texts.FORGET_CONFIRM, keyboard=keyboard)


def forget_summary(counts: dict[str, int]) -> str:
    """What was deleted, in words."""
    if not any(counts.values()):
        return texts.FORGET_NOTHING
    return texts.FORGET_DONE.format(
        conversations=texts.plural(counts.get("conversations", 0), "conversation"),
        needs=texts.plural(counts.get("needs", 0), "need"),
        messages=texts.plural(counts.get("messages", 0), "message"),
    )


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
        await query.edit_message_text(texts.FORGET_KEPT)
        return
    svc, sender = services(context), sender_id(chat)
    async with svc.lock(chat.id):
        try:
            counts = await asyncio.to_thread(svc.forget, sender)
        except Exception:
            logger.exception("could not forget %s", sender)
            await query.edit_message_text(texts.FORGET_FAILED)
            return
        try:
            await svc.rasa.restart(sender, language(update.effective_user))
        except RasaUnavailable as exc:
            logger.warning("forgot %s but could not restart its Rasa conversation: %s", sender, exc)
    logger.info("forgot %s at the user's request: %s", sender, counts)
    await query.edit_message_text(forget_summary(counts))


async def _rehearsal_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Optional[tuple[Any, Any, str]]:
    """The chat, the rehearsal coach and the trainee id; None (after saying why) when the coach is unavailable."""
    chat = update.effective_chat
    if chat is None:
        return None
    rehearsals, trainee = services(context).rehearsals, trainee_id(update.effective_user, chat)
    if not await rehearsals.available():
        await say(context.bot, chat.id, texts.REHEARSALS_UNAVAILABLE)
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
            await say(context.bot, chat.id, texts.REHEARSAL_RUNNING)
            return
        personas = await rehearsals.personas() if offer and not persona else []
        choices = [(key, title) for key, title in personas
                   if len((REHEARSE_PREFIX + key).encode()) <= MAX_CALLBACK_DATA]
        if len(choices) > 1:
            rows = [[InlineKeyboardButton(title, callback_data=REHEARSE_PREFIX + key)] for key, title in choices]
            rows.append([InlineKeyboardButton(texts.REHEARSAL_ANY, callback_data=REHEARSE_PREFIX)])
            await say(context.bot, chat.id, texts.REHEARSAL_PICK, keyboard=InlineKeyboardMarkup(rows))
            return
        lines = await rehearsals.start(trainee, persona)
    except Exception:
        logger.exception("could not start a rehearsal for %s", trainee)
        await say(context.bot, chat.id, texts.REHEARSAL_FAILED)
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
            await say(context.bot, chat.id, texts.REHEARSAL_NONE)
            return
        lines = await rehearsals.stop(trainee)
    except Exception:
        logger.exception("could not stop the rehearsal of %s", trainee)
        await say(context.bot, chat.id, texts.REHEARSAL_FAILED)
        return
    await say(context.bot, chat.id, *lines)
