"""Reading trainee messages in languages the question classifier was not trained on, by cue phrases.

A language's cues live in knowledge/<language>/rehearsal_questions.yml: question kinds in the order
they are tried, each with the phrases that mark it. A message in that language (by its script,
`jujube.messages.language_of`) is read by its cues; every other message goes to the trained classifier.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from jujube.config import get_settings
from jujube.messages import language_of
from jujube.rehearsal import RehearsalError
from jujube.rehearsal.classifier import OTHER, Part, Prediction, main_label

logger = logging.getLogger(__name__)

CUE_CONFIDENCE = 0.9  # how sure a cue reading is (above every rule threshold)
SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])")  # a sentence ends after its mark, which stays with it


class Reads(Protocol):
    """Anything that reads a trainee message as a question kind."""

    def predict(self, text: str) -> Prediction:
        """The kind of one trainee message."""


@dataclass(frozen=True)
class CueReader:
    """One language's question kinds, each marked by phrases; the first kind with a phrase in the message wins."""

    language: str
    cues: tuple[tuple[str, tuple[str, ...]], ...]
    labels: tuple[str, ...]

    def predict(self, text: str) -> Prediction:
        """Each sentence read as the first kind whose cue it holds; the message as its weightiest part."""
        said = " ".join((text or "").split()).lower()
        parts = [Part(p, self.kind_of(p), CUE_CONFIDENCE) for p in SENTENCE_END.split(said) if p.strip(" ,，、")]
        kept = [p for p in parts if p.label != OTHER]
        if not kept:
            return Prediction(OTHER, 1.0, {k: 0.0 for k in self.labels}, "cues", (Part(said, OTHER, 1.0),))
        label = main_label(p.label for p in kept)
        return Prediction(label, CUE_CONFIDENCE, {k: float(k == label) * CUE_CONFIDENCE for k in self.labels},
                          "cues", tuple(kept))

    def kind_of(self, sentence: str) -> str:
        """The first kind (in the file's order) with a cue in the sentence; `other` when none has."""
        return next((kind for kind, phrases in self.cues if any(p in sentence for p in phrases)), OTHER)


def read_cues(path: Path) -> CueReader:
    """One language's cue file ({language, kinds: [{kind, cues: [...]}, ...]})."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = raw.get("kinds")
    if not isinstance(kinds, list) or not kinds:
        raise RehearsalError(f"{path}: expected 'kinds', a list of {{kind, cues}}")
    cues = tuple((str(k["kind"]), tuple(str(c).lower() for c in k.get("cues") or [])) for k in kinds)
    labels = tuple(dict.fromkeys([*(k for k, _ in cues), OTHER]))
    return CueReader(str(raw.get("language") or path.parent.name), cues, labels)


def cue_readers(folder: Path | None = None) -> dict[str, CueReader]:
    """Language -> cue reader, for every knowledge/<language>/rehearsal_questions.yml saying its language."""
    folder = folder or get_settings().knowledge_dir
    readers = {}
    for path in sorted(folder.glob("*/rehearsal_questions.yml")):
        reader = read_cues(path)
        if reader.language == path.parent.name:
            readers[reader.language] = reader
    return readers


@dataclass
class ByLanguage:
    """Reads a message by its language's cues when the language has them, else by the trained classifier."""

    trained: Reads
    readers: dict[str, CueReader]

    def predict(self, text: str) -> Prediction:
        """The kind of one trainee message."""
        reader = self.readers.get(language_of(text or "") or "")
        return (reader or self.trained).predict(text)
