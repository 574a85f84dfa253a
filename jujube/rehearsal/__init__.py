"""The rehearsal coach: sales staff practise discovering a customer's hidden need."""
from __future__ import annotations

from jujube import JujubeError


class RehearsalError(JujubeError):
    """A rehearsal file is missing or malformed, or a rehearsal cannot go on."""
