"""`jujube needs ...`: the manager's view of the needs log."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from jujube import JujubeError
from jujube.db.needs import iter_needs, parse_time
from jujube.db.session import get_sessionmaker


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `needs` command group."""
    parser = sub.add_parser("needs", help="review the needs log")
    cmds = parser.add_subparsers(dest="needs_command", metavar="ACTION")
    cmds.required = True
    exp = cmds.add_parser("export", help="export captured needs")
    exp.add_argument("--format", choices=["jsonl"], default="jsonl")
    exp.add_argument("--conversation", default=None, help="only this conversation id")
    exp.add_argument("--since", default=None, help="only needs captured at or after this ISO-8601 time")
    exp.set_defaults(handler=_export)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise JujubeError(f"--since wants an ISO-8601 time such as 2026-11-22T14:00:00Z, not {value!r}") from exc


def _export(args: argparse.Namespace) -> int:
    since = _since(args.since)
    out = sys.stdout
    for record in iter_needs(get_sessionmaker(), conversation_id=args.conversation, since=since):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0
