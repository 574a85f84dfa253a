"""Overview figures kept until the needs log changes, refreshed in the background when they are slow to compute."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from jujube.review.filters import NeedFilter
from jujube.review.queries import data_version
from jujube.review.stats import Stats, compute_stats

logger = logging.getLogger(__name__)


@dataclass
class Figures:
    """Statistics with the time they were computed; `stale` while newer ones are being computed."""

    stats: Stats
    as_of: datetime
    stale: bool = False


@dataclass
class _Entry:
    version: tuple[Any, ...]
    figures: Figures
    seconds: float


class StatsCache:
    """Computes overview statistics once per filter and needs-log version (an index-only check).

    When the log changed and the last computation for a filter took longer than `slow_seconds`,
    the previous figures are served (marked stale) while fresh ones are computed in the background,
    so a busy shop's overview stays quick. Fast computations are always done on the spot.
    """

    def __init__(self, factory: sessionmaker[Session], size: int = 32, slow_seconds: float = 0.3,
                 compute: Callable[..., Stats] = compute_stats) -> None:
        self.factory = factory
        self.size = size
        self.slow_seconds = slow_seconds
        self._compute = compute
        self._items: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._busy: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()

    def get(self, flt: NeedFilter, top: int = 10) -> Figures:
        """The figures of `flt`: cached, stale while refreshing, or computed now."""
        key = (flt, top)
        version = data_version(self.factory)
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
                if entry.version == version:
                    return entry.figures
                if entry.seconds >= self.slow_seconds:
                    self._refresh_later(key, flt, top, version)
                    return Figures(entry.figures.stats, entry.figures.as_of, stale=True)
        return self._store(key, flt, top, version)

    def warm(self, flt: NeedFilter | None = None, top: int = 10) -> threading.Thread:
        """Compute the figures of `flt` (default: everything) in the background, e.g. at start-up."""
        flt = flt or NeedFilter()
        thread = threading.Thread(target=self._quietly, args=((flt, top), flt, top, None), daemon=True,
                                  name="stats-warm")
        thread.start()
        return thread

    def _refresh_later(self, key: tuple[Any, ...], flt: NeedFilter, top: int, version: tuple[Any, ...]) -> None:
        if key in self._busy:
            return
        self._busy.add(key)
        threading.Thread(target=self._quietly, args=(key, flt, top, version), daemon=True, name="stats-refresh").start()

    def _quietly(self, key: tuple[Any, ...], flt: NeedFilter, top: int, version: tuple[Any, ...] | None) -> None:
        try:
            self._store(key, flt, top, version or data_version(self.factory))
        except Exception:  # a background refresh must never take the dashboard down
            logger.exception("dashboard: computing the overview figures failed")
        finally:
            with self._lock:
                self._busy.discard(key)

    def _store(self, key: tuple[Any, ...], flt: NeedFilter, top: int, version: tuple[Any, ...]) -> Figures:
        start = time.perf_counter()
        figures = Figures(self._compute(self.factory, flt, top=top), datetime.now(timezone.utc))
        seconds = time.perf_counter() - start
        with self._lock:
            self._items[key] = _Entry(version, figures, seconds)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        logger.info("dashboard: overview figures for %s in %.0f ms", flt.describe(), 1000 * seconds)
        return figures
