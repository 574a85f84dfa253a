"""Handlers for shoppers' messages, button taps, things the bot cannot read, and errors."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, Optional

from telegram import Chat, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.errors import RasaUnavailable
from bot.render import render
from bot.services import deliver, language, say, sender_id, services, text_for, texts_for, trainee_id, typing
from jujube.messages import Messages

logger = logging.getLogger(__name__)


async def converse(
    context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: Optional[User], text: str, messages: Messages
) -> None:
    """Send `text` to Rasa for this chat and relay the replies; apologise (from `messages`) if Rasa fails."""
    svc = services(context)
    sender = sender_id(chat)
    try:
        async with typing(context.bot, chat.id):
            replies = await svc.rasa.send(sender, text, language(user))
    except RasaUnavailable as exc:
        logger.warning("no answer from Rasa for %s: %s", sender, exc)
        await say(context.bot, chat.id, messages.telegram_text("rasa_down"))
        return
    if not replies:
        logger.info("Rasa sent no reply to %s", sender)
    await deliver(context.bot, chat.id, render(replies, svc.buttons, messages.telegram_text("choose_prompt")))


async def rehearse_or_converse(
    context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: Optional[User], text: str, messages: Messages
) -> None:
    """Route `text` to the rehearsal coach when this user is in a rehearsal, else to Rasa."""
    svc = services(context)
    try:
        lines = await svc.rehearsals.handle(trainee_id(user, chat), text)
    except Exception:
        logger.exception("the rehearsal coach failed for chat %s", chat.id)
        await say(context.bot, chat.id, messages.telegram_text("rehearsal_failed"))
        return
    if lines is not None:
        await say(context.bot, chat.id, *lines)
        return
    await converse(context, chat, user, text, messages)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shopper's text message."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or not message.text:
        return
    async with services(context).lock(chat.id):
        await rehearse_or_converse(context, chat, update.effective_user, message.text, texts_for(update))


def _title_of(update: Update, data: str) -> Optional[str]:
    """The title of the tapped button, read from the message it belongs to."""
    markup = getattr(update.callback_query.message, "reply_markup", None) if update.callback_query else None
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on a button Rasa sent: answer the tap, then send the button's payload to Rasa."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not query.data:
        return
    svc = services(context)
    payload = svc.buttons.decode(query.data)
    if payload is None:
        payload = _title_of(update, query.data)  # the store was emptied by a restart: send the title
    try:
        await query.answer(None if payload else text_for(update, "button_expired"))
    except TelegramError as exc:
        logger.debug("could not answer a button tap: %s", exc)
    if not payload:
        await say(context.bot, chat.id, text_for(update, "button_expired"))
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)  # one tap per question
    except TelegramError as exc:
        logger.debug("could not remove a keyboard: %s", exc)
    async with svc.lock(chat.id):
        await converse(context, chat, update.effective_user, payload, texts_for(update))


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on a button the bot does not know: stop the spinner and say so."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text_for(update, "button_expired"))
        except TelegramError as exc:
            logger.debug("could not answer a button tap: %s", exc)


def answer_with(key: str, doc: str) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """A handler that answers every update it gets with the bot's message `key`, in the update's language."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            await say(context.bot, chat.id, text_for(update, key))

    handler.__doc__ = doc
    return handler


on_not_text = answer_with("only_text", "Stickers, photos, voice, files and the like: say that only text can be read.")
on_unknown_command = answer_with("unknown_command", "A command the bot does not have: point to /help.")
on_edited = answer_with("edited", "An edited message: ask for a new one instead.")


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start or /help in a group: point to a private chat (groups are not served)."""
    chat = update.effective_chat
    if chat is not None:
        await say(context.bot, chat.id, text_for(update, "group_only_private", username=context.bot.username))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any error a handler raised and apologise in the chat if possible."""
    logger.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, text_for(update, "something_wrong"))
        except TelegramError as exc:
            logger.warning("could not apologise in chat %s: %s", update.effective_chat.id, exc)
