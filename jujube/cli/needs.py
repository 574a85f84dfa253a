"""`jujube needs ...`: the manager's view of the needs log."""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from contextlib import contextmanager
from typing import Any, Iterator, TextIO

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from jujube import JujubeError
from jujube.db.session import get_sessionmaker

logger = logging.getLogger(__name__)

FILTER_KEYS = ("since", "until", "channel", "language", "outcome", "unmet", "dimension", "keyword", "recipient", "conversation")


def _filter_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--since", help="captured at or after this date or ISO-8601 time (UTC)")
    group.add_argument("--until", help="captured up to this date (inclusive) or ISO-8601 time")
    group.add_argument("--channel", help="only these channels, comma-separated (telegram,rest,...)")
    group.add_argument("--language", help="only needs in these languages, comma-separated (en,zh; unknown: not recorded)")
    group.add_argument("--outcome", help="only these outcomes, comma-separated (pending,accepted,declined,no_match,abandoned)")
    group.add_argument("--unmet", action="store_true", default=None, help="only needs the store could not supply")
    group.add_argument("--dimension", metavar="DIM[=TEXT]",
                       help="needs that say something on DIM (functional, formal, emotional, price), or whose DIM mentions TEXT")
    group.add_argument("-k", "--keyword", help="text anywhere in the request, the need, the recipient or the dimensions")
    group.add_argument("--recipient", help="recipient contains this text (e.g. mother)")
    group.add_argument("--conversation", help="only this conversation id")


def _common(parser: argparse.ArgumentParser, reveal: bool = True) -> None:
    parser.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    if reveal:
        parser.add_argument("--reveal", action="store_true", help="show phone numbers and e-mail addresses unmasked")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `needs` command group."""
    parser = sub.add_parser("needs", help="review the needs log")
    cmds = parser.add_subparsers(dest="needs_command", metavar="ACTION")
    cmds.required = True

    lst = cmds.add_parser("list", help="captured needs as a table (newest first)")
    _filter_args(lst)
    lst.add_argument("--sort", default="-captured_at", help="column to sort by, '-' for descending (default -captured_at)")
    lst.add_argument("--page", type=int, default=1, help="page number (default 1)")
    lst.add_argument("--per-page", type=int, default=50, help="rows per page (default 50)")
    _common(lst)
    lst.set_defaults(handler=_list)

    show = cmds.add_parser("show", help="one need's card and its conversation's transcript")
    show.add_argument("id", type=_need_id, help="need id (first column of `jujube needs list`)")
    _common(show)
    show.set_defaults(handler=_show)

    st = cmds.add_parser("stats", help="outcomes, top needs, asked-versus-needed pairs, unmet requests")
    _filter_args(st)
    st.add_argument("--top", type=int, default=10, help="rows in each top list (default 10)")
    st.add_argument("--json", action="store_true", help="print the figures as JSON")
    _common(st)
    st.set_defaults(handler=_stats)

    exp = cmds.add_parser("export", help="export captured needs")
    exp.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    _filter_args(exp)
    exp.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    exp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="progress bar on stderr (default: when stderr is a terminal)")
    _common(exp)
    exp.set_defaults(handler=_export)

    fg = cmds.add_parser("forget", help="delete everything kept about a conversation (a shopper's deletion request)")
    fg.add_argument("conversation", help="conversation id (the channel's sender id, e.g. tg:12345)")
    fg.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    fg.set_defaults(handler=_forget)

    ob = cmds.add_parser("outbox", help="needs waiting for the database, and records it rejected")
    ob.add_argument("--retry", action="store_true", help="write the waiting needs now")
    ob.add_argument("--retry-set-aside", action="store_true",
                    help="put the rejected records back in the outbox and write them (after a fix)")
    ob.add_argument("--json", action="store_true", help="print the entries as JSON lines")
    ob.add_argument("--url", default=None, help="database URL (default: DATABASE_URL)")
    ob.set_defaults(handler=_outbox)

    seed = cmds.add_parser("seed", help="add synthetic needs (demos and benchmarks)")
    seed.add_argument("--count", type=int, default=1000, help="how many needs (default 1000)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    seed.add_argument("--days", type=int, default=90, help="spread over this many past days (default 90)")
    seed.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="progress bar on stderr (default: when stderr is a terminal)")
    _common(seed, reveal=False)
    seed.set_defaults(handler=_seed)


def _need_id(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a need id is a number (see `jujube needs list`), not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"need ids start at 1, not {number}")
    return number


def _filter(args: argparse.Namespace) -> Any:
    from jujube.review.filters import NeedFilter

    return NeedFilter.from_mapping({k: getattr(args, k, None) for k in FILTER_KEYS})


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[sessionmaker[Session]]:
    """The session factory, with database errors turned into a clear message."""
    try:
        yield get_sessionmaker(args.url)
    except (OperationalError, ProgrammingError) as exc:
        raise JujubeError(f"database error: {exc.orig}. Is the schema up to date? Run `jujube db upgrade`.") from exc


def _width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def _list(args: argparse.Namespace) -> int:
    from jujube.review.queries import list_needs
    from jujube.review.text import page_table

    flt = _filter(args)
    with _database(args) as factory:
        page = list_needs(factory, flt, sort=args.sort, page=args.page, per_page=args.per_page, reveal=args.reveal)
    print(page_table(page, _width()))
    return 0


def _show(args: argparse.Namespace) -> int:
    from jujube.review.queries import get_need
    from jujube.review.text import need_card

    with _database(args) as factory:
        detail = get_need(factory, args.id, reveal=args.reveal)
    if args.reveal:
        logger.warning("contact details revealed for need %s", args.id)
    print(need_card(detail, revealed=args.reveal))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from jujube.review.stats import compute_stats
    from jujube.review.text import stats_text

    if not 1 <= args.top <= 100:
        raise JujubeError(f"--top must be between 1 and 100, not {args.top}")
    flt = _filter(args)
    with _database(args) as factory:
        stats = compute_stats(factory, flt, top=args.top, reveal=args.reveal)
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(stats_text(stats, _width()))
    return 0


def _progress(args: argparse.Namespace, total: int, unit: str) -> Any:
    from tqdm import tqdm

    show = sys.stderr.isatty() if args.progress is None else args.progress
    return tqdm(total=total, unit=unit, file=sys.stderr, disable=not show, dynamic_ncols=True, leave=False)


def _export(args: argparse.Namespace) -> int:
    from jujube.review.export import write_csv, write_jsonl
    from jujube.review.queries import count_needs, iter_records

    flt = _filter(args)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    out: TextIO = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        with _database(args) as factory:
            total = count_needs(factory, flt) if show else 0
            with _progress(args, total, "need") as bar:

                def counted() -> Iterator[dict[str, Any]]:
                    for record in iter_records(factory, flt, reveal=args.reveal):
                        yield record
                        bar.update()

                (write_csv if args.format == "csv" else write_jsonl)(counted(), out)
    finally:
        if args.output:
            out.close()
    return 0


def _seed(args: argparse.Namespace) -> int:
    from jujube.review.seed import seed_needs

    with _database(args) as factory:
        with _progress(args, args.count, "need") as bar:
            made = seed_needs(factory, args.count, seed=args.seed, days=args.days, progress=bar.update)
    print(f"added {made} synthetic needs", file=sys.stderr)
    return 0


def _forget(args: argparse.Namespace) -> int:
    from jujube.db.store import forget_everywhere

    conversation = args.conversation.strip()
    if not conversation:
        raise JujubeError("name the conversation to forget (e.g. tg:12345)")
    with _database(args) as factory:
        counts = forget_everywhere(conversation, factory)
    logger.warning("forgot conversation %s at a manager's request: %s", conversation, counts)
    print(f"forgot {conversation}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    return 0


def _outbox_line(entry: dict[str, Any]) -> str:
    record = entry.get("record") or {}
    who = record.get("conversation_id") or entry.get("conversation_id") or "?"
    what = record.get("stated_request") or entry.get("kind", "")
    line = f"  {entry.get('kind', '?'):<10} {who:<24} {record.get('discovery_id') or '':<36} {what}"
    return line + (f"\n      rejected: {entry['error']}" if entry.get("error") else "")


def _outbox(args: argparse.Namespace) -> int:
    from jujube.config import get_settings
    from jujube.db.store import NeedsLog

    log = NeedsLog(get_settings().outbox_path, factory=(lambda: get_sessionmaker(args.url)), background=False)
    if args.retry_set_aside:
        done = log.retry_set_aside()
        print(f"retried set-aside records: {done.written} written, {done.set_aside} set aside again, "
              f"{done.waiting} waiting", file=sys.stderr)
    elif args.retry:
        done = log.flush_report()
        print(f"retried the outbox: {done.written} written, {done.set_aside} set aside, {done.waiting} waiting",
              file=sys.stderr)
    waiting, rejected = log.pending_entries(), log.set_aside_entries()
    if args.json:
        for state, entries in (("waiting", waiting), ("set_aside", rejected)):
            for entry in entries:
                print(json.dumps({"state": state, **entry}, ensure_ascii=False, default=str))
        return 1 if rejected else 0
    print(f"waiting for the database ({log.outbox}): {len(waiting)}")
    for entry in waiting:
        print(_outbox_line(entry))
    print(f"set aside, rejected by the database ({log.dead_letters}): {len(rejected)}")
    for entry in rejected:
        print(_outbox_line(entry))
    return 1 if rejected else 0
