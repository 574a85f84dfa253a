"""NLU parts that run inside Rasa: the knowledge-driven spaCy entity matcher."""
from __future__ import annotations
