"""Overview figures kept until the needs log changes."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from jujube.review.filters import NeedFilter
from jujube.review.queries import data_version
from jujube.review.stats import Stats, compute_stats

logger = logging.getLogger(__name__)


class StatsCache:
    """Computes overview statistics once per filter and log version (a cheap, index-only check)."""

    def __init__(self, factory: sessionmaker[Session], size: int = 32) -> None:
        self.factory = factory
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Stats] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, flt: NeedFilter, top: int = 10) -> Stats:
        """The statistics of `flt`, recomputed only when the needs log changed since last time."""
        key = (flt, top, data_version(self.factory))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        stats = compute_stats(self.factory, flt, top=top)
        with self._lock:
            self._items[key] = stats
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return stats
