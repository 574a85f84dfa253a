"""The scripted shoppers of the benchmark (plain data: importable in both environments)."""
from __future__ import annotations

# Shoppers for Jujube: each states a request, then answers the questions the discovery asks,
# ends by taking the suggestion (the need is logged, then updated on acceptance).
JUJUBE_SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("Do you have dates?", "They're for my daughter-in-law.", "She's pregnant and keeps craving something.",
     "Not the sweet ones, she wants something sour.", "Around 50 is fine.", "Yes please, I'll take it."),
    ("I'm looking for some snacks.", "For my father.", "He has diabetes, so he has to watch his sugar.",
     "He likes crunchy things.", "Up to 100.", "Yes, that one please."),
    ("I need a present.", "It's for my boss.", "For the Mid-Autumn Festival, I want to show my appreciation.",
     "Something classy, he drinks a lot of tea.", "Around 300.", "Great, I'll take it."),
    ("Two kilos of kiwi fruit, please.", "Just for us at home.", "Whatever the normal price is.",
     "Yes please.", "Thanks!", "Bye."),
)

# The same number of turns for Rasa's starter bot (greet, mood, affirm/deny, challenge, goodbye).
STOCK_SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("hello", "I'm sad", "yes", "great", "are you a bot?", "bye"),
    ("hey there", "I am feeling very sad", "no", "I am unhappy", "yes", "goodbye"),
    ("good morning", "extremely good", "are you a human?", "perfect", "no", "see you later"),
    ("hi", "I don't feel very good", "not really", "sad", "yes", "bye bye"),
)
