"""Time the managers' dashboard on a large needs log: seeding, the overview, the needs table's first page.

Usage: bench/dashboard_bench.py [--count 100000] [--url DATABASE_URL] [--repeat 5] [--json OUT]
Without --url it seeds a fresh SQLite file in a temporary folder (kept with --keep).
Requests run in process through the ASGI app, so the times are server time: queries plus HTML rendering.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from jujube.dashboard.app import create_app
from jujube.dashboard.settings import DashboardSettings
from jujube.db.migrate import upgrade
from jujube.db.session import get_sessionmaker
from jujube.review.filters import NeedFilter
from jujube.review.queries import count_needs
from jujube.review.seed import seed_needs

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

logger = logging.getLogger(__name__)

# (name, path, a fresh dashboard for every request: no figures cached yet)
PAGES = (
    ("overview, cold", "/", True),
    ("overview", "/", False),
    ("table, first page", "/needs", False),
    ("overview, last 30 days, cold", "/?since={since30}", True),
    ("table, keyword 'pregnant'", "/needs?keyword=pregnant", False),
    ("table, unmet, sorted by request", "/needs?unmet=1&sort=stated_request", False),
    ("table, page 200", "/needs?page=200", False),
    ("need detail", "/needs/{some_id}", False),
)
LIMIT_S = 1.0


def _client(factory: Any) -> TestClient:
    """A signed-in client of a fresh dashboard (nothing cached)."""
    settings = DashboardSettings(password="bench", token=None, secret="bench")
    client = TestClient(create_app(settings, factory))
    client.post("/login", data={"password": "bench"}, follow_redirects=False)
    return client


def _time(factory: Any, client: TestClient, path: str, repeat: int, cold: bool) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        if cold:
            client = _client(factory)
        start = time.perf_counter()
        resp = client.get(path)
        times.append(time.perf_counter() - start)
        if resp.status_code != 200:
            raise SystemExit(f"{path} answered {resp.status_code}")
    return {"first_ms": times[0] * 1000, "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000}


def main() -> int:
    """Run the benchmark; exits 1 when the overview or the first page takes a second or more (median)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100_000, help="needs to seed (default 100000)")
    ap.add_argument("--url", default=None, help="use this database (seeded only when it holds fewer needs)")
    ap.add_argument("--repeat", type=int, default=5, help="requests per page (default 5)")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jujube-bench-"))
    url = args.url or f"sqlite:///{tmp / 'needs.db'}"
    upgrade(url)
    factory = get_sessionmaker(url)
    have = count_needs(factory, NeedFilter())
    seed_s = None
    if have < args.count:
        start = time.perf_counter()
        seed_needs(factory, args.count - have)
        seed_s = time.perf_counter() - start
        print(f"seeded {args.count - have} needs in {seed_s:.1f} s", file=sys.stderr)
    total = count_needs(factory, NeedFilter())
    client = _client(factory)
    since30 = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
    some_id = client.get("/needs?per_page=1").text.split('data-id="', 1)[1].split('"', 1)[0]
    results: dict[str, Any] = {"needs": total, "database": url.split(":", 1)[0], "seed_s": seed_s, "pages": {}}
    print(f"{'page (' + str(total) + ' needs)':34s} {'first ms':>9s} {'median ms':>10s} {'max ms':>8s}")
    for name, path, cold in PAGES:
        r = _time(factory, client, path.format(since30=since30, some_id=some_id), args.repeat, cold)
        results["pages"][name] = r
        print(f"{name:34s} {r['first_ms']:9.0f} {r['median_ms']:10.0f} {r['max_ms']:8.0f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    if not args.keep and not args.url:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    slow = [n for n in ("overview, cold", "overview", "table, first page")
            if results["pages"][n]["median_ms"] >= LIMIT_S * 1000]
    if slow:
        print(f"slower than {LIMIT_S:.0f} s: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
