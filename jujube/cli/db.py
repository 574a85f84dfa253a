"""`jujube db ...`: schema management."""
from __future__ import annotations

import argparse

from jujube.db.migrate import upgrade


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `db` command group."""
    parser = sub.add_parser("db", help="database schema")
    cmds = parser.add_subparsers(dest="db_command", metavar="ACTION")
    cmds.required = True
    up = cmds.add_parser("upgrade", help="apply migrations (creates the database if needed)")
    up.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    up.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    upgrade(args.url)
    return 0
