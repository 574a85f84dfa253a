"""The benchmark's printed tables and ratios."""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

LEVEL_METRICS = ("msg_per_s", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_turn")
BOT_METRICS = ("start_s", "training_s", "rss_mb", "rss_peak_mb", "pss_mb")
# result key of the ratios -> label of the ratio rows and columns
RATIO_KEYS = {"ratios": "jujube/stock", "ratios_scaled": "scaled/stock"}


def ratio(a: Any, b: Any) -> float | None:
    """a / b, or None when either is missing or b is zero."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return round(a / b, 2)
    return None


def ratios(jujube: dict[str, Any], stock: dict[str, Any]) -> dict[str, Any]:
    """Jujube / stock for every level metric (per concurrency) and every per-bot figure."""
    out: dict[str, Any] = {"levels": {}}
    stock_levels = {lv["concurrency"]: lv for lv in stock.get("levels", [])}
    for lv in jujube.get("levels", []):
        other = stock_levels.get(lv["concurrency"])
        if other:
            out["levels"][str(lv["concurrency"])] = {m: ratio(lv.get(m), other.get(m)) for m in LEVEL_METRICS}
    for m in BOT_METRICS:
        out[m] = ratio(jujube.get(m), stock.get(m))
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def level_table(bots: dict[str, dict[str, Any]], rats: dict[str, dict[str, Any]]) -> str:
    """Per bot and concurrency: throughput, latency percentiles, errors; ratio rows against stock."""
    head = (f"{'bot':<14}{'N':>4}{'convs':>7}{'turns':>7}{'msg/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'CPU ms/turn':>13}")
    rows = [head, "-" * len(head)]
    levels = sorted({lv["concurrency"] for b in bots.values() for lv in b.get("levels", [])})
    for n in levels:
        for name, bot in bots.items():
            for lv in bot.get("levels", []):
                if lv["concurrency"] != n:
                    continue
                flag = " (time cap)" if lv.get("stopped_early") else ""
                rows.append(f"{name:<14}{n:>4}{lv['conversations']:>7}{lv['turns']:>7}"
                            f"{_fmt(lv['msg_per_s']):>9}{_fmt(lv['p50_ms'], 0):>9}{_fmt(lv['p95_ms'], 0):>9}"
                            f"{_fmt(lv['p99_ms'], 0):>9}{lv['errors']:>8}{_fmt(lv.get('cpu_ms_per_turn')):>13}{flag}")
        for label, rat in rats.items():
            r = rat.get("levels", {}).get(str(n))
            if r:
                rows.append(f"{label:<14}{n:>4}{'':>7}{'':>7}{_fmt(r['msg_per_s'], 2):>9}"
                            f"{_fmt(r['p50_ms'], 2):>9}{_fmt(r['p95_ms'], 2):>9}{_fmt(r['p99_ms'], 2):>9}"
                            f"{'':>8}{_fmt(r.get('cpu_ms_per_turn'), 2):>13}")
    return "\n".join(rows)


def bot_table(bots: dict[str, dict[str, Any]], rats: dict[str, dict[str, Any]]) -> str:
    """Per bot: server start time, training time, resident memory; with a ratio column per Jujube bot."""
    names = list(bots)
    head = f"{'':<28}" + "".join(f"{n:>15}" for n in names) + "".join(f"{label:>14}" for label in rats)
    rows = [head, "-" * len(head)]
    labels = {"start_s": "server start (s)", "training_s": "training (s)",
              "rss_mb": "resident memory (MB)", "rss_peak_mb": "resident memory, peak (MB)",
              "pss_mb": "proportional memory (MB)"}
    for m in BOT_METRICS:
        cells = []
        for n in names:
            value = bots[n].get(m)
            if value is None and m == "training_s":
                value = bots[n].get("training_note") or "not measured"
            cells.append(f"{_fmt(value):>15}")
        row = f"{labels[m]:<28}" + "".join(cells) + "".join(f"{_fmt(rat.get(m), 2):>14}" for rat in rats.values())
        rows.append(row)
    return "\n".join(rows)


def memory_table(bots: dict[str, dict[str, Any]]) -> str:
    """Resident memory after the load, process by process."""
    rows = ["resident memory after the load (MB), by process:"]
    for name, bot in bots.items():
        parts = ", ".join(f"{proc} {_fmt(mb)}" for proc, mb in (bot.get("rss_by_process_mb") or {}).items())
        if parts:
            rows.append(f"  {name}: {parts}")
    return "\n".join(rows)


def cpu_table(bots: dict[str, dict[str, Any]]) -> str:
    """CPU time per turn at the highest concurrency level, process by process."""
    rows = []
    for name, bot in bots.items():
        levels = [lv for lv in bot.get("levels", []) if lv.get("cpu_ms_per_turn_by_process")]
        if levels:
            top = max(levels, key=lambda lv: lv["concurrency"])
            parts = ", ".join(f"{proc} {_fmt(ms)}" for proc, ms in top["cpu_ms_per_turn_by_process"].items())
            rows.append(f"  {name} (N={top['concurrency']}): {parts}")
    return "\n".join(["CPU ms per turn (user + system), by process:"] + rows) if rows else ""


def render(result: dict[str, Any]) -> str:
    """The whole printed report."""
    bots = result["bots"]
    rats = {label: result[key] for key, label in RATIO_KEYS.items() if result.get(key)}
    parts = [level_table(bots, rats), "", bot_table(bots, rats), "", memory_table(bots), "", cpu_table(bots)]
    if result.get("notes"):
        parts += [""] + [f"- {note}" for note in result["notes"]]
    return "\n".join(parts)
