"""PostgreSQL for scaled mode, kept in a project folder: `start ROOT PORT` prints the database URL, `stop ROOT`.

The cluster is created on first use (initdb, trust authentication on 127.0.0.1 only) and kept,
so the needs log and the conversations survive a restart. Debian's binaries, no system service.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from jujube.db.pgserver import PgServer  # noqa: E402

logger = logging.getLogger("scaled_db")
DATABASE = "jujube"


def start(root: Path, port: int) -> str:
    """Start (creating if needed) the cluster in `root` on `port`; the URL of its `jujube` database."""
    pg = PgServer(root=root.resolve(), port=port)
    if (pg.data / "PG_VERSION").exists():
        with open(pg.data / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"\nport = {port}\n")  # the last setting wins
        if pg.running():
            pg.stop("fast")
    pg.start()
    engine = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    finally:
        engine.dispose()
    return pg.url(DATABASE)


def stop(root: Path) -> None:
    """Stop the cluster in `root` if it runs."""
    pg = PgServer(root=root.resolve())
    if (pg.data / "PG_VERSION").exists():
        pg.stop("fast")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("start")
    s.add_argument("root", type=Path)
    s.add_argument("port", type=int)
    t = sub.add_parser("stop")
    t.add_argument("root", type=Path)
    args = p.parse_args(argv)
    if args.command == "start":
        print(start(args.root, args.port))
    else:
        stop(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
