# Telegram front end (bot/): python-telegram-bot talking to the Rasa server's REST channel.
.PHONY: telegram test-telegram

telegram: $(VENV)/.installed ## run the Telegram bot (TELEGRAM_BOT_TOKEN; long polling, or webhook if TELEGRAM_WEBHOOK_URL)
	$(VENV)/bin/python -m bot

test-telegram: $(VENV)/.installed ## Telegram bot tests against a local fake Bot API (no network)
	$(VENV)/bin/pytest -q tests/telegram -m "not e2e"

TEST_TARGETS += test-telegram
