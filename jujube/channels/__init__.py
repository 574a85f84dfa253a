"""Rasa input channels of Jujube."""
from __future__ import annotations
