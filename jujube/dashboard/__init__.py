"""The managers' web dashboard over the needs log."""
from __future__ import annotations

from jujube import JujubeError


class DashboardError(JujubeError):
    """The dashboard cannot start (e.g. no manager password is configured)."""
