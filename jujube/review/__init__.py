"""Managers' review of the needs log: filters, listings, statistics, masking and exports."""
from __future__ import annotations

from jujube import JujubeError


class ReviewError(JujubeError):
    """A bad filter, an unknown id or another mistake in a review request."""
