"""Jujube: customer-needs discovery for a family grocery and gift shop."""
from __future__ import annotations

__version__ = "0.1.0"


class JujubeError(Exception):
    """Base class of every error Jujube raises on purpose."""
