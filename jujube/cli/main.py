"""Entry point of the `jujube` command: each command group registers itself."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Callable, Sequence

from jujube import JujubeError

logger = logging.getLogger(__name__)

# Command groups: module path -> each module has register(subparsers).
GROUPS = ("jujube.cli.needs", "jujube.cli.db", "jujube.cli.rehearsal")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every command group that is installed."""
    parser = argparse.ArgumentParser(prog="jujube", description="Jujube: customer-needs discovery.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    sub.required = True
    for name in GROUPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except JujubeError as exc:
        print(f"jujube: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
