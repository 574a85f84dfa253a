"""Geometry of the dashboard's inline SVG charts (the templates only draw what this computes)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Sequence

logger = logging.getLogger(__name__)

# Colour-blind-safe palette (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
OUTCOME_COLOURS = {
    "accepted": "#009E73", "declined": "#D55E00", "pending": "#56B4E9", "no_match": "#CC79A7", "abandoned": "#999999",
}


@dataclass
class Bar:
    """One bar: position, size, label and value."""

    x: float
    y: float
    w: float
    h: float
    label: str
    value: float
    colour: str = PALETTE[0]
    share: float = 0.0


def _fill_days(per_day: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Every day between the first and last, zero where nothing was captured."""
    if not per_day:
        return []
    known = dict(per_day)
    first, last = date.fromisoformat(per_day[0][0]), date.fromisoformat(per_day[-1][0])
    days = []
    day = first
    while day <= last:
        days.append((day.isoformat(), known.get(day.isoformat(), 0)))
        day += timedelta(days=1)
    return days


def _weeks(days: list[tuple[str, int]]) -> list[tuple[str, int]]:
    weeks: dict[str, int] = {}
    for day, n in days:
        d = date.fromisoformat(day)
        monday = (d - timedelta(days=d.weekday())).isoformat()
        weeks[monday] = weeks.get(monday, 0) + n
    return sorted(weeks.items())


def timeline(per_day: Sequence[tuple[str, int]], width: int = 1100, height: int = 220) -> dict[str, Any]:
    """Bars of needs captured per day (per week beyond 120 days), with axis labels."""
    series = _fill_days(per_day)
    unit = "day"
    if len(series) > 120:
        series, unit = _weeks(series), "week"
    top = max((n for _, n in series), default=0)
    left, bottom, plot_h = 44, 22, height - 30
    bars: list[Bar] = []
    if series:
        step = (width - left) / len(series)
        for i, (label, n) in enumerate(series):
            h = plot_h * n / top if top else 0
            bars.append(Bar(left + i * step + step * 0.1, height - bottom - h, max(step * 0.8, 1), h, label, n))
    ticks = [(height - bottom - plot_h * f, round(top * f)) for f in (0, 0.5, 1)] if top else []
    return {"bars": bars, "unit": unit, "width": width, "height": height, "left": left, "base": height - bottom,
            "ticks": ticks, "first": series[0][0] if series else "", "last": series[-1][0] if series else ""}


def hbars(items: Sequence[tuple[str, float]], width: int = 240, colour: str = PALETTE[0]) -> list[Bar]:
    """Horizontal bars scaled to the largest value (for ranked lists)."""
    top = max((v for _, v in items), default=0)
    total = sum(v for _, v in items)
    return [Bar(0, 0, width * v / top if top else 0, 14, label, v, colour, v / total if total else 0.0)
            for label, v in items]


def stacked(parts: Sequence[tuple[str, float]], width: int = 720, colours: dict[str, str] | None = None) -> list[Bar]:
    """One horizontal bar split into parts by share (labels keep their order)."""
    total = sum(v for _, v in parts)
    bars: list[Bar] = []
    x = 0.0
    for i, (label, v) in enumerate(parts):
        share = v / total if total else 0.0
        colour = (colours or {}).get(label, PALETTE[i % len(PALETTE)])
        bars.append(Bar(x, 0, width * share, 28, label, v, colour, share))
        x += width * share
    return bars


def sparkline(values: Sequence[float], width: int = 160, height: int = 32, top: float = 100.0) -> dict[str, Any]:
    """Points of a small line chart of scores (0 to `top`), oldest first, for an inline SVG polyline."""
    n = len(values)
    step = width / (n - 1) if n > 1 else 0.0
    pts = [(round(i * step if n > 1 else width / 2, 1),
            round(height - 2 - (height - 4) * max(0.0, min(v, top)) / top, 1)) for i, v in enumerate(values)]
    return {"width": width, "height": height, "points": " ".join(f"{x},{y}" for x, y in pts),
            "last": pts[-1] if pts else None}
