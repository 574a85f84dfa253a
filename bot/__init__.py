"""Jujube on Telegram: a python-telegram-bot front end talking to Rasa's REST channel."""
from __future__ import annotations

CHANNEL = "telegram"
