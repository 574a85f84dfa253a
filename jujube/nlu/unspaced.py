"""Scripts written without spaces between words (Chinese, Japanese, Korean): matched by substring."""
from __future__ import annotations

import logging
import re

UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
UNSPACED_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def segment(text: str) -> list[tuple[str, int]]:
    """(word, start) pairs of a run of an unspaced script: jieba's dictionary segmentation (Rasa's environment)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [(word, start) for word, start, _ in jieba.tokenize(text) if word.strip()]
