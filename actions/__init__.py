"""Custom actions of the Jujube assistant (run by the rasa-sdk action server)."""
from __future__ import annotations

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
