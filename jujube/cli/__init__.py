"""The `jujube` command line."""
from __future__ import annotations
