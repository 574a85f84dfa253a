"""What the bot says on its own (everything else comes from Rasa or the rehearsal coach)."""
from __future__ import annotations

GREETING = (
    "Hello, I'm Jujube, the shop's assistant. Tell me what you are looking for "
    "(for example \"do you have dates?\") and I'll help you find the right thing.\n"
    "/help lists what else I can do."
)
HELP = (
    "Just write to me what you are looking for, in your own words; I may ask a few "
    "short questions to find what suits you best.\n\n"
    "/start - greeting\n"
    "/restart - start a fresh conversation\n"
    "/forget - delete what this chat has stored about you\n"
    "/rehearse - sales staff: practise with a customer who has a hidden need\n"
    "/stop - end a rehearsal and see the scorecard\n"
    "/help - this message"
)
IN_REHEARSAL_NOTE = "You are in a rehearsal right now; /stop ends it and shows your scorecard."
RESTARTED = "Fresh start! What are you looking for today?"
RASA_DOWN = "Sorry, I can't think straight right now. Please try again in a minute."
ONLY_TEXT = "Sorry, I can only read text messages. Please type what you are looking for."
EDITED = "I can only read new text messages, not edits. Please send the corrected text as a new message."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
BUTTON_EXPIRED = "That button has expired; please type your answer instead."
GROUP_ONLY_PRIVATE = "I help shoppers one to one. Please write to me in a private chat: https://t.me/{username}"
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again."

FORGET_CONFIRM = (
    "This deletes this chat's stored conversations and the needs noted in them. "
    "It cannot be undone. Delete them?"
)
FORGET_YES = "Yes, delete"
FORGET_NO = "No, keep"
FORGET_KEPT = "Nothing was deleted."
FORGET_NOTHING = "There was nothing stored about this chat. Your next message starts a fresh conversation."
FORGET_DONE = "Deleted {conversations}, {needs} and {messages}. Your next message starts a fresh conversation."
FORGET_FAILED = "Sorry, I could not delete your data right now. Please try /forget again later."

REHEARSALS_UNAVAILABLE = "Rehearsals are not available yet."
REHEARSAL_RUNNING = "You are already in a rehearsal. /stop ends it and shows your scorecard."
REHEARSAL_PICK = "Who would you like to practise with?"
REHEARSAL_ANY = "Any customer"
REHEARSAL_NONE = "No rehearsal is running. /rehearse starts one."
REHEARSAL_FAILED = "Sorry, the rehearsal coach is not working right now. Please try again later."


def plural(count: int, word: str) -> str:
    """'1 need', '2 needs'."""
    return f"{count} {word}{'' if count == 1 else 's'}"
