"""Rasa tokenizer for both languages: words split on spaces, runs of Chinese segmented by jieba."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from jujube.nlu.unspaced import UNSPACED, segment


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MixedTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer, with every token holding Chinese characters cut into words by jieba."""

    @staticmethod
    def not_supported_languages() -> Optional[List[Text]]:
        """Every language: spaced scripts by whitespace, unspaced ones by jieba."""
        return None

    @staticmethod
    def required_packages() -> List[Text]:
        """jieba."""
        return ["jieba"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """WhitespaceTokenizer's settings."""
        return WhitespaceTokenizer.get_default_config()

    def remove_emoji(self, text: Text) -> Text:
        """Rasa's emoji range takes in every Chinese character: a token with them is a word, not an emoji."""
        return text if UNSPACED.search(text) else super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Whitespace tokens, the Chinese ones segmented."""
        out: List[Token] = []
        for token in super().tokenize(message, attribute):
            if not UNSPACED.search(token.text):
                out.append(token)
                continue
            out += [Token(word, token.start + start) for word, start in segment(token.text)]
        return out
